"""`steward wfm staff`: only the vendor's business hours count, and the default volume basis, by hand.

Monday 2026-10-05, 30-minute intervals in UTC. Partner v1's calendar opens 09:00-09:45 and 10:50-11:00
(UTC, Mon-Fri). Its own forecast covers the day: 100 calls of 180 s at 03:00, 09:00, 09:30 and 10:30
(14 agents each at 80/20), none elsewhere. Staffed as in test_wfm_staffing: 13.5 agents at 09:00,
12.5 at 09:30, nobody else. Open intervals: 09:00 (wholly inside) and 09:30 (15 of its 30 minutes,
exactly half); 10:30 has 10 open minutes and 03:00 none, so they are closed and left out.

Vendor v2 has no calendar and no forecast of its own; Steward forecast it only for Tuesday. For
Monday (over: the clock stands at Tuesday noon) it is staffed for the 100 calls that arrived at 09:00.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from tests.test_wfm_staffing import data, t
from tests.wfm_workspace import contacts, forecast_row, wfm_workspace
from typer.testing import CliRunner

from steward.interfaces.cli.app import app
from steward.services.wfm_staffing import StaffingRequest, default_basis, staffing
from steward.workspace import Workspace

DAY = date(2026, 10, 5)
THREE, NINE, TEN_THIRTY = 6, 18, 21
CALENDAR = """\
name: v1-hours
timezone: UTC
hours: {mon-fri: ["09:00-09:45", "10:50-11:00"]}
applies_to: {vendors: [v1]}
"""


def rows() -> dict[str, list[dict[str, object]]]:
    found = data()
    busy = ((3, 0), (9, 0), (9, 30), (10, 30))
    found["forecasts"] = [
        forecast_row("v1", "q", t(h, m), 100 if (h, m) in busy else 0) for h in range(24) for m in (0, 30)
    ]
    found["forecasts"] += [
        forecast_row("v2", "q", datetime(2026, 10, 6, h, m), 50, made_by="steward") for h in range(24) for m in (0, 30)
    ]
    found["interactions"] += contacts("v2", "q", t(9), 100, handle_seconds=180)
    return found


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = wfm_workspace(tmp_path_factory.mktemp("hours") / "ws", datetime(2026, 10, 6, 12), rows())
    (workspace.root / "definitions" / "calendars" / "v1.yaml").write_text(CALENDAR)
    return workspace


def test_only_open_intervals_count_by_default(ws: Workspace) -> None:
    [v1, _] = staffing(ws, StaffingRequest(DAY, DAY)).vendors
    assert v1.calendar == "v1-hours" and v1.basis == "vendor"
    assert [i for i in range(48) if v1.open[i]] == [NINE, NINE + 1]
    assert v1.required[[THREE, NINE, NINE + 1, TEN_THIRTY]].tolist() == [14, 14, 14, 14]  # still shown
    s = v1.summary
    assert (s.intervals, s.counted, s.understaffed, s.underscheduled) == (48, 2, 2, 0)
    assert s.worst_gap == pytest.approx(-1.5) and s.worst_at == t(9, 30).astimezone(s.worst_at.tzinfo)
    assert s.required_hours == pytest.approx(14.0)
    assert s.staffed_hours_short == pytest.approx(1.0)
    assert s.covered_share == pytest.approx(26 / 28)
    assert v1.worst(10) == [NINE + 1, NINE]
    assert v1.below().nonzero()[0].tolist() == [NINE, NINE + 1]
    assert [row["open"] for row in v1.rows()][NINE - 1 : NINE + 3] == [False, True, True, False]


def test_all_hours_counts_the_closed_intervals_too(ws: Workspace) -> None:
    [v1, _] = staffing(ws, StaffingRequest(DAY, DAY, all_hours=True)).vendors
    s = v1.summary
    assert (s.counted, s.understaffed) == (48, 4)
    assert s.worst_gap == -14 and s.worst_at is not None and s.worst_at.hour == 3
    assert s.required_hours == pytest.approx(28.0)
    assert s.staffed_hours_short == pytest.approx(1.0 + 14)
    assert s.covered_share == pytest.approx(26 / 56)
    assert v1.worst(2) == [THREE, TEN_THIRTY]


def test_a_vendor_without_a_calendar_counts_every_interval(ws: Workspace) -> None:
    [_, v2] = staffing(ws, StaffingRequest(DAY, DAY)).vendors
    assert v2.calendar is None and v2.open.all() and v2.summary.counted == 48
    assert "no business calendar: every interval counts as open" in v2.notes


def test_past_range_outside_stewards_forecast_is_staffed_for_what_arrived(ws: Workspace) -> None:
    [_, v2] = staffing(ws, StaffingRequest(DAY, DAY)).vendors
    # Steward forecast Tuesday only: Monday would need nobody on its forecast; it needed 14 at 09:00.
    assert v2.basis == "actual"
    assert v2.required[NINE] == 14 and v2.required.sum() == 14
    [tuesday] = staffing(ws, StaffingRequest(date(2026, 10, 6), date(2026, 10, 6), vendors=("v2",))).vendors
    assert tuesday.basis == "steward"


def test_default_basis_rule() -> None:
    # Arguments: the shares of the counted intervals Steward's and the vendor's forecasts reach.
    assert default_basis(1.0, 1.0, started=True) == "steward"
    assert default_basis(0.99, 1.0, started=True) == "vendor"
    assert default_basis(0.0, 0.9, started=True) == "vendor"  # 90%: most of it
    assert default_basis(0.0, 0.89, started=True) == "actual"
    assert default_basis(0.0, 0.0, started=True) == "actual"  # the bug: a forecast of a later week reaches none
    # A range wholly ahead has nothing arrived: the forecast covering more of it.
    assert default_basis(0.3, 0.6, started=False) == "vendor"
    assert default_basis(0.3, 0.0, started=False) == "steward"
    assert default_basis(0.0, 0.0, started=False) == "actual"


def test_cli_counts_open_intervals_unless_all_hours(ws: Workspace) -> None:
    base = ["wfm", "staff", "--from", "2026-10-05", "--to", "2026-10-05", "--vendor", "v1", "-w", str(ws.root)]
    result = CliRunner().invoke(app, base, env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    assert "Mon 2026-10-05 03:00" not in result.output and "-1.5" in result.output
    assert "unless --all-hours" in result.output
    everything = CliRunner().invoke(app, [*base, "--all-hours"], env={"COLUMNS": "220"})
    assert everything.exit_code == 0, everything.output
    assert "Mon 2026-10-05 03:00" in everything.output and "-14.0" in everything.output
