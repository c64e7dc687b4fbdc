"""`steward wfm staff`: required (Erlang C/A), scheduled and staffed agents per interval, by hand.

One partner, v1, on Monday 2026-10-05 (UTC). Its own forecast covers the day and asks for 100 calls
of 180 s in each of 09:00 and 09:30 (none in the other intervals): the published Call Centre Helper
example, 14 agents at 80/20 (20 FTE at 30%). No calendar: every interval counts.
Scheduled on work: 14 agents 09:00-10:00 plus one 09:00-09:15 (half an agent at 09:00); one on a
break all hour does not count. Staffed: 12 available all hour, one on a contact 09:00-09:30 then
offline, one wrapping 09:15-09:45 (half an agent in each interval).
"""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from tests.wfm_workspace import contacts, forecast_row, span, wfm_workspace
from typer.testing import CliRunner

from steward.domain.erlang import ServiceGoal, required_agents_erlang_a, required_agents_erlang_c
from steward.domain.staffing import StaffingGoal, summarise
from steward.interfaces.cli.app import app
from steward.interfaces.cli.wfm_staff import show_staffing_gap_summary, staff_chart
from steward.services.wfm_staffing import StaffingRequest, StaffingRequestError, staffing, staffing_gap_summary
from steward.workspace import Workspace

DAY = date(2026, 10, 5)
NINE = 18  # position of 09:00 among the day's 30-minute intervals


def t(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, 5, hour, minute)


def data() -> dict[str, list[dict[str, object]]]:
    schedules = [span("v1", f"a{n}", "work", t(9), t(10)) for n in range(14)]
    schedules += [span("v1", "a14", "work", t(9), t(9, 15)), span("v1", "a15", "break", t(9), t(10))]
    states = [span("v1", f"a{n}", "available", t(9), t(10), "agent_states") for n in range(12)]
    states += [
        span("v1", "a12", "on_contact", t(9), t(9, 30), "agent_states"),
        span("v1", "a12", "offline", t(9, 30), t(10), "agent_states"),
        span("v1", "a13", "wrap", t(9, 15), t(9, 45), "agent_states"),
    ]
    return {
        "interactions": contacts("v1", "q", t(9), 100, handle_seconds=180),
        "forecasts": [
            forecast_row("v1", "q", t(h, m), 100 if (h, m) in ((9, 0), (9, 30)) else 0)
            for h in range(24)
            for m in (0, 30)
        ],
        "schedules": schedules,
        "agent_states": states,
    }


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return wfm_workspace(tmp_path_factory.mktemp("staff") / "ws", datetime(2026, 10, 6, 12), data())


def test_required_scheduled_and_staffed_match_the_hand_count(ws: Workspace) -> None:
    goal = StaffingGoal(ServiceGoal(0.8, 20, max_occupancy=0.85), shrinkage=0.3)
    [v1] = staffing(ws, StaffingRequest(DAY, DAY, plan=goal)).vendors
    assert v1.vendor == "v1" and v1.basis == "vendor"  # no Steward forecast: the partner's own
    assert len(v1.local_starts) == 48
    window = slice(NINE, NINE + 2)
    assert v1.required[window].tolist() == [14, 14]
    assert v1.required_fte[window].tolist() == [20, 20]
    assert v1.scheduled[window].tolist() == pytest.approx([14.5, 14.0])
    assert v1.staffed[window].tolist() == pytest.approx([13.5, 12.5])
    assert v1.required.sum() == 28 and v1.scheduled.sum() == pytest.approx(28.5)
    s = v1.summary
    assert (s.understaffed, s.underscheduled) == (2, 0)
    assert s.worst_gap == pytest.approx(-1.5)
    assert s.worst_at is not None and s.worst_at.hour == 9 and s.worst_at.minute == 30
    assert s.staffed_hours_short == pytest.approx((0.5 + 1.5) / 2)
    assert s.scheduled_hours_short == 0
    assert s.required_hours == pytest.approx(14.0)
    assert s.covered_share == pytest.approx(26 / 28)
    assert v1.worst(5) == [NINE + 1, NINE]


def test_actual_basis_uses_realised_arrivals_and_handle_time(ws: Workspace) -> None:
    [v1] = staffing(ws, StaffingRequest(DAY, DAY, basis="actual")).vendors
    assert v1.volume[NINE] == 100 and v1.aht_seconds[NINE] == pytest.approx(180)
    assert v1.required[NINE : NINE + 2].tolist() == [14, 0]


def test_erlang_a_and_quarter_hours(ws: Workspace) -> None:
    patient = StaffingGoal(patience_seconds=300)
    [v1] = staffing(ws, StaffingRequest(DAY, DAY, plan=patient)).vendors
    expected = required_agents_erlang_a([100.0], [180.0], 300, 1800, ServiceGoal())
    assert v1.required[NINE] == expected[0] < 14  # callers who hang up need fewer agents
    # A 30-minute forecast read at 15 minutes is spread evenly: 50 calls per quarter, the same traffic.
    [quarter] = staffing(ws, StaffingRequest(DAY, DAY, interval_minutes=15)).vendors
    assert quarter.volume[36:40].tolist() == pytest.approx([50, 50, 50, 50])
    assert quarter.required[36:40].tolist() == [14, 14, 14, 14]
    assert quarter.scheduled[36:38].tolist() == pytest.approx([15, 14])


