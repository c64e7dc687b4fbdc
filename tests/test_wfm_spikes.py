"""`steward wfm spikes`: a planted spike is found; a busy Monday the forecast expected is not.

Partner v1, queue q, 30-minute intervals (UTC):
  Mon 2026-10-05 09:00-12:00: forecast 80, 88 arrive (+10%: a busy Monday, as forecast) - no spike;
  Wed 2026-10-07 09:00-15:00: forecast 40, 40 arrive, except 90 at 13:00 and 13:30 - one 2-interval spike;
  Wed 15:00: forecast 0, 3 arrive - too few to tell from chance;
  queue big, Wed 10:00: forecast 400, 480 arrive - certain (z = 4) but only +20% - no spike.
Ahead of the clock (Wed 16:00): Thursday 09:00 needs 14 agents (100 calls, 180 s) and has 10 scheduled.
Partner v2 opens 08:00-18:00 (its calendar): Thursday 03:00 needs 14 agents and has none, but v2 is
closed then; 10:00 has the 14 it needs. Partner v3 has a forecast for Thursday and no schedules at all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import poisson
from tests.wfm_workspace import contacts, forecast_row, span, wfm_workspace
from typer.testing import CliRunner

from steward.domain.demand_spikes import SpikeRule, runs, spike_mask, tail_probability
from steward.interfaces.cli.app import app
from steward.services.wfm_spikes import SpikeRequest, SpikeRequestError, spikes
from steward.workspace import Workspace

MONDAY, WEDNESDAY = date(2026, 10, 5), date(2026, 10, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def data() -> dict[str, list[dict[str, object]]]:
    interactions, forecasts = [], []
    for n in range(6):
        start = at(MONDAY, 9) + timedelta(minutes=30 * n)
        forecasts.append(forecast_row("v1", "q", start, 80))
        interactions += contacts("v1", "q", start, 88)
    for n in range(13):
        start = at(WEDNESDAY, 9) + timedelta(minutes=30 * n)
        expected = 0 if n == 12 else 40
        forecasts.append(forecast_row("v1", "q", start, expected))
        interactions += contacts("v1", "q", start, 3 if n == 12 else 90 if n in (8, 9) else 40)
    forecasts.append(forecast_row("v1", "big", at(WEDNESDAY, 10), 400))
    interactions += contacts("v1", "big", at(WEDNESDAY, 10), 480)
    thursday = date(2026, 10, 8)
    forecasts += [forecast_row("v1", "q", at(thursday, 9), 100), forecast_row("v1", "q", at(thursday, 9, 30), 100)]
    schedules = [span("v1", f"a{n}", "work", at(thursday, 9), at(thursday, 9, 30)) for n in range(10)]
    schedules += [span("v1", f"b{n}", "work", at(thursday, 9, 30), at(thursday, 10)) for n in range(14)]
    forecasts += [forecast_row("v2", "q", at(thursday, hour), 100) for hour in (3, 10)]
    schedules += [span("v2", f"c{n}", "work", at(thursday, 10), at(thursday, 10, 30)) for n in range(14)]
    forecasts.append(forecast_row("v3", "q", at(thursday, 9), 100))
    return {"interactions": interactions, "forecasts": forecasts, "schedules": schedules}


CALENDAR = """\
name: v2-hours
timezone: UTC
hours: {mon-fri: ["08:00-18:00"]}
applies_to: {vendors: [v2]}
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = wfm_workspace(tmp_path_factory.mktemp("spikes") / "ws", at(WEDNESDAY, 16), data())
    (workspace.root / "definitions" / "calendars" / "v2.yaml").write_text(CALENDAR)
    return workspace


def test_the_planted_spike_is_found_and_the_busy_monday_is_not(ws: Workspace) -> None:
    report = spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, ahead_days=1))
    [spike] = report.spikes
    assert (spike.vendor, spike.queue, spike.basis) == ("v1", "q", "vendor")
    assert spike.start.replace(tzinfo=None) == at(WEDNESDAY, 13)
    assert spike.end.replace(tzinfo=None) == at(WEDNESDAY, 14)
    assert (spike.intervals, spike.actual, spike.forecast) == (2, 180, 80)
    assert spike.excess == pytest.approx(1.25)
    assert spike.p_value == pytest.approx(poisson.sf(89, 40))
    curve = {row["interval"]: row for row in report.curves["v1"]}
    assert curve[at(WEDNESDAY, 13)]["spike"] and not curve[at(MONDAY, 9)]["spike"]
    assert curve[at(WEDNESDAY, 10)]["actual"] == 40 + 480  # queues pooled for the chart


