"""Property tests: on random interaction histories the engine computes what the oracle computes,
and the oracle itself keeps the invariants docs/metrics.md implies.

Histories cluster around daylight-saving changes, holidays and month ends; they hold missing
timestamps, status changes with pauses and reopens, agent, customer and bot replies, customers who
call back (ties and exact window edges included), abandoned calls and queue waits. Calendars are
random too (split, overnight and all-day windows, edges in daylight-saving gaps, holidays).

Left out on purpose: two status events of one interaction at the same instant (the order is a
convention, see docs/metrics.md "Ties"; the hand-computed cases cover it).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import oracle
from tests.oracle import Key, Parts, Row
from tests.test_metric_cases import assert_same_parts, catalogue, load_workspace, oracle_parts
from tests.workforce_support import Ask, engine_parts

from steward.definitions.calendars import CalendarDefinition, CalendarSet
from steward.definitions.metrics import MetricDefinition
from steward.domain.clock import FixedClock
from steward.domain.measures import Kind, Source, Statistic
from steward.workspace import Workspace

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENGINE_EXAMPLES = int(os.environ.get("STEWARD_ORACLE_EXAMPLES", "3"))
"""Histories the engine is checked on; each costs a workspace and ~10 engine queries (5-10 s). Raise it for a
deeper run: STEWARD_ORACLE_EXAMPLES=200 python -m pytest tests/test_metrics_oracle.py -k engine"""
ENGINE = settings(max_examples=ENGINE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ZONES: dict[str, tuple[str | None, str | None]] = {
    "Europe/London": ("GB", "ENG"),
    "Europe/Berlin": ("DE", "BE"),
    "America/New_York": ("US", None),
    "Australia/Sydney": ("AU", "NSW"),
    "Asia/Manila": ("PH", None),
    "UTC": (None, None),
}
ANCHORS = (
    datetime(2025, 12, 31, 22, 0),  # New Year, and the year boundary in every zone
    datetime(2026, 1, 31, 23, 0),  # a month end, in February east of UTC
    datetime(2026, 3, 8, 7, 0),  # US summer time starts (07:00Z)
    datetime(2026, 3, 29, 1, 0),  # EU summer time starts (01:00Z)
    datetime(2026, 4, 3, 12, 0),  # Easter: Good Friday to Easter Monday
    datetime(2026, 4, 4, 16, 0),  # Sydney summer time ends (16:00Z)
    datetime(2026, 10, 3, 16, 0),  # Sydney summer time starts
    datetime(2026, 10, 25, 1, 0),  # EU summer time ends
    datetime(2026, 11, 1, 6, 0),  # US summer time ends
    datetime(2026, 12, 24, 12, 0),  # Christmas and the company closures around it
)
CLOSURES = (date(2026, 1, 2), date(2026, 3, 9), date(2026, 3, 30), date(2026, 10, 26), date(2026, 12, 24))
RANGES = ((1, 12), (1, 3), (3, 4), (10, 12), (4, 4))
EVENT_KINDS = ("agent_reply", "customer_message", "agent_reply", "customer_message", "status", "status", "assignment")
"""Replies and messages alternate often enough to open next-reply instances."""
STATUS_VALUES = ("new", "open", "pending", "on_hold", "solved", "closed")
DAY_SPECS = ("mon-fri", "sat", "sun", "mon,wed", "tue-thu", "fri")
WALL_CLOCK_SAFE_HOURS = (0, *range(4, 24))
"""Window edges at these local hours are in no daylight-saving gap or repeated hour of ZONES."""

EXTRA_DEFINITIONS: tuple[dict[str, Any], ...] = (
    {
        "id": "sl_abandons_met",
        "label": "SL abandons met",
        "measure": "service_level",
        "variant": "abandons_within_threshold_met",
        "better": "higher",
    },
    {
        "id": "sl_abandons_ignored",
        "label": "SL abandons ignored",
        "measure": "service_level",
        "variant": "abandons_within_threshold_ignored",
        "params": {"threshold_seconds": 30},
        "better": "higher",
    },
    {
        "id": "frt_business_within_2h",
        "label": "FRT business within 2 h",
        "measure": "first_response",
        "statistic": "within_target",
        "calendar": "business",
        "params": {"target_minutes": 120},
        "better": "higher",
    },
    {
        "id": "frt_paused_business_p75",
        "label": "FRT business p75, pending paused",
        "measure": "first_response",
        "statistic": "percentile",
        "percentile": 75,
        "calendar": "business",
        "params": {"pause_states": ["pending", "on_hold"]},
        "better": "lower",
    },
    {
        "id": "nrt_business_mean",
        "label": "NRT business mean",
        "measure": "next_reply",
        "statistic": "mean",
        "calendar": "business",
        "better": "lower",
    },
    {
        "id": "nrt_within_30",
        "label": "NRT within 30",
        "measure": "next_reply",
        "statistic": "within_target",
        "params": {"target_minutes": 30},
        "better": "higher",
    },
    {
        "id": "resolution_paused_business_p90",
        "label": "Resolution business p90, pending paused",
        "measure": "resolution",
        "statistic": "percentile",
        "percentile": 90,
        "calendar": "business",
        "params": {"pause_states": ["pending"]},
        "better": "lower",
    },
    {
        "id": "resolution_paused_median",
        "label": "Resolution median, paused",
        "measure": "resolution",
        "statistic": "median",
        "params": {"pause_states": ["pending", "on_hold"]},
        "better": "lower",
    },
    {
        "id": "fcr_window_3",
        "label": "FCR 3 days",
        "measure": "fcr",
        "variant": "no_repeat",
        "params": {"window_days": 3},
        "better": "higher",
    },
    {
        "id": "csat_top3",
        "label": "CSAT top 3",
        "measure": "csat",
        "variant": "top2",
        "params": {"positive_threshold": 3},
        "better": "higher",
    },
    {
        "id": "backlog_aged_2",
        "label": "Backlog older than 2 days",
        "measure": "backlog",
        "variant": "aged",
        "params": {"age_days": 2},
        "better": "lower",
    },
)
CATALOGUE = catalogue(EXTRA_DEFINITIONS)
TESTED_SOURCES = (Source.INTERACTIONS, Source.REPLIES, Source.BACKLOG)
METRICS = tuple(m for m in CATALOGUE.values() if m.spec.source in TESTED_SOURCES)
CHUNK = 6
"""Metrics per engine query: the engine cannot compile ~50 at once, and one at a time costs more in total."""


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value or None; values first, so that even the simplest history has something to measure."""
    return st.one_of(strategy, st.none())


