"""Business calendars: when a business-hours clock runs, as UTC instants.

Opening hours are local wall-clock times in an IANA zone; the zone rules are applied once per
window when the calendar is expanded, so daylight-saving changes, overnight windows and several
windows per day are all exact. Everything downstream (the engine's minute table, the oracle)
works on the resulting UTC intervals only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from steward.domain.clock import naive_utc

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Window:
    """One local opening window; `closes` at or before `opens` means it ends the next day."""

    opens: time
    closes: time

    @property
    def overnight(self) -> bool:
        return self.closes <= self.opens


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly opening windows in a time zone, minus closed dates (holidays and company closures)."""

    name: str
    timezone: str
    windows: dict[int, tuple[Window, ...]]
    """Weekday (0 = Monday) -> windows starting on that day."""
    closed: frozenset[date] = field(default_factory=frozenset)
    """Local dates on which windows starting that day do not open."""

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Open intervals as naive UTC datetimes, merged and clipped to [start, end) (naive UTC)."""
        zone = ZoneInfo(self.timezone)
        first = (start - timedelta(days=2)).date()
        last = (end + timedelta(days=1)).date()
        raw = sorted(_windows_utc(self, zone, first, last))
        return list(_clip(_merge(raw), start, end))

    def open_seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds between two naive UTC instants (0 when end is not after start)."""
        if end <= start:
            return 0.0
        return sum((b - a).total_seconds() for a, b in self.open_intervals(start, end))


def _windows_utc(
    calendar: BusinessCalendar, zone: ZoneInfo, first: date, last: date
) -> Iterator[tuple[datetime, datetime]]:
    day = first
    while day <= last:
        if day not in calendar.closed:
            for window in calendar.windows.get(day.weekday(), ()):
                end_day = day + timedelta(days=1) if window.overnight else day
                opens = datetime.combine(day, window.opens, zone)
                closes = datetime.combine(end_day, window.closes, zone)
                yield naive_utc(opens), naive_utc(closes)
        day += timedelta(days=1)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> Iterator[tuple[datetime, datetime]]:
    current: tuple[datetime, datetime] | None = None
    for start, end in intervals:
        if end <= start:
            continue  # a window swallowed by a DST jump
        if current and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current:
            yield current
        current = (start, end)
    if current:
        yield current


def _clip(
    intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    for opens, closes in intervals:
        clipped = (max(opens, start), min(closes, end))
        if clipped[0] < clipped[1]:
            yield clipped


def always_open(name: str = "24x7") -> BusinessCalendar:
    """A calendar that never closes: business time equals calendar time."""
    day = (Window(MIDNIGHT, MIDNIGHT),)
    return BusinessCalendar(name, "UTC", dict.fromkeys(range(7), day))


def holiday_dates(country: str, subdivision: str | None, years: Iterable[int]) -> frozenset[date]:
    """Public holidays from the `holidays` package."""
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=list(years)).keys())
