"""Steward's own demand forecast: per vendor and queue, backtested, stored in `forecasts` (docs/wfm.md).

Each series' history (services/wfm_history.py) reaches back up to a year, for holiday effects; the
models train on its last `history_weeks` weeks. Holidays come from the business calendar that
applies to the series (its queue's, else its vendor's, else the default).

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
STALE_DAYS = 7
"""A start this long after the newest interaction would forecast from a history ending in silence."""

Progress = Callable[[str, int, int], None]
"""(series label, series done, series in all)."""


@dataclass(frozen=True)
class ForecastRequest:
    """Which series to forecast from when; `start` is a local date of the reporting zone (None: after the data)."""

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
    """Arrivals per interval in the week before the start (what a chart compares the forecast with)."""

    @property
    def label(self) -> str:
        return f"{self.vendor or 'all vendors'} / {self.queue}"


@dataclass(frozen=True)
class ForecastRun:
    """What `run_forecast` did: per-series results and the import that stored the forecasts."""

    start: datetime
    """First forecast interval, naive UTC."""
    options: ForecastOptions
    series: tuple[SeriesResult, ...]
    rows_stored: int
    run_id: int | None
    rows_unchanged: int = 0

    def interval_starts(self) -> list[datetime]:
        """Naive-UTC start of every forecast interval."""
        return interval_starts(self.start, self.options)


def interval_starts(start: datetime, options: ForecastOptions) -> list[datetime]:
    """Naive-UTC start of every interval of the horizon from `start`."""
    step = timedelta(minutes=options.interval_minutes)
    return [start + step * i for i in range(options.horizon)]


def run_forecast(workspace: Workspace, request: ForecastRequest, on_progress: Progress | None = None) -> ForecastRun:
    """Backtest, choose and forecast every series of the request, and store the vendors' forecasts."""
    options = request.options
    if workspace.calendars.issues:  # holidays would silently go missing
        raise ForecastError("fix the calendars first:\n" + "\n".join(str(i) for i in workspace.calendars.issues))
    start = forecast_start(workspace, request)
    lookback = timedelta(weeks=max(options.history_weeks + options.origins, HOLIDAY_LOOKBACK_WEEKS))
    histories = read_history(
        workspace,
        start - lookback,
        start,
        interval_minutes=options.interval_minutes,
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
        results.append(_forecast_one(key, histories[key], options, workspace.calendars))
    if on_progress:
        on_progress("storing", len(histories), len(histories))
    stored, unchanged, run_id = _store(workspace, start, options, results)
    return ForecastRun(start, options, tuple(results), stored, run_id, unchanged)


def forecast_start(workspace: Workspace, request: ForecastRequest) -> datetime:
    """Local midnight of the start date (default: the day after the newest interaction) as naive UTC, on the grid."""
    zone = ZoneInfo(workspace.settings.reporting_timezone)
    newest = _newest_interaction(workspace, request)
    if newest is None:
        raise ForecastError("no interactions for the vendors and queues asked for")
    day = request.start or newest.replace(tzinfo=UTC).astimezone(zone).date() + timedelta(days=1)
    local = datetime.combine(day, time(0), zone).astimezone(UTC).replace(tzinfo=None)
    # The grid is whole intervals since the epoch: a zone at +05:30 starts its day half an hour into one.
    minutes = request.options.interval_minutes
    start = local - timedelta(minutes=(local.hour * 60 + local.minute) % minutes, seconds=local.second)
    if newest < start - timedelta(days=STALE_DAYS):
        raise ForecastError(
            f"the newest interaction ({newest:%Y-%m-%d %H:%M} UTC) is over {STALE_DAYS} days before {day}"
        )
    return start


def _forecast_one(
    key: SeriesKey, history: IntervalHistory, options: ForecastOptions, calendars: CalendarSet
) -> SeriesResult:
    vendor, queue = key
    name = calendar_for(calendars, vendor, queue)
    count = len(history.volume) + options.horizon
    holiday = holiday_mask(calendars, name, history.first_start, count, options.interval_minutes)
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
    workspace: Workspace, start: datetime, options: ForecastOptions, results: Sequence[SeriesResult]
) -> tuple[int, int, int | None]:
    """Import the vendors' chosen forecasts into `forecasts`; (rows stored, rows unchanged, import run)."""
    starts = [moment.replace(tzinfo=UTC) for moment in interval_starts(start, options)]
    rows: list[dict[str, object]] = []
    for result in results:
        if result.vendor is None or result.forecast is None:
            continue
        aht = result.forecast.aht_seconds
        for i, moment in enumerate(starts):
            rows.append(
                {
                    "source": SOURCE,
                    "vendor": result.vendor,
                    "queue": result.queue,
                    "interval_start": moment,
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
