"""Steward's own demand forecast: per vendor and queue, backtested, stored in `forecasts` (docs/wfm.md).

Each series' history (services/wfm_history.py) lies on the local wall-clock grid of the reporting
time zone, which customers' demand follows, and reaches back up to a year, for holiday effects; the
models train on its last `history_weeks` weeks. Holidays come from the business calendar that
applies to the series (its queue's, else its vendor's, else the default). The horizon is whole
local days; each of its slots is stored at the UTC interval it stands for, so a fall-back day has
25 hours of rows (the repeated hour's slot forecast goes to both of its UTC intervals: a slot is one
interval's demand, as in the history) and a spring-forward day 23 (the skipped slot is not stored).

The chosen model's forecast for the horizon is stored in `forecasts` (source steward-forecast,
made_by steward) through the native importer: a re-run with the same history stores nothing new,
a re-run after new data updates the rows of the same intervals. Queue totals across vendors are
forecast and reported but not stored: a `forecasts` row belongs to one vendor, and the metric
engine compares it with that vendor's arrivals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from steward.definitions.calendars import CalendarSet
from steward.domain.canonical import FORECASTS
from steward.services.derived_rows import DerivedRows
from steward.services.wfm_forecast_models import (
    ForecastError,
    ForecastOptions,
    SeriesForecast,
    SeriesHistory,
    forecast_series,
)
from steward.services.wfm_history import (
    IntervalHistory,
    LocalGrid,
    SeriesKey,
    calendar_for,
    holiday_mask,
    read_history,
    selected_interactions,
)
from steward.workspace import Workspace

SOURCE = "steward-forecast"
MADE_BY = "steward"
HOLIDAY_LOOKBACK_WEEKS = 52
"""History read for holiday effects; the models train on `history_weeks` of it only."""

Progress = Callable[[str, int, int], None]
"""(series label, series done, series in all)."""


@dataclass(frozen=True)
class ForecastRequest:
    """Which series to forecast from when; `start` is a local date of the reporting zone (None: the day after
    the newest interaction, also the latest start allowed)."""

    options: ForecastOptions = field(default_factory=ForecastOptions)
    start: date | None = None
    vendors: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    queue_totals: bool = False
    """Forecast each queue across its vendors as well (reported, not stored)."""


@dataclass(frozen=True)
class SeriesResult:
    """One series: its backtest and forecast, or why it was skipped."""

    vendor: str | None
    """None for a queue total across vendors."""
    queue: str
    calendar: str | None
    forecast: SeriesForecast | None
    skipped: str | None
    last_week: NDArray[np.float64]
    """Arrivals per local slot in the week before the start (what a chart compares the forecast with)."""

    @property
    def label(self) -> str:
        return f"{self.vendor or 'all vendors'} / {self.queue}"


@dataclass(frozen=True)
class ForecastRun:
    """What `run_forecast` did: per-series results and the import that stored the forecasts."""

    start: datetime
    """First forecast interval (local midnight of `first_day`), naive UTC."""
    first_day: date
    timezone: str
    """The zone whose wall clock the series and the horizon's days follow (the reporting time zone)."""
    options: ForecastOptions
    series: tuple[SeriesResult, ...]
    rows_stored: int
    run_id: int | None
    rows_unchanged: int = 0

    def slot_instants(self) -> list[tuple[int, datetime]]:
        """(horizon slot, naive-UTC start) of every UTC interval of the horizon, in time order."""
        return horizon_instants(LocalGrid(self.timezone, self.options.interval_minutes), self.first_day, self.options)

    def interval_starts(self) -> list[datetime]:
        """Naive-UTC start of every forecast interval, as stored."""
        return [moment for _, moment in self.slot_instants()]


def horizon_instants(grid: LocalGrid, first_day: date, options: ForecastOptions) -> list[tuple[int, datetime]]:
    """(horizon slot, naive-UTC start) of every UTC interval of the horizon's local days, in time order: a slot
    the clock repeats appears twice, one it skips not at all."""
    first = grid.slot(datetime.combine(first_day, time(0)))
    found = [(i, moment) for i in range(options.horizon) for moment in grid.instants(first + i)]
    return sorted(found, key=lambda pair: pair[1])


