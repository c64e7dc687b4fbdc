"""Reporting periods: local dates in the reporting time zone, computed in the engine.

Timestamps are naive UTC. Ibis has no portable time-zone conversion, so the zone's offsets over
the data's range are written out as a CASE expression (two branches per year for a zone with
daylight saving, one for UTC-like zones): exact at every instant and portable to every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

GRAINS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


class PeriodError(ValueError):
    """A period request that cannot be answered (unknown grain, end before start, unknown zone)."""


def utc_offsets(zone_name: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(naive UTC instant from which it applies, offset in seconds) for every offset in [start, end]."""
    return list(_utc_offsets(zone_name, start, end))


@lru_cache(maxsize=256)
def _utc_offsets(zone_name: str, start: datetime, end: datetime) -> tuple[tuple[datetime, int], ...]:
    # An hour-by-hour walk over two years or more; queries over the same range ask again and again.
    zone = ZoneInfo(zone_name)
    changes: list[tuple[datetime, int]] = []
    moment = start.replace(minute=0, second=0, microsecond=0)
    step = timedelta(hours=1)
    previous: int | None = None
    while moment <= end + step:
        offset = _offset(zone, moment)
        if offset != previous:
            changes.append((_exact_change(zone, moment - step, moment) if previous is not None else start, offset))
            previous = offset
        moment += step
    return tuple(changes)


def _offset(zone: ZoneInfo, naive_utc: datetime) -> int:
    delta = naive_utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def _exact_change(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first minute (UTC) in (before, after] with the new offset; zone changes fall on whole minutes."""
    target = _offset(zone, after)
    low, high = before, after
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if _offset(zone, middle) == target:
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True)
class Periods:
    """How instants map to reporting periods in one time zone."""

    timezone: str = "UTC"

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except Exception as error:
            raise PeriodError(f"unknown reporting time zone {self.timezone!r}") from error

    @property
    def fixed_offset(self) -> int | None:
        """The zone's offset in seconds if it never changed between 1970 and 2100 (UTC, Asia/Manila today...)."""
        return _fixed_offset(self.timezone)

    def instant(self, day: date) -> datetime:
        """Local midnight starting `day`, as naive UTC."""
        local = datetime.combine(day, time(0), ZoneInfo(self.timezone))
        return local.astimezone(UTC).replace(tzinfo=None)

    def bounds(self, start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
        """[start, end] as inclusive local dates -> [from, until) as naive UTC instants."""
        if start and end and end < start:
            raise PeriodError(f"the period ends ({end}) before it starts ({start})")
        return (self.instant(start) if start else None, self.instant(end + timedelta(days=1)) if end else None)

    def local(self, column: ir.TimestampValue, first: datetime, last: datetime) -> ir.TimestampValue:
        """`column` (naive UTC) as naive local time, for instants between `first` and `last`."""
        fixed = self.fixed_offset
        if fixed is not None:
            return column if fixed == 0 else column + ibis.interval(seconds=fixed)
        # A period may start up to a year before the earliest instant (backlog labels its period by its start).
        offsets = utc_offsets(self.timezone, first - timedelta(days=370), last + timedelta(days=370))
        if len(offsets) == 1:
            return column if offsets[0][1] == 0 else column + ibis.interval(seconds=offsets[0][1])
        seconds = ibis.cases(
            *((column >= ibis.timestamp(since), offset) for since, offset in reversed(offsets[1:])),
            else_=offsets[0][1],
        )
        return column + seconds.as_interval("s")

    def bucket(self, column: ir.TimestampValue, grain: str, first: datetime, last: datetime) -> ir.DateValue:
        """The local start date of the period holding each instant."""
        if grain not in GRAINS:
            raise PeriodError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")
        return self.local(column, first, last).truncate(GRAINS[grain]).cast("date")

    def period_starts(self, grain: str, first: date, last: date) -> list[date]:
        """Start dates of every period of `grain` touching [first, last] (local dates)."""
        starts = []
        day = truncate_date(first, grain)
        while day <= last:
            starts.append(day)
            day = next_period(day, grain)
        return starts


@cache
def _fixed_offset(zone_name: str) -> int | None:
    # 262 zone lookups; asked several times per query, so once per zone and process.
    zone = ZoneInfo(zone_name)
    offsets = {_offset(zone, datetime(year, month, 1)) for year in range(1970, 2101) for month in (1, 7)}
    return offsets.pop() if len(offsets) == 1 else None


def truncate_date(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    raise PeriodError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")


def next_period(day: date, grain: str) -> date:
    if grain == "day":
        return day + timedelta(days=1)
    if grain == "week":
        return day + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)
