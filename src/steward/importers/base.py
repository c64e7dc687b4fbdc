"""What an importer is: it turns one export file into staged canonical tables.

An importer only *reshapes*: it renames fields, maps values and flattens nested records
into canonical column names, keeping every value as text (or null). Typing, validation,
quarantine and storage are the ingest service's job, the same for every importer, so a
new helpdesk needs nothing but a reshaping step.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import pyarrow as pa

ROW_COLUMN = "_row"
"""Staged column holding the record's position in its file (header = row 1), for error reports."""
RAW_COLUMN = "_raw"
"""Optional staged column with the original record's text, kept in quarantine so nothing is lost."""


class UnreadableFile(Exception):
    """The file cannot be read at all by this importer (wrong shape, unreadable)."""


@dataclass(frozen=True)
class ImportOptions:
    """What the person running the import told us."""

    vendor: str | None = None
    timezone: str | None = None
    mapping: Path | None = None
    table: str | None = None
    source: str | None = None


Pseudonymise = Callable[[str | None], str | None]


@dataclass(frozen=True)
class ImportContext:
    """Options plus the workspace services an importer may use."""

    options: ImportOptions
    pseudonymise: Pseudonymise = field(default=lambda value: value)


@dataclass(frozen=True)
class RecordProblem:
    """A record an importer could not even reshape: counted as read and rejected, kept with its text."""

    row: int
    field: str
    reason: str
    raw: str | None = None


@dataclass(frozen=True)
class StagedTable:
    """Rows for one canonical table, as text, plus where each came from.

    Exactly one of `arrow` (an Arrow table of string columns named after canonical
    columns, plus `_row` and optionally `_raw`) or `native_file` (a CSV or Parquet file
    in the native format that the engine reads itself, the fast path for large files) is set.
    """

    table: str
    file: Path
    arrow: pa.Table | None = None
    native_file: Path | None = None
    native_format: str = "csv"
    encoding: str = "utf-8"
    timezone: str | None = None
    default_source: str = "steward"
    problems: tuple[RecordProblem, ...] = ()


@runtime_checkable
class Importer(Protocol):
    """An export format Steward can read. Registered in the `steward.importers` entry-point group."""

    name: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, path: Path) -> float:
        """Confidence from 0 to 1 that `path` is in this importer's format."""
        ...

    def stage(self, path: Path, context: ImportContext) -> Iterator[StagedTable]:
        """Reshape the file into staged canonical tables."""
        ...


def hmac_pseudonymiser(secret: bytes) -> Pseudonymise:
    """Stable keyed pseudonyms: the same customer gets the same id, which cannot be reversed without the key."""

    def pseudonymise(value: str | None) -> str | None:
        if value is None or value == "":
            return None
        digest = hmac.new(secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()
        return f"c-{digest[:16]}"

    return pseudonymise


def string_table(columns: dict[str, list[str | None]], rows: list[int], raw: list[str] | None = None) -> pa.Table:
    """Build a staged Arrow table of text columns with row numbers (and raw records)."""
    arrays: dict[str, pa.Array] = {name: pa.array(values, type=pa.string()) for name, values in columns.items()}
    arrays[ROW_COLUMN] = pa.array(rows, type=pa.int64())
    if raw is not None:
        arrays[RAW_COLUMN] = pa.array(raw, type=pa.string())
    return pa.table(arrays)


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a file, for sniffing."""
    with path.open("rb") as handle:
        return handle.read(size)


def text_encoding(path: Path) -> str:
    """`utf-8` when the start of the file decodes as UTF-8 (a BOM is fine), else `latin-1`.

    Latin-1 decodes any byte, so legacy spreadsheet exports are read rather than refused;
    a UTF-8 file with a stray bad byte further in still reads as UTF-8 and that record is rejected.
    """
    size = 1 << 20
    head = read_head(path, size)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        whole_file = len(head) < size
        if whole_file or error.start < len(head) - 4:  # not just a multi-byte character cut by the read
            return "latin-1"
    return "utf-8"
