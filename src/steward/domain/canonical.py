"""The canonical schema: every table and column Steward stores, with its meaning and rules.

Importers translate helpdesk and telephony exports into these tables; the native import
format is exactly these columns. Validation rules (required, enums, ranges, time order)
are declared here once and turned into engine checks by the ingest service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """Logical column types; storage maps them to engine types."""

    STRING = "string"
    TIMESTAMP = "timestamp"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    """One canonical column and the rules a value must satisfy."""

    name: str
    type: ColumnType
    description: str
    example: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    key: bool = False
    redacted: bool = False
    """Free text that may hold card numbers or personal data: redacted on import, before it is stored."""


@dataclass(frozen=True)
class TimeOrder:
    """`later` must not be before `earlier` when both are present."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Table:
    """A canonical table: columns, natural key and cross-column rules."""

    name: str
    description: str
    columns: tuple[Column, ...]
    time_order: tuple[TimeOrder, ...] = ()
    recognised_by: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[str, ...]:
        """Columns that identify a row; a re-import with the same key updates it."""
        return tuple(c.name for c in self.columns if c.key)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


S, T, INT, N, B = (
    ColumnType.STRING,
    ColumnType.TIMESTAMP,
    ColumnType.INTEGER,
    ColumnType.NUMBER,
    ColumnType.BOOLEAN,
)

CHANNELS = ("email", "chat", "phone", "messaging", "social", "other")
DIRECTIONS = ("inbound", "outbound")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
EVENT_KINDS = ("status", "agent_reply", "customer_message", "assignment", "priority")
ACTOR_TYPES = ("agent", "customer", "bot", "system")
FORECAST_INTERVALS = ("15", "30", "60")


def _source() -> Column:
    return Column(
        "source",
        S,
        "System the row came from; defaults to the importer's name (zendesk, freshdesk, calls, ...).",
        "zendesk",
        key=True,
    )


INTERACTIONS = Table(
    "interactions",
    "One row per ticket, conversation or call.",
    (
        _source(),
        Column("interaction_id", S, "Identifier, unique within its source.", "48213", required=True, key=True),
        Column(
            "vendor", S, "Team that handled it: the in-house team or a BPO partner.", "northwind-bpo", required=True
        ),
        Column("site", S, "Vendor site or location.", "manila-1"),
        Column("queue", S, "Queue, group or skill the contact was routed to.", "billing", required=True),
        Column("channel", S, "Contact channel.", "email", required=True, allowed=CHANNELS),
        Column("direction", S, "Who started the contact.", "inbound", allowed=DIRECTIONS),
        Column("priority", S, "Priority at the time of export.", "normal", allowed=PRIORITIES),
        Column("language", S, "Language of the contact (BCP 47 tag).", "en"),
        Column("agent_id", S, "Agent who handled it (assignee at export).", "ag-0193"),
        Column("customer_id", S, "Customer, pseudonymised (never an e-mail or phone number).", "c-7f3a91"),
        Column("contact_reason", S, "Why the customer got in touch (disposition or ticket type).", "refund"),
        Column(
            "created_at",
            T,
            "When the contact arrived (ticket created, call offered to the queue).",
            "2026-03-02T09:14:05Z",
            required=True,
        ),
        Column(
            "first_response_at",
            T,
            "First public reply by a human agent; for calls, when answered.",
            "2026-03-02T09:41:10Z",
        ),
        Column("resolved_at", T, "When it was last solved or the call ended.", "2026-03-02T13:02:00Z"),
        Column("closed_at", T, "When it was closed for good.", "2026-03-06T13:02:00Z"),
        Column("status", S, "Status at the time of export.", "solved", allowed=STATUSES),
        Column(
            "handle_seconds",
            N,
            "Agent handling time: talk + hold + wrap for calls, work time for tickets.",
            "412",
            minimum=0,
        ),
        Column("talk_seconds", N, "Talk time (calls).", "301", minimum=0),
        Column("hold_seconds", N, "Hold time (calls).", "45", minimum=0),
        Column("wrap_seconds", N, "After-contact work time.", "66", minimum=0),
        Column("queue_wait_seconds", N, "Time waiting in queue before answer or abandon.", "18", minimum=0),
        Column("abandoned", B, "The customer hung up or left before an agent answered.", "false"),
        Column("transfers", INT, "Number of transfers to another agent or queue.", "0", minimum=0),
        Column("reopens", INT, "Number of times the ticket was reopened.", "0", minimum=0),
        Column("replies", INT, "Number of public agent replies.", "2", minimum=0),
        Column("csat", INT, "Customer satisfaction rating, 1 (worst) to 5 (best).", "4", minimum=1, maximum=5),
        Column("nps", INT, "Likelihood to recommend, 0 to 10.", "9", minimum=0, maximum=10),
        Column("resolved_first_contact", B, "Resolved on first contact, as flagged by the agent or a survey.", "true"),
    ),
    time_order=(
        TimeOrder("created_at", "first_response_at"),
        TimeOrder("created_at", "resolved_at"),
        TimeOrder("created_at", "closed_at"),
        TimeOrder("resolved_at", "closed_at"),
    ),
    recognised_by=("interaction_id", "channel", "created_at"),
)