def seconds(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda s: timedelta(seconds=s))


@st.composite
def created_times(draw: st.DrawFn, anchors: list[datetime], earlier: list[Row]) -> datetime:
    """Near an anchor; or the same instant as an earlier contact (a tie); or 7 days after one (a window edge)."""
    how = draw(st.sampled_from(["anchor", "anchor", "anchor", "tie", "week", "week_and_a_second"]))
    if how == "anchor" or not earlier:
        return draw(st.sampled_from(anchors)) + draw(seconds(-3 * 86400, 5 * 86400))
    previous: datetime = draw(st.sampled_from(earlier))["created_at"]
    return previous + {"tie": timedelta(0), "week": timedelta(days=7)}.get(how, timedelta(days=7, seconds=1))


@st.composite
def interactions(draw: st.DrawFn, number: int, created: datetime) -> Row:
    answered = draw(maybe(st.one_of(seconds(0, 120), seconds(0, 5 * 86400))))
    resolved = draw(maybe(seconds(0, 10 * 86400)))
    closed = draw(maybe(seconds(0, 3 * 86400)))
    resolved_at = created + resolved if resolved is not None else None
    abandoned = draw(maybe(st.booleans()))
    queue_wait = draw(maybe(st.one_of(st.integers(0, 90), st.sampled_from([4.5, 5.0, 19.5, 20.0]))))
    return {
        "interaction_id": f"t{number:03d}",
        "vendor": draw(st.sampled_from(["acme", "northwind"])),
        "queue": draw(st.sampled_from(["billing", "orders", "tech"])),
        "channel": draw(st.sampled_from(["email", "chat", "phone", "phone"])),
        "agent_id": draw(st.sampled_from(["a1", "a2", None])),
        "customer_id": draw(st.sampled_from(["c1", "c2", "c3", None])),
        "contact_reason": draw(st.sampled_from(["refund", "delivery"])),
        "created_at": created,
        "first_response_at": created + answered if answered is not None else None,
        "resolved_at": resolved_at,
        "closed_at": (resolved_at or created) + closed if closed is not None else None,
        "queue_wait_seconds": queue_wait,
        "abandoned": abandoned,
        "handle_seconds": draw(maybe(st.integers(0, 900))),
        "talk_seconds": draw(maybe(st.integers(0, 600))),
        "hold_seconds": draw(maybe(st.floats(0, 120).map(lambda x: round(x, 1)))),
        "wrap_seconds": draw(maybe(st.integers(0, 300))),
        "transfers": draw(maybe(st.integers(0, 2))),
        "reopens": draw(maybe(st.integers(0, 2))),
        "csat": draw(maybe(st.integers(1, 5))),
        "nps": draw(maybe(st.integers(0, 10))),
        "resolved_first_contact": draw(maybe(st.booleans())),
    }


