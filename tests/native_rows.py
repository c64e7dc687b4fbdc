"""Rows as dicts -> native CSV files the real importer reads (shared by the metric tests)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from steward.domain.canonical import TABLES

Row = dict[str, object]


def csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        assert value.tzinfo is None, "rows hold naive-UTC datetimes"
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_table(path: Path, table: str, rows: list[Row]) -> Path:
    """A native CSV with every canonical column any row uses, in canonical order."""
    used = {name for row in rows for name in row}
    columns = [name for name in TABLES[table].column_names if name in used]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([csv_value(row.get(name)) for name in columns] for row in rows)
    return path