INTERACTION_EVENTS = Table(
    "interaction_events",
    "Status changes, replies and assignments of an interaction; they drive exact SLA clocks with pauses.",
    (
        _source(),
        Column("interaction_id", S, "The interaction the event belongs to.", "48213", required=True, key=True),
        Column("at", T, "When it happened.", "2026-03-02T09:41:10Z", required=True, key=True),
        Column("kind", S, "What happened.", "agent_reply", required=True, allowed=EVENT_KINDS, key=True),
        Column(
            "value",
            S,
            "New status, priority or assignee for status, priority and assignment events.",
            "pending",
            key=True,
        ),
        Column("actor_type", S, "Who did it.", "agent", allowed=ACTOR_TYPES, key=True),
    ),
    recognised_by=("interaction_id", "at", "kind"),
)

AGENT_STATES = Table(
    "agent_states",
    "What each agent was doing, from the telephony or workforce system (for adherence, occupancy, shrinkage).",
    (
        _source(),
        Column("vendor", S, "The agent's vendor.", "northwind-bpo", required=True, key=True),
        Column("agent_id", S, "Agent.", "ag-0193", required=True, key=True),
        Column(
            "state",
            S,
            "State: available, on_contact, wrap, break, lunch, training, meeting, coaching, offline, ...",
            "available",
            required=True,
            key=True,
        ),
        Column("start_at", T, "State start.", "2026-03-02T09:00:00Z", required=True, key=True),
        Column("end_at", T, "State end.", "2026-03-02T09:12:30Z", required=True),
    ),
    time_order=(TimeOrder("start_at", "end_at"),),
    recognised_by=("agent_id", "state", "start_at", "end_at"),
)

SCHEDULES = Table(
    "schedules",
    "Planned activities per agent (shifts, breaks, training), for adherence and conformance.",
    (
        _source(),
        Column("vendor", S, "The agent's vendor.", "northwind-bpo", required=True, key=True),
        Column("agent_id", S, "Agent.", "ag-0193", required=True, key=True),
        Column(
            "activity",
            S,
            "Planned activity: work, break, lunch, training, meeting, coaching, off.",
            "work",
            required=True,
            key=True,
        ),
        Column("start_at", T, "Planned start.", "2026-03-02T09:00:00Z", required=True, key=True),
        Column("end_at", T, "Planned end.", "2026-03-02T13:00:00Z", required=True),
    ),
    time_order=(TimeOrder("start_at", "end_at"),),
    recognised_by=("agent_id", "activity", "start_at", "end_at"),
)

FORECASTS = Table(
    "forecasts",
    "Forecast contact volume and handle time per queue and interval, as submitted by a vendor or made by Steward.",
    (
        _source(),
        Column("vendor", S, "Vendor the forecast is for.", "northwind-bpo", required=True, key=True),
        Column("queue", S, "Queue.", "billing", required=True, key=True),
        Column("interval_start", T, "Start of the interval.", "2026-03-02T09:00:00Z", required=True, key=True),
        Column(
            "interval_minutes",
            INT,
            "Interval length in minutes: 15, 30 or 60.",
            "30",
            required=True,
            allowed=FORECAST_INTERVALS,
            key=True,
        ),
        Column("volume", N, "Forecast contacts offered in the interval.", "42.5", required=True, minimum=0),
        Column("aht_seconds", N, "Forecast average handle time.", "380", minimum=0),
        Column(
            "made_by", S, "Who made the forecast (vendor name or steward).", "northwind-bpo", required=True, key=True
        ),
    ),
    recognised_by=("interval_start", "interval_minutes", "volume"),
)

ORDERS = Table(
    "orders",
    "Customer orders, for loyalty metrics (repeat purchase, churn, lifetime value, referral).",
    (
        _source(),
        Column("order_id", S, "Order identifier, unique within its source.", "o-100234", required=True, key=True),
        Column("customer_id", S, "Customer, pseudonymised the same way as in interactions.", "c-7f3a91", required=True),
        Column("ordered_at", T, "When the order was placed.", "2026-03-01T18:22:00Z", required=True),
        Column("amount", N, "Order value.", "59.90", required=True, minimum=0),
        Column("currency", S, "ISO 4217 currency code.", "EUR"),
        Column(
            "referred_by",
            S,
            "Customer who referred this customer (set on a new customer's first order), pseudonymised like "
            "customer_id.",
            "c-2b81e0",
        ),
    ),
    recognised_by=("order_id", "ordered_at", "amount"),
)

QA_SAMPLES = ("random", "targeted", "calibration", "mystery_shop", "autoqa")
QA_FAILURES = ("none", "section", "evaluation")