def test_steward_forecast_wins_when_it_covers_the_range(tmp_path: Path) -> None:
    rows = data()
    # Steward's forecast covers the whole day and expects 200 calls at 09:00.
    rows["forecasts"] += [
        forecast_row("v1", "q", t(h, m), 200 if (h, m) == (9, 0) else 0, made_by="steward")
        for h in range(24)
        for m in (0, 30)
    ]
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 10, 5, 9, 30), rows)
    [v1] = staffing(ws, StaffingRequest(DAY, DAY)).vendors
    assert v1.basis == "steward"
    assert v1.volume[NINE] == 200
    assert v1.required[NINE] == required_agents_erlang_c([200.0], [180.0], 1800, ServiceGoal())[0]
    # The clock stands at 09:30: 09:00 is over and observed, 09:30 is not yet.
    assert v1.staffed[NINE] == pytest.approx(13.5) and math.isnan(v1.staffed[NINE + 1])
    ws.close()


def test_intervals_are_utc_aligned_and_shown_in_the_reporting_zone(tmp_path: Path) -> None:
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 10, 6, 12), data(), timezone="Europe/Berlin")
    [v1] = staffing(ws, StaffingRequest(DAY, DAY)).vendors
    first = v1.local_starts[0]
    assert (first.hour, str(first.tzinfo)) == (0, "Europe/Berlin")  # local midnight = 22:00 UTC the day before
    nine_utc = [i for i, s in enumerate(v1.local_starts) if (s.hour, s.minute) == (11, 0)]
    assert v1.required[nine_utc].tolist() == [14]  # 09:00 UTC is 11:00 in Berlin (summer time)
    ws.close()


def test_summary_of_a_future_range_counts_no_staffed_shortfall() -> None:
    starts = [t(9), t(9, 30)]
    found = summarise(starts, np.array([3, 4]), np.array([3.0, 2.0]), np.array([np.nan, np.nan]), 30)
    assert (found.understaffed, found.underscheduled, found.worst_gap, found.covered_share) == (0, 1, None, None)
    assert found.scheduled_hours_short == pytest.approx(1.0)


def test_bad_requests_are_refused(ws: Workspace) -> None:
    with pytest.raises(StaffingRequestError, match="basis"):
        staffing(ws, StaffingRequest(DAY, DAY, basis="guess"))
    with pytest.raises(StaffingRequestError, match="15, 30 or 60"):
        staffing(ws, StaffingRequest(DAY, DAY, interval_minutes=20))


def test_demo_hook_and_its_renderer(ws: Workspace) -> None:
    from rich.console import Console

    summary = staffing_gap_summary(ws, "v1", DAY, DAY)
    console = Console(record=True, width=160)
    show_staffing_gap_summary(console, summary)
    text = console.export_text()
    assert "Staffing gaps of v1" in text and "-1.5" in text and "92.9%" in text
    with pytest.raises(StaffingRequestError, match="nobody"):
        staffing_gap_summary(ws, "nobody", DAY, DAY)


def test_cli_prints_the_summary_and_draws_the_chart(ws: Workspace, tmp_path: Path) -> None:
    chart = tmp_path / "staff.svg"
    args = ["wfm", "staff", "--from", "2026-10-05", "--to", "2026-10-05", "--max-occupancy", "85",
            "--chart", str(chart), "-w", str(ws.root)]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "v1" in result.output and "-1.5" in result.output and "Mon 2026-10-05 09:30" in result.output
    assert chart.read_text().startswith("<svg")
    bad = CliRunner().invoke(app, ["wfm", "staff", "--from", "2026-10-05", "--to", "x", "-w", str(ws.root)])
    assert bad.exit_code == 2


def test_a_finer_forecast_counts_only_where_it_reaches(tmp_path: Path) -> None:
    """Steward forecast v1's queue q hourly for Oct 7-8 (100 calls an hour), then again at 30 minutes for
    Oct 7 only (40 calls a half hour): Oct 7 takes the finer forecast alone, Oct 8 still has the hourly one."""
    oct7, oct8 = date(2026, 10, 7), date(2026, 10, 8)
    hours = [datetime(2026, 10, 7) + timedelta(hours=n) for n in range(48)]
    halves = [h + timedelta(minutes=m) for h in hours[:24] for m in (0, 30)]
    rows = {
        "forecasts": [forecast_row("v1", "q", h, 100, made_by="steward", minutes=60) for h in hours]
        + [forecast_row("v1", "q", h, 40, made_by="steward") for h in halves],
        "schedules": [span("v1", "a1", "work", datetime(2026, 10, 7, 9), datetime(2026, 10, 8, 18))],
    }
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 10, 6, 12), rows)
    [first] = staffing(ws, StaffingRequest(oct7, oct7, queue="q")).vendors
    assert first.basis == "steward" and first.volume.tolist() == pytest.approx([40] * 48)
    [second] = staffing(ws, StaffingRequest(oct8, oct8, queue="q")).vendors
    assert second.basis == "steward" and second.volume.tolist() == pytest.approx([50] * 48)
    [both] = staffing(ws, StaffingRequest(oct7, oct8, queue="q", interval_minutes=60)).vendors
    assert both.volume.tolist() == pytest.approx([80] * 24 + [100] * 24)
    ws.close()


