"""Reading CSV exports of helpdesks and phone systems: records with row numbers, headers by name.

Row numbers are spreadsheet rows: the header is row 1 and every record (a blank one too)
counts once, however many physical lines its quoted cells span, so a reported row is
the one a person finds when opening the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from steward.importers.base import RecordProblem, UnreadableFile, read_head, text_encoding

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class CsvRecord:
    row: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CsvExport:
    """A whole CSV file read as text: its header, good records and records that cannot be read."""

    path: Path
    header: tuple[str, ...]
    records: tuple[CsvRecord, ...]
    problems: tuple[RecordProblem, ...]
    delimiter: str
    encoding: str

    def column(self, *names: str) -> int | None:
        """Index of the first header matching one of `names` (case, spaces, `_` and `-` ignored)."""
        return find_column(self.header, names)

    def raw(self, record: CsvRecord, blanked: Iterable[int | None] = ()) -> str:
        """The record re-serialised as one CSV line, with the given cells emptied."""
        hidden = {index for index in blanked if index is not None}
        return csv_line(
            [("" if index in hidden else value) for index, value in enumerate(record.fields)], self.delimiter
        )


def normalised(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").split()).casefold()


def find_column(header: Sequence[str], names: Iterable[str]) -> int | None:
    positions = {normalised(name): index for index, name in reversed(list(enumerate(header)))}
    for name in names:
        if normalised(name) in positions:
            return positions[normalised(name)]
    return None


def csv_line(fields: Sequence[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
    return buffer.getvalue()


def guess_delimiter(first_line: str) -> str:
    """The separator used most in the header line; a comma when there is no header to judge by."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def python_encoding(path: Path) -> str:
    # utf-8-sig drops the byte-order mark that spreadsheet programs write before the header.
    return "utf-8-sig" if text_encoding(path) == "utf-8" else "latin-1"


def head_header(path: Path) -> tuple[str, ...]:
    """Header cells from the first bytes of a file, for sniffing; empty when it is not text."""
    try:
        head = read_head(path)
    except OSError:
        return ()
    if b"\x00" in head:
        return ()
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    return tuple(cell.strip() for cell in next(csv.reader([first], delimiter=guess_delimiter(first)), []))


def read_csv_export(path: Path, delimiter: str | None = None, expected: str = "a CSV export") -> CsvExport:
    """Every record of `path`; raises UnreadableFile when it is not CSV text with a header."""
    if path.is_dir():
        raise UnreadableFile(f"{path}: is a folder; expected {expected}")
    if b"\x00" in read_head(path):
        raise UnreadableFile(f"{path}: is a binary file; expected {expected}")
    encoding = python_encoding(path)
    # Stray bytes that are not UTF-8 stay visible as surrogates, so only their record is rejected.
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
        text = handle.read()
    first = text.split("\n", 1)[0]
    delimiter = delimiter or guess_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = tuple(cell.strip() for cell in next(reader))
    except (StopIteration, csv.Error) as error:
        raise UnreadableFile(f"{path}: has no header line; expected {expected}") from error
    records, problems = _records(reader, len(header), delimiter)
    return CsvExport(path, header, tuple(records), tuple(problems), delimiter, encoding.removesuffix("-sig"))


def _records(reader: Iterable[list[str]], width: int, delimiter: str) -> tuple[list[CsvRecord], list[RecordProblem]]:
    records: list[CsvRecord] = []
    problems: list[RecordProblem] = []
    iterator = iter(reader)
    row = 1
    while True:
        row += 1
        try:
            fields = next(iterator)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(RecordProblem(row, "", f"cannot be read as CSV: {error}"))
            continue
        if not fields or fields == [""]:
            continue
        if len(fields) != width:
            text = _readable(csv_line(fields, delimiter))
            problems.append(RecordProblem(row, "", f"has {len(fields)} fields but the header has {width}", text))
        elif any(_undecodable(value) for value in fields):
            text = _readable(csv_line(fields, delimiter))
            problems.append(RecordProblem(row, "", "contains bytes that are not valid UTF-8", text))
        else:
            records.append(CsvRecord(row, tuple(fields)))
    return records, problems


def _readable(text: str) -> str:
    """Text that can be stored: bytes that were not UTF-8 become replacement characters."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _undecodable(value: str) -> bool:
    return any("\udc80" <= character <= "\udcff" for character in value)
