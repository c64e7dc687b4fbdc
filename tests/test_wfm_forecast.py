"""Demand forecasts: the Poisson floor against published figures, the dense history grid on the local
clock across daylight-saving changes, the backtest against a hand computation, model choice, holiday
effects, stored rows, the latest start and the command."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from tests.native_rows import Row, write_table
from typer.testing import CliRunner

from steward.domain.clock import FixedClock
from steward.domain.demand_adjustments import holiday_intervals
from steward.domain.forecast_accuracy import (
    approximate_floor,
    bias,
    floor_of_actuals,
    interval_floor,
    poisson_floor,
    poisson_mean_absolute_deviation,
    wape,
)
from steward.importers.base import ImportOptions
from steward.interfaces.cli.app import app
from steward.services.ingest import import_file
from steward.services.wfm_forecast import ForecastRequest, horizon_instants, run_forecast
from steward.services.wfm_forecast_models import (
    CANDIDATES,
    Candidate,
    ForecastError,
    ForecastOptions,
    SeriesHistory,
    forecast_series,
)
from steward.services.wfm_history import LocalGrid, read_history
from steward.storage.settings import SETTINGS_FILE
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


def test_the_floor_is_taken_at_the_actual_volumes_not_the_forecast() -> None:
    # A model forecasting a fifth of the demand must not earn the larger floor of its own low volumes.
    y = np.random.default_rng(8).poisson(20.0, 8 * WEEK).astype(np.float64)

    def low(values: np.ndarray, steps: int, options: ForecastOptions) -> np.ndarray:
        return np.full(steps, 4.0)

    result = forecast_series(_history(y), HOURLY, (Candidate("low", 1, low),))
    actual_weeks = [y[len(y) - k * WEEK : len(y) - (k - 1) * WEEK] for k in (2, 1)]
    assert result.floor == pytest.approx(np.mean([floor_of_actuals(a) for a in actual_weeks]))
    assert result.floor == pytest.approx(interval_floor(20.0), abs=0.01)  # not interval_floor(4.0), 2x larger
    assert floor_of_actuals(actual_weeks[0]) == poisson_floor(actual_weeks[0])


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


def test_history_is_a_dense_grid_with_zeros(workspace: Workspace) -> None:
    at = datetime(2026, 10, 24, 9, 0)
    _load(
        workspace,
        [
            _interaction(1, "v1", "q1", at, 100.0),
            _interaction(2, "v1", "q1", at + timedelta(minutes=59, seconds=59), 200.0),
            _interaction(3, "v1", "q1", at + timedelta(hours=1), None),
            _interaction(4, "v1", "q1", at + timedelta(hours=3, minutes=30), 300.0),
            _interaction(5, "v2", "q1", at + timedelta(hours=1, minutes=15)),
            # Europe's clocks go back at 01:00 UTC on 25 October; on a UTC grid that changes nothing.
            *(_interaction(10 + h, "v1", "q2", datetime(2026, 10, 24, 23, 30) + timedelta(hours=h)) for h in range(4)),
        ],
    )
    hourly, quarterly = LocalGrid("UTC", 60), LocalGrid("UTC", 15)
    history = read_history(
        workspace, datetime(2026, 10, 24), datetime(2026, 10, 24, 14), grid=hourly, queue_totals=True
    )
    assert set(history) == {("v1", "q1"), ("v2", "q1"), (None, "q1")}  # q2 arrived after the window
    v1 = history[("v1", "q1")]
    assert v1.first_start == datetime(2026, 10, 24)  # a series starts on the UTC day of its first arrival
    assert v1.volume.tolist() == [0] * 9 + [2, 1, 0, 1, 0]  # 09, 10, 11, 12, 13 h
    assert v1.handled[9:].tolist() == [2, 0, 0, 1, 0]
    assert v1.aht_seconds()[[9, 12]].tolist() == [150.0, 300.0]
    assert history[("v2", "q1")].volume[9:].tolist() == [0, 1, 0, 0, 0]
    assert history[(None, "q1")].volume[9:].tolist() == [2, 2, 0, 1, 0]
    quarters = read_history(workspace, datetime(2026, 10, 24, 9), datetime(2026, 10, 24, 11), grid=quarterly)
    assert quarters[("v1", "q1")].volume.tolist() == [1, 0, 0, 1, 1, 0, 0, 0]
    night = read_history(workspace, datetime(2026, 10, 24, 21), datetime(2026, 10, 25, 4), grid=hourly)
    assert night[("v1", "q2")].first_start == datetime(2026, 10, 24, 21)  # not before the window
    assert night[("v1", "q2")].volume.tolist() == [0, 0, 1, 1, 1, 1, 0]


# --- the local clock across daylight-saving changes --------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")


def _berlin_workspace(root: Path) -> Workspace:
    """An empty workspace reporting in Europe/Berlin."""
    Workspace.init(root).close()
    settings = root / SETTINGS_FILE
    settings.write_text(settings.read_text().replace('timezone = "UTC"', 'timezone = "Europe/Berlin"'))
    workspace = Workspace.open(root, FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)))
    assert workspace.settings.reporting_timezone == "Europe/Berlin"
    return workspace


def _utc(local: datetime) -> datetime:
    """Naive UTC of a naive Berlin wall-clock time (the first one when the clock repeats it)."""
    return local.replace(tzinfo=BERLIN).astimezone(UTC).replace(tzinfo=None)


def test_local_slots_stand_for_the_utc_intervals_of_each_local_day() -> None:
    hourly, quarters = LocalGrid("Europe/Berlin", 60), LocalGrid("Europe/Berlin", 15)
    # 25 October 2026: 02:00-03:00 happens twice (CEST, then CET); 29 March 2026: it never happens.
    assert hourly.instants(hourly.slot(datetime(2026, 10, 25, 2))) == [
        datetime(2026, 10, 25, 0),
        datetime(2026, 10, 25, 1),
    ]
    assert hourly.instants(hourly.slot(datetime(2026, 3, 29, 2))) == []
    one_day = ForecastOptions(interval_minutes=15, horizon_days=1)
    for day, hours in ((date(2026, 10, 25), 25), (date(2026, 3, 29), 23), (date(2026, 6, 1), 24)):
        pairs = horizon_instants(quarters, day, one_day)
        first = _utc(datetime.combine(day, time(0)))
        assert [moment for _, moment in pairs] == [first + timedelta(minutes=15 * k) for k in range(4 * hours)]
        assert sorted({slot for slot, _ in pairs}) == [s for s in range(96) if hours != 23 or not 8 <= s < 12]
    repeated = [slot for slot, _ in horizon_instants(quarters, date(2026, 10, 25), one_day)]
    assert [slot for slot in range(96) if repeated.count(slot) == 2] == [8, 9, 10, 11]
    # A zone without daylight saving: the local grid is the UTC grid shifted by the offset.
    kolkata = LocalGrid("Asia/Kolkata", 60)
    assert kolkata.instants(kolkata.slot(datetime(2026, 10, 25, 2))) == [datetime(2026, 10, 24, 20, 30)]
    assert kolkata.bucket_minutes(datetime(2026, 1, 1), datetime(2026, 2, 1)) == 30


def test_history_on_the_local_clock_averages_the_repeated_hour_and_fills_the_skipped_one(tmp_path: Path) -> None:
    workspace = _berlin_workspace(tmp_path / "ws")
    try:
        rows = [
            # 02:30 CEST and 02:30 CET on 25 October: the same local slot.
            *(
                _interaction(n, "v1", "q1", datetime(2026, 10, 25, 0, 30) + timedelta(seconds=n), 100.0)
                for n in range(4)
            ),
            *(
                _interaction(10 + n, "v1", "q1", datetime(2026, 10, 25, 1, 30) + timedelta(seconds=n), 400.0)
                for n in range(2)
            ),
            # 01:30 CET and 03:30 CEST on 29 March, around the hour that does not happen.
            *(_interaction(20 + n, "v1", "q1", datetime(2026, 3, 29, 0, 30) + timedelta(seconds=n)) for n in range(2)),
            *(_interaction(30 + n, "v1", "q1", datetime(2026, 3, 29, 1, 30) + timedelta(seconds=n)) for n in range(4)),
        ]
        _load(workspace, rows)
        grid = LocalGrid("Europe/Berlin", 60)
        autumn = read_history(workspace, datetime(2026, 10, 25), datetime(2026, 10, 26), grid=grid)[("v1", "q1")]
        assert (autumn.first_start, autumn.timezone, len(autumn.volume)) == (
            datetime(2026, 10, 25),
            "Europe/Berlin",
            24,
        )
        assert autumn.volume.tolist() == [0, 0, 3] + [0] * 21  # the mean of the two UTC hours
        assert autumn.handled[2] == 3 and autumn.aht_seconds()[2] == pytest.approx(200.0)  # (4·100 + 2·400) / 6
        spring = read_history(workspace, datetime(2026, 3, 29), datetime(2026, 3, 30), grid=grid)[("v1", "q1")]
        assert spring.volume.tolist() == [0, 2, 3, 4] + [0] * 20  # 02:00 interpolated from its neighbours
        assert spring.handled[:4].tolist() == [0, 2, 0, 4]
    finally:
        workspace.close()


def _local_rate(local: datetime) -> int:
    """Contacts per hour at a Berlin wall-clock hour: a late-morning hump, about half at weekends."""
    hump = 2 + round(20 * math.exp(-(((local.hour - 11) / 3) ** 2)))
    return hump if local.weekday() < 5 else (hump + 1) // 2


def _rate_at(moment: datetime) -> int:
    """The contacts arriving in the UTC hour starting at `moment` (naive UTC)."""
    return _local_rate(moment.replace(tzinfo=UTC).astimezone(BERLIN))


@pytest.fixture(scope="module")
def local_demand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Seven weeks of noiseless hourly demand that follows Berlin time, 14 September to 1 November 2026."""
    workspace = _berlin_workspace(tmp_path_factory.mktemp("local") / "ws")
    first, end = _utc(datetime(2026, 9, 14)), _utc(datetime(2026, 11, 2))
    rows: list[Row] = []
    for hour in range((end - first) // timedelta(hours=1)):
        moment = first + timedelta(hours=hour)
        rows += [
            _interaction(len(rows) + n, "v1", "q1", moment + timedelta(seconds=n)) for n in range(_rate_at(moment))
        ]
    _load(workspace, rows)
    yield workspace
    workspace.close()


def _stored(workspace: Workspace, low: datetime, high: datetime) -> list[tuple[datetime, float]]:
    """(interval start, volume) of the stored steward rows starting in [low, high), naive UTC."""
    found = [(r["interval_start"].replace(tzinfo=None), r["volume"]) for r in _steward_rows(workspace)]
    return sorted((start, volume) for start, volume in found if low <= start < high)


def test_a_week_with_the_clock_change_is_stored_for_all_its_25_hour_day(local_demand: Workspace) -> None:
    run = run_forecast(local_demand, ForecastRequest(HOURLY, start=date(2026, 10, 19)))
    assert (run.first_day, run.start) == (date(2026, 10, 19), datetime(2026, 10, 18, 22))
    first, end = _utc(datetime(2026, 10, 19)), _utc(datetime(2026, 10, 26))
    rows = _stored(local_demand, first - timedelta(days=1), end + timedelta(days=1))
    # Every UTC hour of the seven local days once: 7 × 24 + the repeated hour.
    assert [start for start, _ in rows] == [first + timedelta(hours=h) for h in range(169)]
    assert run.rows_stored == 169
    assert wape([v for _, v in rows], [_rate_at(start) for start, _ in rows]) < 0.01


def test_the_week_after_the_clock_change_follows_the_local_pattern(local_demand: Workspace) -> None:
    run = run_forecast(local_demand, ForecastRequest(HOURLY, start=date(2026, 10, 26)))
    forecast = run.series[0].forecast
    assert forecast is not None
    # The backtest weeks (the last one holds the change) are on the local clock too.
    assert min(score.wape for score in forecast.scores) < 0.01
    first = _utc(datetime(2026, 10, 26))
    rows = _stored(local_demand, first, first + timedelta(weeks=1))
    assert [start for start, _ in rows] == [first + timedelta(hours=h) for h in range(168)]
    truth = [_rate_at(start) for start, _ in rows]
    assert wape([v for _, v in rows], truth) < 0.01
    # The same hours one UTC week earlier: what a UTC grid's weekly lag would have forecast.
    utc_lag = [_rate_at(start - timedelta(weeks=1)) for start, _ in rows]
    assert wape(utc_lag, truth) > 0.1


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


def test_a_start_after_the_day_after_the_data_is_refused(demand: Workspace) -> None:
    # The newest interaction is on 1 November: a start on the 4th would train on two silent days.
    with pytest.raises(
        ForecastError, match=r"created 2026-11-01 \d\d:\d\d UTC, .* 2026-11-02 at the latest, not 2026-11-04"
    ):
        run_forecast(demand, ForecastRequest(HOURLY, start=date(2026, 11, 4)))


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
