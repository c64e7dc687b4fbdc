"""Candidate demand models, their rolling-origin backtest, and the forecast of the model chosen per series.

Works on one series' arrays (no workspace), so the service and benchmarks/wfm_forecast.py run the
same code. The arrays are slots of a local wall clock (services/wfm_history.py): every day has
`per_day` slots, so a lag of `per_day` or `per_week` is the same local time of day across a
daylight-saving change. Candidates (docs/wfm.md, "Forecasts"):

- `seasonal-naive`: each interval as it was one week earlier (statsforecast SeasonalNaive), the
  baseline every forecast must beat;
- `4-week-average`: the mean of the same interval of the week over the last 4 weeks
  (statsforecast SeasonalWindowAverage); averaging four weeks halves the Poisson noise that
  seasonal naive copies;
- `mstl`: statsforecast MSTL with daily and weekly seasonality and an AutoETS("ZZN") trend, whose STL
  LOESS smoothers are evaluated every tenth of their window and interpolated in between, as R's
  stl() does by default (statsmodels evaluates every point: 7x slower for the same WAPE, within
  0.05 points on the benchmark).

Backtest: `origins` origins one week apart, the last one week before the forecast start; at each,
every candidate is fitted on the `history_weeks` weeks before it and forecasts one week, which is
compared with what arrived. The candidate with the lowest mean WAPE is chosen (ties go to the
simpler, earlier one). The Poisson floor reported beside it is taken at the backtest weeks' actual
volumes (domain/forecast_accuracy.floor_of_actuals, as `wfm accuracy` does). Forecasts are clipped
at 0 and holiday effects applied the same way at every origin as in the final forecast, with the
holiday factor estimated from holidays before that origin.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from steward.domain.demand_adjustments import (
    HolidayFactor,
    aht_profile,
    apply_holidays,
    holiday_factor,
    without_holidays,
)
from steward.domain.forecast_accuracy import bias, floor_of_actuals, wape

Floats = NDArray[np.float64]
INTERVALS = (15, 30, 60)
DAYS_PER_WEEK = 7


class ForecastError(ValueError):
    """The request cannot be forecast as asked (too little history, a bad interval)."""


@dataclass(frozen=True)
class ForecastOptions:
    """What to forecast and how much history to use."""

    interval_minutes: int = 30
    horizon_days: int = 7
    history_weeks: int = 8
    """Training window before each origin (MSTL on a full year costs ~35 s per series)."""
    origins: int = 3

    def __post_init__(self) -> None:
        if self.interval_minutes not in INTERVALS:
            raise ForecastError(f"interval must be 15, 30 or 60 minutes, not {self.interval_minutes}")
        if self.horizon_days < 1 or self.history_weeks < 1 or self.origins < 1:
            raise ForecastError("horizon, history weeks and origins must each be at least 1")

    @property
    def per_day(self) -> int:
        return 24 * 60 // self.interval_minutes

    @property
    def per_week(self) -> int:
        return DAYS_PER_WEEK * self.per_day

    @property
    def horizon(self) -> int:
        return self.horizon_days * self.per_day


@dataclass(frozen=True)
class SeriesHistory:
    """One series on a dense grid of consecutive local slots ending right before the forecast start."""

    volume: Floats
    """Arrivals per slot (0 where none arrived)."""
    handle_seconds: Floats
    """Sum of handle_seconds of the interval's arrivals that have one."""
    handled: Floats
    """Arrivals with a handle_seconds."""
    holiday: NDArray[np.bool_]
    """Per interval of the history and then of the horizon: on a holiday of the series' calendar."""


@dataclass(frozen=True)
class Candidate:
    """A model: (training values, steps, options) -> forecast; needs `min_weeks` weeks of training."""

    name: str
    min_weeks: int
    predict: Callable[[Floats, int, ForecastOptions], Floats]


@dataclass(frozen=True)
class ModelScore:
    """A candidate's backtest: WAPE and bias as fractions, the mean over the origins."""

    model: str
    wape: float
    bias: float
    origin_wapes: tuple[float, ...]


@dataclass(frozen=True)
class SeriesForecast:
    """The backtest of every candidate, the one chosen, and its forecast for the horizon."""

    scores: tuple[ModelScore, ...]
    chosen: str
    floor: float
    """Poisson floor of the backtest weeks (fraction, mean over the origins), at their actual volumes."""
    holiday: HolidayFactor
    volume: Floats
    aht_seconds: Floats | None
    failed: tuple[tuple[str, str], ...] = ()
    """Candidates left out because their fit raised: (model, error)."""


# statsforecast is imported where a model runs: it takes about a second to import, which every
# `steward` command would otherwise pay at start-up.


def _seasonal_naive(y: Floats, steps: int, options: ForecastOptions) -> Floats:
    from statsforecast.models import SeasonalNaive

    return np.asarray(SeasonalNaive(options.per_week).forecast(y=y, h=steps)["mean"], dtype=np.float64)


def _window_average(y: Floats, steps: int, options: ForecastOptions) -> Floats:
    from statsforecast.models import SeasonalWindowAverage

    model = SeasonalWindowAverage(options.per_week, AVERAGE_WEEKS)
    return np.asarray(model.forecast(y=y, h=steps)["mean"], dtype=np.float64)


