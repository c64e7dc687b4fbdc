"""A slow, obviously correct reference implementation of docs/metrics.md, in plain Python.

The engine compiles metric definitions to Ibis expressions; this module recomputes the same
numbers row by row so that tests can compare the two (TENETS.md, tenet 1). It deliberately
shares nothing with the engine: it imports nothing from `steward.engine` nor from
`steward.domain.calendar` (which the engine uses to build its business-time tables). It reads
only the definition models (`steward.definitions.*`) and the measure registry.

Data are plain rows: `{"interactions": [...], "interaction_events": [...]}`, each row a dict of
canonical columns holding Python values (naive-UTC datetimes, ints, floats, bools, None; a
missing key is a missing value).

Structure: a metric's measure has a source. INTERACTIONS and REPLIES metrics are computed per
group of in-scope interactions by a function looked up in `CLOCKS` (durations), `COUNTS` or
`RATIOS` (keyed by measure and variant); BACKLOG is computed per period end. Measures of the other
sources (AGENT_TIME, FORECASTS, CUSTOMERS) are computed by tests/oracle_workforce.py, to which
`compute_parts` hands them, so this is the one entry point for every built-in metric.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from steward.definitions.calendars import CalendarDefinition, CalendarSet
from steward.definitions.metrics import MetricDefinition
from steward.domain.measures import Kind, Source, Statistic

Row = dict[str, Any]
Key = tuple[Any, ...]
Span = tuple[datetime, datetime]
"""A clock from its start to its stop, naive UTC."""

GRAINS = ("day", "week", "month", "quarter", "year")
PERCENT_UNITS = ("percent",)


@dataclass(frozen=True)
class Parts:
    """A metric's value for one group and the components it was computed from."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    count: int | None = None


@dataclass(frozen=True)
class Query:
    """Everything about a query except the metric: groups, periods, zone and filters."""

    by: tuple[str, ...] = ()
    grain: str | None = None
    start: date | None = None
    end: date | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def compute(
    metric: MetricDefinition,
    data: dict[str, list[Row]],
    *,
    by: Sequence[str] = (),
    grain: str | None = None,
    start: date | None = None,
    end: date | None = None,
    reporting_tz: str = "UTC",
    calendars: CalendarSet | None = None,
    where: dict[str, list[str]] | None = None,
) -> dict[Key, float | None]:
    """The metric's value per group: key = values of `by` in order, then the period start if `grain`."""
    parts = compute_parts(
        metric,
        data,
        by=by,
        grain=grain,
        start=start,
        end=end,
        reporting_tz=reporting_tz,
        calendars=calendars,
        where=where,
    )
    return {key: part.value for key, part in parts.items()}


def compute_parts(
    metric: MetricDefinition,
    data: dict[str, list[Row]],
    *,
    by: Sequence[str] = (),
    grain: str | None = None,
    start: date | None = None,
    end: date | None = None,
    reporting_tz: str = "UTC",
    calendars: CalendarSet | None = None,
    where: dict[str, list[str]] | None = None,
    costs: Sequence[dict[str, Any]] = (),
) -> dict[Key, Parts]:
    """As `compute`, with each value's numerator and denominator (or count)."""
    if grain is not None and grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; known: {', '.join(GRAINS)}")
    query = Query(
        tuple(by),
        grain,
        start,
        end,
        ZoneInfo(reporting_tz),
        tuple((column, tuple(values)) for column, values in (where or {}).items()),
    )
    source = metric.spec.source
    if source not in SOURCES:
        # Agent time, forecasts and customers live in the companion module (same conventions).
        from tests import oracle_workforce

        return oracle_workforce.compute_parts(
            metric, data, by=by, grain=grain, start=start, end=end, reporting_tz=reporting_tz, where=where, costs=costs
        )
    return SOURCES[source](metric, Warehouse.of(data, calendars), query)


# --------------------------------------------------------------------------------------------
# The data, indexed once
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    """All rows of the query's data, with each interaction's events in time order."""

    interactions: tuple[Row, ...]
    events: dict[Key, tuple[Row, ...]]
    business: BusinessTime

    @classmethod
    def of(cls, data: dict[str, list[Row]], calendars: CalendarSet | None) -> Warehouse:
        events: dict[Key, list[Row]] = {}
        for event in data.get("interaction_events", []):
            events.setdefault(interaction_key(event), []).append(event)
        ordered = {key: tuple(sorted(rows, key=lambda e: e["at"])) for key, rows in events.items()}
        return cls(tuple(data.get("interactions", [])), ordered, BusinessTime(calendars or CalendarSet()))

    def events_of(self, row: Row) -> tuple[Row, ...]:
        return self.events.get(interaction_key(row), ())


