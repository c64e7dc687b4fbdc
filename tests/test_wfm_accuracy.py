"""`steward wfm accuracy`: partner forecasts against actuals, equal to the metrics of the same names.

Partner v1 forecasts queue q on two October days (its own rows, made_by v1); Steward's forecast
and another partner's forecast for v1 must not count. By hand:
  Oct 5: 09:00 F 10 A 8, 09:30 F 5 A 7  -> |F-A| 4, F-A 0, A 15
  Oct 6: 09:00 F 20 A 10                 -> |F-A| 10, F-A +10, A 10
  month: WAPE 14/25 = 56%, bias 10/25 = +40%; day totals: |0| + |10| over 25 = 40%.
Agent time: a1 scheduled on work 09:00-10:00, available 09:00-09:45 -> conformance, adherence 75%.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from scipy.stats import poisson
from tests.wfm_workspace import contacts, forecast_row, span, wfm_workspace
from typer.testing import CliRunner

from steward.domain.forecast_verdict import judge
from steward.interfaces.cli.app import app
from steward.services.wfm_accuracy import AccuracyRequestError, partner_accuracy
from steward.workspace import Workspace

AGENT_TIME = ["adherence", "conformance", "shrinkage", "shrinkage_planned", "shrinkage_unplanned", "occupancy"]


def data() -> dict[str, list[dict[str, object]]]:
    return {
        "interactions": [
            *contacts("v1", "q", datetime(2026, 10, 5, 9), 8),
            *contacts("v1", "q", datetime(2026, 10, 5, 9, 30), 7),
            *contacts("v1", "q", datetime(2026, 10, 6, 9), 10),
        ],
        "forecasts": [
            forecast_row("v1", "q", datetime(2026, 10, 5, 9), 10),
            forecast_row("v1", "q", datetime(2026, 10, 5, 9, 30), 5),
            forecast_row("v1", "q", datetime(2026, 10, 6, 9), 20),
            forecast_row("v1", "q", datetime(2026, 10, 5, 9), 99, made_by="steward"),
            forecast_row("v1", "q", datetime(2026, 10, 5, 9), 99, made_by="v2"),
        ],
        "schedules": [span("v1", "a1", "work", datetime(2026, 10, 5, 9), datetime(2026, 10, 5, 10))],
        "agent_states": [
            span("v1", "a1", "available", datetime(2026, 10, 5, 9), datetime(2026, 10, 5, 9, 45), "agent_states")
        ],
    }


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return wfm_workspace(tmp_path_factory.mktemp("accuracy") / "ws", datetime(2026, 11, 5, 12), data())


def expected_abs_deviation(mean: float) -> float:
    """E|X − λ| for X ~ Poisson(λ) by direct summation (independent of the closed form)."""
    return sum(abs(k - mean) * poisson.pmf(k, mean) for k in range(200))


def test_partner_numbers_match_the_hand_count_and_the_metrics(ws: Workspace) -> None:
    report = partner_accuracy(ws, "2026-10")
    [v1] = report.partners
    assert v1.vendor == "v1"
    assert v1.overall.wape == pytest.approx(56.0)
    assert v1.overall.bias == pytest.approx(40.0)
    assert (v1.overall.forecast, v1.overall.actual) == (pytest.approx(35.0), pytest.approx(25.0))
    assert v1.daily_total_wape == pytest.approx(40.0)
    metric = ws.metrics.query(["forecast_wape", "forecast_bias"], by=["vendor"], where={"made_by": ["v1"]},
                              start=date(2026, 10, 1), end=date(2026, 10, 31)).to_pylist()  # fmt: skip
    assert v1.overall.wape == pytest.approx(metric[0]["forecast_wape"])
    assert v1.overall.bias == pytest.approx(metric[0]["forecast_bias"])
    days = dict(v1.days)
    assert sorted(days) == [date(2026, 10, 5), date(2026, 10, 6)]
    assert days[date(2026, 10, 5)].wape == pytest.approx(400 / 15)
    assert days[date(2026, 10, 5)].bias == pytest.approx(0.0)
    assert days[date(2026, 10, 6)].wape == pytest.approx(100.0)


def test_poisson_floor_and_verdict(ws: Workspace) -> None:
    [v1] = partner_accuracy(ws, "2026-10").partners
    floor = 100 * sum(expected_abs_deviation(a) for a in (8, 7, 10)) / 25
    assert v1.overall.floor == pytest.approx(floor, rel=1e-9)
    assert v1.overall.verdict.grade == "poor" and v1.overall.verdict.bias_note == "over-forecasts"
    day_one = dict(v1.days)[date(2026, 10, 5)]
    assert day_one.floor == pytest.approx(100 * (expected_abs_deviation(8) + expected_abs_deviation(7)) / 15)
    # 26.7% against a floor of about 28.8% at these small volumes: as good as chance allows.
    assert day_one.verdict.label == "good"


@pytest.mark.parametrize("minutes", [15, 60])
def test_floor_and_verdict_do_not_depend_on_the_display_interval(ws: Workspace, minutes: int) -> None:
    # WAPE counts each 30-minute forecast row; so does the floor, whatever --interval the curves use.
    # (Read at 60 minutes, 8 + 7 contacts in one cell would give a lower floor and a worse verdict.)
    [base] = partner_accuracy(ws, "2026-10", interval_minutes=30).partners
    [other] = partner_accuracy(ws, "2026-10", interval_minutes=minutes).partners
    assert other.overall == base.overall
    assert other.days == base.days
    assert len(other.intervals) == 31 * 24 * 60 // minutes
    assert sum(float(row["actual"]) for row in other.intervals) == 25  # type: ignore[arg-type]


def test_floor_takes_each_row_at_its_own_length(tmp_path: Path) -> None:
    # One 60-minute row (F 20, A 8 + 7 = 15) beside a 15-minute row of another queue (F 4, A 3).
    rows = {
        "interactions": [*contacts("v1", "q", datetime(2026, 10, 5, 9), 8),
                         *contacts("v1", "q", datetime(2026, 10, 5, 9, 30), 7),
                         *contacts("v1", "r", datetime(2026, 10, 5, 9, 15), 3)],
        "forecasts": [forecast_row("v1", "q", datetime(2026, 10, 5, 9), 20, minutes=60),
                      forecast_row("v1", "r", datetime(2026, 10, 5, 9, 15), 4, minutes=15)],
    }  # fmt: skip
    ws = wfm_workspace(tmp_path / "ws", datetime(2026, 11, 5, 12), rows)
    for minutes in (15, 30, 60):
        [v1] = partner_accuracy(ws, "2026-10", interval_minutes=minutes).partners
        assert v1.overall.wape == pytest.approx(100 * (5 + 1) / 18)
        floor = 100 * (expected_abs_deviation(15) + expected_abs_deviation(3)) / 18
        assert v1.overall.floor == pytest.approx(floor, rel=1e-9)
    ws.close()


def test_agent_time_equals_the_metrics(ws: Workspace) -> None:
    [v1] = partner_accuracy(ws, "2026-10").partners
    assert v1.agent_time["conformance"] == pytest.approx(75.0)
    assert v1.agent_time["adherence"] == pytest.approx(75.0)
    assert v1.agent_time["shrinkage_unplanned"] == pytest.approx(25.0)
    [row] = ws.metrics.query(AGENT_TIME, by=["vendor"], start=date(2026, 10, 1), end=date(2026, 10, 31)).to_pylist()
    for metric in AGENT_TIME:
        assert v1.agent_time[metric] == (None if row[metric] is None else pytest.approx(row[metric]))


def test_intraday_curve_pools_queues_per_interval(ws: Workspace) -> None:
    [v1] = partner_accuracy(ws, "2026-10", interval_minutes=30).partners
    curve = {row["interval"]: row for row in v1.intervals if row["forecast"] or row["actual"]}
    assert curve[datetime(2026, 10, 5, 9)] == {"interval": datetime(2026, 10, 5, 9), "forecast": 10, "actual": 8}
    assert len(curve) == 3


def test_verdict_is_volume_aware() -> None:
    # The same 20% WAPE: good for a queue whose floor is 16% (λ ≈ 25), poor for one at 4% (λ ≈ 400).
    assert judge(0.20, 0.16, 0.0).grade == "good"
    assert judge(0.20, 0.04, 0.0).grade == "poor"
    assert judge(0.13, 0.04, -0.06).label == "fair, under-forecasts"
    assert judge(None, 0.1, None).grade == "unknown"


def test_requests_and_cli(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(AccuracyRequestError, match="not ended"):
        partner_accuracy(ws, "2026-12")
    chart = tmp_path / "accuracy.png"
    args = ["wfm", "accuracy", "--period", "2026-10", "--daily", "--chart", str(chart), "-w", str(ws.root)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("v1", "56.0%", "+40.0%", "poor, over-forecasts", "Mon 2026-10-05", "75.0%"):
        assert text in result.output
    assert chart.read_bytes().startswith(b"\x89PNG")
