"""Demand forecasts: the Poisson floor against published figures, the dense history grid, the backtest
against a hand computation, model choice, holiday effects, stored rows and the command."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.native_rows import Row, write_table
from typer.testing import CliRunner

from steward.domain.clock import FixedClock
from steward.domain.demand_adjustments import holiday_intervals
from steward.domain.forecast_accuracy import (
    approximate_floor,
    bias,
    interval_floor,
    poisson_floor,
    poisson_mean_absolute_deviation,
    wape,
)
from steward.importers.base import ImportOptions
from steward.interfaces.cli.app import app
from steward.services.ingest import import_file
from steward.services.wfm_forecast import ForecastRequest, run_forecast
from steward.services.wfm_forecast_models import (
    CANDIDATES,
    Candidate,
    ForecastOptions,
    SeriesHistory,
    forecast_series,
)
from steward.services.wfm_history import read_history
from steward.workspace import Workspace

HOURLY = ForecastOptions(interval_minutes=60, history_weeks=4, origins=2)
WEEK = HOURLY.per_week
START = datetime(2026, 11, 2)  # a Monday, 00:00 UTC
PAST_HOLIDAY, NEXT_HOLIDAY = date(2026, 10, 14), date(2026, 11, 4)
CALENDAR = f"""\
name: berlin
timezone: Europe/Berlin
hours: {{mon-fri: ["08:00-18:00"]}}
holidays: {{extra: ["{PAST_HOLIDAY}", "{NEXT_HOLIDAY}"]}}
applies_to: {{default: true}}
"""


# --- accuracy and the Poisson floor --------------------------------------------------------------


@pytest.mark.parametrize(("mean", "published"), [(5, 35.1), (10, 25.0), (25, 15.9), (50, 11.3), (100, 8.0), (400, 4.0)])
def test_poisson_floor_matches_the_research_table(mean: float, published: float) -> None:
    assert round(100 * interval_floor(mean), 1) == published
    assert poisson_floor(np.full(96, float(mean))) == pytest.approx(interval_floor(mean))


def test_floor_tends_to_the_normal_approximation_and_has_no_overflow() -> None:
    for mean in (1_000.0, 40_000.0, 1e7):
        assert interval_floor(mean) == pytest.approx(approximate_floor(mean), rel=1e-3)
    assert poisson_mean_absolute_deviation([0.0])[0] == 0.0
    # λ = 0.5: X is 0 (p = e^-0.5) or at least 1, so E|X − λ| = 2 e^-0.5 λ exactly.
    assert poisson_mean_absolute_deviation([0.5])[0] == pytest.approx(2 * math.exp(-0.5) * 0.5)


def test_wape_and_bias_follow_the_metric_definitions() -> None:
    forecast, actual = [10.0, 0.0, 5.0], [8.0, 2.0, 5.0]
    assert wape(forecast, actual) == pytest.approx(4 / 15)
    assert bias(forecast, actual) == pytest.approx(0.0)
    assert bias([12.0], [10.0]) == pytest.approx(0.2)  # positive = over-forecast
    assert math.isnan(wape([1.0], [0.0]))


# --- the backtest on arrays -----------------------------------------------------------------------


def _history(volume: np.ndarray, holiday: np.ndarray | None = None, options: ForecastOptions = HOURLY) -> SeriesHistory:
    mask = np.zeros(len(volume) + options.horizon, dtype=np.bool_) if holiday is None else holiday
    return SeriesHistory(volume.astype(np.float64), 300.0 * volume, volume.astype(np.float64), mask)


def test_backtest_wape_equals_a_hand_computation() -> None:
    options = ForecastOptions(interval_minutes=60, history_weeks=1, origins=2)
    y = np.random.default_rng(3).poisson(4.0, 3 * WEEK).astype(np.float64)
    result = forecast_series(_history(y, options=options), options)
    # Only seasonal naive trains on one week; it forecasts each week as the one before.
    assert [s.model for s in result.scores] == ["seasonal-naive"]
    by_hand = [np.abs(y[o - WEEK : o] - y[o : o + WEEK]).sum() / y[o : o + WEEK].sum() for o in (WEEK, 2 * WEEK)]
    assert result.scores[0].origin_wapes == pytest.approx(by_hand)
    assert result.scores[0].wape == pytest.approx(sum(by_hand) / 2)
    assert result.volume == pytest.approx(np.tile(y[-WEEK:], 1))


def test_backtest_bias_sign_on_a_rising_series() -> None:
    options = ForecastOptions(interval_minutes=60, history_weeks=1, origins=2)
    y = np.repeat([1.0, 2.0, 3.0], WEEK)
    score = forecast_series(_history(y, options=options), options).scores[0]
    assert score.origin_wapes == pytest.approx((0.5, 1 / 3))
    assert score.bias == pytest.approx(-5 / 12)  # each week under-forecast by the one before


def test_the_model_with_the_lowest_mean_wape_is_chosen() -> None:
    y = np.random.default_rng(5).poisson(20.0, 8 * WEEK).astype(np.float64)
    result = forecast_series(_history(y), HOURLY)
    scores = {s.model: s.wape for s in result.scores}
    assert set(scores) == {"seasonal-naive", "4-week-average", "mstl"}
    assert result.chosen == min(scores, key=lambda m: scores[m])
    # Averaging four weeks of Poisson noise beats copying one week of it.
    assert scores["4-week-average"] < scores["seasonal-naive"]
    assert result.floor == pytest.approx(interval_floor(20.0), abs=0.01)

    def truth(values: np.ndarray, steps: int, options: ForecastOptions) -> np.ndarray:
        return np.full(steps, 20.0)

    assert forecast_series(_history(y), HOURLY, (*CANDIDATES, Candidate("truth", 1, truth))).chosen == "truth"


def test_holiday_factor_scales_future_holidays() -> None:
    options = ForecastOptions(interval_minutes=60, history_weeks=2, origins=1)
    y = np.full(3 * WEEK, 4.0)
    holiday = np.zeros(3 * WEEK + options.horizon, dtype=np.bool_)
    holiday[WEEK + 48 : WEEK + 72] = True  # a past Wednesday at half the volume
    y[holiday[: len(y)]] = 2.0
    holiday[3 * WEEK + 48 : 3 * WEEK + 72] = True  # next Wednesday
    result = forecast_series(_history(y, holiday, options), options)
    assert result.holiday.factor == pytest.approx(0.5)
    assert result.holiday.intervals == 24
    # The past holiday was replaced by a normal day before fitting, so the forecast is 4 outside holidays.
    assert result.volume[48:72] == pytest.approx(np.full(24, 2.0))
    assert np.delete(result.volume, np.arange(48, 72)) == pytest.approx(np.full(WEEK - 24, 4.0))


def test_holiday_intervals_follow_the_local_date_across_dst() -> None:
    # 2026-10-25 in Berlin has 25 hours: 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    mask = holiday_intervals([date(2026, 10, 25)], "Europe/Berlin", datetime(2026, 10, 24), 72, 60)
    assert np.flatnonzero(mask).tolist() == list(range(22, 47))


# --- the warehouse ----------------------------------------------------------------------------


def _interaction(number: int, vendor: str, queue: str, created: datetime, handle: float | None = 300.0) -> Row:
    return {
        "interaction_id": f"{vendor}-{queue}-{number}",
        "vendor": vendor,
        "queue": queue,
        "channel": "chat",
        "created_at": created,
        "handle_seconds": handle,
    }


def _load(workspace: Workspace, rows: list[Row]) -> None:
    path = write_table(workspace.root / "interactions.csv", "interactions", rows)
    summary = import_file(workspace, path, options=ImportOptions(table="interactions"))
    assert summary.total("rejected") == 0, summary.to_json()["rejects"]


def test_history_is_a_dense_utc_grid_with_zeros(workspace: Workspace) -> None:
    at = datetime(2026, 10, 24, 9, 0)
    _load(
        workspace,
        [
            _interaction(1, "v1", "q1", at, 100.0),
            _interaction(2, "v1", "q1", at + timedelta(minutes=59, seconds=59), 200.0),
            _interaction(3, "v1", "q1", at + timedelta(hours=1), None),
            _interaction(4, "v1", "q1", at + timedelta(hours=3, minutes=30), 300.0),
            _interaction(5, "v2", "q1", at + timedelta(hours=1, minutes=15)),
            # Europe's clocks go back at 01:00 UTC on 25 October: UTC hours stay consecutive.
            *(_interaction(10 + h, "v1", "q2", datetime(2026, 10, 24, 23, 30) + timedelta(hours=h)) for h in range(4)),
        ],
    )
    history = read_history(
        workspace, datetime(2026, 10, 24), datetime(2026, 10, 24, 14), interval_minutes=60, queue_totals=True
    )
    assert set(history) == {("v1", "q1"), ("v2", "q1"), (None, "q1")}  # q2 arrived after the window
    v1 = history[("v1", "q1")]
    assert v1.first_start == datetime(2026, 10, 24)  # a series starts on the UTC day of its first arrival
    assert v1.volume.tolist() == [0] * 9 + [2, 1, 0, 1, 0]  # 09, 10, 11, 12, 13 h
    assert v1.handled[9:].tolist() == [2, 0, 0, 1, 0]
    assert v1.aht_seconds()[[9, 12]].tolist() == [150.0, 300.0]
    assert history[("v2", "q1")].volume[9:].tolist() == [0, 1, 0, 0, 0]
    assert history[(None, "q1")].volume[9:].tolist() == [2, 2, 0, 1, 0]
    quarters = read_history(workspace, datetime(2026, 10, 24, 9), datetime(2026, 10, 24, 11), interval_minutes=15)
    assert quarters[("v1", "q1")].volume.tolist() == [1, 0, 0, 1, 1, 0, 0, 0]
    night = read_history(workspace, datetime(2026, 10, 24, 21), datetime(2026, 10, 25, 4), interval_minutes=60)
    assert night[("v1", "q2")].first_start == datetime(2026, 10, 24, 21)  # not before the window
    assert night[("v1", "q2")].volume.tolist() == [0, 0, 1, 1, 1, 1, 0]


def _arrivals(vendor: str, scale: float, seed: int) -> list[Row]:
    """Six weeks of hourly Poisson arrivals before START: a midday hump, quieter weekends, and the
    past holiday (a Berlin date) at 30% of a normal day."""
    rng = np.random.default_rng(seed)
    first = START - timedelta(weeks=6)
    hours = np.arange(6 * WEEK)
    hour, weekday = hours % 24, (hours // 24) % 7
    mean = scale * (0.3 + 6 * np.exp(-(((hour - 11) / 3) ** 2))) * np.where(weekday >= 5, 0.5, 1.0)
    holiday = holiday_intervals([PAST_HOLIDAY], "Europe/Berlin", first, len(hours), 60)
    counts = rng.poisson(np.where(holiday, 0.3 * mean, mean))
    rows: list[Row] = []
    for h in np.repeat(hours, counts).tolist():
        created = first + timedelta(hours=h, seconds=int(rng.integers(0, 3600)))
        rows.append(_interaction(len(rows), vendor, "q1", created, float(rng.integers(200, 400))))
    return rows


@pytest.fixture(scope="module")
def demand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Two vendors' hourly demand for one queue, six weeks up to START, and a Berlin holiday calendar."""
    clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    ws = Workspace.init(tmp_path_factory.mktemp("demand") / "ws", clock=clock)
    (ws.root / "definitions" / "calendars" / "berlin.yaml").write_text(CALENDAR, encoding="utf-8")
    _load(ws, _arrivals("v1", 1.0, 1) + _arrivals("v2", 0.6, 2))
    yield ws
    ws.close()