def interaction_key(row: Row) -> Key:
    """Events belong to the interaction with the same source and id."""
    return (row.get("source"), row["interaction_id"])


# --------------------------------------------------------------------------------------------
# Scope, groups and periods
# --------------------------------------------------------------------------------------------


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The local date in `zone` of a naive-UTC instant."""
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def period_start(day: date, grain: str) -> date:
    """The first local date of the `grain` period holding `day`."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown grain {grain!r}")


def next_period_start(first: date, grain: str) -> date:
    """The first date of the period after the one starting on `first`."""
    if grain == "day":
        return first + timedelta(days=1)
    if grain == "week":
        return first + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def passes_filters(row: Row, metric: MetricDefinition, query: Query) -> bool:
    """The metric's own filters and the query's `where`, all of them (a missing value matches nothing)."""
    conditions = [*metric.filters.items(), *query.where]
    return all(row.get(column) in values for column, values in conditions)


def in_range(row: Row, query: Query) -> bool:
    """Created on a local date between `start` and `end`, both inclusive."""
    day = local_date(row["created_at"], query.zone)
    return (query.start is None or day >= query.start) and (query.end is None or day <= query.end)


def group_key(row: Row, query: Query) -> Key:
    """Values of the `by` columns, then the period the interaction was created in."""
    key = tuple(row.get(column) for column in query.by)
    if query.grain is None:
        return key
    return (*key, period_start(local_date(row["created_at"], query.zone), query.grain))


def groups_in_scope(metric: MetricDefinition, warehouse: Warehouse, query: Query) -> dict[Key, list[Row]]:
    groups: dict[Key, list[Row]] = {}
    for row in warehouse.interactions:
        if passes_filters(row, metric, query) and in_range(row, query):
            groups.setdefault(group_key(row, query), []).append(row)
    return groups


# --------------------------------------------------------------------------------------------
# Interaction metrics (sources INTERACTIONS and REPLIES)
# --------------------------------------------------------------------------------------------


def interaction_metric(metric: MetricDefinition, warehouse: Warehouse, query: Query) -> dict[Key, Parts]:
    groups = groups_in_scope(metric, warehouse, query)
    return {key: measure_group(metric, rows, warehouse) for key, rows in groups.items()}


def measure_group(metric: MetricDefinition, rows: list[Row], warehouse: Warehouse) -> Parts:
    variant = (metric.measure, metric.variant or metric.spec.default_variant)
    if metric.kind is Kind.DURATION:
        clock = CLOCKS[variant]
        seconds = [duration_seconds(metric, warehouse, row, span) for row in rows for span in clock(row, warehouse)]
        return summarise(metric, seconds)
    if metric.kind is Kind.COUNT:
        total = COUNTS[variant](metric, rows, warehouse)
        return Parts(float(total), count=total)
    numerator, denominator = RATIOS[variant](metric, rows, warehouse)
    return ratio(metric, numerator, denominator)


def ratio(metric: MetricDefinition, numerator: float, denominator: float) -> Parts:
    scale = 100.0 if is_percent(metric) else 1.0
    value = scale * numerator / denominator if denominator else None
    return Parts(value, numerator=float(numerator), denominator=float(denominator))


def is_percent(metric: MetricDefinition) -> bool:
    """Percent metrics show 100 x numerator / denominator; NPS is defined that way too."""
    return metric.unit in PERCENT_UNITS or metric.measure == "nps" or metric.statistic is Statistic.WITHIN_TARGET


# --- durations ------------------------------------------------------------------------------

ClockFn = Callable[[Row, Warehouse], list[Span | None]]


