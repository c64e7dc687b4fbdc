"""What Steward can measure: each measure's kind, source table, variants and parameters.

A metric definition (YAML) names one measure, picks a variant, sets parameters and a statistic.
This registry is the contract between definitions, the engine (which implements each measure
as an Ibis expression) and the test oracle (which recomputes each in plain Python). Formula
texts here are what `steward metrics list` and docs/metrics.md show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from steward.domain.canonical import STATUSES


class Kind(StrEnum):
    """How a measure aggregates."""

    DURATION = "duration"  # a clock per row; summarised by a statistic
    RATIO = "ratio"  # numerator / denominator, both kept
    COUNT = "count"  # a number of rows


class Statistic(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    PERCENTILE = "percentile"
    WITHIN_TARGET = "within_target"


class Source(StrEnum):
    """The canonical rows a measure reads; metrics from different sources are joined on the groups."""

    INTERACTIONS = "interactions"
    REPLIES = "replies"  # next-reply instances built from interaction_events
    BACKLOG = "backlog"  # interactions open at the end of each period
    AGENT_TIME = "agent_time"  # agent_states and schedules
    FORECASTS = "forecasts"  # forecasts joined with actual volume
    CUSTOMERS = "customers"  # orders per customer
    QA = "qa"  # scored QA evaluations

    @property
    def is_snapshot(self) -> bool:
        """Counted at an instant or over whole histories, so time cannot be cut out of it."""
        return self in (Source.BACKLOG, Source.CUSTOMERS)


@dataclass(frozen=True)
class Parameter:
    name: str
    default: float | int | str | tuple[str, ...]
    meaning: str
    entry_format: str | None = None
    choices: tuple[str, ...] = ()
    """When set, every entry of a list parameter must be one of these."""
    """For a list parameter: a regular expression every entry must match (checked when a definition loads)."""


@dataclass(frozen=True)
class Measure:
    """One computation the engine knows, with its named variants (formula in words per variant)."""

    name: str
    kind: Kind
    source: Source
    unit: str
    variants: dict[str, str]
    parameters: tuple[Parameter, ...] = ()
    warning_variants: dict[str, str] = field(default_factory=dict)
    variant_units: dict[str, str] = field(default_factory=dict)
    """Variants whose values are not in `unit` (CSAT's mean is a score, not a percent)."""

    def unit_of(self, variant: str | None) -> str:
        return self.variant_units.get(variant or self.default_variant, self.unit)

    @property
    def default_variant(self) -> str:
        return next(iter(self.variants))

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)


PAUSE = Parameter(
    "pause_states",
    (),
    "Statuses during which the clock stops (from interaction_events), e.g. [pending, on_hold].",
    choices=STATUSES,
)
TARGET = Parameter("target_minutes", 60.0, "Target for the 'within target' statistic, in minutes.")
WINDOW = Parameter("window_days", 7, "Days after a contact in which a new contact by the same customer is a repeat.")
THRESHOLD = Parameter("threshold_seconds", 20.0, "Answer within this many seconds to meet the service level.")
PRODUCTIVE = Parameter("productive_states", ("available", "on_contact", "wrap"), "Agent states that count as working.")
SHORT_ABANDON = Parameter("short_abandon_seconds", 5.0, "Abandons quicker than this are treated as short abandons.")

