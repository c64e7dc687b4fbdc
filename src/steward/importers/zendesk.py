"""Zendesk Support exports reshaped into canonical interactions and interaction events.

Reads what Zendesk's REST API returns, saved as files: incremental ticket export pages
(`{"tickets": [...], "next_page"/"after_cursor": ..., "end_of_stream": ...}`, optionally with
sideloaded `metric_sets` and `users`), `ticket_metrics`, ticket `audits` and
`ticket_metric_events` files, or JSON Lines of tickets; a folder may hold any mix of them.
Field names are the API's (Tickets, Incremental Exports, Ticket Metrics, Ticket Audits,
Ticket Metric Events references on developer.zendesk.com).

Ticket -> interactions:

- interaction_id = id; created_at = created_at (UTC, passed through); contact_reason = type
- queue = group_id, or "unassigned" when the ticket has no group, so that ungrouped tickets
  are still counted (their queue is a fact: nobody routed them)
- channel from via.channel: email/mail/web/web_form -> email; chat/native_messaging -> chat;
  whatsapp, sms, text_message, line, wechat, facebook_message/messenger, instagram_dm, telegram,
  viber, apple_business_chat -> messaging; voice/phone/voicemail/phone_call_* -> phone;
  twitter*/facebook/facebook_post/instagram* -> social; api and everything else -> other
- priority = priority (urgent/high/normal/low; null stays null); status: hold -> on_hold, the
  others (new/open/pending/solved/closed) keep their names; anything else (e.g. deleted) passes
  through and is rejected by validation with its value
- agent_id = assignee_id; customer_id = pseudonymised requester_id
- first_response_at: the first public comment by an agent in the audits; else the first
  fulfilled reply_time metric event; else created_at + reply_time_in_seconds.calendar
  (messaging) or reply_time_in_minutes.calendar from the ticket's metric set
- resolved_at = solved_at (metric set), else the last change to solved in the audits
- closed_at = the last change to closed in the audits; null without audits
- reopens, replies from the metric set
- csat from satisfaction_rating.score: good -> 5, bad -> 1, offered/unoffered -> null.
  Binary ratings map to the ends of the 1-5 scale so that the top-2-box share of Steward's
  CSAT equals Zendesk's satisfaction score (good / (good + bad)).
- vendor from --vendor (Zendesk does not know which partner handled a ticket).

Audits and metric events -> interaction_events: see zendesk_audits. Raw records keep the
API's JSON with the requester's id pseudonymised and e-mail addresses, phone numbers and the
names of senders and recipients blanked. A ticket that appears on several export pages is
staged from each page in file-name order, so the latest page's version is stored last.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any, ClassVar

from steward.importers.base import ImportContext, Pseudonymise, StagedTable, UnreadableFile
from steward.importers.staged_rows import StagedRows
from steward.importers.zendesk_audits import (
    AuditEvent,
    People,
    Timeline,
    audit_events,
    canonical_status,
    first_replies_from_metric_events,
    metric_event_reply,
    parsed_time,
    text,
    timelines,
)
from steward.importers.zendesk_export import EXPECTED, ExportFile, read_export, sniff_confidence

UNASSIGNED_QUEUE = "unassigned"
CHANNEL_GROUPS = {
    "email": ("email", "mail", "web", "web_form"),
    "chat": ("chat", "native_messaging"),
    "messaging": (
        "whatsapp", "sms", "text_message", "line", "wechat", "facebook_message", "messenger",
        "facebook_messenger", "instagram_dm", "telegram", "viber", "apple_business_chat",
    ),
    "phone": ("voice", "phone", "voicemail", "phone_call_inbound", "phone_call_outbound"),
    "social": ("twitter", "twitter_dm", "twitter_favorite", "facebook", "facebook_post", "instagram"),
}  # fmt: skip
CHANNELS = {via: channel for channel, vias in CHANNEL_GROUPS.items() for via in vias}
# Via ids, for exports that carry the number instead of the via type (Via types reference).
VIA_IDS = {0: "web_form", 4: "mail", 5: "web_service", 29: "chat", 30: "twitter", 33: "voicemail"}
VIA_IDS |= {34: "phone_call_inbound", 35: "phone_call_outbound", 38: "facebook_post"}
CSAT = {"good": "5", "bad": "1", "offered": None, "unoffered": None}

TICKET_COLUMNS = (
    "interaction_id", "vendor", "queue", "channel", "priority", "status", "agent_id", "customer_id",
    "contact_reason", "created_at", "first_response_at", "resolved_at", "closed_at", "reopens", "replies", "csat",
)  # fmt: skip
EVENT_COLUMNS = ("interaction_id", "at", "kind", "value", "actor_type")
METRIC_SECTIONS = ("metric_sets", "ticket_metrics")
EVENT_SECTIONS = ("audits", "ticket_metric_events")
STAGED_SECTIONS = ("tickets", *EVENT_SECTIONS)

PERSONAL_KEYS = frozenset(
    {"address", "email", "phone", "formatted_phone", "phone_number", "original_recipients"}
    | {"ip_address", "location", "latitude", "longitude"}  # where the requester wrote from (audit metadata)
)
PARTY_KEYS = frozenset({"from", "to"})
CUSTOMER_ID_KEYS = frozenset({"requester_id", "submitter_id", "author_id"})


class ZendeskImporter:
    """Zendesk Support: incremental ticket exports, ticket metrics, audits and metric events (JSON)."""

    name: ClassVar[str] = "zendesk"
    description: ClassVar[str] = "Zendesk ticket export, metrics, audits and metric events (JSON, JSON Lines, folder)"

    def sniff(self, path: Path) -> float:
        return sniff_confidence(path)

    def stage(self, path: Path, context: ImportContext) -> Iterator[StagedTable]:
        files = read_export(path)
        if not any(name in file.records or name in file.problems for file in files for name in STAGED_SECTIONS):
            raise UnreadableFile(
                f"{path}: holds only ticket metrics or users, which belong to tickets; "
                f"import them together with the ticket export (one folder); expected {EXPECTED}"
            )
        export = _ZendeskExport(files, context)
        for file in files:
            yield from export.staged(file)


class _ZendeskExport:
    """All files of one import, cross-referenced: metrics, audits and requesters by ticket."""

    def __init__(self, files: list[ExportFile], context: ImportContext) -> None:
        self.context = context
        self.pseudonymise: Pseudonymise = context.pseudonymise
        self.source = context.options.source or ZendeskImporter.name
        self.metrics = {
            ticket_id: record
            for file in files
            for section in METRIC_SECTIONS
            for _, record in file.section(section)
            if (ticket_id := text(record.get("ticket_id")))
        }
        self.people = _people(files)
        self.audits = {
            file.path: [(row, a, audit_events(a, self.people)) for row, a in file.section("audits")] for file in files
        }
        self.timelines = timelines(e for audits in self.audits.values() for _, _, events in audits for e in events)
        self.audited = {text(a.get("ticket_id")) for audits in self.audits.values() for _, a, _ in audits}
        replies = (record for file in files for _, record in file.section("ticket_metric_events"))
        self.metric_event_replies = first_replies_from_metric_events(replies)

    def staged(self, file: ExportFile) -> Iterator[StagedTable]:
        if "tickets" in file.records or any(section in file.problems for section in METRIC_SECTIONS):
            yield self._interactions(file)
        if any(section in file.records or section in file.problems for section in EVENT_SECTIONS):
            yield self._events(file)

    def _staged(self, rows: StagedRows, file: ExportFile) -> StagedTable:
        return rows.staged(file.path, timezone=self.context.options.timezone, default_source=self.source)

    def _interactions(self, file: ExportFile) -> StagedTable:
        rows = StagedRows("interactions", TICKET_COLUMNS)
        for section in ("tickets", *METRIC_SECTIONS):
            rows.reject_all(file.problems.get(section, []))
        for row, ticket in file.section("tickets"):
            customers = frozenset(filter(None, [text(ticket.get("requester_id"))]))
            rows.add(row, self._interaction(ticket), raw_record(ticket, customers, self.pseudonymise))
        return self._staged(rows, file)

    def _interaction(self, ticket: dict[str, Any]) -> dict[str, str | None]:
        ticket_id = text(ticket.get("id")) or ""
        metric = self.metrics.get(ticket_id, {})
        timeline = self.timelines.get(ticket_id, Timeline())
        created = text(ticket.get("created_at"))
        return {
            "interaction_id": text(ticket.get("id")),
            "vendor": self.context.options.vendor,
            "queue": text(ticket.get("group_id")) or UNASSIGNED_QUEUE,
            "channel": channel(ticket.get("via")),
            "priority": text(ticket.get("priority")),
            "status": canonical_status(ticket.get("status")),
            "agent_id": text(ticket.get("assignee_id")),
            "customer_id": self.pseudonymise(text(ticket.get("requester_id"))),
            "contact_reason": text(ticket.get("type")),
            "created_at": created,
            "first_response_at": (
                timeline.first_agent_reply
                or self.metric_event_replies.get(ticket_id)
                or _after(created, reply_seconds(metric))
            ),
            "resolved_at": text(metric.get("solved_at")) or timeline.solved_at,
            "closed_at": timeline.closed_at,
            "reopens": text(metric.get("reopens")),
            "replies": text(metric.get("replies")),
            "csat": csat(ticket.get("satisfaction_rating")),
        }

    def _events(self, file: ExportFile) -> StagedTable:
        rows = StagedRows("interaction_events", EVENT_COLUMNS)
        for section in EVENT_SECTIONS:
            rows.reject_all(file.problems.get(section, []))
        for row, audit, events in self.audits.get(file.path, []):
            for event in events:
                rows.add(row, _event_values(event), self._audit_raw(audit, event))
        for row, record in file.section("ticket_metric_events"):
            ticket_id = text(record.get("ticket_id"))
            if metric_event_reply(record) and ticket_id not in self.audited:
                values = {"interaction_id": ticket_id, "at": text(record.get("time")), "kind": "agent_reply"}
                rows.add(row, {**values, "value": None, "actor_type": "agent"}, raw_record(record))
        return self._staged(rows, file)

    def _audit_raw(self, audit: dict[str, Any], event: AuditEvent) -> str:
        """The audit with only the event the row was taken from."""
        requester = self.people.requesters.get(event.ticket_id or "")
        customers = frozenset(filter(None, [requester, *self.people.end_users]))
        return raw_record({**audit, "events": [event.source_event]}, customers, self.pseudonymise)


def _people(files: list[ExportFile]) -> People:
    requesters: dict[str, str] = {}
    for file in files:
        for _, audit in file.section("audits"):
            for event in audit.get("events") or []:
                if isinstance(event, dict) and event.get("field_name") == "requester_id" and event.get("value"):
                    requesters[text(audit.get("ticket_id")) or ""] = text(event.get("value")) or ""
    for file in files:
        for _, ticket in file.section("tickets"):
            if (ticket_id := text(ticket.get("id"))) and (requester := text(ticket.get("requester_id"))):
                requesters[ticket_id] = requester
    end_users = frozenset(
        user_id
        for file in files
        for _, user in file.section("users")
        if user.get("role") == "end-user" and (user_id := text(user.get("id")))
    )
    return People(requesters, end_users)


def _event_values(event: AuditEvent) -> dict[str, str | None]:
    return {
        "interaction_id": event.ticket_id,
        "at": event.at,
        "kind": event.kind,
        "value": event.value,
        "actor_type": event.actor_type,
    }


def channel(via: object) -> str | None:
    """Canonical channel of a via object; any via type not listed is `other` (api, rule, mobile_sdk, ...)."""
    if not isinstance(via, dict) or via.get("channel") is None:
        return None
    raw = via["channel"]
    name = VIA_IDS.get(raw, str(raw)) if isinstance(raw, int) else str(raw)
    return CHANNELS.get(name.strip().lower(), "other")


def csat(rating: object) -> str | None:
    if not isinstance(rating, dict) or rating.get("score") is None:
        return None
    score = text(rating["score"]) or ""
    return CSAT.get(score.lower(), score)


def reply_seconds(metric: dict[str, Any]) -> float | None:
    """Calendar time to first reply from a metric set: seconds for messaging, else minutes."""
    for key, scale in (("reply_time_in_seconds", 1), ("reply_time_in_minutes", 60)):
        measured = metric.get(key)
        calendar = measured.get("calendar") if isinstance(measured, dict) else None
        if isinstance(calendar, int | float) and not isinstance(calendar, bool):
            return float(calendar) * scale
    return None


def _after(created: str | None, seconds: float | None) -> str | None:
    start = parsed_time(created)
    if start is None or seconds is None:
        return None
    return (start + timedelta(seconds=seconds)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_record(
    record: dict[str, Any], customers: frozenset[str] = frozenset(), pseudonymise: Pseudonymise | None = None
) -> str:
    """The record as compact JSON, without the customer's contact details or raw id."""
    cleaned = _scrubbed(record, customers, pseudonymise, party=False)
    return json.dumps(cleaned, separators=(",", ":"), ensure_ascii=False)


def _scrubbed(value: object, customers: frozenset[str], pseudonymise: Pseudonymise | None, *, party: bool) -> object:
    if isinstance(value, list):
        return [_scrubbed(item, customers, pseudonymise, party=party) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned: dict[str, object] = {}
    for key, item in value.items():
        if key in PERSONAL_KEYS or (party and key == "name"):
            cleaned[key] = None
        elif key in CUSTOMER_ID_KEYS and text(item) in customers:
            cleaned[key] = pseudonymise(text(item)) if pseudonymise else None
        else:
            cleaned[key] = _scrubbed(item, customers, pseudonymise, party=key in PARTY_KEYS)
    return cleaned
