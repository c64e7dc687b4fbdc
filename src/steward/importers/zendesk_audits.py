"""Zendesk ticket audits and ticket metric events reshaped into canonical interaction events.

An audit is one update of a ticket (`ticket_id`, `created_at`, `author_id`, `via`, `events`).
Of its events, these become interaction events:

- Create/Change of `status` -> kind status, value the canonical status (hold -> on_hold);
- Create/Change of `assignee_id` -> kind assignment, value the new assignee id;
- Create/Change of `priority` -> kind priority, value the new priority;
- a public Comment -> customer_message (actor customer) when written by the ticket's requester
  or a user the export lists as an end-user, otherwise agent_reply.

The actor of an update is `system` when a trigger or automation made it (via channel `rule`)
or Zendesk itself (author -1), `customer` when the requester made it, otherwise `agent`.
Create events that set nothing (a null value) are not events. Comments in the audit that
created the ticket are events but never the first response, as in Zendesk's reply time.

Ticket metric events (`metric`, `type`, `instance_id`, `time`): a `reply_time` `fulfill` is an
agent reply; they are used only for tickets that have no audits in the export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATUSES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
SYSTEM_AUTHOR = "-1"
EVENT_FIELDS = {"status": "status", "assignee_id": "assignment", "priority": "priority"}


def text(value: object) -> str | None:
    """A JSON value as staged text: null stays null, numbers and ids become their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def canonical_status(value: object) -> str | None:
    status = text(value)
    return None if status is None else STATUSES.get(status.strip().lower(), status)


def parsed_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True)
class AuditEvent:
    """One canonical event taken from one event of an audit."""

    ticket_id: str | None
    at: str | None
    kind: str
    value: str | None
    actor_type: str
    source_event: Mapping[str, Any]
    creates_ticket: bool


@dataclass(frozen=True)
class People:
    """Who is a customer: each ticket's requester, and users the export lists as end-users."""

    requesters: Mapping[str, str] = field(default_factory=dict)
    end_users: frozenset[str] = frozenset()

    def is_customer(self, ticket_id: str | None, user_id: str | None) -> bool:
        if user_id is None:
            return False
        return user_id in self.end_users or (ticket_id is not None and self.requesters.get(ticket_id) == user_id)


def audit_events(audit: Mapping[str, Any], people: People) -> list[AuditEvent]:
    ticket_id, at = text(audit.get("ticket_id")), text(audit.get("created_at"))
    events = [e for e in audit.get("events") or [] if isinstance(e, dict)]
    creates = any(e.get("type") == "Create" for e in events)
    actor = _update_actor(audit, people)
    found = []
    for event in events:
        shaped = _field_event(event) if event.get("type") in ("Create", "Change") else None
        if shaped is not None:
            kind, value = shaped
            found.append(AuditEvent(ticket_id, at, kind, value, actor, event, creates))
        elif event.get("type") == "Comment" and event.get("public") is True:
            author = text(event.get("author_id")) or text(audit.get("author_id"))
            kind, comment_actor = _comment_kind(audit, author, people)
            found.append(AuditEvent(ticket_id, at, kind, None, comment_actor, event, creates))
    return found


def _field_event(event: Mapping[str, Any]) -> tuple[str, str | None] | None:
    kind = EVENT_FIELDS.get(str(event.get("field_name")))
    if kind is None or (event.get("type") == "Create" and event.get("value") is None):
        return None
    value = event.get("value")
    return kind, canonical_status(value) if kind == "status" else text(value)


def _update_actor(audit: Mapping[str, Any], people: People) -> str:
    author = text(audit.get("author_id"))
    if _by_rule(audit) or author == SYSTEM_AUTHOR:
        return "system"
    return "customer" if people.is_customer(text(audit.get("ticket_id")), author) else "agent"


def _comment_kind(audit: Mapping[str, Any], author: str | None, people: People) -> tuple[str, str]:
    if people.is_customer(text(audit.get("ticket_id")), author):
        return "customer_message", "customer"
    if _by_rule(audit) or author == SYSTEM_AUTHOR:
        return "agent_reply", "system"
    return "agent_reply", "agent"


def _by_rule(audit: Mapping[str, Any]) -> bool:
    via = audit.get("via")
    return isinstance(via, dict) and via.get("channel") == "rule"


@dataclass
class Timeline:
    """What the audits of one ticket say about its first reply, solving and closing."""

    first_agent_reply: str | None = None
    solved_at: str | None = None
    closed_at: str | None = None

    def note(self, event: AuditEvent) -> None:
        if event.kind == "agent_reply" and event.actor_type == "agent" and not event.creates_ticket:
            self.first_agent_reply = _earlier(self.first_agent_reply, event.at)
        elif event.kind == "status" and event.value == "solved":
            self.solved_at = _later(self.solved_at, event.at)
        elif event.kind == "status" and event.value == "closed":
            self.closed_at = _later(self.closed_at, event.at)


def timelines(events: Iterable[AuditEvent]) -> dict[str, Timeline]:
    found: dict[str, Timeline] = {}
    for event in events:
        if event.ticket_id is not None:
            found.setdefault(event.ticket_id, Timeline()).note(event)
    return found


def metric_event_reply(record: Mapping[str, Any]) -> bool:
    """A reply-time metric fulfilled: an agent's public reply."""
    return record.get("metric") == "reply_time" and record.get("type") == "fulfill"


def first_replies_from_metric_events(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Ticket id -> time of the first reply (instance 1 of the reply-time metric)."""
    found: dict[str, str] = {}
    for record in records:
        ticket_id, time = text(record.get("ticket_id")), text(record.get("time"))
        if ticket_id and time and metric_event_reply(record) and record.get("instance_id") == 1:
            found[ticket_id] = _earlier(found.get(ticket_id), time) or time
    return found


def _earlier(current: str | None, candidate: str | None) -> str | None:
    return _pick(current, candidate, later=False)


def _later(current: str | None, candidate: str | None) -> str | None:
    return _pick(current, candidate, later=True)


def _pick(current: str | None, candidate: str | None, *, later: bool) -> str | None:
    """The earlier (or later) of two timestamps; one that does not parse never wins."""
    new = parsed_time(candidate)
    if new is None:
        return current
    old = parsed_time(current)
    if old is None or (new > old if later else new < old):
        return candidate
    return current
