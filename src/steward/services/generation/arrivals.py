"""When contacts arrive: a year of days with weekly, yearly and intraday seasonality,
holiday dips and a few demand spikes, sampled without a Python loop per contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

CUSTOMER_ZONE = ZoneInfo("Europe/Berlin")
"""The customers are European: their day shapes demand whoever answers."""
WEEKDAY_FACTOR = np.array([1.15, 1.06, 1.0, 1.0, 0.95, 0.55, 0.45])
MONTH_FACTOR = np.array([1.10, 0.98, 0.97, 0.95, 0.96, 0.93, 0.86, 0.84, 0.97, 1.0, 1.08, 1.27])
HOLIDAY_FACTOR = 0.35
SPIKE_FACTOR = 2.6
SPIKE_DAYS = 3
SECONDS_PER_DAY = 86_400


def intraday_curve() -> np.ndarray:
    """Relative demand for each minute of a local day: quiet at night, peaking late morning."""
    hours = np.arange(1440) / 60.0
    morning = np.exp(-0.5 * ((hours - 11.0) / 2.2) ** 2)
    afternoon = 0.8 * np.exp(-0.5 * ((hours - 15.0) / 2.5) ** 2)
    evening = 0.35 * np.exp(-0.5 * ((hours - 20.0) / 1.8) ** 2)
    curve = 0.04 + morning + afternoon + evening
    return np.asarray(curve / curve.sum())


@dataclass(frozen=True)
class Calendar:
    """The days of the generated range with their demand weights."""

    days: list[date]
    weights: np.ndarray
    """Share of the year's contacts on each day (sums to 1)."""
    day_start_utc: np.ndarray
    """Epoch seconds of local midnight of each day, in UTC."""
    utc_offset_s: np.ndarray
    """Local offset at noon of each day (seconds east of UTC)."""
    spikes: tuple[date, ...]
    holidays: tuple[date, ...]

    @property
    def end_epoch(self) -> int:
        return int(self.day_start_utc[-1] + SECONDS_PER_DAY)


def build_calendar(start: date, months: int, seed: int) -> Calendar:
    """Day weights for `months` months from `start`, with holidays and seeded spike days."""
    end = _add_months(start, months)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    public = holidays.country_holidays("DE", years=sorted({d.year for d in days}))
    weights = np.array([WEEKDAY_FACTOR[d.weekday()] * MONTH_FACTOR[d.month - 1] for d in days])
    holiday_days = tuple(d for d in days if d in public)
    for index, day in enumerate(days):
        if day in public:
            weights[index] *= HOLIDAY_FACTOR
    rng = np.random.default_rng([seed, 991])
    weekdays = [i for i, d in enumerate(days) if d.weekday() < 5 and d not in public]
    spike_index = sorted(rng.choice(weekdays, size=min(SPIKE_DAYS, len(weekdays)), replace=False).tolist())
    weights[spike_index] *= SPIKE_FACTOR
    starts = np.array([_epoch(datetime(d.year, d.month, d.day, tzinfo=CUSTOMER_ZONE)) for d in days])
    offsets = np.array([_noon_offset(d) for d in days])
    return Calendar(days, weights / weights.sum(), starts, offsets, tuple(days[i] for i in spike_index), holiday_days)


def sample_arrivals(calendar: Calendar, count: int, rng: np.random.Generator) -> np.ndarray:
    """Epoch seconds (UTC) of `count` arrivals following the calendar and the intraday curve."""
    day = rng.choice(len(calendar.days), size=count, p=calendar.weights)
    minute = rng.choice(1440, size=count, p=intraday_curve())
    second = rng.integers(0, 60, size=count)
    return np.asarray(calendar.day_start_utc[day] + minute * 60 + second, dtype=np.int64)


def _epoch(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


def _noon_offset(day: date) -> int:
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=CUSTOMER_ZONE).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))
