"""Holiday effects and handle-time profiles for interval demand forecasts (pure numpy).

Series are dense arrays of consecutive intervals; `per_week` intervals make a week, so the value one
week before interval t is at t − per_week.

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


def holiday_intervals(closed: Iterable[date], timezone: str, first_start: datetime, count: int, minutes: int) -> Mask:
    """Which of `count` intervals from `first_start` (naive UTC) start on a closed local date of the zone."""
    seconds = minutes * 60
    first = first_start.replace(tzinfo=ZoneInfo("UTC")).timestamp()
    starts = first + seconds * np.arange(count)
    zone = ZoneInfo(timezone)
    # Local dates are compared through their UTC bounds, so a day of 23 or 25 hours is marked exactly.
    lowest, highest = first_start.date() - timedelta(days=1), (first_start + timedelta(seconds=seconds * count)).date()
    mask = np.zeros(count, dtype=np.bool_)
    for day in sorted(d for d in closed if lowest <= d <= highest):
        opens = datetime.combine(day, time(0), zone).timestamp()
        closes = datetime.combine(day + timedelta(days=1), time(0), zone).timestamp()
        mask |= (starts >= opens) & (starts < closes)
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