_MEASURES = (
    Measure(
        "volume",
        Kind.COUNT,
        Source.INTERACTIONS,
        "contacts",
        {
            "offered": "interactions created in the period",
            "handled": "interactions created in the period that were not abandoned and got a response or a resolution",
        },
    ),
    Measure(
        "first_response",
        Kind.DURATION,
        Source.INTERACTIONS,
        "minutes",
        {
            "human_reply": "created_at -> first public reply by a human agent (the first agent_reply event by an "
            "agent when the interaction has reply events, else first_response_at); once per interaction, so a "
            "reopen never restarts it",
        },
        (PAUSE, TARGET),
    ),
    Measure(
        "next_reply",
        Kind.DURATION,
        Source.REPLIES,
        "minutes",
        {
            "oldest_unanswered": "for every agent reply after the first: oldest customer message since the previous "
            "agent reply -> that reply; one value per instance",
        },
        (TARGET,),
    ),
    Measure(
        "resolution",
        Kind.DURATION,
        Source.INTERACTIONS,
        "minutes",
        {
            "full": "created_at -> when the interaction last became solved or closed (from status events when it "
            "has any, else resolved_at), reopen cycles included, minus time in pause_states; none while reopened",
        },
        (PAUSE, TARGET),
    ),
    Measure(
        "handle_time",
        Kind.RATIO,
        Source.INTERACTIONS,
        "seconds",
        {
            "total": "sum of handle_seconds (talk + hold + wrap when handle is missing) / interactions with a "
            "handle time",
            "talk": "sum of talk_seconds / interactions with a talk time",
            "hold": "sum of hold_seconds / interactions with a hold time",
            "wrap": "sum of wrap_seconds / interactions with a wrap time",
        },
    ),
    Measure(
        "speed_of_answer",
        Kind.RATIO,
        Source.INTERACTIONS,
        "seconds",
        {
            "answered": "sum of waits (queue_wait_seconds, else created_at -> first_response_at) of answered contacts "
            "/ answered contacts"
        },
    ),
    Measure(
        "service_level",
        Kind.RATIO,
        Source.INTERACTIONS,
        "percent",
        {
            "abandons_missed": "answered within T / (answered + abandoned)",
            "abandons_excluded": "answered within T / answered",
            "short_abandons_ignored": "answered within T / (answered + abandoned - abandoned within S)",
            "abandons_within_threshold_met": "(answered within T + abandoned within T) / (answered + abandoned)",
            "abandons_within_threshold_ignored": "answered within T / (answered + abandoned after T)",
        },
        (THRESHOLD, SHORT_ABANDON),
    ),
    Measure(
        "abandonment",
        Kind.RATIO,
        Source.INTERACTIONS,
        "percent",
        {
            "all": "abandoned / offered",
            "short_abandons_excluded": "(abandoned - abandoned within S) / (offered - abandoned within S)",
        },
        (SHORT_ABANDON,),
    ),
    Measure(
        "transfer",
        Kind.RATIO,
        Source.INTERACTIONS,
        "percent",
        {"any": "handled interactions with at least one transfer / handled interactions"},
    ),
    Measure(
        "reopen",
        Kind.RATIO,
        Source.INTERACTIONS,
        "percent",
        {"any": "solved interactions reopened at least once / solved interactions"},
    ),
    Measure(
        "fcr",
        Kind.RATIO,
        Source.INTERACTIONS,
        "percent",
        {
            "flag": "interactions flagged resolved_first_contact / interactions with the flag set either way",
            "no_repeat": "contacts with no new contact by the same customer within N days / contacts with a "
            "customer_id whose N-day window has fully elapsed in the data",
            "no_repeat_same_reason": "as no_repeat, counting only repeats with the same contact_reason",
        },
        (WINDOW,),
    ),
    Measure(
        "csat",
        Kind.RATIO,
        Source.INTERACTIONS,
        "percent",
        {
            "top2": "ratings >= positive_threshold / ratings",
            "mean": "sum of ratings / ratings (score 1-5)",
            "dsat": "ratings <= negative_threshold / ratings",
            "response_rate": "solved interactions with a rating / solved interactions",
        },
        (
            Parameter("positive_threshold", 4, "Lowest rating that counts as satisfied (top-2-box on 1-5)."),
            Parameter("negative_threshold", 2, "Highest rating that counts as dissatisfied."),
        ),
        variant_units={"mean": "score"},
    ),
    Measure(
        "nps",
        Kind.RATIO,
        Source.INTERACTIONS,
        "score",
        {"standard": "100 x (promoters 9-10 - detractors 0-6) / responses; from -100 to +100"},
    ),
    Measure(
        "backlog",
        Kind.COUNT,
        Source.BACKLOG,
        "tickets",
        {
            "open": "interactions created before the period end and not resolved by then",
            "aged": "open at the period end and created more than N days before it",
        },
        (Parameter("age_days", 7, "Age above which an open interaction counts as aged backlog."),),
    ),
    Measure(
        "occupancy",
        Kind.RATIO,
        Source.AGENT_TIME,
        "percent",
        {
            "busy_over_available": "minutes in busy states / (minutes in busy states + minutes in available "
            "states), from agent_states"
        },
        (
            Parameter("busy_states", ("on_contact", "wrap"), "Agent states counted as handling contacts."),
            Parameter("available_states", ("available",), "Agent states counted as waiting for a contact."),
        ),
    ),
    Measure(
        "adherence",
        Kind.RATIO,
        Source.AGENT_TIME,
        "percent",
        {
            "in_scheduled_activity": "scheduled minutes (all activities but off) in which the agent's state matched "
            "the scheduled activity (a state of the same name, or a pair in activity_states), the first "
            "grace_minutes of each scheduled activity counted as matched / scheduled minutes (when, not how much)",
        },
        (
            Parameter(
                "activity_states",
                ("work:available", "work:on_contact", "work:wrap"),
                "activity:state pairs: the state adheres to the scheduled activity (besides a state of the "
                "activity's own name).",
                entry_format=r"^[^:\s]+:[^:\s]+$",
            ),
            Parameter("grace_minutes", 0, "Minutes at the start of each scheduled activity counted as adhered."),
        ),
    ),
    Measure(
        "conformance",
        Kind.RATIO,
        Source.AGENT_TIME,
        "percent",
        {
            "worked_over_scheduled": "minutes in productive states / scheduled work minutes (how much, not when; "
            "may exceed 100)"
        },
        (PRODUCTIVE,),
    ),
    Measure(
        "shrinkage",
        Kind.RATIO,
        Source.AGENT_TIME,
        "percent",
        {
            "total": "(planned + unplanned shrinkage minutes) / scheduled paid minutes (all activities but off)",
            "planned": "scheduled minutes of planned_activities / scheduled paid minutes",
            "unplanned": "scheduled work minutes not covered by a productive state (absent, late, offline, on an "
            "unscheduled break) / scheduled paid minutes",
        },
        (
            Parameter(
                "planned_activities",
                ("break", "lunch", "training", "meeting", "coaching"),
                "Scheduled activities that are planned shrinkage.",
            ),
            PRODUCTIVE,
        ),
    ),
    Measure(
        "forecast_accuracy",
        Kind.RATIO,
        Source.FORECASTS,
        "percent",
        {
            "wape": "sum |forecast - actual| / sum actual, over forecast rows (actual = interactions of the "
            "vendor and queue created in the interval)",
            "bias": "sum (forecast - actual) / sum actual; positive means over-forecast",
            "mape": "mean over forecast rows with actual > 0 of |forecast - actual| / actual",
        },
        warning_variants={
            "mape": "MAPE over-weights quiet intervals and ignores empty ones; prefer WAPE with bias",
        },
    ),
    Measure(
        "quality",
        Kind.RATIO,
        Source.QA,
        "score",
        {
            "mean_score": "sum of final scores / evaluations, over evaluations in the chosen samples "
            "(each evaluation counts once: scores are pooled, never averaged per agent first)",
            "pass_rate": "evaluations that reached the pass mark / evaluations with a pass mark, in the chosen samples",
            "critical_fail_rate": "evaluations with a critical failure (section or whole) / evaluations, in the chosen "
            "samples",
        },
        (
            Parameter(
                "samples",
                ("random",),
                "Which evaluations count: random keeps targeted, calibration, mystery-shop and AutoQA results "
                "out of the KPI.",
                choices=("random", "targeted", "calibration", "mystery_shop", "autoqa"),
            ),
        ),
        variant_units={"pass_rate": "percent", "critical_fail_rate": "percent"},
    ),
    Measure(
        "repeat_purchase",
        Kind.RATIO,
        Source.CUSTOMERS,
        "percent",
        {"two_or_more": "customers with two or more orders in the period / customers with an order in the period"},
    ),
    Measure(
        "churn",
        Kind.RATIO,
        Source.CUSTOMERS,
        "percent",
        {
            "inactive_days": "customers active at the period start (an order in the N days before it) who reach N "
            "days without an order during the period / customers active at the period start",
        },
        (Parameter("inactive_days", 90, "Days without an order after which a customer counts as churned."),),
    ),
    Measure(
        "lifetime_value",
        Kind.RATIO,
        Source.CUSTOMERS,
        "currency",
        {
            "historical": "sum of order amounts of the customers who ordered in the period, over all their orders "
            "before the period end / those customers"
        },
    ),
    Measure(
        "referral",
        Kind.RATIO,
        Source.CUSTOMERS,
        "percent",
        {
            "referred_orders": "new customers (first order in the period) whose first order names as referred_by a "
            "customer who had ordered before / new customers"
        },
    ),
    Measure(
        "retention_cost_ratio",
        Kind.RATIO,
        Source.CUSTOMERS,
        "ratio",
        {
            "per_customer": "(retention spend / returning customers) / (acquisition spend / new customers), spend "
            "from definitions/costs.yaml spread evenly over each month's days",
        },
    ),
)

MEASURES: dict[str, Measure] = {m.name: m for m in _MEASURES}
RESERVED_METRIC_IDS: tuple[str, ...] = ()
"""Ids kept for metrics computed elsewhere, so no user definition takes them (none at present)."""
