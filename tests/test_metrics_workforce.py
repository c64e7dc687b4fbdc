"""Agent-time and forecast metrics: hand-computed cases through the importer, and engine = oracle.

The arithmetic behind every expected number is in the comments (minutes unless said otherwise).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests import oracle_workforce
from tests.oracle import Row
from tests.workforce_support import Ask, assert_same, at, empty, engine_parts, load

from steward.definitions.metrics import MetricDefinition
from steward.domain.clock import FixedClock
from steward.engine.plan import QueryError
from steward.workspace import Workspace

AGENT_METRICS = ("occupancy", "adherence", "conformance", "shrinkage", "shrinkage_planned", "shrinkage_unplanned")
FORECAST_METRICS = ("forecast_wape", "forecast_bias", "forecast_mape")
EXTRA = (
    {
        "id": "adherence_grace",
        "label": "Adherence, 5 minutes grace",
        "measure": "adherence",
        "params": {"grace_minutes": 5},
        "better": "higher",
    },
    {
        "id": "adherence_offline_breaks",
        "label": "Adherence, offline counts as a break",
        "measure": "adherence",
        "params": {"activity_states": ["work:available", "work:on_contact", "break:offline"]},
        "better": "higher",
    },
)


def state(agent: str, name: str, start: str, end: str, vendor: str = "v1") -> Row:
    return {"vendor": vendor, "agent_id": agent, "state": name, "start_at": at(start), "end_at": at(end)}


def planned(agent: str, activity: str, start: str, end: str, vendor: str = "v1") -> Row:
    return {"vendor": vendor, "agent_id": agent, "activity": activity, "start_at": at(start), "end_at": at(end)}


def values(workspace: Workspace, ask: Ask) -> dict[str, dict[tuple[object, ...], float | None]]:
    parts = engine_parts(workspace, ask)
    return {metric: {key: part.value for key, part in found.items()} for metric, found in parts.items()}


# --- one agent's morning ----------------------------------------------------------------------

MORNING = {
    "schedules": [
        planned("a1", "work", "2026-01-05 09:00", "2026-01-05 10:00"),  # 60
        planned("a1", "break", "2026-01-05 10:00", "2026-01-05 10:15"),  # 15
        planned("a1", "work", "2026-01-05 10:15", "2026-01-05 11:00"),  # 45
        planned("a1", "training", "2026-01-05 11:00", "2026-01-05 11:30"),  # 30
        planned("a1", "off", "2026-01-05 11:30", "2026-01-05 12:00"),  # 30, unpaid
    ],
    "agent_states": [
        state("a1", "available", "2026-01-05 09:05", "2026-01-05 09:30"),  # 25, five minutes late
        state("a1", "on_contact", "2026-01-05 09:30", "2026-01-05 10:05"),  # 35, into the break
        state("a1", "break", "2026-01-05 10:05", "2026-01-05 10:20"),  # 15, into work
        state("a1", "wrap", "2026-01-05 10:20", "2026-01-05 10:50"),  # 30
        state("a1", "offline", "2026-01-05 10:50", "2026-01-05 11:00"),  # 10
        state("a1", "training", "2026-01-05 11:00", "2026-01-05 11:30"),  # 30
    ],
}


def test_one_agents_morning(workspace: Workspace) -> None:
    load(workspace, MORNING, definitions=EXTRA)
    ask = Ask(("adherence_grace", "adherence_offline_breaks", *AGENT_METRICS))
    got = {metric: found[()] for metric, found in values(workspace, ask).items()}
    # busy = on_contact 35 + wrap 30 = 65; available 25 -> 65 / 90
    assert got["occupancy"] == pytest.approx(100 * 65 / 90)
    # productive 25 + 35 + 30 = 90 (whenever) / scheduled work 60 + 45 = 105
    assert got["conformance"] == pytest.approx(100 * 90 / 105)
    # paid = 60 + 15 + 45 + 30 = 150 (off is not paid). Matched: work 09-10: available 25 + on_contact 30 = 55;
    # break: break 10:05-10:15 = 10; work 10:15-11: wrap 30; training 30 -> 125 / 150
    assert got["adherence"] == pytest.approx(100 * 125 / 150)
    # grace 5 on each of the four paid rows: work 5 + 55; break 5 + 10; work 5 + wrap 10:20-10:50 30; training
    # 5 + 11:05-11:30 25 -> 60 + 15 + 35 + 30 = 140
    assert got["adherence_grace"] == pytest.approx(100 * 140 / 150)
    # offline during the break would count, but the agent was on break: same as plain adherence; the work pairs
    # no longer include wrap: work 10:15-11 loses wrap's 30 -> 95 / 150
    assert got["adherence_offline_breaks"] == pytest.approx(100 * 95 / 150)
    # planned = break 15 + training 30 = 45; unplanned = work 105 - productive within work (55 + 30) = 20
    assert got["shrinkage_planned"] == pytest.approx(100 * 45 / 150)
    assert got["shrinkage_unplanned"] == pytest.approx(100 * 20 / 150)
    assert got["shrinkage"] == pytest.approx(100 * 65 / 150)


def test_components_add_up_over_agents(workspace: Workspace) -> None:
    second = [{**row, "agent_id": "a2", "vendor": "v2"} for row in MORNING["agent_states"][:3]]
    load(workspace, {**MORNING, "agent_states": [*MORNING["agent_states"], *second]})
    split = engine_parts(workspace, Ask(("adherence", "occupancy"), by=("agent_id",)))
    whole = engine_parts(workspace, Ask(("adherence", "occupancy")))
    for metric in ("adherence", "occupancy"):
        for component in ("numerator", "denominator"):
            total = sum(getattr(part, component) or 0 for part in split[metric].values())
            assert total == pytest.approx(getattr(whole[metric][()], component))
    # a2 has states but no schedule: occupancy busy on_contact 35 / (35 + available 25); no adherence
    assert split["occupancy"][("a2",)].value == pytest.approx(100 * 35 / 60)
    assert split["adherence"][("a2",)].value is None


# --- midnight, month end, a state lasting days -----------------------------------------------

ACROSS_MIDNIGHT = {
    "schedules": [
        planned("a1", "work", "2026-01-31 23:30", "2026-02-01 01:00"),  # 90, starts in January (UTC)
        planned("a1", "training", "2026-02-03 09:00", "2026-02-03 10:00"),  # 60
        planned("a1", "work", "2026-02-03 10:00", "2026-02-03 11:00"),  # 60
    ],
    "agent_states": [
        state("a1", "available", "2026-01-31 23:40", "2026-02-01 00:40"),  # 60 across midnight
        state("a1", "offline", "2026-02-01 00:40", "2026-02-02 22:00"),
        state("a1", "training", "2026-02-02 22:00", "2026-02-04 02:00"),  # 28 h, over three UTC days
    ],
}


def test_rows_belong_to_the_period_of_their_start(workspace: Workspace) -> None:
    load(workspace, ACROSS_MIDNIGHT)
    got = values(workspace, Ask(AGENT_METRICS, grain="month"))
    january, february = (date(2026, 1, 1),), (date(2026, 2, 1),)
    # January: work 90, available 23:40-00:40 = 60 of it, although it ends in February
    assert got["adherence"][january] == pytest.approx(100 * 60 / 90)
    assert got["shrinkage_unplanned"][january] == pytest.approx(100 * 30 / 90)
    assert got["conformance"][january] == pytest.approx(100 * 60 / 90)
    assert got["occupancy"][january] == pytest.approx(0.0)
    # February: training 60 matched by the 28-hour training state; work 60 matched by nothing -> 60 / 120
    assert got["adherence"][february] == pytest.approx(50.0)
    assert got["shrinkage_planned"][february] == pytest.approx(50.0)  # training 60 / 120
    assert got["shrinkage_unplanned"][february] == pytest.approx(50.0)  # work 60, nothing productive
    assert got["shrinkage"][february] == pytest.approx(100.0)
    assert got["conformance"][february] == pytest.approx(0.0)  # no productive state starts in February
    assert got["occupancy"].get(february) is None  # neither busy nor available time


def test_reporting_zone_moves_rows_across_month_end(workspace: Workspace) -> None:
    load(workspace, ACROSS_MIDNIGHT)
    got = values(workspace, Ask(("adherence",), grain="month", reporting_tz="Europe/Berlin"))
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: (60 + 60) / (90 + 120)
    assert got["adherence"] == {(date(2026, 2, 1),): pytest.approx(100 * 120 / 210)}


def test_agent_time_cannot_be_grouped_by_queue(workspace: Workspace) -> None:
    load(workspace, MORNING)
    with pytest.raises(QueryError, match=r"occupancy cannot be grouped or filtered by 'queue' .*vendor, agent_id"):
        workspace.metrics.query(["occupancy"], by=["queue"])
    with pytest.raises(QueryError, match="made_by"):
        workspace.metrics.query(["adherence"], where={"made_by": ["v1"]})


def test_activity_pairs_are_checked_when_a_definition_loads() -> None:
    with pytest.raises(ValueError, match=r"activity_states: 'work' not written like 'work:available'"):
        MetricDefinition.model_validate(
            {"id": "x", "label": "x", "measure": "adherence", "better": "higher", "params": {"activity_states": "work"}}
        )


# --- forecasts -------------------------------------------------------------------------------


def forecast(start: str, minutes: int, volume: float, made_by: str = "v1", queue: str = "q1") -> Row:
    return {
        "vendor": "v1",
        "queue": queue,
        "interval_start": at(start),
        "interval_minutes": minutes,
        "volume": volume,
        "made_by": made_by,
    }


def arrival(number: int, created: str, vendor: str = "v1", queue: str = "q1") -> Row:
    return {
        "interaction_id": f"i{number}",
        "vendor": vendor,
        "queue": queue,
        "channel": "phone",
        "created_at": at(created),
    }


FORECAST_DAY = {
    "forecasts": [
        forecast("2026-03-02 09:00", 30, 3),  # actual 2 (09:00:00, 09:29:59)
        forecast("2026-03-02 09:30", 30, 0.5),  # actual 1 (09:30:00)
        forecast("2026-03-02 10:00", 30, 2),  # actual 1 (10:15)
        forecast("2026-03-02 11:00", 30, 1.5),  # actual 0
        forecast("2026-03-02 09:30", 60, 2, made_by="steward"),  # 09:30-10:30 across an hour: 09:30:00, 10:15 -> 2
    ],
    "interactions": [
        arrival(1, "2026-03-02 09:00:00"),
        arrival(2, "2026-03-02 09:29:59"),
        arrival(3, "2026-03-02 09:30:00"),
        arrival(4, "2026-03-02 10:15:00"),
        arrival(5, "2026-03-02 10:45:00"),  # in no forecast interval
        arrival(6, "2026-03-02 09:10:00", queue="q2"),  # another queue
        arrival(7, "2026-03-02 09:10:00", vendor="v2"),  # another vendor
    ],
}


def test_forecast_accuracy_by_forecaster(workspace: Workspace) -> None:
    load(workspace, FORECAST_DAY)
    got = values(workspace, Ask(FORECAST_METRICS, by=("made_by",)))
    # v1: |3-2| + |0.5-1| + |2-1| + |1.5-0| = 1 + 0.5 + 1 + 1.5 = 4 over actual 2 + 1 + 1 + 0 = 4
    assert got["forecast_wape"][("v1",)] == pytest.approx(100.0)
    assert got["forecast_bias"][("v1",)] == pytest.approx(100 * (1 - 0.5 + 1 + 1.5) / 4)  # 75
    # MAPE: intervals with actual > 0 only: (1/2 + 0.5/1 + 1/1) / 3
    assert got["forecast_mape"][("v1",)] == pytest.approx(100 * 2 / 3)
    # steward: forecast 2, actual 2
    assert got["forecast_wape"][("steward",)] == pytest.approx(0.0)
    # both forecasters together: every forecast row counts: (4 + 0) / (4 + 2)
    together = values(workspace, Ask(("forecast_wape",)))
    assert together["forecast_wape"][()] == pytest.approx(100 * 4 / 6)
    only_steward = values(workspace, Ask(("forecast_bias",), where={"made_by": ["steward"]}))
    assert only_steward["forecast_bias"][()] == pytest.approx(0.0)


# --- engine = oracle ---------------------------------------------------------------------------------------------

# Each example imports files and runs a query (about a second): shrinking a failure could take many minutes,
# and with at most a few dozen rows the failing example is readable as it is.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)

BASE = datetime(2026, 1, 31, 18, 0)
ACTIVITIES = ("work", "work", "break", "lunch", "training", "meeting", "off")
STATES = ("available", "on_contact", "wrap", "break", "lunch", "training", "offline")
AGENTS = (("v1", "a1"), ("v1", "a2"), ("v2", "b1"))


@st.composite
def timeline(draw: st.DrawFn, vendor: str, agent: str, table: str) -> list[Row]:
    """Back-to-back rows (with gaps) for one agent: no two overlap, as docs/metrics.md assumes."""
    names, label = (ACTIVITIES, "activity") if table == "schedules" else (STATES, "state")
    moment = BASE + timedelta(seconds=draw(st.integers(-6 * 3600, 6 * 3600)))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        moment += timedelta(seconds=draw(st.sampled_from([0, 0, 45, 600, 3600])))
        length = draw(st.one_of(st.integers(60, 4 * 3600), st.integers(20 * 3600, 60 * 3600)))
        end = moment + timedelta(seconds=length)
        row = {"vendor": vendor, "agent_id": agent, label: draw(st.sampled_from(names)), "start_at": moment}
        rows.append({**row, "end_at": end})
        moment = end
    return rows


@st.composite
def agent_data(draw: st.DrawFn) -> dict[str, list[Row]]:
    data: dict[str, list[Row]] = {"schedules": [], "agent_states": []}
    for vendor, agent in AGENTS:
        for table in data:
            data[table] += draw(timeline(vendor, agent, table))
    return data


@st.composite
def asks(draw: st.DrawFn, metrics: tuple[str, ...], dimensions: tuple[str, ...], where: dict[str, list[str]]) -> Ask:
    by = tuple(d for d in dimensions if draw(st.booleans()))
    grain = draw(st.sampled_from([None, "day", "month"]))
    zone = draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]))
    start = draw(st.sampled_from([None, date(2026, 1, 31), date(2026, 2, 1)]))
    end = draw(st.sampled_from([None, date(2026, 2, 1), date(2026, 2, 2)]))
    if start and end and end < start:
        start, end = end, start
    chosen = {column: values for column, values in where.items() if draw(st.booleans())}
    return Ask(metrics, by, grain, start, end, zone, chosen)


@pytest.fixture(scope="module")
def reused() -> Iterator[Workspace]:
    """One workspace for all examples of a property (emptied before each): creating one costs more than a query."""
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace.init(Path(folder) / "ws", clock=FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)))
        yield workspace
        workspace.close()


def compare_with_oracle(workspace: Workspace, data: dict[str, list[Row]], ask: Ask) -> None:
    empty(workspace)
    load(workspace, data, definitions=EXTRA)
    got = engine_parts(workspace, ask, fresh=True)
    for metric_id in ask.metrics:
        metric = workspace.catalogue.get(metric_id)
        expected = oracle_workforce.compute_parts(metric, data, **ask.oracle_arguments())
        assert_same(expected, got[metric_id], metric_id)


PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)


@PROPERTY
@given(
    data=agent_data(),
    ask=asks(
        ("adherence_grace", "adherence_offline_breaks", *AGENT_METRICS),
        ("vendor", "agent_id"),
        {"vendor": ["v1"], "agent_id": ["a2", "b1"]},
    ),
)
def test_agent_time_engine_matches_oracle(reused: Workspace, data: dict[str, list[Row]], ask: Ask) -> None:
    compare_with_oracle(reused, data, ask)


@st.composite
def forecast_data(draw: st.DrawFn) -> dict[str, list[Row]]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["v1", "v2"]),
                st.sampled_from(["q1", "q2"]),
                st.integers(0, 16).map(lambda quarter: BASE + timedelta(hours=5, minutes=15 * quarter)),
                st.sampled_from([15, 30, 60]),
                st.sampled_from(["v1", "steward"]),
            ),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    rows = [
        {"vendor": v, "queue": q, "interval_start": s, "interval_minutes": m, "made_by": b, "volume": volume}
        for (v, q, s, m, b), volume in zip(keys, draw(st.lists(st.integers(0, 800), min_size=12)), strict=False)
    ]
    for row in rows:
        row["volume"] = row["volume"] / 100  # two decimals, as forecasts are written
    # Arrivals around each forecast's interval (some a minute outside it), of its vendor and queue or another's.
    arrivals: list[Row] = []
    for row in rows:
        length = 60 * int(row["interval_minutes"])
        for offset in draw(st.lists(st.integers(-60, length + 60), min_size=1, max_size=4)):
            vendor, queue = draw(st.sampled_from([(row["vendor"], row["queue"])] * 3 + [("v2", "q2")]))
            created = row["interval_start"] + timedelta(seconds=offset)
            arrivals.append({"vendor": vendor, "queue": queue, "channel": "chat", "created_at": created})
    arrivals = [{**arrival, "interaction_id": f"i{n}"} for n, arrival in enumerate(arrivals)]
    return {"forecasts": rows, "interactions": arrivals}


@PROPERTY
@given(
    data=forecast_data(),
    ask=asks(FORECAST_METRICS, ("vendor", "queue", "made_by"), {"queue": ["q2"], "made_by": ["steward"]}),
)
def test_forecast_engine_matches_oracle(reused: Workspace, data: dict[str, list[Row]], ask: Ask) -> None:
    compare_with_oracle(reused, data, ask)