def first_response_clock(row: Row, warehouse: Warehouse) -> list[Span | None]:
    """created_at -> earliest agent_reply by an agent (or no actor type) at or after it when the interaction
    has any agent_reply events; else first_response_at."""
    created = row["created_at"]
    events = warehouse.events_of(row)
    if any(e["kind"] == "agent_reply" for e in events):
        replies = [e["at"] for e in events if is_agent_reply(e) and e["at"] >= created]
        stop = min(replies, default=None)
    else:
        stop = row.get("first_response_at")
    return [(created, stop) if stop is not None else None]


def resolution_clock(row: Row, warehouse: Warehouse) -> list[Span | None]:
    """created_at -> when the interaction last became solved or closed (status events), else resolved_at.

    With status events: the earliest solved/closed event at or after both creation and the last other
    status event; none when no such event exists (still open, or reopened and not solved again).
    """
    statuses = [e for e in warehouse.events_of(row) if e["kind"] == "status"]
    if statuses:
        done = ("solved", "closed")
        others = [e["at"] for e in statuses if e.get("value") not in done]
        since = max([row["created_at"], *others])
        stop = min((e["at"] for e in statuses if e.get("value") in done and e["at"] >= since), default=None)
    else:
        stop = row.get("resolved_at")
    return [(row["created_at"], stop) if stop is not None else None]


def next_reply_clocks(row: Row, warehouse: Warehouse) -> list[Span | None]:
    """For each agent reply after the first: oldest customer message since the previous agent reply -> it."""
    events = warehouse.events_of(row)
    replies = sorted(e["at"] for e in events if is_agent_reply(e))
    messages = sorted(e["at"] for e in events if e["kind"] == "customer_message")
    spans: list[Span | None] = []
    for previous, this in pairwise(replies):
        waiting = [m for m in messages if previous < m <= this]
        if waiting:
            spans.append((min(waiting), this))
    return spans


def is_agent_reply(event: Row) -> bool:
    return event["kind"] == "agent_reply" and event.get("actor_type") in (None, "agent")


CLOCKS: dict[tuple[str, str], ClockFn] = {
    ("first_response", "human_reply"): first_response_clock,
    ("resolution", "full"): resolution_clock,
    ("next_reply", "oldest_unanswered"): next_reply_clocks,
}


def paused_segments(events: Iterable[Row], pause_states: Sequence[str]) -> list[tuple[datetime, datetime | None]]:
    """Status segments whose status is a pause state: from a status event to the next one (None = forever)."""
    statuses = [e for e in events if e["kind"] == "status"]
    segments: list[tuple[datetime, datetime | None]] = []
    for index, current in enumerate(statuses):
        if current.get("value") in pause_states:
            ends = statuses[index + 1]["at"] if index + 1 < len(statuses) else None
            segments.append((current["at"], ends))
    return segments


def duration_seconds(metric: MetricDefinition, warehouse: Warehouse, row: Row, span: Span | None) -> float | None:
    """The clock's length in calendar or business seconds, minus paused time; None when it never stopped."""
    if span is None:
        return None
    start, stop = span
    calendar = warehouse.business.calendar_for(row) if metric.calendar == "business" else None

    def length(a: datetime, b: datetime) -> float:
        if calendar is None:
            return (b - a).total_seconds()
        return warehouse.business.open_seconds(calendar, a, b)

    total = length(start, stop)
    pause_states = metric.params.get("pause_states", ())
    for paused_from, paused_to in paused_segments(warehouse.events_of(row), pause_states):
        a = max(paused_from, start)
        b = stop if paused_to is None else min(paused_to, stop)
        if a < b:
            total -= length(a, b)
    return total


def summarise(metric: MetricDefinition, seconds: list[float | None]) -> Parts:
    """Mean, median, percentile or within-target share of the clocks, in minutes."""
    minutes = sorted(s / 60 for s in seconds if s is not None)
    if metric.statistic is Statistic.MEAN:
        total = sum(minutes)
        return Parts(total / len(minutes) if minutes else None, numerator=total, denominator=float(len(minutes)))
    if metric.statistic is Statistic.WITHIN_TARGET:
        limit = 60 * float(metric.params["target_minutes"])
        hits = sum(1 for s in seconds if s is not None and s <= limit)
        return ratio(metric, hits, len(seconds))
    quantile = metric.quantile
    if quantile is None:
        raise ValueError(f"{metric.id}: a duration needs a statistic")
    return Parts(percentile_type7(minutes, quantile), count=len(minutes))