def test_default_basis_counts_the_intervals_a_forecast_reaches_in_the_queue_asked(tmp_path: Path) -> None:
    """Friday Oct 9, ahead of the clock: Steward forecast queue q for 00:00 and 23:00 only (its first and
    last instants span the day, but it reaches 2 of 24 hours); v1's own forecast covers queue r all day."""
    friday = date(2026, 10, 9)
    hours = [datetime(2026, 10, 9, h) for h in range(24)]
    rows = {
        "forecasts": [forecast_row("v1", "q", hours[h], 10, made_by="steward", minutes=60) for h in (0, 23)]
        + [forecast_row("v1", "r", h, 10, minutes=60) for h in hours],
    }
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 10, 6, 12), rows)
    [pooled] = staffing(ws, StaffingRequest(friday, friday, interval_minutes=60)).vendors
    assert pooled.basis == "vendor"  # the partner's forecast covers every hour; Steward's does not
    [only_q] = staffing(ws, StaffingRequest(friday, friday, queue="q", interval_minutes=60)).vendors
    assert only_q.basis == "steward"  # for queue q the partner has no forecast at all
    assert "the steward forecast reaches 8% of the intervals: the rest need 0 agents" in only_q.notes
    own = staffing(ws, StaffingRequest(friday, friday, queue="q", basis="vendor"))
    assert own.vendors == []
    assert own.nothing_to_show == {"v1": "no vendor forecast for queue q in the range; no schedules; no agent states"}
    ws.close()


def test_a_vendor_with_nothing_to_show_is_named_with_the_reason(tmp_path: Path) -> None:
    """v2's only forecast (Steward's, queue q) expects nobody, and it has no schedules: it is not dropped silently."""
    rows = {
        "forecasts": [forecast_row("v2", "q", datetime(2026, 10, 7, h), 0, made_by="steward") for h in range(24)],
        "interactions": contacts("v1", "q", t(9), 5, handle_seconds=180),
    }
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 10, 6, 12), rows)
    report = staffing(ws, StaffingRequest(date(2026, 10, 7), date(2026, 10, 7), queue="q"))
    assert report.vendors == []
    assert report.nothing_to_show == {
        "v2": "the steward forecast for queue q expects no contacts; no schedules; no agent states"
    }
    asked = staffing(ws, StaffingRequest(DAY, DAY, vendors=("v1", "v3"))).nothing_to_show
    assert asked == {"v3": "no contacts arrived; no schedules; no agent states"}
    args = ["wfm", "staff", "--from", "2026-10-07", "--to", "2026-10-07", "--queue", "q", "-w", str(ws.root)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "no vendor has anything to show" in result.output
    # The command runs on the real clock: the day is over, and half covered by a forecast, so arrivals count.
    assert "nothing to show for v2: no contacts arrived for queue q; no schedules" in result.output
    ws.close()


GOLDEN_CHART = Path(__file__).parent / "golden" / "wfm_staff_chart.json"
"""Regenerate after a deliberate change, then review the diff:
STEWARD_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_wfm_staffing.py -k golden"""


def test_staff_chart_spec_matches_the_golden_file(tmp_path: Path) -> None:
    """Berlin's clocks go back at 03:00 on Sunday 2026-10-25: the day has 25 hours, and 02:00-03:00 local
    happens twice (00:00 and 01:00 UTC). The chart draws wall-clock times and its title says so."""
    night = [datetime(2026, 10, 25, h) for h in range(4)]  # 02:00 CEST, 02:00 CET, 03:00 and 04:00 CET
    rows = {
        "forecasts": [forecast_row("v1", "q", moment, 30 + 10 * n, minutes=60) for n, moment in enumerate(night)],
        "schedules": [span("v1", f"a{n}", "work", night[0], night[2]) for n in range(6)],
        "agent_states": [span("v1", f"a{n}", "available", night[0], night[3], "agent_states") for n in range(5)],
    }
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 10, 27), rows, timezone="Europe/Berlin")
    day = date(2026, 10, 25)
    report = staffing(ws, StaffingRequest(day, day, interval_minutes=60, basis="vendor"))
    ws.close()
    [v1] = report.vendors
    assert len(v1.local_starts) == 25
    text = json.dumps(staff_chart(v1, report.timezone).to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("STEWARD_REGENERATE_GOLDEN"):
        GOLDEN_CHART.write_text(text, encoding="utf-8")
    assert text == GOLDEN_CHART.read_text(encoding="utf-8")
    assert "(Europe/Berlin time; clocks went back on 2026-10-25: the repeated hour is drawn over itself)" in text
    assert text.count('"interval": "2026-10-25T02:00:00Z"') == 6  # three series, both 02:00s
