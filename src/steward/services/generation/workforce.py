"""Schedules, agent states and each partner's own forecasts.

Each vendor's agents work the shifts of its roster (rosters.py: planned in its own time zone inside
its business hours, Mon-Fri or Tue-Sat, none on its country's public holidays). States follow the
schedule with each vendor's lateness and unplanned absence, so adherence, conformance and shrinkage
differ the way the vendors do.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pyarrow as pa

from steward.services.generation.arrivals import Calendar, intraday_curve
from steward.services.generation.interactions import SOURCE
from steward.services.generation.profiles import QUEUES, VendorProfile
from steward.services.generation.rosters import (
    SATURDAY,
    SHIFT_ACTIVITIES,
    SHIFT_MINUTES,
    SLOT_MINUTES,
    plan_roster,
    shift_blocks,
)

STATE_OF = {"work": "available", "break": "break", "lunch": "lunch", "training": "training"}
ACTIVITIES = ("work", "break", "lunch", "training")
STATES = ("available", "on_contact", "break", "lunch", "training", "offline")


def _shifts(vendor: VendorProfile, total: int, calendar: Calendar) -> tuple[np.ndarray, np.ndarray]:
    """Agent and start (epoch seconds) of every shift of the vendor's roster inside the generated range
    (`plan_roster(...).pattern[agent]` says how the shift's blocks lie)."""
    roster = plan_roster(vendor, total)
    zone = ZoneInfo(vendor.timezone)
    closed = holidays.country_holidays(vendor.country, years=sorted({d.year for d in calendar.days}))
    # Local noon less 12 hours: shifts start in daylight, so a night-time clock change never moves them.
    base = np.array([int(datetime.combine(d, time(12), zone).timestamp()) - 43_200 for d in calendar.days])
    weekday = np.array([d.weekday() for d in calendar.days])
    open_day = np.array([d not in closed for d in calendar.days])
    tue_sat = roster.saturday_start >= 0
    works = open_day[None, :] & np.where(tue_sat[:, None], (weekday >= 1) & (weekday <= SATURDAY), weekday < SATURDAY)
    agent, day = np.nonzero(works)
    slot = np.where(weekday[day] == SATURDAY, roster.saturday_start[agent], roster.weekday_start[agent])
    start = base[day] + slot * SLOT_MINUTES * 60
    inside = (start >= calendar.day_start_utc[0]) & (start + SHIFT_MINUTES * 60 <= calendar.end_epoch)
    return agent[inside], start[inside]


def _agent_labels(vendor: VendorProfile, agent: np.ndarray) -> pa.Array:
    return pa.array([f"{vendor.code}-{a:04d}" for a in agent.tolist()], pa.string())


def schedules_table(vendors: tuple[VendorProfile, ...], total: int, calendar: Calendar) -> pa.Table:
    """Planned activities of every agent on every working day."""
    parts = []
    for vendor in vendors:
        agent, start = _shifts(vendor, total, calendar)
        blocks = len(SHIFT_ACTIVITIES)
        offsets, lengths = shift_blocks(plan_roster(vendor, total).pattern[agent])
        starts = start[:, None] + offsets
        codes = np.tile([ACTIVITIES.index(activity) for activity in SHIFT_ACTIVITIES], len(start))
        span = (starts.ravel(), (starts + lengths).ravel())
        parts.append(_interval_table(vendor, np.repeat(agent, blocks), codes, span, "activity"))
    return pa.concat_tables(parts)


def agent_states_table(vendors: tuple[VendorProfile, ...], total: int, calendar: Calendar, seed: int) -> pa.Table:
    """What agents actually did: the schedule with lateness, early leaving, absence and contact work."""
    parts = []
    for number, vendor in enumerate(vendors):
        rng = np.random.default_rng([seed, 37, number])
        agent, start = _shifts(vendor, total, calendar)
        present = rng.random(len(start)) >= vendor.absence_rate
        agent, start = agent[present], start[present]
        blocks = len(SHIFT_ACTIVITIES)
        offsets, lengths = shift_blocks(plan_roster(vendor, total).pattern[agent])
        late = rng.exponential(vendor.lateness_s, (len(start), blocks)).round()
        begin = start[:, None] + offsets + late
        overrun = rng.exponential(vendor.lateness_s / 3, (len(start), blocks)).round()
        end = start[:, None] + offsets + lengths + overrun
        for block in range(blocks):  # states follow one another: no overlaps, each at least a minute
            if block:
                begin[:, block] = np.maximum(begin[:, block], end[:, block - 1])
            end[:, block] = np.maximum(end[:, block], begin[:, block] + 60)
        state = np.array([STATES.index(STATE_OF[activity]) for activity in SHIFT_ACTIVITIES])
        # Work time is split between waiting for contacts and handling them.
        busy = np.where(state == STATES.index("available"), rng.uniform(0.55, 0.85, (len(start), blocks)), 0.0)
        split = (begin + (end - begin) * (1 - busy)).round()
        codes = np.tile(state, len(start))
        rows = _interval_table(vendor, np.repeat(agent, blocks), codes, (begin.ravel(), split.ravel()), "state")
        working = busy.ravel() > 0
        contact = _interval_table(
            vendor,
            np.repeat(agent, blocks)[working],
            np.full(int(working.sum()), STATES.index("on_contact")),
            (split.ravel()[working], end.ravel()[working]),
            "state",
        )
        parts.extend([rows, contact])
    return pa.concat_tables(parts)


def _interval_table(
    vendor: VendorProfile, agent: np.ndarray, code: np.ndarray, span: tuple[np.ndarray, np.ndarray], label: str
) -> pa.Table:
    """Rows of (vendor, agent, `label`, start_at, end_at); `label` is 'activity' or 'state'."""
    start, end = span
    names = ACTIVITIES if label == "activity" else STATES
    count = len(agent)
    codes = pa.array(np.asarray(code, dtype=np.int32))
    return pa.table(
        {
            "source": pa.repeat(pa.scalar(SOURCE), count),
            "vendor": pa.repeat(pa.scalar(vendor.name), count),
            "agent_id": _agent_labels(vendor, agent),
            label: pa.DictionaryArray.from_arrays(codes, pa.array(names)).cast(pa.string()),
            "start_at": pa.array(np.asarray(start, dtype=np.int64) * 1_000_000, pa.timestamp("us", tz="UTC")),
            "end_at": pa.array(np.asarray(end, dtype=np.int64) * 1_000_000, pa.timestamp("us", tz="UTC")),
        }
    )


def forecasts_table(vendors: tuple[VendorProfile, ...], total: int, calendar: Calendar, seed: int) -> pa.Table:
    """Each partner's own 30-minute forecast per queue, with its typical bias and error."""
    curve = intraday_curve().reshape(48, 30).sum(axis=1)
    # A continuous UTC grid: local days of 23 or 25 hours must not make intervals overlap or go missing.
    starts = np.arange(int(calendar.day_start_utc[0]), calendar.end_epoch, 1800, dtype=np.int64)
    day = np.searchsorted(calendar.day_start_utc, starts, side="right") - 1
    slot = np.clip((starts - calendar.day_start_utc[day]) // 1800, 0, 47)
    expected = calendar.weights[day] * curve[slot] * total
    parts = []
    for number, vendor in enumerate(vendors):
        if vendor.kind != "bpo":
            continue
        rng = np.random.default_rng([seed, 41, number])
        for queue, (share, _) in QUEUES.items():
            actual = expected * vendor.share * share
            volume = actual * (1 + vendor.forecast_bias) * rng.lognormal(0, vendor.forecast_noise, len(actual))
            count = len(volume)
            parts.append(
                pa.table(
                    {
                        "source": pa.repeat(pa.scalar(SOURCE), count),
                        "vendor": pa.repeat(pa.scalar(vendor.name), count),
                        "queue": pa.repeat(pa.scalar(queue), count),
                        "interval_start": pa.array(starts * 1_000_000, pa.timestamp("us", tz="UTC")),
                        "interval_minutes": pa.repeat(pa.scalar(30, pa.int64()), count),
                        "volume": pa.array(np.round(volume, 2)),
                        "aht_seconds": pa.array(np.round(vendor.email.handle_s * rng.lognormal(0, 0.05, count), 1)),
                        "made_by": pa.repeat(pa.scalar(vendor.name), count),
                    }
                )
            )
    return pa.concat_tables(parts)