def percentile_type7(ordered: list[float], quantile: float) -> float | None:
    """x[k] + (x[k+1] - x[k]) * f where k + f = q * (n - 1), on sorted values."""
    if not ordered:
        return None
    position = quantile * (len(ordered) - 1)
    k = math.floor(position)
    f = position - k
    if k + 1 >= len(ordered):
        return ordered[-1]
    return ordered[k] + (ordered[k + 1] - ordered[k]) * f


# --- call and ticket facts ------------------------------------------------------------------


def is_abandoned(row: Row) -> bool:
    return row.get("abandoned") is True


def wait_seconds(row: Row) -> float | None:
    """queue_wait_seconds, or created_at -> first_response_at when it is empty."""
    if row.get("queue_wait_seconds") is not None:
        return float(row["queue_wait_seconds"])
    if row.get("first_response_at") is not None:
        waited: timedelta = row["first_response_at"] - row["created_at"]
        return waited.total_seconds()
    return None


def is_answered(row: Row) -> bool:
    return not is_abandoned(row) and wait_seconds(row) is not None


def is_handled(row: Row) -> bool:
    return not is_abandoned(row) and (row.get("first_response_at") is not None or row.get("resolved_at") is not None)


def is_solved(row: Row) -> bool:
    return row.get("resolved_at") is not None


def count_if(rows: Iterable[Row], condition: Callable[[Row], bool]) -> int:
    return sum(1 for row in rows if condition(row))


# --- counts ---------------------------------------------------------------------------------

CountFn = Callable[[MetricDefinition, list[Row], Warehouse], int]

COUNTS: dict[tuple[str, str], CountFn] = {
    ("volume", "offered"): lambda _m, rows, _w: len(rows),
    ("volume", "handled"): lambda _m, rows, _w: count_if(rows, is_handled),
}


# --- ratios ---------------------------------------------------------------------------------

RatioFn = Callable[[MetricDefinition, list[Row], Warehouse], tuple[float, float]]


def handle_seconds(row: Row) -> float | None:
    """handle_seconds, or talk + hold + wrap (empty parts as 0) when it is empty; None when all are empty."""
    if row.get("handle_seconds") is not None:
        return float(row["handle_seconds"])
    parts = [row.get(name) for name in ("talk_seconds", "hold_seconds", "wrap_seconds")]
    if all(part is None for part in parts):
        return None
    return float(sum(part or 0 for part in parts))


def sum_and_count(values: Iterable[float | None]) -> tuple[float, float]:
    known = [float(v) for v in values if v is not None]
    return sum(known), float(len(known))


def handle_time(column: str | None) -> RatioFn:
    def compute_(_metric: MetricDefinition, rows: list[Row], _w: Warehouse) -> tuple[float, float]:
        if column is None:
            return sum_and_count(handle_seconds(row) for row in rows)
        return sum_and_count(row.get(column) for row in rows)

    return compute_


def speed_of_answer(_metric: MetricDefinition, rows: list[Row], _w: Warehouse) -> tuple[float, float]:
    return sum_and_count(wait_seconds(row) for row in rows if is_answered(row))


@dataclass(frozen=True)
class CallCounts:
    """The counts every service-level and abandonment variant is built from."""

    offered: int
    answered: int
    answered_in_threshold: int
    abandoned: int
    abandoned_short: int
    abandoned_in_threshold: int
    abandoned_after_threshold_or_unknown: int

    @classmethod
    def of(cls, metric: MetricDefinition, rows: list[Row]) -> CallCounts:
        threshold = float(metric.params.get("threshold_seconds", 20))
        short = float(metric.params.get("short_abandon_seconds", 5))
        answered = [r for r in rows if is_answered(r)]
        abandoned = [r for r in rows if is_abandoned(r)]
        waits = [wait_seconds(r) for r in abandoned]
        return cls(
            offered=len(rows),
            answered=len(answered),
            answered_in_threshold=count_if(answered, lambda r: (wait_seconds(r) or 0) <= threshold),
            abandoned=len(abandoned),
            abandoned_short=sum(1 for w in waits if w is not None and w < short),
            abandoned_in_threshold=sum(1 for w in waits if w is not None and w <= threshold),
            abandoned_after_threshold_or_unknown=sum(1 for w in waits if w is None or w > threshold),
        )


