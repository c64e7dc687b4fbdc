"""Telephony call-detail records (CSV, one row per call) reshaped into canonical interactions.

Documented columns: call_id, queue, agent_id, direction, caller_id, offered_at, answered_at,
ended_at, talk_seconds, hold_seconds, wrap_seconds, abandoned, transfers, vendor, site,
language, disposition; optional queue_wait_seconds and handle_seconds. Headers match without
regard to case, spaces, `_` or `-`, and common synonyms are accepted (SYNONYMS below).

- channel is phone; created_at = offered_at, first_response_at = answered_at,
  resolved_at = ended_at; disposition -> contact_reason.
- status is solved for a call that was answered and ended, otherwise left empty.
- handle_seconds is taken from its own column when there is one, else talk + hold + wrap when
  all three are numbers; the components always pass through as written.
- queue_wait_seconds only passes through a column that holds it; it is never computed here.
- abandoned: yes/no, y/n, true/false, t/f, 1/0 become true/false; anything else passes through.
- direction: in/inbound/incoming and out/outbound/outgoing become inbound/outbound.
- customer_id = pseudonymised caller_id (empty for withheld numbers such as "anonymous");
  the caller's number is blanked in the raw record.
- vendor: the row's vendor cell, else --vendor.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from steward.importers.base import ImportContext, StagedTable
from steward.importers.csv_export import CsvExport, CsvRecord, find_column, head_header, read_csv_export
from steward.importers.staged_rows import StagedRows

SYNONYMS: dict[str, tuple[str, ...]] = {
    "call_id": ("call_id", "call id", "contact_id", "callid", "call_sid", "uniqueid"),
    "queue": ("queue", "queue_name", "skill"),
    "agent_id": ("agent_id", "agent", "agent_name", "agent_login"),
    "direction": ("direction", "call_direction"),
    "caller_id": ("caller_id", "caller", "ani", "calling_number", "customer_phone", "from_number"),
    "offered_at": ("offered_at", "enqueued_at", "queue_start", "queued_at", "enqueue_timestamp"),
    "answered_at": ("answered_at", "answer_time", "connected_at", "connected_to_agent_timestamp"),
    "ended_at": ("ended_at", "disconnected_at", "end_time", "hangup_at", "disconnect_timestamp"),
    "talk_seconds": ("talk_seconds", "talk_time_seconds", "talk_time"),
    "hold_seconds": ("hold_seconds", "hold_time_seconds", "hold_time"),
    "wrap_seconds": ("wrap_seconds", "after_call_work_seconds", "acw_seconds", "wrap_up_seconds", "wrapup_seconds"),
    "handle_seconds": ("handle_seconds", "handle_time_seconds"),
    "queue_wait_seconds": ("queue_wait_seconds", "wait_seconds", "queue_wait_time_seconds"),
    "abandoned": ("abandoned", "is_abandoned"),
    "transfers": ("transfers", "transfer_count"),
    "vendor": ("vendor",),
    "site": ("site",),
    "language": ("language",),
    "disposition": ("disposition", "wrap_code", "disposition_code"),
}
# canonical column <- call-record column, passed through as written
PASSED_THROUGH = {
    "interaction_id": "call_id",
    "queue": "queue",
    "agent_id": "agent_id",
    "created_at": "offered_at",
    "first_response_at": "answered_at",
    "resolved_at": "ended_at",
    "talk_seconds": "talk_seconds",
    "hold_seconds": "hold_seconds",
    "wrap_seconds": "wrap_seconds",
    "queue_wait_seconds": "queue_wait_seconds",
    "transfers": "transfers",
    "site": "site",
    "language": "language",
    "contact_reason": "disposition",
}
WITHHELD_CALLERS = {"anonymous", "unknown", "private", "restricted", "withheld", "unavailable"}
TRUE_WORDS = {"yes", "y", "true", "t", "1"}
FALSE_WORDS = {"no", "n", "false", "f", "0"}
DIRECTIONS = {
    "in": "inbound",
    "inbound": "inbound",
    "incoming": "inbound",
    "out": "outbound",
    "outbound": "outbound",
    "outgoing": "outbound",
}
STAGED_COLUMNS = (
    *PASSED_THROUGH,
    "channel",
    "direction",
    "abandoned",
    "handle_seconds",
    "status",
    "vendor",
    "customer_id",
)
TIMING_COLUMNS = ("offered_at", "answered_at", "ended_at")


class CallsImporter:
    """Call-detail records from a phone system or contact-centre platform (CSV)."""

    name: ClassVar[str] = "calls"
    description: ClassVar[str] = "telephony call-detail records (CSV, one row per call)"

    def sniff(self, path: Path) -> float:
        if path.is_dir():
            return 0.0
        header = head_header(path)
        if find_column(header, SYNONYMS["call_id"]) is None:
            return 0.0
        timings = sum(find_column(header, SYNONYMS[name]) is not None for name in TIMING_COLUMNS)
        return 0.9 if timings >= 2 else (0.6 if timings else 0.0)

    def stage(self, path: Path, context: ImportContext) -> Iterator[StagedTable]:
        export = read_csv_export(path, expected="call-detail records (CSV with call_id and offered_at columns)")
        rows = StagedRows("interactions", STAGED_COLUMNS)
        rows.reject_all(export.problems)
        layout = _Layout(export)
        for record in export.records:
            rows.add(record.row, layout.reshape(record, context), export.raw(record, layout.personal))
        yield rows.staged(path, timezone=context.options.timezone, default_source=context.options.source or self.name)


class _Layout:
    """Where each call-record column sits in this particular file."""

    def __init__(self, export: CsvExport) -> None:
        self.index = {name: export.column(*names) for name, names in SYNONYMS.items()}
        self.personal = [export.column(name) for name in SYNONYMS["caller_id"]]

    def cell(self, record: CsvRecord, name: str) -> str | None:
        index = self.index[name]
        if index is None:
            return None
        return record.fields[index].strip() or None

    def reshape(self, record: CsvRecord, context: ImportContext) -> dict[str, str | None]:
        values = {canonical: self.cell(record, name) for canonical, name in PASSED_THROUGH.items()}
        values["channel"] = "phone"
        values["direction"] = _direction(self.cell(record, "direction"))
        values["abandoned"] = _flag(self.cell(record, "abandoned"))
        values["handle_seconds"] = self.cell(record, "handle_seconds") or _handle_seconds(values)
        values["status"] = "solved" if values["first_response_at"] and values["resolved_at"] else None
        values["vendor"] = self.cell(record, "vendor") or context.options.vendor
        values["customer_id"] = context.pseudonymise(_caller(self.cell(record, "caller_id")))
        return values


def _caller(value: str | None) -> str | None:
    # Every withheld number would otherwise become one and the same very busy customer.
    return None if value is None or value.casefold() in WITHHELD_CALLERS else value


def _flag(value: str | None) -> str | None:
    if value is None:
        return None
    word = value.casefold()
    if word in TRUE_WORDS:
        return "true"
    return "false" if word in FALSE_WORDS else value


def _direction(value: str | None) -> str | None:
    return None if value is None else DIRECTIONS.get(value.casefold(), value)


def _handle_seconds(values: dict[str, str | None]) -> str | None:
    """talk + hold + wrap when all three are numbers; otherwise validation reports the components."""
    parts = [_number(values[name]) for name in ("talk_seconds", "hold_seconds", "wrap_seconds")]
    if any(part is None for part in parts):
        return None
    total = math.fsum(part for part in parts if part is not None)
    return str(int(total)) if total.is_integer() else repr(total)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