@st.composite
def event_histories(draw: st.DrawFn, interaction: Row) -> list[Row]:
    """Events from created_at on; never two status events at one instant, never a repeated key."""
    at: datetime = interaction["created_at"]
    events: list[Row] = []
    keys: set[tuple[Any, ...]] = set()
    status_times: set[datetime] = set()
    for _ in range(draw(st.integers(2, 10))):
        at += draw(st.one_of(st.sampled_from([timedelta(0), timedelta(minutes=10)]), seconds(0, 2 * 86400)))
        kind = draw(st.sampled_from(EVENT_KINDS))
        value = {"status": draw(st.sampled_from(STATUS_VALUES)), "assignment": "a1"}.get(kind)
        actor = {
            "agent_reply": draw(st.sampled_from(["agent", "agent", None, "bot"])),
            "customer_message": "customer",
            "status": draw(st.sampled_from(["agent", "system", None])),
        }.get(kind)
        while kind == "status" and at in status_times:
            at += timedelta(seconds=1)
        key = (at, kind, value, actor)
        if key in keys:
            continue
        keys.add(key)
        if kind == "status":
            status_times.add(at)
        events.append(
            {
                "interaction_id": interaction["interaction_id"],
                "at": at,
                "kind": kind,
                "value": value,
                "actor_type": actor,
            }
        )
    return events


@st.composite
def histories(draw: st.DrawFn) -> dict[str, list[Row]]:
    anchors = draw(st.lists(st.sampled_from(ANCHORS), min_size=1, max_size=3))
    rows: list[Row] = []
    events: list[Row] = []
    for number in range(draw(st.integers(2, 14))):
        row = draw(interactions(number, draw(created_times(anchors, rows))))
        rows.append(row)
        if draw(st.integers(0, 2)) > 0:
            events.extend(draw(event_histories(row)))
    return {"interactions": rows, "interaction_events": events}


@st.composite
def windows(draw: st.DrawFn, hours: tuple[int, ...] = tuple(range(24))) -> str:
    if draw(st.integers(0, 6)) == 0:
        return "00:00-24:00"
    minutes = st.sampled_from([0, 0, 15, 30, 45, 7, 59])
    opens = (draw(st.sampled_from(hours)), draw(minutes))
    closes = (draw(st.sampled_from(hours)), draw(minutes))
    if closes == opens:
        closes = (24, 0) if opens != (0, 0) else (12, 0)
    return f"{opens[0]:02d}:{opens[1]:02d}-{closes[0]:02d}:{closes[1]:02d}"


@st.composite
def calendar_files(
    draw: st.DrawFn, name: str = "cal", applies_to: dict[str, Any] | None = None, hours: tuple[int, ...] | None = None
) -> dict[str, Any]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    country, subdivision = ZONES[zone]
    window = windows(hours) if hours else windows()
    days = draw(st.lists(st.sampled_from(DAY_SPECS), min_size=1, max_size=3, unique=True))
    holidays: dict[str, Any] = {"extra": draw(st.lists(st.sampled_from(CLOSURES), max_size=2, unique=True))}
    if country and draw(st.booleans()):
        holidays["country"] = country
        if subdivision:
            holidays["subdivision"] = subdivision
    return {
        "name": name,
        "timezone": zone,
        "hours": {day: draw(st.lists(window, min_size=1, max_size=2, unique=True)) for day in days},
        "holidays": holidays,
        "applies_to": applies_to or {"default": True},
    }