def calls(formula: Callable[[CallCounts], tuple[float, float]]) -> RatioFn:
    return lambda metric, rows, _w: formula(CallCounts.of(metric, rows))


def flag_share(condition: Callable[[Row], bool], population: Callable[[Row], bool]) -> RatioFn:
    """Rows of the population meeting the condition / rows of the population."""

    def compute_(_metric: MetricDefinition, rows: list[Row], _w: Warehouse) -> tuple[float, float]:
        members = [row for row in rows if population(row)]
        return float(count_if(members, condition)), float(len(members))

    return compute_


def no_repeat(*, same_reason: bool) -> RatioFn:
    """Eligible contacts with no later contact by the same customer within N x 24 h / eligible contacts."""

    def compute_(metric: MetricDefinition, rows: list[Row], warehouse: Warehouse) -> tuple[float, float]:
        window = timedelta(days=int(metric.params["window_days"]))
        latest = max(row["created_at"] for row in warehouse.interactions)
        eligible = [r for r in rows if r.get("customer_id") is not None and r["created_at"] + window <= latest]
        first_time = [r for r in eligible if not has_repeat(r, warehouse.interactions, window, same_reason)]
        return float(len(first_time)), float(len(eligible))

    return compute_


def has_repeat(contact: Row, everything: Iterable[Row], window: timedelta, same_reason: bool) -> bool:
    """Another contact by the same customer strictly later and at most `window` later (same reason if asked)."""
    for other in everything:
        if other.get("customer_id") != contact["customer_id"]:
            continue
        if not contact["created_at"] < other["created_at"] <= contact["created_at"] + window:
            continue
        if same_reason and (
            contact.get("contact_reason") is None or other.get("contact_reason") != contact.get("contact_reason")
        ):
            continue
        return True
    return False


def csat(formula: Callable[[MetricDefinition, list[int], int, int], tuple[float, float]]) -> RatioFn:
    def compute_(metric: MetricDefinition, rows: list[Row], _w: Warehouse) -> tuple[float, float]:
        ratings = [int(row["csat"]) for row in rows if row.get("csat") is not None]
        rated_and_solved = count_if(rows, lambda r: r.get("csat") is not None and is_solved(r))
        return formula(metric, ratings, count_if(rows, is_solved), rated_and_solved)

    return compute_


def nps(_metric: MetricDefinition, rows: list[Row], _w: Warehouse) -> tuple[float, float]:
    scores = [int(row["nps"]) for row in rows if row.get("nps") is not None]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return float(promoters - detractors), float(len(scores))


def positive(metric: MetricDefinition, ratings: list[int], _solved: int, _rated: int) -> tuple[float, float]:
    threshold = int(metric.params["positive_threshold"])
    return float(sum(1 for r in ratings if r >= threshold)), float(len(ratings))


def negative(metric: MetricDefinition, ratings: list[int], _solved: int, _rated: int) -> tuple[float, float]:
    threshold = int(metric.params["negative_threshold"])
    return float(sum(1 for r in ratings if r <= threshold)), float(len(ratings))


RATIOS: dict[tuple[str, str], RatioFn] = {
    ("handle_time", "total"): handle_time(None),
    ("handle_time", "talk"): handle_time("talk_seconds"),
    ("handle_time", "hold"): handle_time("hold_seconds"),
    ("handle_time", "wrap"): handle_time("wrap_seconds"),
    ("speed_of_answer", "answered"): speed_of_answer,
    ("service_level", "abandons_missed"): calls(lambda c: (c.answered_in_threshold, c.answered + c.abandoned)),
    ("service_level", "abandons_excluded"): calls(lambda c: (c.answered_in_threshold, c.answered)),
    ("service_level", "short_abandons_ignored"): calls(
        lambda c: (c.answered_in_threshold, c.answered + c.abandoned - c.abandoned_short)
    ),
    ("service_level", "abandons_within_threshold_met"): calls(
        lambda c: (c.answered_in_threshold + c.abandoned_in_threshold, c.answered + c.abandoned)
    ),
    ("service_level", "abandons_within_threshold_ignored"): calls(
        lambda c: (c.answered_in_threshold, c.answered + c.abandoned_after_threshold_or_unknown)
    ),
    ("abandonment", "all"): calls(lambda c: (c.abandoned, c.offered)),
    ("abandonment", "short_abandons_excluded"): calls(
        lambda c: (c.abandoned - c.abandoned_short, c.offered - c.abandoned_short)
    ),
    ("transfer", "any"): flag_share(lambda r: (r.get("transfers") or 0) > 0, is_handled),
    ("reopen", "any"): flag_share(lambda r: (r.get("reopens") or 0) > 0, is_solved),
    ("fcr", "flag"): flag_share(
        lambda r: r["resolved_first_contact"] is True, lambda r: r.get("resolved_first_contact") is not None
    ),
    ("fcr", "no_repeat"): no_repeat(same_reason=False),
    ("fcr", "no_repeat_same_reason"): no_repeat(same_reason=True),
    ("csat", "top2"): csat(positive),
    ("csat", "mean"): csat(lambda _m, ratings, _s, _rs: (float(sum(ratings)), float(len(ratings)))),
    ("csat", "dsat"): csat(negative),
    ("csat", "response_rate"): csat(lambda _m, _r, solved, rated_solved: (float(rated_solved), float(solved))),
    ("nps", "standard"): nps,
}