def test_unmerged_spikes_are_one_per_interval(ws: Workspace) -> None:
    report = spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, merge=False, ahead_days=0))
    assert [s.start.replace(tzinfo=None) for s in report.spikes] == [at(WEDNESDAY, 13), at(WEDNESDAY, 13, 30)]
    assert report.risky == []
    # Without the relative-excess guard the large queue's certain +20% would be an alarm too.
    loose = spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, rule=SpikeRule(min_excess=0.1), ahead_days=0))
    assert {s.queue for s in loose.spikes} == {"q", "big"}


def test_risky_intervals_ahead_need_more_agents_than_scheduled(ws: Workspace) -> None:
    report = spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, ahead_days=1))
    [risky] = report.risky
    assert risky.start.replace(tzinfo=None) == at(date(2026, 10, 8), 9)
    assert (risky.required, risky.scheduled, risky.short) == (14, 10, 4)
    # From Thursday 10:00 on, nothing is forecast: nothing is risky.
    later = spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, now=at(date(2026, 10, 8), 10), ahead_days=1))
    assert later.risky == []


def test_risky_intervals_count_open_hours_and_need_schedules(ws: Workspace) -> None:
    report = spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, ahead_days=1))
    assert {r.vendor for r in report.risky} == {"v1"}  # v2 short only at 03:00, when it is closed
    assert report.risk_notes["v1"] == (
        "the vendor forecast reaches 4% of the intervals: the rest need 0 agents",  # 2 of the 48 ahead
        "no business calendar: every interval counts as open",
    )
    # Wed 16:00-18:00 and Thu 08:00-16:00 are open: 20 intervals, one of them forecast.
    assert report.risk_notes["v2"] == ("the vendor forecast reaches 5% of the open intervals: the rest need 0 agents",)
    # v3 has nobody scheduled ahead: flagging every interval would say nothing, so it is noted instead.
    assert report.risk_notes["v3"][0] == "no schedules in the day ahead: not checked (every interval would be short)"
    args = ["wfm", "spikes", "--from", "2026-10-05", "--to", "2026-10-07", "--ahead-days", "1",
            "--now", "2026-10-07T16:00", "--vendor", "v3", "-w", str(ws.root)]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "No risky intervals in the day ahead (see the notes below)." in result.output
    assert "v3: no schedules in the day ahead: not checked" in result.output


def test_tail_and_runs_against_independent_sums() -> None:
    actual, forecast = np.array([0.0, 5, 12, 90]), np.array([2.0, 5, 3, 40])
    # Summed upwards from x, so the far tail is not lost to 1 − (a sum close to 1).
    direct = [sum(poisson.pmf(k, lam) for k in range(int(x), 400)) for x, lam in zip(actual, forecast, strict=True)]
    assert tail_probability(actual, forecast) == pytest.approx(direct, rel=1e-9)
    assert spike_mask(actual, forecast, SpikeRule()).tolist() == [False, False, True, True]
    assert spike_mask(np.array([3.0, 7]), np.array([0.0, 0.0]), SpikeRule()).tolist() == [False, True]
    assert runs(np.array([True, True, False, False, True])) == [(0, 1), (4, 4)]
    assert runs(np.array([], dtype=bool)) == []
    with pytest.raises(ValueError, match="max_p"):
        SpikeRule(max_p=0)


def test_requests_and_cli(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(SpikeRequestError, match="steward or vendor"):
        spikes(ws, SpikeRequest(MONDAY, WEDNESDAY, basis="actual"))
    chart = tmp_path / "spikes.svg"
    args = ["wfm", "spikes", "--from", "2026-10-05", "--to", "2026-10-07", "--ahead-days", "1",
            "--now", "2026-10-07T16:00", "--chart", str(chart), "-w", str(ws.root)]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("Demand spikes 2026-10-05 to 2026-10-07 (1 found)", "Wed 2026-10-07 13:00", "+125%",
                 "Thu 2026-10-08 09:00", "-4.0"):  # fmt: skip
        assert text in result.output
    assert chart.read_text().startswith("<svg")
