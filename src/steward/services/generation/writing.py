"""Write generated tables in the native import format, chunk by chunk, as Parquet or CSV."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


class TableWriter:
    """Appends Arrow tables to one file; CSV timestamps use the canonical UTC form `...Z`."""

    def __init__(self, path: Path, file_format: str) -> None:
        self.path = path
        self.format = file_format
        self.rows = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def __enter__(self) -> TableWriter:
        return self

    def write(self, table: pa.Table) -> None:
        if self.format == "csv":
            table = _csv_ready(table)
        if self._writer is None:
            if self.format == "csv":
                options = pacsv.WriteOptions(quoting_style="needed")
                self._writer = pacsv.CSVWriter(self.path, table.schema, write_options=options)
            else:
                self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._writer.write_table(table)
        self.rows += table.num_rows

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._writer is not None:
            self._writer.close()


def _instant_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """`2026-03-02T09:14:05Z`; formatting naive seconds is some 20x faster than strftime on zoned values."""
    seconds = pc.divide(pc.cast(column, pa.int64()), 1_000_000)
    text = pc.cast(pc.cast(seconds, pa.timestamp("s")), pa.string())
    return pc.binary_join_element_wise(pc.replace_substring(text, " ", "T", max_replacements=1), "Z", "")


def _csv_ready(table: pa.Table) -> pa.Table:
    """Timestamps as ISO 8601 UTC text in whole seconds, the importer's fast path."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        columns.append(_instant_text(column) if pa.types.is_timestamp(field.type) else column)
    return pa.table(columns, names=table.column_names)