def _mstl(y: Floats, steps: int, options: ForecastOptions) -> Floats:
    from statsforecast.models import MSTL, AutoETS

    model = MSTL([options.per_day, options.per_week], trend_forecaster=AutoETS(model="ZZN"), stl_kwargs=_jumps(options))
    return np.asarray(model.forecast(y=y, h=steps)["mean"], dtype=np.float64)


def _jumps(options: ForecastOptions) -> dict[str, int]:
    """R stl()'s default jumps (a tenth of each LOESS window) for the daily period, the shortest one."""
    period, seasonal = options.per_day, 11  # MSTL's seasonal window for its first period
    trend_window = math.ceil(1.5 * period / (1 - 1.5 / seasonal))
    return {
        "seasonal_jump": math.ceil(seasonal / 10),
        "trend_jump": math.ceil(trend_window / 10),
        "low_pass_jump": math.ceil((period + 1) / 10),
    }


AVERAGE_WEEKS = 4
CANDIDATES = (
    Candidate("seasonal-naive", 1, _seasonal_naive),
    Candidate("4-week-average", AVERAGE_WEEKS, _window_average),
    Candidate("mstl", 2, _mstl),  # STL needs two full cycles of its longest period
)


def forecast_series(
    history: SeriesHistory, options: ForecastOptions, candidates: tuple[Candidate, ...] = CANDIDATES
) -> SeriesForecast:
    """Backtest the candidates, choose the best by mean WAPE, and forecast the horizon with it."""
    volume = history.volume
    if len(history.holiday) != len(volume) + options.horizon:
        raise ForecastError("the holiday mask must cover the history and the horizon")
    usable = _usable(candidates, len(volume), options)
    backtests, failed = _run_backtests(history, options, usable)
    scores = tuple(_score(name, runs) for name, runs in backtests.items())
    chosen = min(scores, key=lambda s: s.wape if math.isfinite(s.wape) else math.inf).model
    floor = _mean([floor_of_actuals(actual) for _, actual in backtests[chosen]])
    model = next(c for c in usable if c.name == chosen)
    training = without_holidays(volume, history.holiday, options.per_week)[-options.history_weeks * options.per_week :]
    factor = holiday_factor(volume, history.holiday, options.per_week, before=len(volume))
    raw = np.clip(model.predict(training, options.horizon, options), 0.0, None)
    ahead = history.holiday[len(volume) : len(volume) + options.horizon]
    profile = aht_profile(history.handle_seconds, history.handled, options.per_week, options.history_weeks)
    aht = None if profile is None else profile[np.arange(options.horizon) % options.per_week]
    return SeriesForecast(scores, chosen, floor, factor, apply_holidays(raw, ahead, factor.factor), aht, failed)


def _run_backtests(
    history: SeriesHistory, options: ForecastOptions, candidates: tuple[Candidate, ...]
) -> tuple[dict[str, list[tuple[Floats, Floats]]], tuple[tuple[str, str], ...]]:
    """Backtests of the candidates that fit; one that raises is left out with its error, unless all do."""
    done: dict[str, list[tuple[Floats, Floats]]] = {}
    failed: list[tuple[str, str]] = []
    for candidate in candidates:
        try:
            done[candidate.name] = backtest(history, options, candidate)
        except Exception as error:  # statsforecast's fits can fail on odd data (its issue #929)
            failed.append((candidate.name, f"{type(error).__name__}: {error}"))
    if not done:
        raise ForecastError("every model failed: " + "; ".join(f"{name}: {why}" for name, why in failed))
    return done, tuple(failed)


def backtest(history: SeriesHistory, options: ForecastOptions, candidate: Candidate) -> list[tuple[Floats, Floats]]:
    """(forecast, actual) of one week at each origin, earliest first."""
    week, volume = options.per_week, history.volume
    cleaned = without_holidays(volume, history.holiday, week)
    runs = []
    for back in range(options.origins, 0, -1):
        origin = len(volume) - back * week
        training = cleaned[max(0, origin - options.history_weeks * week) : origin]
        factor = holiday_factor(volume, history.holiday, week, before=origin).factor
        raw = np.clip(candidate.predict(training, week, options), 0.0, None)
        runs.append(
            (apply_holidays(raw, history.holiday[origin : origin + week], factor), volume[origin : origin + week])
        )
    return runs


def _usable(candidates: tuple[Candidate, ...], length: int, options: ForecastOptions) -> tuple[Candidate, ...]:
    """The candidates with enough training weeks at the earliest origin."""
    weeks = min(length // options.per_week - options.origins, options.history_weeks)
    if weeks < 1:
        needed = options.origins + 1
        raise ForecastError(f"needs at least {needed} weeks of history ({options.origins} to backtest, 1 to train)")
    usable = tuple(c for c in candidates if c.min_weeks <= weeks)
    if not usable:
        raise ForecastError(f"no model can train on {weeks} weeks of history")
    return usable


def _score(name: str, runs: list[tuple[Floats, Floats]]) -> ModelScore:
    wapes = [wape(f, a) for f, a in runs]
    biases = [bias(f, a) for f, a in runs]
    return ModelScore(name, _mean(wapes), _mean(biases), tuple(wapes))


def _mean(values: list[float]) -> float:
    """Mean over the origins where it is defined (a week with no arrivals has no WAPE)."""
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan
