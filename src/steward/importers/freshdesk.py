"""Freshdesk's ticket export (Tickets > Export, CSV) reshaped into canonical interactions.

Header names are Freshdesk's own ("Ticket ID", "Created time", "Initial response time",
"Agent interactions", ...); matching ignores case and spacing, and optional columns may be
missing. Freshdesk writes times as local wall-clock times of the account's time zone, with
no offset, so they pass through unchanged and the staged table carries --timezone.

Mappings (source value, case-insensitive -> canonical):

- Status: Open -> open, Pending -> pending, Resolved -> solved, Closed -> closed,
  Waiting on Customer -> pending (the customer owes a reply, as in Zendesk's pending),
  Waiting on Third Party -> on_hold (a third party owes one, as in Zendesk's on-hold).
  Custom statuses pass through and are rejected by validation with their name.
- Priority: Low -> low, Medium -> normal, High -> high, Urgent -> urgent.
- Source: Email, Portal, Feedback Widget, Outbound Email -> email; Phone -> phone;
  Chat -> chat; WhatsApp, SMS, Facebook Messenger, LINE, Apple Messages -> messaging;
  Facebook, Twitter, X, Instagram -> social; Forum, MobiHelp, Ecommerce, Bot -> other.
  Outbound Email also sets direction outbound; other known sources are inbound.
- Group -> queue ("unassigned" when the cell is empty, as for Zendesk tickets without a group).
- Contact ID (else Email) -> customer_id, pseudonymised; the requester's e-mail, phone numbers,
  name and social ids are blanked in the raw record.
- "Survey results" is not mapped: its labels are the account's own survey wording. Nor is the
  contact's "Language": it is the contact's preference, not the language of the ticket.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from steward.importers.base import ImportContext, StagedTable
from steward.importers.csv_export import CsvExport, CsvRecord, find_column, head_header, read_csv_export
from steward.importers.staged_rows import StagedRows

UNASSIGNED_QUEUE = "unassigned"

STATUSES = {
    "open": "open",
    "pending": "pending",
    "resolved": "solved",
    "closed": "closed",
    "waiting on customer": "pending",
    "waiting on third party": "on_hold",
}
PRIORITIES = {"low": "low", "medium": "normal", "high": "high", "urgent": "urgent"}
CHANNELS = {
    "email": "email",
    "portal": "email",
    "feedback widget": "email",
    "outbound email": "email",
    "phone": "phone",
    "chat": "chat",
    "whatsapp": "messaging",
    "sms": "messaging",
    "facebook messenger": "messaging",
    "line": "messaging",
    "apple messages": "messaging",
    "facebook": "social",
    "twitter": "social",
    "x": "social",
    "instagram": "social",
    "forum": "other",
    "mobihelp": "other",
    "ecommerce": "other",
    "bot": "other",
}
OUTBOUND_SOURCES = {"outbound email"}

# canonical column -> Freshdesk header(s), first present wins
TEXT_COLUMNS = {
    "interaction_id": ("Ticket ID",),
    "agent_id": ("Agent",),
    "contact_reason": ("Type",),
    "created_at": ("Created time",),
    "first_response_at": ("Initial response time",),
    "resolved_at": ("Resolved time",),
    "closed_at": ("Closed time",),
    "replies": ("Agent interactions",),
}
CUSTOMER_KEYS = ("Contact ID", "Email", "Requester Email")
PERSONAL_COLUMNS = (
    "Email",
    "Requester Email",
    "Work phone",
    "Mobile phone",
    "Phone",
    "Full name",
    "Requester Name",
    "Facebook ID",
    "Twitter ID",
    "Unique External ID",
    "Contact ID",
)
STAGED_COLUMNS = (*TEXT_COLUMNS, "vendor", "queue", "channel", "direction", "priority", "status", "customer_id")
SIGNATURE = ("Created time", "Status", "Priority", "Source", "Agent", "Group", "Resolved time", "Initial response time")


class FreshdeskImporter:
    """Freshdesk ticket exports (CSV)."""

    name: ClassVar[str] = "freshdesk"
    description: ClassVar[str] = "Freshdesk ticket export (Tickets > Export, CSV)"

    def sniff(self, path: Path) -> float:
        if path.is_dir():
            return 0.0
        header = head_header(path)
        if find_column(header, ("Ticket ID",)) is None:
            return 0.0
        known = sum(find_column(header, (name,)) is not None for name in SIGNATURE)
        return 0.9 if known >= 3 else 0.3

    def stage(self, path: Path, context: ImportContext) -> Iterator[StagedTable]:
        export = read_csv_export(path, expected="a Freshdesk ticket export (CSV with a 'Ticket ID' column)")
        rows = StagedRows("interactions", STAGED_COLUMNS)
        rows.reject_all(export.problems)
        layout = _Layout(export)
        for record in export.records:
            rows.add(record.row, layout.reshape(record, context), export.raw(record, layout.personal))
        yield rows.staged(path, timezone=context.options.timezone, default_source=context.options.source or self.name)


class _Layout:
    """Where each Freshdesk column sits in this particular export."""

    def __init__(self, export: CsvExport) -> None:
        self.text = {name: export.column(*headers) for name, headers in TEXT_COLUMNS.items()}
        self.group = export.column("Group")
        self.source = export.column("Source")
        self.priority = export.column("Priority")
        self.status = export.column("Status")
        self.customer = [export.column(key) for key in CUSTOMER_KEYS]
        self.personal = [export.column(name) for name in PERSONAL_COLUMNS]

    def reshape(self, record: CsvRecord, context: ImportContext) -> dict[str, str | None]:
        values = {name: _cell(record, index) for name, index in self.text.items()}
        source = _cell(record, self.source)
        values["vendor"] = context.options.vendor
        values["queue"] = _cell(record, self.group) or (UNASSIGNED_QUEUE if self.group is not None else None)
        values["channel"] = _mapped(source, CHANNELS)
        values["direction"] = _direction(source)
        values["priority"] = _mapped(_cell(record, self.priority), PRIORITIES)
        values["status"] = _mapped(_cell(record, self.status), STATUSES)
        customer = next((value for value in (_cell(record, i) for i in self.customer) if value), None)
        values["customer_id"] = context.pseudonymise(customer)
        return values


def _cell(record: CsvRecord, index: int | None) -> str | None:
    if index is None:
        return None
    value = record.fields[index].strip()
    return value or None


def _mapped(value: str | None, vocabulary: dict[str, str]) -> str | None:
    """The canonical value; an unknown one passes through so that validation names it."""
    if value is None:
        return None
    return vocabulary.get(" ".join(value.split()).casefold(), value)


def _direction(source: str | None) -> str | None:
    if source is None or " ".join(source.split()).casefold() not in CHANNELS:
        return None
    return "outbound" if source.strip().casefold() in OUTBOUND_SOURCES else "inbound"
