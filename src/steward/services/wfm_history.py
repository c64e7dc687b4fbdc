"""Demand history per series on the local wall clock: what forecasts train on.

A series is a vendor's queue, or a queue across all its vendors. Customers call by their clock, so
a history lives on the **local wall-clock grid** of one time zone (the forecast uses the reporting
time zone): slot k is local time [k·m, (k + 1)·m) minutes after 1970-01-01 00:00, every local day has
exactly 24 × 60 / m slots, and the slot one week earlier is the same weekday and time of day even
across a daylight-saving change. A UTC grid would shift every daily and weekly lag by an hour for the
week after each change.

Interactions are counted per UTC interval first (wfm_intervals.arrivals, the bucketing staffing and
partner accuracy use, at a length that divides the slot and the zone's UTC offsets), and each UTC
interval then goes to the slot its start falls in. On the fall-back night a slot of the repeated
hour receives two UTC intervals and holds their **mean** (volume, handle seconds and handled alike),
so it stays one interval's worth of demand like every other slot. On the spring-forward night a slot
of the skipped hour receives none; its volume is interpolated from the slots either side (with no
handle time), so a model does not copy a hole into the next week. The grid is dense, with 0 where
nothing arrived, from the local day of the series' first interaction in the window up to its end.
Every interaction counts, whatever its channel, direction or outcome, as the metric engine's
forecast accuracy counts actuals. Handle time is kept as a sum and the number of interactions that
had one, so any group of slots re-aggregates to a volume-weighted AHT.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from steward.definitions.calendars import CalendarSet
from steward.domain.demand_adjustments import holiday_intervals
from steward.services.wfm_intervals import EPOCH, IntervalRange, arrivals, epoch_of, instants_range
from steward.workspace import Workspace

DAY = 86_400
Epochs = NDArray[np.int64]

SeriesKey = tuple[str | None, str]
"""(vendor, queue); vendor None = the queue across all vendors."""


@dataclass(frozen=True)
class LocalGrid:
    """Slots of `minutes` on the wall clock of `timezone`: slot k starts k × minutes after 1970-01-01 00:00 local."""

    timezone: str
    minutes: int

    @property
    def size(self) -> int:
        """Slot length in seconds."""
        return self.minutes * 60

    @property
    def per_day(self) -> int:
        return 24 * 60 // self.minutes

    def slot(self, wall: datetime) -> int:
        """The slot of a naive local wall-clock time."""
        return epoch_of(wall) // self.size

    def wall(self, slot: int) -> datetime:
        """The naive local wall-clock start of a slot."""
        return EPOCH + timedelta(seconds=slot * self.size)

    def slots_of(self, epochs: Epochs) -> Epochs:
        """The slot of each UTC instant (epoch seconds)."""
        return (epochs + utc_offsets(epochs, ZoneInfo(self.timezone))) // self.size

    def utc_start(self, wall: datetime) -> datetime:
        """The naive-UTC instant of a local wall-clock time (the first one when the clock repeats it)."""
        return wall.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(UTC).replace(tzinfo=None)

    def instants(self, slot: int) -> list[datetime]:
        """Naive-UTC starts of the UTC intervals a slot stands for: none when the clock skips its start,
        two when the clock repeats it, one otherwise."""
        zone, wall = ZoneInfo(self.timezone), self.wall(slot)
        found: list[datetime] = []
        for fold in (0, 1):
            moment = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
            naive = moment.replace(tzinfo=None)
            # zoneinfo maps a skipped wall time to an instant whose wall time is another one.
            if moment.astimezone(zone).replace(tzinfo=None) == wall and naive not in found:
                found.append(naive)
        return found

    def bucket_minutes(self, low: datetime, high: datetime) -> int:
        """A UTC interval length (minutes) whose intervals each fall inside one slot over [low, high) (naive
        UTC): the slot length, or less for a zone whose offset is not a multiple of it (+05:30 at 60)."""
        days = np.arange(epoch_of(low) // DAY * DAY, epoch_of(high) + DAY, DAY, dtype=np.int64)
        offsets = {int(o) for o in utc_offsets(days, ZoneInfo(self.timezone))}
        return math.gcd(self.size, *offsets) // 60


@dataclass(frozen=True)
class IntervalHistory:
    """One series' arrivals and handle time per slot of its local grid, from `first_start` on, consecutive slots."""

    first_start: datetime
    """Start of the first slot, naive local wall clock of `timezone`."""
    interval_minutes: int
    timezone: str
    volume: NDArray[np.float64]
    handle_seconds: NDArray[np.float64]
    """Sum of handle_seconds of the slot's arrivals that have one."""
    handled: NDArray[np.float64]
    """Arrivals with a handle_seconds."""

    def aht_seconds(self) -> NDArray[np.float64]:
        """Volume-weighted AHT per slot (NaN where no arrival had a handle time)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.handled > 0, self.handle_seconds / np.maximum(self.handled, 1), np.nan)


def read_history(
    workspace: Workspace,
    start: datetime,
    end: datetime,
    *,
    grid: LocalGrid,
    vendors: Sequence[str] = (),
    queues: Sequence[str] = (),
    queue_totals: bool = False,
) -> dict[SeriesKey, IntervalHistory]:
    """Per series with an arrival in [start, end) (naive local wall-clock times on slot boundaries): its history."""
    low, high = grid.utc_start(start), grid.utc_start(end)
    span = instants_range(low, high, grid.bucket_minutes(low, high), grid.timezone)
    table = arrivals(workspace, span, vendors, queues, ["vendor", "queue"])
    return _dense_series(table, grid, span, (grid.slot(start), grid.slot(end)), queue_totals)


def utc_offsets(epochs: Epochs, zone: ZoneInfo) -> Epochs:
    """Seconds the zone's wall clock is ahead of UTC at each instant (epoch seconds)."""

    def offset(second: int) -> int:
        delta = datetime.fromtimestamp(second, zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    days, inverse = np.unique(epochs // DAY, return_inverse=True)
    opening = np.array([offset(int(d) * DAY) for d in days], dtype=np.int64)
    closing = np.array([offset(int(d) * DAY + DAY - 1) for d in days], dtype=np.int64)
    result = opening[inverse]
    # Only on a day whose offset changes is each instant looked up.
    changing = (opening != closing)[inverse]
    result[changing] = [offset(int(s)) for s in epochs[changing]]
    return result


def calendar_for(calendars: CalendarSet, vendor: str | None, queue: str) -> str | None:
    """The calendar applying to a series: its queue's, else its vendor's, else the default (None: no holidays)."""
    if queue in calendars.by_queue:
        return calendars.by_queue[queue]
    if vendor is not None and vendor in calendars.by_vendor:
        return calendars.by_vendor[vendor]
    return calendars.default


def holiday_mask(
    calendars: CalendarSet, name: str | None, grid: LocalGrid, first_start: datetime, count: int
) -> NDArray[np.bool_]:
    """Which of `count` slots from `first_start` (local wall clock) start on a closed date of the named calendar."""
    if name is None:
        return np.zeros(count, dtype=np.bool_)
    last = first_start + timedelta(minutes=grid.minutes * count)
    # A date of the calendar's zone can fall in the year before the grid's (1 January, zones apart).
    built = calendars.named(name).build(range(first_start.year - 1, last.year + 2))
    return holiday_intervals(
        built.closed, built.timezone, first_start, count, grid.minutes, grid_timezone=grid.timezone
    )


def selected_interactions(workspace: Workspace, vendors: Sequence[str] = (), queues: Sequence[str] = ()) -> ibis.Table:
    """The interactions of these vendors and queues (all when none are named)."""
    t = workspace.warehouse.table("interactions")
    if vendors:
        t = t.filter(t.vendor.isin(list(vendors)))
    if queues:
        t = t.filter(t.queue.isin(list(queues)))
    return t


def _dense_series(
    table: pa.Table, grid: LocalGrid, span: IntervalRange, slots: tuple[int, int], totals: bool
) -> dict[SeriesKey, IntervalHistory]:
    """Per series, dense arrays of slots from the local day of its first arrival (or the window's first slot,
    if later) up to the window's end; `table` = wfm_intervals.arrivals over `span`, `slots` = the window's
    first and end slot numbers."""
    window_first, end = slots
    vendor = np.asarray(table["vendor"].to_pylist(), dtype=object)
    queue = np.asarray(table["queue"].to_pylist(), dtype=object)
    slot = grid.slots_of(table["bucket"].to_numpy().astype(np.int64))
    values = [table[c].to_numpy().astype(np.float64) for c in ("contacts", "handle_sum", "handled")]
    # UTC intervals per slot, in slots' worth: 1, 2 on the repeated hour, 0 on the skipped one.
    covered = grid.slots_of(span.epochs)
    covered = covered[(covered >= window_first) & (covered < end)]  # a clock changing at midnight, at the edges
    share = np.bincount(covered - window_first, minlength=end - window_first) * span.size / grid.size
    inside = (slot >= window_first) & (slot < end)
    vendor, queue, slot = vendor[inside], queue[inside], slot[inside]
    values = [column[inside] for column in values]
    keys: list[SeriesKey] = sorted({(str(v), str(q)) for v, q in zip(vendor, queue, strict=True)})
    if totals:
        keys += sorted({(None, str(q)) for q in queue})
    series: dict[SeriesKey, IntervalHistory] = {}
    for key in keys:
        rows = (queue == key[1]) & ((vendor == key[0]) if key[0] is not None else True)
        # From the whole day: a series starting at 01:00 would otherwise miss a week for one hour.
        arrived = int(slot[rows].min())
        first = max(window_first, arrived - arrived % grid.per_day)
        dense = [np.zeros(end - first) for _ in values]
        for column, array in zip(values, dense, strict=True):
            np.add.at(array, slot[rows] - first, column[rows])  # add: a queue total sums its vendors' rows
        volume, handle, handled = _per_slot(dense, share[first - window_first :])
        series[key] = IntervalHistory(grid.wall(first), grid.minutes, grid.timezone, volume, handle, handled)
    return series


def _per_slot(sums: list[NDArray[np.float64]], share: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """Sums per slot divided by the slot's UTC intervals (the repeated hour's mean); the volume of a slot
    the clock skipped interpolated from its neighbours."""
    per_slot = [np.divide(s, share, out=np.zeros_like(s), where=share > 0) for s in sums]
    skipped = share == 0
    if skipped.any() and not skipped.all():
        index = np.arange(len(share))
        per_slot[0][skipped] = np.interp(index[skipped], index[~skipped], per_slot[0][~skipped])
    return per_slot
