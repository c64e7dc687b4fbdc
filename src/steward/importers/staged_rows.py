"""Collecting reshaped records, one canonical row at a time, into a staged Arrow table."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from steward.domain.canonical import TABLES
from steward.importers.base import RecordProblem, StagedTable, string_table

# Quarantined raw records are kept for people to read; a customer's address must not be among them,
# wherever the export put it (a subject line, a comment body, a column nobody mapped). The
# look-behind keeps JSON escapes such as \n in front of an address intact.
_EMAIL = re.compile(r"(?<!\\)[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED_EMAIL = "[e-mail removed]"


def redact_emails(text: str) -> str:
    return _EMAIL.sub(REDACTED_EMAIL, text)


class StagedRows:
    """Text values of canonical columns, with row numbers, raw records and unreshapeable records."""

    def __init__(self, table: str, columns: Iterable[str]) -> None:
        known = TABLES[table].column_names
        self.table = table
        self.columns: dict[str, list[str | None]] = {}
        for name in columns:
            if name not in known:
                raise KeyError(f"{table} has no column {name!r}")
            self.columns[name] = []
        self.rows: list[int] = []
        self.raw: list[str] = []
        self.problems: list[RecordProblem] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: int, values: Mapping[str, str | None], raw: str) -> None:
        """One canonical row; columns missing from `values` are null, unknown ones are a programming error."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"not staged for {self.table}: {', '.join(sorted(unknown))}")
        for name, column in self.columns.items():
            column.append(values.get(name))
        self.rows.append(row)
        self.raw.append(redact_emails(raw))

    def reject(self, row: int, field: str, reason: str, raw: str | None = None) -> None:
        """A record that cannot be reshaped; it is counted as read and rejected, not staged, and kept as text."""
        self.problems.append(RecordProblem(row, field, reason, redact_emails(raw) if raw is not None else None))

    def reject_all(self, problems: Iterable[RecordProblem]) -> None:
        for problem in problems:
            self.reject(problem.row, problem.field, problem.reason, problem.raw)

    def staged(self, file: Path, *, timezone: str | None, default_source: str) -> StagedTable:
        return StagedTable(
            self.table,
            file,
            arrow=string_table(self.columns, self.rows, self.raw),
            timezone=timezone,
            default_source=default_source,
            problems=tuple(self.problems),
        )