# --------------------------------------------------------------------------------------------
# Backlog (source BACKLOG): interactions open at each period end
# --------------------------------------------------------------------------------------------


def backlog_metric(metric: MetricDefinition, warehouse: Warehouse, query: Query) -> dict[Key, Parts]:
    rows = [row for row in warehouse.interactions if passes_filters(row, metric, query)]
    result: dict[Key, Parts] = {}
    for label, moment in snapshots(query):
        counts: dict[Key, int] = {}
        if not query.by:
            counts[()] = 0  # without groups every period has a value, 0 included
        for row in rows:
            if is_in_backlog(metric, row, moment):
                key = tuple(row.get(column) for column in query.by)
                counts[key] = counts.get(key, 0) + 1
        for key, total in counts.items():
            result[key if label is None else (*key, label)] = Parts(float(total), count=total)
    return result


def snapshots(query: Query) -> list[tuple[date | None, datetime]]:
    """(period label, naive-UTC instant of its end): each period's end, clipped to the end of the range."""
    if query.end is None:
        raise ValueError("backlog needs the end of the range (it is counted at the end of each period)")
    range_end = local_midnight(query.end + timedelta(days=1), query.zone)
    if query.grain is None:
        return [(None, range_end)]
    if query.start is None:
        raise ValueError("backlog by period needs the start of the range")
    points: list[tuple[date | None, datetime]] = []
    first = period_start(query.start, query.grain)
    while first <= query.end:
        following = next_period_start(first, query.grain)
        points.append((first, min(local_midnight(following, query.zone), range_end)))
        first = following
    return points


def is_in_backlog(metric: MetricDefinition, row: Row, moment: datetime) -> bool:
    """Created before `moment` and neither resolved nor closed before it (and old enough for `aged`)."""
    if not row["created_at"] < moment:
        return False
    for column in ("resolved_at", "closed_at"):
        if row.get(column) is not None and row[column] < moment:
            return False
    if metric.variant == "aged":
        created: datetime = row["created_at"]
        return created < moment - timedelta(days=int(metric.params["age_days"]))
    return True


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return local_to_utc(day, time(0, 0), zone)


SOURCES: dict[Source, Callable[[MetricDefinition, Warehouse, Query], dict[Key, Parts]]] = {
    Source.INTERACTIONS: interaction_metric,
    Source.REPLIES: interaction_metric,
    Source.BACKLOG: backlog_metric,
    # Source.AGENT_TIME, Source.FORECASTS and Source.CUSTOMERS: not yet (NotImplementedError above).
}


# --------------------------------------------------------------------------------------------
# Business time, computed independently of steward.domain.calendar
# --------------------------------------------------------------------------------------------