def _steward_rows(workspace: Workspace) -> list[dict[str, Any]]:
    t = workspace.warehouse.table("forecasts")
    rows: list[dict[str, Any]] = t.filter(t.made_by == "steward").to_pyarrow().to_pylist()
    return rows


def test_forecasts_are_stored_once_and_rerun_idempotently(demand: Workspace) -> None:
    run = run_forecast(demand, ForecastRequest(HOURLY))
    assert run.start == START  # the day after the newest interaction
    assert [(s.vendor, s.queue, s.calendar) for s in run.series] == [("v1", "q1", "berlin"), ("v2", "q1", "berlin")]
    rows = _steward_rows(demand)
    assert len(rows) == run.rows_stored == 2 * WEEK
    assert {(r["source"], r["interval_minutes"]) for r in rows} == {("steward-forecast", 60)}
    assert min(r["interval_start"] for r in rows).replace(tzinfo=None) == START
    assert all(r["volume"] >= 0 and 200 <= r["aht_seconds"] <= 400 for r in rows)
    v1 = run.series[0].forecast
    assert v1 is not None
    # The past holiday was seen (24 Berlin hours), and next Wednesday's forecast is cut by its factor.
    assert v1.holiday.intervals == 24
    assert v1.holiday.factor < 0.6
    again = run_forecast(demand, ForecastRequest(HOURLY))
    assert again.rows_unchanged == again.rows_stored == 2 * WEEK
    assert len(_steward_rows(demand)) == 2 * WEEK


def test_command_reports_each_series_and_draws_a_chart(demand: Workspace, tmp_path: Path) -> None:
    chart = tmp_path / "forecast.svg"
    args = ["wfm", "forecast", "--interval", "60", "--history-weeks", "4", "--origins", "2", "--queue-totals"]
    result = CliRunner().invoke(app, [*args, "--chart", str(chart), "-w", str(demand.root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in (
        "v1 / q1",
        "v2 / q1",
        "all vendors / q1",
        "seasonal-naive",
        "4-week-average",
        "mstl",
        "Poisson floor %",
        "✓",
    ):
        assert text in result.output
    assert chart.read_text(encoding="utf-8").startswith("<svg")
    bad = CliRunner().invoke(app, ["wfm", "forecast", "--interval", "20", "-w", str(demand.root)])
    assert bad.exit_code == 2
    assert "15, 30 or 60" in bad.output
