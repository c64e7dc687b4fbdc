"""Who works when: each vendor's agents, their weekly pattern and shift start, planned the way a
workforce team would.

A vendor plans its roster once, in its own time zone and inside its business hours (`OPEN_HOURS`,
the hours the demo's calendars give it). For a Monday, a mid-week day and a Saturday it takes the
contacts it expects per half hour (the customers' intraday curve seen from its zone, summer and
winter time averaged, with its own forecast's bias: a partner plans on its own forecast), the agents
Erlang C needs for them at 80/20, grossed up for its absence and scaled by its `roster_factor`, and
adds 8-hour shifts (the `SHIFT` blocks) one at a time where they cover the most still missing, until
no shift covers a whole agent-half-hour more. Saturdays go to agents working Tue-Sat (their weekday
shift starts when their Saturday one does); the others work Mon-Fri and are planned for Monday, the
busiest day, and mid-week at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from steward.definitions.calendars import parse_window, weekdays
from steward.domain.erlang import ServiceGoal, required_agents_erlang_c
from steward.services.generation.arrivals import CUSTOMER_ZONE, MONTH_FACTOR, WEEKDAY_FACTOR, intraday_curve
from steward.services.generation.profiles import CHANNEL_SHARES, CHANNELS, OPEN_HOURS, VendorProfile

# A shift as (activity, minutes from shift start, length in minutes).
SHIFT = (
    ("work", 0, 120),
    ("break", 120, 15),
    ("work", 135, 105),
    ("lunch", 240, 30),
    ("work", 270, 90),
    ("training", 360, 30),
    ("work", 390, 75),
    ("break", 465, 15),
)
SHIFT_MINUTES = 480
SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES
MIN_GAIN = 1.0
"""A shift is added while it covers at least one agent-half-hour still missing."""
MONDAY, SATURDAY = 0, 5
MIDWEEK = (1, 2, 3, 4)
_YEAR_WEIGHT = 365 / 7 * float(WEEKDAY_FACTOR.sum()) * float(MONTH_FACTOR.mean())
"""Sum of the calendar's day weights over a year, roughly: turns a year's contacts into a day's."""


@dataclass(frozen=True)
class Roster:
    """Per agent: the local half-hour their weekday shift starts at, and their Saturday one (-1: Mon-Fri)."""

    weekday_start: np.ndarray
    saturday_start: np.ndarray

    @property
    def size(self) -> int:
        return len(self.weekday_start)


def roster_size(vendor: VendorProfile, interactions: int) -> int:
    """Agents on the vendor's roster (interactions are handled by them)."""
    return plan_roster(vendor, interactions).size


@lru_cache(maxsize=64)
def plan_roster(vendor: VendorProfile, interactions: int) -> Roster:
    """The vendor's agents and shift starts for a year of `interactions` contacts (all vendors)."""
    cover = shift_cover()
    saturday_need = required(vendor, interactions, SATURDAY)
    saturday = _greedy([saturday_need], [cover], _starts(vendor, SATURDAY))
    midweek_need = required(vendor, interactions, MIDWEEK[0], weight=float(WEEKDAY_FACTOR[1:5].mean()))
    midweek_need = midweek_need - cover[saturday].sum(axis=0)
    monday_need = required(vendor, interactions, MONDAY)
    weekday = _greedy([monday_need, midweek_need], [cover, cover], _starts(vendor, MONDAY))
    return Roster(
        np.array(saturday + weekday, dtype=np.int64),
        np.array(saturday + [-1] * len(weekday), dtype=np.int64),
    )


