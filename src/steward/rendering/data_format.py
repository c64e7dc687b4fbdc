"""docs/data-format.md, rendered from the canonical schema so the two never disagree."""

from __future__ import annotations

from steward.domain.canonical import TABLES, Column, Table

INTRO = """\
# Steward's data format

Steward keeps every company's support data in one canonical shape, whatever helpdesk or
telephony system it came from. This page is generated from `steward/domain/canonical.py`
(`make docs`); a test fails when the two disagree.

The **native import format** is exactly these columns, one table per file, as CSV (RFC 4180,
comma-separated, a header row, UTF-8 or Latin-1), Parquet or JSON Lines. The table is recognised
from the columns or named with `steward import FILE --table NAME`. Required columns must be
present; optional ones may be left out. Columns that are not listed are ignored (the import
summary names them).

## Values

- **timestamp**: ISO 8601. `2026-03-02T09:14:05Z` (UTC) is the canonical and fastest form.
  Other offsets (`+01:00`, `+0100`, `+01`) are converted to UTC. A timestamp without an
  offset needs a time zone: `--timezone Europe/Berlin` on the import, or `[import]
  default_timezone` in `steward.toml`; otherwise the row is rejected (never guessed). Local
  times that a daylight-saving change skips or repeats are rejected with the reason. Parquet
  timestamps with a time zone are instants; without one they are local times as above.
  Steward stores every timestamp as naive UTC.
- **integer** / **number**: `12`, `12.5`; `nan` and `inf` are rejected.
- **boolean**: `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `1`/`0` (any case).
- **string**: as given. Where allowed values are listed, matching ignores case and surrounding spaces.
- An empty field is a missing value.

## Rows that are rejected

Each row is checked: required values present, types, allowed values, ranges, time order
(for example `first_response_at` not before `created_at`) and time zones. A bad row is kept
in the `import_rejects` table and in `reports/imports/run-N-rejects.csv` with its file, row
number (the header is row 1, as a spreadsheet shows it), field and reason, and the original
record; the good rows of the same file are stored. When a key appears twice in one file, the
last row wins and the earlier ones are rejected as superseded. Re-importing a row with the
same key (`source` + the key columns below) updates it if anything changed and leaves it
untouched otherwise.
"""


def _constraints(column: Column) -> str:
    parts = []
    if column.allowed:
        parts.append("one of " + ", ".join(f"`{v}`" for v in column.allowed))
    if column.minimum is not None:
        parts.append(f">= {column.minimum:g}")
    if column.maximum is not None:
        parts.append(f"<= {column.maximum:g}")
    if column.redacted:
        parts.append("redacted before storage")
    return "; ".join(parts)


def _table_section(table: Table) -> str:
    lines = [
        f"## `{table.name}`",
        "",
        table.description,
        "",
        f"Key: {', '.join(f'`{k}`' for k in table.key)}.",
    ]
    if table.time_order:
        rules = ", ".join(f"`{r.earlier}` <= `{r.later}`" for r in table.time_order)
        lines.append(f"Time order: {rules}.")
    lines += ["", "| column | type | required | meaning | allowed | example |", "|---|---|---|---|---|---|"]
    for column in table.columns:
        lines.append(
            f"| `{column.name}` | {column.type.value} | {'yes' if column.required else 'no'} | "
            f"{column.description} | {_constraints(column)} | `{column.example}` |"
        )
    return "\n".join(lines)


def render_data_format() -> str:
    """The whole page as Markdown."""
    return INTRO + "\n" + "\n\n".join(_table_section(t) for t in TABLES.values()) + "\n"