def offset_at(moment: datetime, zone: ZoneInfo) -> timedelta:
    """The zone's UTC offset at a naive-UTC instant."""
    offset = moment.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def local_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The naive-UTC instant of a local wall-clock time.

    Tries the offsets in force two days before and two days after: those that reproduce the wall
    time are real readings, and the earliest wins (a repeated hour is read with the offset before
    the change). When none does, the time is in a daylight-saving gap and is read with the offset
    in force before the change, as docs/metrics.md says.
    """
    local = datetime.combine(day, wall)
    before = offset_at(local - timedelta(days=2), zone)
    after = offset_at(local + timedelta(days=2), zone)
    readings = [local - offset for offset in (before, after) if offset_at(local - offset, zone) == offset]
    return min(readings) if readings else local - before


@cache
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=[year]).keys())


def is_closed(calendar: CalendarDefinition, day: date) -> bool:
    """A public holiday of the calendar's country (and subdivision) or a company closure."""
    if day in calendar.holidays.extra:
        return True
    country = calendar.holidays.country
    return country is not None and day in public_holidays(country, calendar.holidays.subdivision, day.year)


def window_instants(calendar: CalendarDefinition, first: date, last: date) -> Iterator[Span]:
    """Each opening window starting on a local date in [first, last] that is not closed, in naive UTC."""
    zone = ZoneInfo(calendar.timezone)
    weekly = calendar.windows()
    day = first
    while day <= last:
        if not is_closed(calendar, day):
            for window in weekly.get(day.weekday(), ()):
                overnight = window.closes <= window.opens
                closes_on = day + timedelta(days=1) if overnight else day
                yield local_to_utc(day, window.opens, zone), local_to_utc(closes_on, window.closes, zone)
        day += timedelta(days=1)


def open_seconds(calendar: CalendarDefinition, start: datetime, stop: datetime) -> float:
    """Seconds of [start, stop) during which at least one window is open.

    Cuts the span at every window edge; each piece between two cuts is wholly open or wholly
    closed, which its first instant tells.
    """
    if stop <= start:
        return 0.0
    zone = ZoneInfo(calendar.timezone)
    first = local_date(start, zone) - timedelta(days=2)
    last = local_date(stop, zone) + timedelta(days=1)
    windows = [
        (max(opens, start), min(closes, stop))
        for opens, closes in window_instants(calendar, first, last)
        if max(opens, start) < min(closes, stop)
    ]
    cuts = sorted({start, stop, *(edge for window in windows for edge in window)})
    return sum(
        (b - a).total_seconds() for a, b in pairwise(cuts) if any(opens <= a < closes for opens, closes in windows)
    )


def open_by_wall_clock(calendar: CalendarDefinition, moment: datetime) -> bool:
    """Is the calendar open at a naive-UTC instant, read off the local wall clock?

    A second, simpler reading used to cross-check `open_seconds`: it agrees with the spec
    whenever no window edge falls in a daylight-saving gap or repeated hour.
    """
    zone = ZoneInfo(calendar.timezone)
    wall = moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    weekly = calendar.windows()
    for day in (wall.date() - timedelta(days=1), wall.date()):
        if is_closed(calendar, day):
            continue
        for window in weekly.get(day.weekday(), ()):
            overnight = window.closes <= window.opens
            opens = datetime.combine(day, window.opens)
            closes = datetime.combine(day + timedelta(days=1) if overnight else day, window.closes)
            if opens <= wall < closes:
                return True
    return False


def open_seconds_by_minute(calendar: CalendarDefinition, start: datetime, stop: datetime) -> float:
    """Business seconds by walking UTC minutes (edges are whole minutes, so a minute is open or not)."""
    total = 0.0
    minute = start.replace(second=0, microsecond=0)
    while minute < stop:
        following = minute + timedelta(minutes=1)
        if open_by_wall_clock(calendar, minute):
            total += (min(following, stop) - max(minute, start)).total_seconds()
        minute = following
    return total


@dataclass
class BusinessTime:
    """Which calendar an interaction follows, and open seconds (cached per calendar and span)."""

    calendars: CalendarSet
    _cache: dict[tuple[str, datetime, datetime], float] = field(default_factory=dict)

    def calendar_for(self, row: Row) -> CalendarDefinition | None:
        """The calendar naming the queue, else the vendor, else the default; None means never closed."""
        name = (
            self.calendars.by_queue.get(row.get("queue") or "")
            or self.calendars.by_vendor.get(row.get("vendor") or "")
            or self.calendars.default
        )
        return self.calendars.named(name) if name else None

    def open_seconds(self, calendar: CalendarDefinition, start: datetime, stop: datetime) -> float:
        key = (calendar.name, start, stop)
        if key not in self._cache:
            self._cache[key] = open_seconds(calendar, start, stop)
        return self._cache[key]