def required(vendor: VendorProfile, interactions: int, day: int, weight: float | None = None) -> np.ndarray:
    """Agents the vendor plans for per local half-hour of a weekday: Erlang C at 80/20, grossed up for
    absence, times its roster factor; 0 where it is closed."""
    factor = float(WEEKDAY_FACTOR[day]) if weight is None else weight
    daily = interactions * vendor.share * factor / _YEAR_WEIGHT * (1 + vendor.forecast_bias)
    volume = daily * local_curve(vendor.timezone)
    aht = sum(vendor.service(channel).handle_s * share for channel, share in zip(CHANNELS, CHANNEL_SHARES, strict=True))
    need = required_agents_erlang_c(volume, np.full(SLOTS, aht), SLOT_MINUTES * 60, ServiceGoal())
    return np.where(open_slots(vendor, day), need * vendor.roster_factor / (1 - vendor.absence_rate), 0.0)


@lru_cache(maxsize=16)
def local_curve(timezone: str) -> np.ndarray:
    """Share of a day's contacts per half-hour of the vendor's local day (summer and winter averaged)."""
    curve = intraday_curve().reshape(SLOTS, SLOT_MINUTES).sum(axis=1)
    shifted = []
    for month in (1, 7):
        moment = datetime(2026, month, 15, 12)
        there = moment.replace(tzinfo=ZoneInfo(timezone)).utcoffset()
        here = moment.replace(tzinfo=CUSTOMER_ZONE).utcoffset()
        seconds = (there.total_seconds() if there else 0) - (here.total_seconds() if here else 0)
        shifted.append(np.roll(curve, round(seconds / 60 / SLOT_MINUTES)))
    return np.asarray(np.mean(shifted, axis=0))


def open_slots(vendor: VendorProfile, day: int) -> np.ndarray:
    """Local half-hours at least half inside the vendor's opening hours on weekday `day`."""
    minutes = np.zeros(24 * 60, dtype=np.bool_)
    for days, ranges in OPEN_HOURS[vendor.kind].items():
        if day in weekdays(days):
            for text in ranges:
                window = parse_window(text)
                opens = window.opens.hour * 60 + window.opens.minute
                closes = window.closes.hour * 60 + window.closes.minute or 24 * 60
                minutes[opens:closes] = True
    return np.asarray(minutes.reshape(SLOTS, SLOT_MINUTES).mean(axis=1) >= 0.5)


@lru_cache(maxsize=1)
def shift_cover() -> np.ndarray:
    """[start slot, slot]: the share of each local half-hour a shift starting at that slot is on work."""
    worked = np.zeros(24 * 60 * 2, dtype=np.float64)
    cover = np.zeros((SLOTS, SLOTS))
    for activity, offset, length in SHIFT:
        if activity == "work":
            worked[offset : offset + length] = 1.0
    for start in range(SLOTS):
        minutes = np.roll(worked, start * SLOT_MINUTES)[: 24 * 60]
        cover[start] = minutes.reshape(SLOTS, SLOT_MINUTES).mean(axis=1)
    return cover


def _starts(vendor: VendorProfile, day: int) -> np.ndarray:
    """Half-hours a shift may start at: open then, and the whole 8 hours before the day's last close."""
    open_now = np.flatnonzero(open_slots(vendor, day))
    if not len(open_now):
        return np.array([], dtype=np.int64)
    last = int(open_now[-1]) + 1 - SHIFT_MINUTES // SLOT_MINUTES
    return np.array([s for s in open_now if s <= last], dtype=np.int64)


def _greedy(needs: list[np.ndarray], covers: list[np.ndarray], starts: np.ndarray) -> list[int]:
    """Shift starts, added one by one where they cover the most still missing over all `needs` at once."""
    missing = [need.astype(np.float64).copy() for need in needs]
    chosen: list[int] = []
    while len(starts):
        gain = sum(np.minimum(cover[starts], np.maximum(left, 0)[None, :]).sum(axis=1)
                   for cover, left in zip(covers, missing, strict=True))  # fmt: skip
        best = int(np.argmax(gain))
        if gain[best] < MIN_GAIN:
            break
        chosen.append(int(starts[best]))
        for cover, left in zip(covers, missing, strict=True):
            left -= cover[starts[best]]  # noqa: PLW2901 - updates the array in place
    return sorted(chosen)