@st.composite
def calendar_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A calendar by queue, one by vendor and perhaps a default one."""
    files = [
        draw(calendar_files("by-queue", {"queues": ["billing"]})),
        draw(calendar_files("by-vendor", {"vendors": ["northwind"]})),
    ]
    if draw(st.booleans()):
        files.append(draw(calendar_files("fallback", {"default": True})))
    return files


@st.composite
def queries(draw: st.DrawFn) -> Ask:
    first, last = draw(st.sampled_from(RANGES))
    end = oracle.next_period_start(date(2026, last, 1), "month") - timedelta(days=1)
    return Ask(
        metrics=(),
        by=draw(st.sampled_from([("vendor",), ("vendor",), (), ("queue", "channel")])),
        grain=draw(st.sampled_from(["month", "month", "week", "day", "quarter", None])),
        start=date(2026, first, 1),
        end=end,
        reporting_tz=draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"])),
        where=draw(st.sampled_from([{}, {}, {"channel": ["phone", "chat"]}, {"vendor": ["acme"]}])),
    )


def backlog_is_well_defined(query: Ask) -> bool:
    """Each period lies wholly within the range, so its backlog is counted at its own end."""
    if query.grain is None:
        return True
    assert query.start is not None and query.end is not None
    whole_start = oracle.period_start(query.start, query.grain) == query.start
    last = oracle.period_start(query.end, query.grain)
    return whole_start and oracle.next_period_start(last, query.grain) == query.end + timedelta(days=1)


def metrics_for(query: Ask) -> tuple[MetricDefinition, ...]:
    backlog_ok = backlog_is_well_defined(query)
    return tuple(m for m in METRICS if m.spec.source is not Source.BACKLOG or backlog_ok)


def calendar_set(files: list[dict[str, Any]]) -> CalendarSet:
    return CalendarSet(tuple(CalendarDefinition.model_validate(f) for f in files))


# --------------------------------------------------------------------------------------------
# Engine == oracle
# --------------------------------------------------------------------------------------------


@ENGINE
@given(data=histories(), files=calendar_sets(), query=queries())
def test_engine_agrees_with_the_oracle(
    tmp_path_factory: pytest.TempPathFactory,
    data: dict[str, list[Row]],
    files: list[dict[str, Any]],
    query: Ask,
) -> None:
    """Every interaction, reply and backlog metric (built-in and EXTRA_DEFINITIONS), value and components."""
    metrics = metrics_for(query)
    clock = FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    workspace = Workspace.init(tmp_path_factory.mktemp("oracle") / "ws", clock=clock)
    got: dict[str, dict[Key, Parts]] = {}
    try:
        load_workspace(workspace, data, files, EXTRA_DEFINITIONS)
        for first in range(0, len(metrics), CHUNK):
            chunk = tuple(m.id for m in metrics[first : first + CHUNK])
            got.update(engine_parts(workspace, replace(query, metrics=chunk)))
    finally:
        workspace.close()
    calendars = calendar_set(files)
    for metric in metrics:
        assert_same_parts(oracle_parts(metric, data, query, calendars), got[metric.id], metric, "engine")


# --------------------------------------------------------------------------------------------
# The oracle's own sanity
# --------------------------------------------------------------------------------------------


def instants(low: datetime, high: datetime) -> st.SearchStrategy[datetime]:
    return st.integers(0, int((high - low).total_seconds())).map(lambda s: low + timedelta(seconds=s))


SPAN_START = instants(datetime(2026, 3, 25), datetime(2026, 4, 8))


@FAST
@given(calendar=calendar_files(), start=SPAN_START, lengths=st.tuples(seconds(0, 4 * 86400), seconds(0, 4 * 86400)))
def test_business_time_is_at_most_calendar_time_and_adds_up(
    calendar: dict[str, Any], start: datetime, lengths: tuple[timedelta, timedelta]
) -> None:
    definition = CalendarDefinition.model_validate(calendar)
    middle, stop = start + lengths[0], start + lengths[0] + lengths[1]
    whole = oracle.open_seconds(definition, start, stop)
    assert 0 <= whole <= (stop - start).total_seconds()
    assert oracle.open_seconds(definition, start, middle) + oracle.open_seconds(definition, middle, stop) == whole


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar=calendar_files(hours=WALL_CLOCK_SAFE_HOURS),
    start=st.one_of(*(instants(a - timedelta(days=1), a + timedelta(days=1)) for a in ANCHORS)),
    length=seconds(0, 36 * 3600),
)
def test_business_time_agrees_with_a_minute_by_minute_walk_of_the_wall_clock(
    calendar: dict[str, Any], start: datetime, length: timedelta
) -> None:
    """Away from edges inside daylight-saving gaps, reading the wall clock minute by minute gives the same time."""
    definition = CalendarDefinition.model_validate(calendar)
    stop = start + length
    assert oracle.open_seconds(definition, start, stop) == oracle.open_seconds_by_minute(definition, start, stop)


def test_a_window_edge_in_a_daylight_saving_gap_uses_the_offset_before_the_change() -> None:
    london = ZoneInfo("Europe/London")
    assert oracle.local_to_utc(date(2026, 3, 29), time(1, 30), london) == datetime(2026, 3, 29, 1, 30)
    assert oracle.local_to_utc(date(2026, 3, 29), time(3, 0), london) == datetime(2026, 3, 29, 2, 0)
    assert oracle.local_to_utc(date(2026, 10, 25), time(1, 30), london) == datetime(2026, 10, 25, 0, 30)
    assert oracle.local_to_utc(date(2026, 10, 25), time(2, 0), london) == datetime(2026, 10, 25, 2, 0)
    new_york = ZoneInfo("America/New_York")
    assert oracle.local_to_utc(date(2026, 3, 8), time(2, 30), new_york) == datetime(2026, 3, 8, 7, 30)


@FAST
@given(data=histories(), zone=st.sampled_from(sorted(ZONES)), query=queries())
def test_an_always_open_calendar_makes_business_time_equal_calendar_time(
    data: dict[str, list[Row]], zone: str, query: Ask
) -> None:
    always = {"name": "24x7", "timezone": zone, "hours": {"mon-sun": ["00:00-24:00"]}, "applies_to": {"default": True}}
    calendars = calendar_set([always])
    for metric in metrics_for(query):
        if metric.calendar != "business":
            continue
        as_calendar_time = metric.model_copy(update={"calendar": "calendar"})
        business = oracle_parts(metric, data, query, calendars)
        plain = oracle_parts(as_calendar_time, data, query, calendars)
        assert_same_parts(plain, business, metric, "24x7 business time")


@FAST
@given(data=histories(), files=calendar_sets(), query=queries())
def test_values_stay_in_their_ranges(data: dict[str, list[Row]], files: list[dict[str, Any]], query: Ask) -> None:
    calendars = calendar_set(files)
    by_id = {metric.id: oracle_parts(metric, data, query, calendars) for metric in METRICS}
    for metric in METRICS:
        for part in by_id[metric.id].values():
            check_range(metric, part)
    for business, plain in (("frt_business_mean", "frt_mean"), ("nrt_business_mean", "nrt_mean")):
        for key, part in by_id[business].items():
            assert part.denominator == by_id[plain][key].denominator
            assert (part.numerator or 0) <= (by_id[plain][key].numerator or 0) + 1e-9
    for key, part in by_id["resolution_paused_median"].items():
        assert part.count == by_id["resolution_median"][key].count
        assert (part.value or 0) <= (by_id["resolution_median"][key].value or 0) + 1e-9


def check_range(metric: MetricDefinition, part: Parts) -> None:
    if part.value is None:
        assert part.denominator == 0 or part.count == 0, f"{metric.id}: empty value with a denominator"
        return
    if metric.measure == "nps":
        assert -100 <= part.value <= 100
    elif oracle.is_percent(metric) and metric.variant != "response_rate":
        assert 0 <= part.value <= 100, f"{metric.id}: {part}"
    elif metric.kind is Kind.DURATION or metric.measure in ("handle_time", "speed_of_answer", "volume", "backlog"):
        assert part.value >= 0, f"{metric.id}: {part}"
    if metric.measure == "csat" and metric.variant == "mean":
        assert 1 <= part.value <= 5


@FAST
@given(data=histories(), files=calendar_sets(), query=queries())
def test_components_re_aggregate_over_groups(
    data: dict[str, list[Row]], files: list[dict[str, Any]], query: Ask
) -> None:
    """Summing numerators and denominators (or counts) over vendors gives the all-vendor figures."""
    calendars = calendar_set(files)
    by_vendor = Ask((), ("vendor",), None, query.start, query.end, query.reporting_tz, query.where)
    overall = Ask((), (), None, query.start, query.end, query.reporting_tz, query.where)
    for metric in metrics_for(overall):
        total = oracle_parts(metric, data, overall, calendars).get((), Parts(None, 0.0, 0.0, 0))
        parts = oracle_parts(metric, data, by_vendor, calendars).values()
        if metric.kind is Kind.COUNT or metric.statistic in (Statistic.MEDIAN, Statistic.PERCENTILE):
            assert sum(p.count or 0 for p in parts) == (total.count or 0), metric.id
            continue
        assert sum(p.numerator or 0 for p in parts) == pytest.approx(total.numerator or 0, rel=1e-9, abs=1e-9)
        assert sum(p.denominator or 0 for p in parts) == (total.denominator or 0), metric.id


@FAST
@given(data=histories(), query=queries())
def test_stricter_definitions_count_no_more(data: dict[str, list[Row]], query: Ask) -> None:
    """A repeat must share the reason, so same-reason FCR resolves at least as many; aged backlog <= backlog."""
    calendars = CalendarSet()
    for looser, stricter, field in (
        ("fcr_same_reason", "fcr", "numerator"),
        ("backlog", "backlog_aged", "count"),
        ("backlog_aged_2", "backlog_aged", "count"),
        ("fcr_window_3", "fcr", "numerator"),
    ):
        if not backlog_is_well_defined(query) and looser.startswith("backlog"):
            continue
        high = oracle_parts(CATALOGUE[looser], data, query, calendars)
        low = oracle_parts(CATALOGUE[stricter], data, query, calendars)
        for key, part in low.items():
            assert (getattr(part, field) or 0) <= (getattr(high.get(key, Parts(None)), field) or 0), (stricter, key)


def test_one_oracle_entry_point_covers_agent_time_too() -> None:
    # 40 busy and 10 available minutes: occupancy 80 %, handed to tests/oracle_workforce.py.
    states = [
        {
            "vendor": "acme",
            "agent_id": "a1",
            "state": "on_contact",
            "start_at": datetime(2026, 3, 2, 9),
            "end_at": datetime(2026, 3, 2, 9, 40),
        },
        {
            "vendor": "acme",
            "agent_id": "a1",
            "state": "available",
            "start_at": datetime(2026, 3, 2, 9, 40),
            "end_at": datetime(2026, 3, 2, 9, 50),
        },
    ]
    assert oracle.compute(CATALOGUE["occupancy"], {"agent_states": states, "schedules": []}) == {(): 80.0}


def test_percentiles_interpolate_between_closest_ranks() -> None:
    assert oracle.percentile_type7([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert oracle.percentile_type7([10.0, 20.0, 30.0, 40.0, 100.0], 0.9) == pytest.approx(76.0)
    assert oracle.percentile_type7([7.0], 0.9) == 7.0
    assert oracle.percentile_type7([], 0.5) is None


def test_period_starts() -> None:
    day = date(2026, 8, 13)  # a Thursday
    assert [oracle.period_start(day, g) for g in oracle.GRAINS] == [
        day,
        date(2026, 8, 10),
        date(2026, 8, 1),
        date(2026, 7, 1),
        date(2026, 1, 1),
    ]
    assert oracle.next_period_start(date(2026, 10, 1), "quarter") == date(2027, 1, 1)
