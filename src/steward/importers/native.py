"""The native format: canonical columns as CSV, Parquet or JSON Lines, one table per file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyarrow.parquet as pq

from steward.domain.canonical import TABLES, Table, recognise_table
from steward.importers.base import (
    ImportContext,
    RecordProblem,
    StagedTable,
    UnreadableFile,
    read_head,
    string_table,
    text_encoding,
)

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def native_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def header_columns(path: Path) -> list[str]:
    """Column names of a native file, read from its first bytes or its Parquet schema."""
    kind = native_format(path)
    if kind == "parquet":
        return list(pq.read_schema(path).names)
    head = read_head(path).decode(text_encoding(path), errors="replace").lstrip("\ufeff")
    if kind == "csv":
        first = head.splitlines()[0] if head else ""
        return [name.strip() for name in next(csv.reader(io.StringIO(first)), [])]
    if kind == "jsonl":
        for line in head.splitlines():
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    return []
                return list(record) if isinstance(record, dict) else []
    return []


def native_files(folder: Path) -> list[Path]:
    """Native files directly in `folder`, by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and native_format(p) is not None)


class NativeImporter:
    """Steward's own format: exactly the canonical columns (docs/data-format.md)."""

    name: ClassVar[str] = "steward"
    description: ClassVar[str] = "native canonical tables as CSV, Parquet or JSON Lines"

    def sniff(self, path: Path) -> float:
        if path.is_dir():
            files = native_files(path)
            return 0.8 if files and all(self.sniff(f) > 0 for f in files) else 0.0
        if native_format(path) is None:
            return 0.0
        try:
            columns = header_columns(path)
        except (OSError, ValueError):
            return 0.0
        return 0.9 if recognise_table(columns) else 0.0

    def stage(self, path: Path, context: ImportContext) -> Iterator[StagedTable]:
        if path.is_dir():
            yield from self._stage_folder(path, context)
            return
        kind = native_format(path)
        if kind is None:
            raise UnreadableFile(f"{path}: the native format is .csv, .parquet or .jsonl")
        table = self._table(path, context.options.table)
        timezone = context.options.timezone
        source = context.options.source or self.name
        if kind == "jsonl":
            yield self._stage_jsonl(path, table, timezone, source)
            return
        encoding = text_encoding(path) if kind == "csv" else "utf-8"
        yield StagedTable(
            table.name,
            path,
            native_file=path,
            native_format=kind,
            encoding=encoding,
            timezone=timezone,
            default_source=source,
        )

    def _stage_folder(self, folder: Path, context: ImportContext) -> Iterator[StagedTable]:
        """Every native file in the folder (as `steward generate` writes them), in one import run."""
        if context.options.table:
            raise UnreadableFile(f"{folder}: --table names the table of one file; import the files one by one")
        files = native_files(folder)
        if not files:
            raise UnreadableFile(f"{folder}: no .csv, .parquet or .jsonl files in this folder")
        for file in files:
            yield from self.stage(file, context)

    def _table(self, path: Path, requested: str | None) -> Table:
        if requested:
            if requested not in TABLES:
                raise UnreadableFile(f"unknown table {requested!r}; choose one of {', '.join(TABLES)}")
            return TABLES[requested]
        columns = header_columns(path)
        table = recognise_table(columns)
        if table is None:
            raise UnreadableFile(
                f"{path}: cannot tell which table the columns {', '.join(columns[:8]) or '(none)'} belong to; "
                f"pass --table ({', '.join(TABLES)})"
            )
        return table

    def _stage_jsonl(self, path: Path, table: Table, timezone: str | None, source: str) -> StagedTable:
        names = table.column_names
        columns: dict[str, list[str | None]] = {name: [] for name in names}
        rows: list[int] = []
        raw: list[str] = []
        problems: list[RecordProblem] = []
        with path.open(encoding=text_encoding(path), errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    problems.append(RecordProblem(number, "", f"not valid JSON: {error.msg}", line.strip()))
                    continue
                if not isinstance(record, dict):
                    problems.append(RecordProblem(number, "", "a line must hold one JSON object", line.strip()))
                    continue
                for name in names:
                    value = record.get(name)
                    columns[name].append(None if value is None else _text(value))
                rows.append(number)
                raw.append(line.strip())
        return StagedTable(
            table.name,
            path,
            arrow=string_table(columns, rows, raw),
            timezone=timezone,
            default_source=source,
            problems=tuple(problems),
        )


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)
