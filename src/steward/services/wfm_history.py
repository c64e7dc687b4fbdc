"""Demand history per series and interval: what forecasts train on and staffing compares with.

A series is a vendor's queue, or a queue across all its vendors. Its history counts interactions
by `created_at` floored to the interval in UTC (intervals are whole multiples of 15, 30 or 60
minutes since the epoch, so daylight-saving changes never move them) on a dense grid with 0 where
nothing arrived, from the series' first interaction in the window up to its end. Every interaction
counts, whatever its channel, direction or outcome, as the metric engine's forecast accuracy
counts actuals. Handle time is kept as a sum and the number of interactions that had one, so any
group of intervals re-aggregates to a volume-weighted AHT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ibis
import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from steward.definitions.calendars import CalendarSet
from steward.domain.demand_adjustments import holiday_intervals
from steward.engine.business_time import epoch_seconds
from steward.workspace import Workspace

SeriesKey = tuple[str | None, str]
"""(vendor, queue); vendor None = the queue across all vendors."""


@dataclass(frozen=True)
class IntervalHistory:
    """One series' arrivals and handle time per interval, from `first_start` on, consecutive intervals."""

    first_start: datetime
    """Start of the first interval, naive UTC."""
    interval_minutes: int
    volume: NDArray[np.float64]
    handle_seconds: NDArray[np.float64]
    """Sum of handle_seconds of the interval's arrivals that have one."""
    handled: NDArray[np.float64]
    """Arrivals with a handle_seconds."""

    def aht_seconds(self) -> NDArray[np.float64]:
        """Volume-weighted AHT per interval (NaN where no arrival had a handle time)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.handled > 0, self.handle_seconds / np.maximum(self.handled, 1), np.nan)


def read_history(
    workspace: Workspace,
    start: datetime,
    end: datetime,
    *,
    interval_minutes: int,
    vendors: Sequence[str] = (),
    queues: Sequence[str] = (),
    queue_totals: bool = False,
) -> dict[SeriesKey, IntervalHistory]:
    """Per series with an arrival in [start, end) (naive UTC, on the interval grid): its history up to `end`."""
    seconds = interval_minutes * 60
    table = _arrivals(selected_interactions(workspace, vendors, queues), start, end, seconds)
    slots = (int(start.replace(tzinfo=UTC).timestamp()) // seconds, int(end.replace(tzinfo=UTC).timestamp()) // seconds)
    return _dense_series(table, slots, interval_minutes, queue_totals)


def calendar_for(calendars: CalendarSet, vendor: str | None, queue: str) -> str | None:
    """The calendar applying to a series: its queue's, else its vendor's, else the default (None: no holidays)."""
    if queue in calendars.by_queue:
        return calendars.by_queue[queue]
    if vendor is not None and vendor in calendars.by_vendor:
        return calendars.by_vendor[vendor]
    return calendars.default


def holiday_mask(
    calendars: CalendarSet, name: str | None, first_start: datetime, count: int, minutes: int
) -> NDArray[np.bool_]:
    """Which of `count` intervals from `first_start` start on a holiday (a closed date) of the named calendar."""
    if name is None:
        return np.zeros(count, dtype=np.bool_)
    last = first_start + timedelta(minutes=minutes * count)
    # A local date can fall in the year before its UTC instant (zones west of UTC on 1 January).
    built = calendars.named(name).build(range(first_start.year - 1, last.year + 1))
    return holiday_intervals(built.closed, built.timezone, first_start, count, minutes)


def selected_interactions(workspace: Workspace, vendors: Sequence[str] = (), queues: Sequence[str] = ()) -> ibis.Table:
    """The interactions of these vendors and queues (all when none are named)."""
    t = workspace.warehouse.table("interactions")
    if vendors:
        t = t.filter(t.vendor.isin(list(vendors)))
    if queues:
        t = t.filter(t.queue.isin(list(queues)))
    return t


def _arrivals(t: ibis.Table, start: datetime, end: datetime, seconds: int) -> pa.Table:
    """Arrivals, handle seconds and arrivals with a handle time per vendor, queue and interval number."""
    t = t.filter(t.created_at >= start, t.created_at < end)
    grouped = t.group_by(vendor=t.vendor, queue=t.queue, slot=epoch_seconds(t.created_at) // seconds).aggregate(
        arrivals=t.count(), handle=t.handle_seconds.sum().fill_null(0), handled=t.handle_seconds.count()
    )
    table: pa.Table = grouped.to_pyarrow()
    return table


def _dense_series(
    table: pa.Table, slots: tuple[int, int], minutes: int, totals: bool
) -> dict[SeriesKey, IntervalHistory]:
    """Per series, dense arrays from the UTC day of its first arrival (or the window's first interval,
    if later) up to the window's end; `slots` = the window's first and end interval numbers."""
    window_first, end = slots
    per_day = 24 * 60 // minutes
    vendor = np.asarray(table["vendor"].to_pylist(), dtype=object)
    queue = np.asarray(table["queue"].to_pylist(), dtype=object)
    slot = table["slot"].to_numpy().astype(np.int64)
    values = [table[c].to_numpy().astype(np.float64) for c in ("arrivals", "handle", "handled")]
    keys: list[SeriesKey] = sorted({(str(v), str(q)) for v, q in zip(vendor, queue, strict=True)})
    if totals:
        keys += sorted({(None, str(q)) for q in queue})
    series: dict[SeriesKey, IntervalHistory] = {}
    for key in keys:
        rows = (queue == key[1]) & ((vendor == key[0]) if key[0] is not None else True)
        # From the whole day: a series starting at 01:00 would otherwise miss a week for one hour.
        arrived = int(slot[rows].min())
        first = max(window_first, arrived - arrived % per_day)
        dense = [np.zeros(end - first) for _ in values]
        for column, array in zip(values, dense, strict=True):
            np.add.at(array, slot[rows] - first, column[rows])  # add: a queue total sums its vendors' rows
        first_start = datetime.fromtimestamp(first * minutes * 60, UTC).replace(tzinfo=None)
        series[key] = IntervalHistory(first_start, minutes, dense[0], dense[1], dense[2])
    return series
