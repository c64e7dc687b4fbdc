"""Who works when: each vendor's agents, their weekly pattern and shift start, planned the way a
workforce team would.

A vendor plans its roster once, in its own time zone and inside its business hours (`OPEN_HOURS`,
the hours the demo's calendars give it). For a Monday, a mid-week day and a Saturday it takes the
contacts it expects per half hour (the customers' intraday curve seen from its zone, summer and
winter time averaged, with its own forecast's bias: a partner plans on its own forecast), the agents
Erlang C needs for them at 80/20, grossed up for its absence and scaled by its `roster_factor`, and
adds 8-hour shifts (`PLANNED_SHIFT`) one at a time where they cover the most still missing, until no
shift covers a whole agent-half-hour more; the agents then take their breaks, lunch and training in
turns (`SHIFTS`), so cover never collapses when many shifts start together. Saturdays go to agents
working Tue-Sat (their weekday shift starts when their Saturday one does); the others work Mon-Fri
and are planned for Monday, the busiest day, and mid-week at once.
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

Shift = tuple[tuple[str, int, int], ...]
"""A shift as (activity, minutes from shift start, length in minutes), work filling the gaps."""
SHIFT_MINUTES = 480
# Where each pattern puts its breaks, lunch and training (minutes from the shift's start, length). The
# patterns take turns, so no two of them are off work at the same minute: agents starting together
# (every Saturday shift starts at 09:00) never all go on lunch or training at once.
_PAUSES = (
    ("break", (75, 90, 105, 120), 15),
    ("lunch", (150, 180, 210, 240), 30),
    ("training", (270, 300, 330, 360), 30),
    ("break", (390, 405, 420, 435), 15),
)


def _pattern(number: int) -> Shift:
    blocks, at = [], 0
    for activity, starts, length in _PAUSES:
        blocks += [("work", at, starts[number] - at), (activity, starts[number], length)]
        at = starts[number] + length
    return (*blocks, ("work", at, SHIFT_MINUTES - at))


SHIFTS: tuple[Shift, ...] = tuple(_pattern(number) for number in range(len(_PAUSES[0][1])))
"""Every pattern has the same blocks in the same order; `break_patterns` gives each agent one."""
SHIFT_ACTIVITIES = tuple(activity for activity, _, _ in SHIFTS[0])
PLANNED_SHIFT: Shift = (
    ("work", 0, 120),
    ("break", 120, 15),
    ("work", 135, 105),
    ("lunch", 240, 30),
    ("work", 270, 90),
    ("training", 360, 30),
    ("work", 390, 75),
    ("break", 465, 15),
)
"""What rosters are sized on: every agent off at the same offsets, a planner's first pass before the
breaks are spread. Agents then work `SHIFTS` in turn, which covers the same day a little better, so
each vendor's staffing (short at sunrise, enough elsewhere) stays what its `roster_factor` makes it."""
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
    """Per agent: the local half-hour their weekday shift starts at, their Saturday one (-1: Mon-Fri), and
    which of `SHIFTS` they work."""

    weekday_start: np.ndarray
    saturday_start: np.ndarray
    pattern: np.ndarray

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
    weekday_start = np.array(saturday + weekday, dtype=np.int64)
    saturday_start = np.array(saturday + [-1] * len(weekday), dtype=np.int64)
    return Roster(weekday_start, saturday_start, break_patterns(weekday_start, saturday_start))


def break_patterns(weekday_start: np.ndarray, saturday_start: np.ndarray) -> np.ndarray:
    """Each agent's pattern, chosen in turn so that as small a share as possible of the agents on shift is
    off work at any minute, on every kind of day the agent works (Monday: the Mon-Fri agents; Tuesday to
    Friday: everyone; Saturday: the Tue-Sat agents). Agents starting together get different patterns."""
    tue_sat = saturday_start >= 0
    days = np.stack([np.where(tue_sat, -1, weekday_start), weekday_start, saturday_start])  # -1: not working
    off_work = [
        np.array([activity != "work" for activity, _, length in shift for _ in range(length)]) for shift in SHIFTS
    ]
    present, off = np.zeros((3, 2 * 24 * 60)), np.zeros((3, 2 * 24 * 60))
    for day, agent in zip(*np.nonzero(days >= 0), strict=True):
        present[day, days[day, agent] * SLOT_MINUTES :][:SHIFT_MINUTES] += 1
    chosen = np.zeros(len(weekday_start), dtype=np.int64)
    for agent in range(len(weekday_start)):
        working = [(day, int(days[day, agent]) * SLOT_MINUTES) for day in range(3) if days[day, agent] >= 0]

        def crowding(pattern: int, working: list[tuple[int, int]] = working) -> tuple[float, float]:
            shares, overlap = [0.0], 0.0
            for day, at in working:
                away = off[day, at : at + SHIFT_MINUTES][off_work[pattern]]
                shares.append(float(((away + 1) / present[day, at : at + SHIFT_MINUTES][off_work[pattern]]).max()))
                overlap += float(away.sum())
            return max(shares), overlap

        turns = [(agent + k) % len(SHIFTS) for k in range(len(SHIFTS))]
        chosen[agent] = min(turns, key=crowding)
        for day, at in working:
            off[day, at : at + SHIFT_MINUTES] += off_work[chosen[agent]]
    return chosen


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


def shift_blocks(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per shift worked in `pattern` (of `SHIFTS`), each block's start and length in seconds from the
    shift's start."""
    offsets = np.array([[minutes for _, minutes, _ in shift] for shift in SHIFTS]) * 60
    lengths = np.array([[length for _, _, length in shift] for shift in SHIFTS]) * 60
    return offsets[pattern], lengths[pattern]


@lru_cache(maxsize=1)
def shift_cover() -> np.ndarray:
    """[start slot, slot]: the share of each local half-hour a shift starting at that slot is on work,
    as `PLANNED_SHIFT` has it."""
    worked = np.zeros(24 * 60 * 2, dtype=np.float64)
    cover = np.zeros((SLOTS, SLOTS))
    for activity, offset, length in PLANNED_SHIFT:
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
