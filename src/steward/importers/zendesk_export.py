"""Reading Zendesk API exports from disk: which records a file holds and where each one is.

A file is either a JSON object as the API returns it, with one or more record lists under
their API names (`tickets` of an incremental export page, sideloaded `metric_sets` and
`users`, `ticket_metrics`, `audits`, `ticket_metric_events`), or JSON Lines with one record
per line, whose kind is told by the first record's fields. A folder holds several such files.
A record's row is its 1-based position in its list, or its line number in JSON Lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.importers.base import RecordProblem, UnreadableFile, read_head

SECTIONS = ("tickets", "metric_sets", "ticket_metrics", "audits", "ticket_metric_events", "users")
SUFFIXES = (".json", ".jsonl", ".ndjson")
JSON_LINES = (".jsonl", ".ndjson")
EXPECTED = (
    "a Zendesk export: a JSON object with a list under 'tickets', 'ticket_metrics', 'audits' or "
    "'ticket_metric_events' (as the API returns it), or JSON Lines of tickets, or a folder of such files"
)
_SECTION_KEY = re.compile(r'"(tickets|ticket_metrics|audits|ticket_metric_events)"\s*:\s*\[')

Problem = RecordProblem


@dataclass
class ExportFile:
    """The records of one file by section, plus records that are not even JSON objects."""

    path: Path
    records: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    def section(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        return self.records.get(name, [])

    def add(self, section: str, row: int, record: object) -> None:
        self.records.setdefault(section, [])
        if isinstance(record, dict):
            self.records[section].append((row, record))
        else:
            reason = f"record {row} of {section} is {_kind(record)}, not a JSON object"
            raw = json.dumps(record, ensure_ascii=False, default=str)
            self.problems.setdefault(section, []).append(RecordProblem(row, "", reason, raw))


def classify(record: dict[str, Any]) -> str | None:
    """The section a JSON Lines record belongs to, from the fields the API documents for it."""
    keys = set(record)
    if {"ticket_id", "events"} <= keys:
        return "audits"
    if {"metric", "instance_id"} <= keys:
        return "ticket_metric_events"
    if "reply_time_in_minutes" in keys or {"ticket_id", "solved_at"} <= keys:
        return "ticket_metrics"
    if keys & {"via", "requester_id"}:
        return "tickets"
    return None


def export_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_export(path: Path) -> list[ExportFile]:
    """Every file of the export; raises UnreadableFile naming the file that is not Zendesk's."""
    files = export_files(path)
    if not files:
        raise UnreadableFile(f"{path}: the folder holds no .json or .jsonl files; expected {EXPECTED}")
    return [read_export_file(file) for file in files]


def read_export_file(path: Path) -> ExportFile:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{path}: is not UTF-8 text; expected {EXPECTED}") from error
    if path.suffix.lower() in JSON_LINES:
        return _read_lines(path, text)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if _looks_like_lines(text):
            return _read_lines(path, text)
        where = f"line {error.lineno} column {error.colno}"
        raise UnreadableFile(f"{path}: is not valid JSON ({error.msg} at {where}); expected {EXPECTED}") from error
    return _read_document(path, document)


def sniff_confidence(path: Path) -> float:
    """How surely `path` (a file or a folder of files) is a Zendesk export, from first bytes only."""
    if path.is_dir():
        return max((_sniff_file(file) for file in export_files(path)), default=0.0)
    return _sniff_file(path)


def _sniff_file(path: Path) -> float:
    try:
        head = read_head(path).decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return 0.0
    if _SECTION_KEY.search(head):
        return 0.95
    first = next((line for line in head.splitlines() if line.strip()), "")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return 0.0
    section = classify(record) if isinstance(record, dict) else None
    if section == "tickets":
        return 0.9 if {"via", "requester_id"} <= set(record) else 0.6
    return 0.8 if section else 0.0


def _read_document(path: Path, document: object) -> ExportFile:
    if not isinstance(document, dict) or not any(name in document for name in SECTIONS):
        found = ", ".join(list(document)[:6]) if isinstance(document, dict) else _kind(document)
        raise UnreadableFile(f"{path}: found {found or 'an empty object'}; expected {EXPECTED}")
    export = ExportFile(path)
    for name in SECTIONS:
        if name not in document:
            continue
        records = document[name]
        if not isinstance(records, list):
            raise UnreadableFile(f"{path}: '{name}' is {_kind(records)}, not a list; expected {EXPECTED}")
        export.records.setdefault(name, [])
        for row, record in enumerate(records, start=1):
            export.add(name, row, record)
    return export


def _read_lines(path: Path, text: str) -> ExportFile:
    export = ExportFile(path)
    section: str | None = None
    for row, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problem = RecordProblem(row, "", f"not valid JSON: {error.msg}", line)
            export.problems.setdefault(section or "tickets", []).append(problem)
            continue
        if section is None and isinstance(record, dict):
            section = classify(record)
            if section is None:
                fields = ", ".join(list(record)[:6])
                raise UnreadableFile(
                    f"{path}: line {row} has fields {fields}, not a Zendesk record; expected {EXPECTED}"
                )
        export.add(section or "tickets", row, record)
    if section is None and not export.problems:
        raise UnreadableFile(f"{path}: holds no records; expected {EXPECTED}")
    return export


def _looks_like_lines(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")
