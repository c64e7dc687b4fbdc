"""Warehouse rows summed into UTC-aligned intervals of 15, 30 or 60 minutes (docs/wfm.md).

Staffing, partner accuracy and spikes all compare things per interval: contacts that arrived,
contacts forecast, agents scheduled on work, agents in productive states. Intervals are aligned to
UTC (epoch seconds divisible by the length), the way forecasts are submitted, so they never split
or double at a daylight-saving change; a range of local dates takes the intervals that start
within it. Anything with a start and an end (a schedule row, a state, a 60-minute forecast read at
30 minutes) is cut at interval boundaries and counts in proportion to its overlap: an agent on
work for 15 minutes of a 30-minute interval is half an agent there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from steward.engine.business_time import epoch_seconds
from steward.engine.periods import Periods
from steward.workspace import Workspace

INTERVALS = (15, 30, 60)
STEWARD = "steward"
VENDOR = "vendor"
FORECASTERS = (STEWARD, VENDOR)
"""Whose forecast: Steward's (made_by steward), or each vendor's own (made_by = the vendor's name)."""
EPOCH = datetime(1970, 1, 1)
QUARTER = 15 * 60
"""The finest forecast length, in seconds: every allowed length is a whole number of quarter hours."""
HOUR = 3600
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
Grid = dict[tuple[str, ...], dict[str, Floats]]
"""Per key tuple (e.g. vendor and queue), each column as an array over a range's intervals."""


class IntervalRequestError(ValueError):
    """An interval request the user has to correct (length, dates)."""


@dataclass(frozen=True)
class IntervalWindow:
    """The part every interval request shares: local dates, which vendors (and queue), interval
    length, and the volume basis (None: the command's default rule)."""

    start: date
    end: date
    vendors: tuple[str, ...] = ()
    queue: str | None = None
    interval_minutes: int = 30
    basis: str | None = None


@dataclass(frozen=True)
class IntervalRange:
    """The intervals [first, until) of one length, as epoch seconds of their starts."""

    first: int
    until: int
    minutes: int
    timezone: str

    @property
    def size(self) -> int:
        return self.minutes * 60

    @property
    def epochs(self) -> npt.NDArray[np.int64]:
        return np.arange(self.first, self.until, self.size, dtype=np.int64)

    def local_starts(self) -> list[datetime]:
        """Interval starts in the reporting time zone, for display."""
        zone = ZoneInfo(self.timezone)
        return [datetime.fromtimestamp(int(s), UTC).astimezone(zone) for s in self.epochs]

    @property
    def from_utc(self) -> datetime:
        return EPOCH + timedelta(seconds=self.first)

    @property
    def until_utc(self) -> datetime:
        return EPOCH + timedelta(seconds=self.until)


def epoch_of(moment: datetime) -> int:
    """Seconds since 1970 of a naive-UTC instant."""
    return int((moment - EPOCH).total_seconds())


def interval_range(workspace: Workspace, start: date, end: date, minutes: int) -> IntervalRange:
    """The intervals starting between local midnight of `start` and the end of `end` (inclusive)."""
    if minutes not in INTERVALS:
        raise IntervalRequestError(f"--interval {minutes}: use 15, 30 or 60 minutes")
    if end < start:
        raise IntervalRequestError(f"the range ends ({end}) before it starts ({start})")
    zone = workspace.settings.reporting_timezone
    low, high = Periods(zone).bounds(start, end)
    if low is None or high is None:  # cannot happen with both dates given; keeps the types honest
        raise IntervalRequestError("a range needs both dates")
    return instants_range(low, high, minutes, zone)


def instants_range(low: datetime, high: datetime, minutes: int, timezone: str) -> IntervalRange:
    """The intervals starting in [low, high) (naive UTC)."""
    size = minutes * 60
    first = -(-epoch_of(low) // size) * size  # the first boundary at or after `low`
    until = -(-epoch_of(high) // size) * size
    return IntervalRange(first, max(first, until), minutes, timezone)


# --- cutting spans into intervals --------------------------------------------------------------


def cut(table: ir.Table, low: ir.IntegerValue, high: ir.IntegerValue, size: int) -> ir.Table:
    """One row per (row, interval) the span [low, high) touches, with `bucket` (the interval's start in
    epoch seconds) and `overlap` (seconds of the span inside it).

    Most spans lie within one interval; only the others meet a small table of offsets, as long as the
    longest span needs (the same shape as agent_time's cut at UTC midnights).
    """
    keyed = table.mutate(_lo=low, _hi=high)
    keyed = keyed.filter(keyed._hi > keyed._lo)
    keyed = keyed.mutate(_first=keyed._lo // size, _span=(keyed._hi - 1) // size - keyed._lo // size)
    spread = keyed.filter(keyed._span == 0).mutate(_at=keyed._first)
    longest = keyed.aggregate(longest=keyed._span.max()).to_pyarrow().to_pylist()[0]["longest"]
    if longest:
        offsets = ibis.memtable({"_offset": list(range(int(longest) + 1))})
        multi = keyed.filter(keyed._span > 0).cross_join(offsets)
        multi = multi.filter(multi._offset <= multi._span)
        spread = spread.union(multi.mutate(_at=multi._first + multi._offset).drop("_offset"), distinct=False)
    bucket = spread._at * size
    overlap = ibis.least(spread._hi, bucket + size) - ibis.greatest(spread._lo, bucket)
    return spread.mutate(bucket=bucket, overlap=overlap.cast("float64")).drop("_lo", "_hi", "_first", "_span", "_at")


def _in_range(rows: ir.Table, span: IntervalRange) -> ir.Table:
    return rows.filter(rows.bucket >= span.first, rows.bucket < span.until)


def _scope(table: ir.Table, vendors: Sequence[str], queues: Sequence[str] = ()) -> ir.Table:
    if vendors:
        table = table.filter(table.vendor.isin(list(vendors)))
    if queues:
        table = table.filter(table.queue.isin(list(queues)))
    return table


# --- what arrived, what was forecast, who was there --------------------------------------------


def arrivals(
    workspace: Workspace, span: IntervalRange, vendors: Sequence[str], queues: Sequence[str], keys: Sequence[str]
) -> pa.Table:
    """Per `keys` and interval: contacts created (`contacts`), and handle seconds summed over the
    contacts that have one (`handle_sum`, `handled`), for a realised mean handle time."""
    table = _scope(workspace.warehouse.table("interactions"), vendors, queues)
    table = table.filter(
        table.created_at >= ibis.timestamp(span.from_utc), table.created_at < ibis.timestamp(span.until_utc)
    )
    rows = table.mutate(bucket=epoch_seconds(table.created_at) // span.size * span.size)
    return (
        rows.group_by([*keys, "bucket"])
        .aggregate(
            contacts=rows.count(),
            handle_sum=rows.handle_seconds.cast("float64").sum().fill_null(0),
            handled=rows.handle_seconds.count(),
        )
        .to_pyarrow()
    )


def forecast(
    workspace: Workspace,
    span: IntervalRange,
    made_by: str,
    *,
    vendors: Sequence[str],
    queues: Sequence[str],
    keys: Sequence[str],
) -> pa.Table:
    """Per `keys` and interval: forecast contacts (`volume`), and the forecast workload
    (`workload`, volume × aht_seconds) over the part of the volume that has an AHT (`timed`), and
    the forecast pieces that reach the interval (`rows`: 0 means no forecast, not a forecast of 0).

    `made_by` is "steward" or "vendor" (each vendor's own forecast). A forecast of another length is
    spread in proportion to overlap. Where a forecaster sent several lengths for the same quarter hour
    of a queue, only the finest counts for that quarter hour, so volumes are never added twice, while a
    coarser forecast still counts wherever no finer one reaches (a one-day 30-minute run over a week of
    hourly rows)."""
    table = _scope(workspace.warehouse.table("forecasts"), vendors, queues)
    table = table.filter(table.made_by == (STEWARD if made_by == STEWARD else table.vendor))
    table = table.mutate(_start=epoch_seconds(table.interval_start), _length=table.interval_minutes * 60)
    table = table.filter(table._start < span.until, table._start + table._length > span.first)
    pieces = cut(table, table._start, table._start + table._length, QUARTER)
    pieces = pieces.mutate(_finest=pieces.interval_minutes.min().over(group_by=[pieces.vendor, pieces.queue,
                                                                                pieces.bucket]))  # fmt: skip
    pieces = pieces.filter(pieces.interval_minutes == pieces._finest)
    volume = pieces.volume.cast("float64") * pieces.overlap / pieces._length.cast("float64")
    pieces = pieces.mutate(bucket=pieces.bucket // span.size * span.size, _volume=volume,
                           _aht=pieces.aht_seconds.cast("float64"))  # fmt: skip
    pieces = _in_range(pieces, span)
    timed = pieces._aht.notnull() & (pieces._aht > 0)
    return (
        pieces.group_by([*keys, "bucket"])
        .aggregate(
            volume=pieces._volume.sum(),
            workload=(pieces._volume * pieces._aht).sum(where=timed).fill_null(0),
            timed=pieces._volume.sum(where=timed).fill_null(0),
            rows=pieces.count(),
        )
        .to_pyarrow()
    )


def own_forecast_rows(workspace: Workspace, low: datetime, high: datetime, vendors: Sequence[str]) -> pa.Table:
    """The partners' own forecast rows (made_by = the vendor) starting in [low, high) (naive UTC), each with
    its start (`start`, epoch seconds) and `actual`: the contacts of its vendor and queue created within
    the row's own interval, as the forecast-accuracy metrics count them (engine/forecasts.py)."""
    rows = _scope(workspace.warehouse.table("forecasts"), vendors)
    rows = rows.filter(rows.made_by == rows.vendor, rows.interval_start >= ibis.timestamp(low),
                       rows.interval_start < ibis.timestamp(high))  # fmt: skip
    start = epoch_seconds(rows.interval_start)
    rows = rows.select("source", "vendor", "queue", "interval_minutes", start=start,
                       end=start + rows.interval_minutes * 60, hour=start // HOUR)  # fmt: skip
    # Intervals are at most an hour long, so each lies within two consecutive UTC hours: an equi-join
    # on the hour, then the exact bounds, as the metric engine joins them.
    rows = rows.union(rows.mutate(hour=rows.hour + 1), distinct=False)
    seen = _scope(workspace.warehouse.table("interactions"), vendors)
    until = high + timedelta(seconds=HOUR)  # a row starting just before `high` ends up to an hour later
    seen = seen.filter(seen.created_at >= ibis.timestamp(low), seen.created_at < ibis.timestamp(until))
    at = epoch_seconds(seen.created_at)
    seen = seen.group_by(a_vendor=seen.vendor, a_queue=seen.queue, a_at=at).aggregate(a_count=seen.count())
    seen = seen.mutate(a_hour=seen.a_at // HOUR)
    joined = rows.left_join(seen, [rows.vendor == seen.a_vendor, rows.queue == seen.a_queue, rows.hour == seen.a_hour,
                                   seen.a_at >= rows.start, seen.a_at < rows.end])  # fmt: skip
    keys = ["source", "vendor", "queue", "interval_minutes", "start"]
    found = joined.group_by(keys).aggregate(actual=joined.a_count.sum().fill_null(0))
    return found.order_by(keys).to_pyarrow()  # in order, so sums over the rows are the same on every run


def agents_present(
    workspace: Workspace, span: IntervalRange, table_name: str, labels: Sequence[str], vendors: Sequence[str]
) -> pa.Table:
    """Per vendor and interval: agents whose schedule activity (table `schedules`) or state (table
    `agent_states`) is one of `labels`, as overlapping minutes / interval minutes (`agents`)."""
    table = _scope(workspace.warehouse.table(table_name), vendors)
    label = table.activity if table_name == "schedules" else table.state
    table = table.filter(
        label.isin(list(labels)),
        table.end_at > ibis.timestamp(span.from_utc),
        table.start_at < ibis.timestamp(span.until_utc),
    )
    # Clipping to the range first keeps an overnight "offline" row from spreading over days of offsets.
    clipped = table.select(
        "vendor",
        _low=ibis.greatest(epoch_seconds(table.start_at), span.first),
        _high=ibis.least(epoch_seconds(table.end_at), span.until),
    )
    pieces = _in_range(cut(clipped, clipped._low, clipped._high, span.size), span)
    return pieces.group_by(["vendor", "bucket"]).aggregate(agents=pieces.overlap.sum() / span.size).to_pyarrow()


# --- onto the grid -----------------------------------------------------------------------------


def grid(found: pa.Table, keys: Sequence[str], columns: Sequence[str], span: IntervalRange) -> Grid:
    """Per key tuple, each column as an array over the range's intervals (0 where no row)."""
    position = {int(s): i for i, s in enumerate(span.epochs)}
    out: Grid = {}
    for row in found.to_pylist():
        key = tuple(str(row[k]) for k in keys)
        arrays = out.setdefault(key, {c: np.zeros(len(position)) for c in columns})
        index = position.get(int(row["bucket"]))
        if index is not None:
            for column in columns:
                arrays[column][index] += float(row[column] or 0.0)
    return out


def forecast_reaches(forecasts: Grid, vendor: str, size: int) -> Flags:
    """The intervals a vendor's forecast (a grid with `rows`, keyed by vendor first) reaches in any queue."""
    reached = np.zeros(size, dtype=np.bool_)
    for key, arrays in forecasts.items():
        if key[0] == vendor:
            reached |= arrays["rows"] > 0
    return reached


def observed(forecast_arrays: dict[str, Floats], actual: Grid, key: tuple[str, ...], size: int) -> Floats:
    """Contacts that arrived in a forecast's cells (`contacts` of `actual` under the same key), 0 where no
    forecast row reaches: no forecast is no claim to compare with."""
    arrived = actual.get(key, {}).get("contacts", np.zeros(size))
    return np.where(forecast_arrays["rows"] > 0, arrived, 0.0)


def pooled_curve(forecasts: Grid, actual: Grid, vendor: str, span: IntervalRange) -> list[dict[str, object]]:
    """One vendor's forecast and actual per interval, summed over its queues (keys vendor, queue), for the
    intraday charts of `wfm accuracy` and `wfm spikes`; `interval` is the start as a naive wall-clock time
    of the reporting time zone (docs/wfm.md#charts)."""
    size = len(span.epochs)
    fc, ac = np.zeros(size), np.zeros(size)
    for key, arrays in forecasts.items():
        if key[0] == vendor:
            fc += arrays["volume"]
            ac += observed(arrays, actual, key, size)
    starts = span.local_starts()
    return [
        {"interval": starts[i].replace(tzinfo=None), "forecast": round(float(fc[i]), 2), "actual": float(ac[i])}
        for i in range(size)
    ]