def run_forecast(workspace: Workspace, request: ForecastRequest, on_progress: Progress | None = None) -> ForecastRun:
    """Backtest, choose and forecast every series of the request, and store the vendors' forecasts."""
    options = request.options
    if workspace.calendars.issues:  # holidays would silently go missing
        raise ForecastError("fix the calendars first:\n" + "\n".join(str(i) for i in workspace.calendars.issues))
    grid = LocalGrid(workspace.settings.reporting_timezone, options.interval_minutes)
    first_day = forecast_day(workspace, request)
    end = datetime.combine(first_day, time(0))
    lookback = timedelta(weeks=max(options.history_weeks + options.origins, HOLIDAY_LOOKBACK_WEEKS))
    histories = read_history(
        workspace,
        end - lookback,
        end,
        grid=grid,
        vendors=request.vendors,
        queues=request.queues,
        queue_totals=request.queue_totals,
    )
    if not histories:
        raise ForecastError("no interactions before the start for the vendors and queues asked for")
    results = []
    for done, key in enumerate(sorted(histories, key=_order)):
        if on_progress:
            on_progress(f"{key[0] or 'all vendors'} / {key[1]}", done, len(histories))
        results.append(_forecast_one(key, histories[key], grid, options, workspace.calendars))
    if on_progress:
        on_progress("storing", len(histories), len(histories))
    slots = horizon_instants(grid, first_day, options)
    stored, unchanged, run_id = _store(workspace, slots, options, results)
    start = grid.utc_start(end)
    return ForecastRun(start, first_day, grid.timezone, options, tuple(results), stored, run_id, unchanged)


def forecast_day(workspace: Workspace, request: ForecastRequest) -> date:
    """The first local day to forecast: `start`, by default the day after the newest interaction's local day.

    A later start is refused: the days between the data and the start would train the models as days
    without demand (a week of zeros backtests at ~200% WAPE and forecasts nothing)."""
    zone = ZoneInfo(workspace.settings.reporting_timezone)
    newest = _newest_interaction(workspace, request)
    if newest is None:
        raise ForecastError("no interactions for the vendors and queues asked for")
    local = newest.replace(tzinfo=UTC).astimezone(zone)
    latest = local.date() + timedelta(days=1)
    day = request.start or latest
    if day > latest:
        utc = "" if zone.key == "UTC" else f" ({newest:%Y-%m-%d %H:%M} UTC)"
        raise ForecastError(
            f"the newest interaction was created {local:%Y-%m-%d %H:%M} {zone.key}{utc}, so a forecast can start "
            f"on {latest} at the latest, not {day}: the days in between would count as days without demand"
        )
    return day


def _forecast_one(
    key: SeriesKey, history: IntervalHistory, grid: LocalGrid, options: ForecastOptions, calendars: CalendarSet
) -> SeriesResult:
    vendor, queue = key
    name = calendar_for(calendars, vendor, queue)
    holiday = holiday_mask(calendars, name, grid, history.first_start, len(history.volume) + options.horizon)
    series = SeriesHistory(history.volume, history.handle_seconds, history.handled, holiday)
    last_week = history.volume[-options.per_week :]
    try:
        result = forecast_series(series, options)
    except ForecastError as error:
        return SeriesResult(vendor, queue, name, None, str(error), last_week)
    return SeriesResult(vendor, queue, name, result, None, last_week)


def _newest_interaction(workspace: Workspace, request: ForecastRequest) -> datetime | None:
    t = selected_interactions(workspace, request.vendors, request.queues)
    newest: datetime | None = t.created_at.max().to_pyarrow().as_py()
    return newest.replace(tzinfo=None) if newest else None


def _order(key: SeriesKey) -> tuple[str, bool, str]:
    """Vendors' series by queue then vendor, each queue's total after its vendors."""
    return (key[1], key[0] is None, key[0] or "")


def _store(
    workspace: Workspace,
    slots: Sequence[tuple[int, datetime]],
    options: ForecastOptions,
    results: Sequence[SeriesResult],
) -> tuple[int, int, int | None]:
    """Import the vendors' chosen forecasts into `forecasts`, one row per (horizon slot, UTC interval) of
    `slots`; (rows stored, rows unchanged, import run)."""
    rows: list[dict[str, object]] = []
    for result in results:
        if result.vendor is None or result.forecast is None:
            continue
        aht = result.forecast.aht_seconds
        for i, start in slots:
            rows.append(
                {
                    "source": SOURCE,
                    "vendor": result.vendor,
                    "queue": result.queue,
                    "interval_start": start.replace(tzinfo=UTC),
                    "interval_minutes": options.interval_minutes,
                    "volume": round(float(result.forecast.volume[i]), 3),
                    "aht_seconds": None if aht is None else round(float(aht[i]), 1),
                    "made_by": MADE_BY,
                }
            )
    if not rows:
        return 0, 0, None
    with DerivedRows(workspace, FORECASTS, "steward_forecasts") as derived:
        derived.write(rows)
        summary = derived.store()
    if summary.total("rejected"):
        raise ForecastError(f"{summary.total('rejected')} forecast rows were rejected (import run {summary.run_id})")
    return summary.total("stored"), summary.total("unchanged"), summary.run_id
