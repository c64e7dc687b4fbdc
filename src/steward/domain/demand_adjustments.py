"""Holiday effects and handle-time profiles for interval demand forecasts (pure numpy).

Series are dense arrays of consecutive slots of a local wall clock (services/wfm_history.py), so
every day has the same number of slots, `per_week` of them make a week, and the value one week before
slot t is at t − per_week, the same local time of day, daylight saving or not.

Holidays. A model fitted on a history with holidays in it copies them into ordinary weeks (a seasonal
naive forecast would repeat last Monday's closure), so holiday intervals are first replaced by their
**baseline**: the mean of the same interval of the week in the up to 4 preceding weeks that were not
holidays. The effect is then put back as one **holiday factor** per series, Σ actual / Σ baseline over
the past holiday intervals seen, and every future holiday interval's forecast is multiplied by it.
With no past holiday (or a zero baseline) the factor is 1.

Handle time. The AHT forecast for an interval is the volume-weighted mean handle time of the same
interval of the week over the last weeks, pulled towards the weeks' overall mean by `prior_contacts`
contacts' worth, so a quiet interval with two long calls does not set its own AHT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

BASELINE_WEEKS = 4
"""Weeks before a holiday whose same interval forms its baseline."""
PRIOR_CONTACTS = 5.0
"""Contacts' worth of the overall mean AHT mixed into each interval-of-week AHT."""

Floats = NDArray[np.float64]
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class HolidayFactor:
    """Actual over baseline demand on past holidays; `intervals` = holiday intervals it was estimated from."""

    factor: float
    intervals: int


def holiday_intervals(
    closed: Iterable[date],
    timezone: str,
    first_start: datetime,
    count: int,
    minutes: int,
    *,
    grid_timezone: str = "UTC",
) -> Mask:
    """Which of `count` slots from `first_start` start on a closed local date of `timezone`; the slots are
    consecutive on the wall clock of `grid_timezone` (UTC: consecutive UTC intervals), `first_start` naive on it."""
    epoch = datetime(1970, 1, 1)
    starts = (first_start - epoch).total_seconds() + minutes * 60 * np.arange(count)
    zone, grid = ZoneInfo(timezone), ZoneInfo(grid_timezone)
    # Each local date is compared through its bounds on the grid's clock, so a day of 23 or 25 hours is exact.
    lowest, highest = first_start.date() - timedelta(days=1), (first_start + timedelta(minutes=minutes * count)).date()
    mask = np.zeros(count, dtype=np.bool_)
    for day in sorted(d for d in closed if lowest <= d <= highest + timedelta(days=1)):
        opens = datetime.combine(day, time(0), zone).astimezone(grid).replace(tzinfo=None)
        closes = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(grid).replace(tzinfo=None)
        mask |= (starts >= (opens - epoch).total_seconds()) & (starts < (closes - epoch).total_seconds())
    return mask


def holiday_baseline(volume: Floats, holiday: Mask, per_week: int, weeks: int = BASELINE_WEEKS) -> Floats:
    """Per interval: mean of the same interval in the `weeks` preceding weeks that are not holidays (NaN if none)."""
    total = np.zeros(len(volume))
    count = np.zeros(len(volume))
    for k in range(1, weeks + 1):
        lag = k * per_week
        if lag >= len(volume):
            break
        usable = ~holiday[: len(volume) - lag]
        total[lag:] += np.where(usable, volume[: len(volume) - lag], 0.0)
        count[lag:] += usable
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def without_holidays(volume: Floats, holiday: Mask, per_week: int) -> Floats:
    """The history with holiday intervals replaced by their baseline (kept as they are when none precedes)."""
    baseline = holiday_baseline(volume, holiday[: len(volume)], per_week)
    replace = holiday[: len(volume)] & np.isfinite(baseline)
    return np.where(replace, baseline, volume)


def holiday_factor(volume: Floats, holiday: Mask, per_week: int, before: int) -> HolidayFactor:
    """The factor from the holiday intervals before index `before` (1 when there were none)."""
    seen = holiday[:before]
    baseline = holiday_baseline(volume[:before], seen, per_week)
    used = seen & np.isfinite(baseline)
    expected = float(baseline[used].sum())
    if not used.any() or expected <= 0:
        return HolidayFactor(1.0, 0)
    return HolidayFactor(float(volume[:before][used].sum()) / expected, int(used.sum()))


def apply_holidays(forecast: Floats, holiday: Mask, factor: float) -> Floats:
    """The forecast with its holiday intervals multiplied by the factor."""
    return np.where(holiday, forecast * factor, forecast)


def aht_profile(
    handle_seconds: Floats, handled: Floats, per_week: int, weeks: int, prior_contacts: float = PRIOR_CONTACTS
) -> Floats | None:
    """AHT per interval of the week from the last `weeks` whole weeks (None when no contact had a handle time).

    Position i of the result is the interval of the week of position i of the last week, so a forecast
    starting right after the history takes position i % per_week.
    """
    whole = min(weeks, len(handled) // per_week)
    if whole == 0:
        return None
    seconds = handle_seconds[len(handle_seconds) - whole * per_week :].reshape(whole, per_week).sum(axis=0)
    contacts = handled[len(handled) - whole * per_week :].reshape(whole, per_week).sum(axis=0)
    if contacts.sum() == 0:
        return None
    overall = float(seconds.sum() / contacts.sum())
    result: Floats = (seconds + prior_contacts * overall) / (contacts + prior_contacts)
    return result
