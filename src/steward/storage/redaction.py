"""Redaction inside the engine: `st_redact(text)` runs `steward.domain.autoqa.redact` on staged text.

Columns flagged `redacted` in the canonical schema (transcript text) are typed through it, so card
numbers and personal data never reach a stored table; the rejects of such tables are redacted too.
The function is vectorised over Arrow arrays, and only values holding a digit (any script's, as in
`redact`) or an `@` (the only ones `redact` can change) go through Python.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from duckdb import DuckDBPyConnection
from duckdb.func import PythonUDFType

from steward.domain.autoqa import redact
from steward.domain.canonical import Table

FUNCTION = "st_redact"
# Unicode digits, as `redact`'s `\d` matches them: a card number typed in full-width digits is one too.
_MAY_HOLD = r"[\p{Nd}@]"


def redacts(table: Table) -> bool:
    """Whether the table has a column whose text is redacted before it is stored."""
    return any(column.redacted for column in table.columns)


def redact_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Every text redacted; values that cannot hold a number or an address are passed through untouched."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    candidates = pc.fill_null(pc.match_substring_regex(values, _MAY_HOLD), False)
    if not pc.any(candidates).as_py():
        return values
    texts = values.to_pylist()
    flags = candidates.to_pylist()
    return pa.array(
        [redact(text) if flag and text is not None else text for text, flag in zip(texts, flags, strict=True)],
        type=pa.string(),
    )


def register_redaction(connection: DuckDBPyConnection) -> None:
    """Make `st_redact(VARCHAR)` available on the connection (once per connection)."""
    found = connection.execute("SELECT 1 FROM duckdb_functions() WHERE function_name = ?", [FUNCTION]).fetchall()
    if found:
        return
    connection.create_function(FUNCTION, redact_array, ["VARCHAR"], "VARCHAR", type=PythonUDFType.ARROW)


def redact_text(text: str | None) -> str | None:
    """A rejected record's text or reason, redacted in Python (rejects found before typing)."""
    return None if text is None else redact(text)
