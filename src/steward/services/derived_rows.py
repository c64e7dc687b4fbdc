"""Rows Steward derives itself (QA scores, AutoQA results) reach the warehouse through the normal importer.

They are written to a Parquet file under `<workspace>/.steward/` batch by batch, then imported with
the native importer: validated like any export, stored in one transaction, unchanged rows left
alone, and recorded as an import run. Tables that must agree (AutoQA's per-rule and per-ruleset
rows) are written side by side in one folder (`DerivedTables`) and imported together: one run,
one transaction.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from steward.domain.canonical import ColumnType, Table
from steward.importers.base import ImportOptions
from steward.services.ingest import ImportSummary, Preparation, import_file
from steward.workspace import Workspace

ARROW_TYPES = {
    ColumnType.STRING: pa.string(),
    ColumnType.TIMESTAMP: pa.timestamp("us", tz="UTC"),  # an instant: no time zone has to be declared
    ColumnType.INTEGER: pa.int64(),
    ColumnType.NUMBER: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
}


def arrow_schema(table: Table) -> pa.Schema:
    """The canonical table's columns as an Arrow schema (timestamps as UTC instants)."""
    return pa.schema([(column.name, ARROW_TYPES[column.type]) for column in table.columns])


class DerivedRows:
    """A Parquet file of one canonical table, written in batches and then imported (`store`)."""

    def __init__(self, workspace: Workspace, table: Table, name: str, folder: Path | None = None) -> None:
        self.workspace = workspace
        self.table = table
        self.schema = arrow_schema(table)
        folder = folder or workspace.root / ".steward"
        folder.mkdir(exist_ok=True)
        self.path = folder / f"{name}.parquet"
        self.rows = 0
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(self.path, self.schema)

    def write(self, rows: Sequence[Mapping[str, object]]) -> None:
        """Append rows given as column -> value (missing columns are empty)."""
        if not rows or self._writer is None:
            return
        batch = pa.RecordBatch.from_pylist([{n: row.get(n) for n in self.schema.names} for row in rows], self.schema)
        self._writer.write_batch(batch)
        self.rows += len(rows)

    def store(self) -> ImportSummary:
        """Close the file and import it into the table."""
        self.close()
        return import_file(
            self.workspace, self.path, importer_name="steward", options=ImportOptions(table=self.table.name)
        )

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> DerivedRows:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class DerivedTables:
    """Several derived tables written side by side in one folder and imported together.

    The native importer stages every file of a folder in one transaction, so the tables land
    together or not at all, as one import run.
    """

    def __init__(self, workspace: Workspace, name: str, tables: Sequence[Table]) -> None:
        self.workspace = workspace
        self.folder = workspace.root / ".steward" / name
        # Files left by an earlier, interrupted run would be imported with this one's.
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.parts = {table.name: DerivedRows(workspace, table, table.name, self.folder) for table in tables}

    def __getitem__(self, table: str) -> DerivedRows:
        return self.parts[table]

    def store(self, prepare: Preparation | None = None) -> ImportSummary:
        """Close the files and import the folder; `prepare` runs first in the same transaction."""
        self.close()
        return import_file(self.workspace, self.folder, importer_name="steward", prepare=prepare)

    def close(self) -> None:
        for part in self.parts.values():
            part.close()

    def __enter__(self) -> DerivedTables:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