QA_RESULTS = Table(
    "qa_results",
    "Scored QA evaluations (from Steward's records or a QA tool's export), for quality_score and the QA rates.",
    (
        _source(),
        Column("evaluation_id", S, "Evaluation, unique within its source.", "ev-20391", required=True, key=True),
        Column("interaction_id", S, "The interaction evaluated.", "48213"),
        Column("vendor", S, "Vendor of the agent evaluated.", "northwind-bpo", required=True),
        Column("queue", S, "Queue of the interaction.", "billing"),
        Column("channel", S, "Channel of the interaction.", "email", allowed=CHANNELS),
        Column("language", S, "Language of the interaction.", "en"),
        Column("agent_id", S, "Agent evaluated.", "ag-0193"),
        Column("evaluator", S, "Who scored it (a person, or autoqa).", "qa-lena"),
        Column("scorecard", S, "QA scorecard id.", "email-support", required=True),
        Column("scorecard_version", S, "Version the evaluation was scored with.", "email-support@2026-01-01"),
        Column("evaluated_at", T, "When the evaluation was completed.", "2026-03-04T10:15:00Z", required=True),
        Column(
            "sample",
            S,
            "Why the interaction was evaluated: random (counts in quality_score), targeted, calibration, "
            "mystery_shop, autoqa.",
            "random",
            required=True,
            allowed=QA_SAMPLES,
        ),
        Column(
            "score",
            N,
            "Final score, 0-100 (above 100 with bonus questions where allowed).",
            "86.5",
            required=True,
            minimum=0,
            maximum=200,
        ),
        Column("raw_score", N, "Score before critical failures.", "86.5", minimum=0, maximum=200),
        Column("failed", S, "Critical failure: none, section or evaluation.", "none", allowed=QA_FAILURES),
        Column("passed", B, "Whether the score reached the scorecard's pass mark.", "true"),
    ),
    recognised_by=("evaluation_id", "scorecard", "score"),
)

TRANSCRIPTS = Table(
    "transcripts",
    "Turns of chat and e-mail conversations (or call transcriptions), for AutoQA; card numbers and personal "
    "data in `text` are redacted before they are stored.",
    (
        _source(),
        Column("interaction_id", S, "The interaction the turn belongs to.", "48213", required=True, key=True),
        Column("turn", INT, "Position in the conversation, from 1.", "1", required=True, minimum=1, key=True),
        Column("speaker", S, "Who wrote or said it.", "agent", required=True, allowed=ACTOR_TYPES),
        Column("at", T, "When it was sent or said.", "2026-03-02T09:14:40Z"),
        Column(
            "text",
            S,
            "What was written or said; card numbers, e-mail addresses, IBANs and phone numbers are replaced by "
            "[card number], [email], [iban], [phone] on import.",
            "Hello, thanks for waiting!",
            required=True,
            redacted=True,
        ),
    ),
    recognised_by=("interaction_id", "turn", "speaker", "text"),
)

AUTOQA_RESULTS = Table(
    "autoqa_results",
    "AutoQA: one row per interaction, ruleset and rule, written by `steward qa autoqa` (docs/qa.md).",
    (
        Column("source", S, "Who checked it: steward-autoqa.", "steward-autoqa", key=True),
        # Interaction ids are unique only within their source: without it, 100 from two helpdesks is one key.
        Column(
            "interaction_source",
            S,
            "Source of the interaction checked (with interaction_id, its key in interactions).",
            "zendesk",
            required=True,
            key=True,
        ),
        Column("interaction_id", S, "The interaction checked.", "48213", required=True, key=True),
        Column("ruleset", S, "Ruleset id (definitions/autoqa/).", "chat-basics", required=True, key=True),
        Column("rule", S, "Rule id within the ruleset.", "greeting", required=True, key=True),
        Column("vendor", S, "Vendor of the interaction.", "northwind-bpo", required=True),
        Column("queue", S, "Queue of the interaction.", "billing"),
        Column("channel", S, "Channel of the interaction.", "chat", allowed=CHANNELS),
        Column("agent_id", S, "Agent of the interaction.", "ag-0193"),
        Column("checked_at", T, "When the check ran.", "2026-11-02T06:00:00Z", required=True),
        Column("passed", B, "Whether the rule passed.", "false", required=True),
        Column("findings", INT, "Problems the rule found (0 when it passed).", "1", required=True, minimum=0),
        Column(
            "detail",
            S,
            "Where and what, never the text itself: turns and kinds found, or the phrases missing.",
            "turn 1: none of hello, hi",
        ),
    ),
    recognised_by=("interaction_id", "ruleset", "rule", "passed"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        INTERACTIONS,
        INTERACTION_EVENTS,
        AGENT_STATES,
        SCHEDULES,
        FORECASTS,
        ORDERS,
        QA_RESULTS,
        TRANSCRIPTS,
        AUTOQA_RESULTS,
    )
}


def recognise_table(columns: list[str] | tuple[str, ...]) -> Table | None:
    """The canonical table whose identifying columns all appear in `columns`, best match first."""
    present = set(columns)
    matches = [t for t in TABLES.values() if set(t.recognised_by) <= present]
    if not matches:
        return None
    return max(matches, key=lambda t: len(present & set(t.column_names)))
