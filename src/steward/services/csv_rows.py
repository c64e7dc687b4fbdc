"""Small CSV files users hand to a command (QA exports, calibration answers), read whole."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_csv_rows(path: Path, error: type[ValueError]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and every record with its row number (the header is row 1). Quoted fields keep
    their line breaks; an unreadable file or a malformed record raises `error` naming it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot be read ({problem})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, row in enumerate(reader, start=2):
            rows.append((number, {key: value or "" for key, value in row.items() if isinstance(key, str)}))
    except csv.Error as problem:
        raise error(f"{path}: row {len(rows) + 2}: {problem}") from None
    return list(reader.fieldnames or []), rows
