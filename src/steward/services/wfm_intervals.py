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
EPOCH = datetime(1970, 1, 1)
Floats = npt.NDArray[np.float64]


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
    the forecast rows that reach the interval (`rows`: 0 means no forecast, not a forecast of 0).

    `made_by` is "steward" or "vendor" (each vendor's own forecast). A forecast of another length is
    spread in proportion to overlap; when a forecaster sent several lengths for one queue, only the
    finest counts, so volumes are never added twice."""
    table = _scope(workspace.warehouse.table("forecasts"), vendors, queues)
    table = table.filter(table.made_by == (STEWARD if made_by == STEWARD else table.vendor))
    finest = table.interval_minutes.min().over(group_by=[table.vendor, table.queue, table.made_by])
    table = table.mutate(_finest=finest)
    table = table.filter(table.interval_minutes == table._finest)
    table = table.mutate(_start=epoch_seconds(table.interval_start))
    table = table.filter(table._start < span.until, table._start + table.interval_minutes * 60 > span.first)
    pieces = cut(table, table._start, table._start + table.interval_minutes * 60, span.size)
    share = pieces.overlap / (pieces.interval_minutes * 60).cast("float64")
    volume = pieces.volume.cast("float64") * share
    pieces = _in_range(pieces.mutate(_volume=volume, _aht=pieces.aht_seconds.cast("float64")), span)
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


def forecast_reach(workspace: Workspace, vendors: Sequence[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """(vendor, "steward" | "vendor") -> the first and last instant (epoch seconds) the forecast covers."""
    table = _scope(workspace.warehouse.table("forecasts"), vendors)
    table = table.filter((table.made_by == STEWARD) | (table.made_by == table.vendor))
    start = epoch_seconds(table.interval_start)
    kind = ibis.cases((table.made_by == STEWARD, STEWARD), else_="vendor")
    rows = table.mutate(kind=kind, _s=start, _e=start + table.interval_minutes * 60)
    found = rows.group_by(["vendor", "kind"]).aggregate(low=rows._s.min(), high=rows._e.max()).to_pyarrow()
    return {(r["vendor"], r["kind"]): (int(r["low"]), int(r["high"])) for r in found.to_pylist()}


# --- onto the grid -----------------------------------------------------------------------------


def grid(
    found: pa.Table, keys: Sequence[str], columns: Sequence[str], span: IntervalRange
) -> dict[tuple[str, ...], dict[str, Floats]]:
    """Per key tuple, each column as an array over the range's intervals (0 where no row)."""
    position = {int(s): i for i, s in enumerate(span.epochs)}
    out: dict[tuple[str, ...], dict[str, Floats]] = {}
    for row in found.to_pylist():
        key = tuple(str(row[k]) for k in keys)
        arrays = out.setdefault(key, {c: np.zeros(len(position)) for c in columns})
        index = position.get(int(row["bucket"]))
        if index is not None:
            for column in columns:
                arrays[column][index] += float(row[column] or 0.0)
    return out
