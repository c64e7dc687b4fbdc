"""Business-hours durations for all rows at once: a minute table joined in the engine.

For each calendar the table holds one row per UTC minute of the data's range: the open seconds
before that minute (cumulative) and whether the minute is open. The open seconds up to an instant
t are then `cum[t // 60] + (t mod 60 if open[t // 60])`, and a business duration is the difference
of two such lookups: two equi-joins, which every Ibis backend runs fast and which are exact across
daylight-saving changes because the zone rules were applied when the table was built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
from ibis.backends import BaseBackend

from steward.definitions.calendars import CalendarSet
from steward.domain.calendar import BusinessCalendar, always_open

MINUTE_TABLE = "steward_calendar_minutes"
UNASSIGNED = "24x7"


@dataclass(frozen=True)
class CalendarPlan:
    """The calendars in play, their integer codes and the covered UTC range."""

    codes: dict[str, int]
    first_minute: int
    last_minute: int
    table: str = MINUTE_TABLE


def calendar_code(rows: ir.Table, calendars: CalendarSet, codes: dict[str, int]) -> ir.IntegerValue:
    """Each row's calendar: by queue, else by vendor, else the default, else always open."""
    cases = [(rows.queue == queue, codes[name]) for queue, name in sorted(calendars.by_queue.items())]
    cases += [(rows.vendor == vendor, codes[name]) for vendor, name in sorted(calendars.by_vendor.items())]
    fallback = codes[calendars.default] if calendars.default else codes[UNASSIGNED]
    if not cases:
        return ibis.literal(fallback, type="int64")
    return ibis.cases(*cases, else_=fallback).cast("int64")


def minute_table(calendars: list[BusinessCalendar], codes: dict[str, int], first: datetime, last: datetime) -> pa.Table:
    """Cumulative open seconds per calendar and UTC minute in [first, last] (minute-aligned)."""
    origin = _epoch_minute(first)
    count = _epoch_minute(last) - origin + 1
    parts = []
    for calendar in calendars:
        open_minutes = np.zeros(count, dtype=np.bool_)
        for start, end in calendar.open_intervals(first, last + timedelta(minutes=1)):
            open_minutes[_epoch_minute(start) - origin : _epoch_minute(end) - origin] = True
        cumulative = np.concatenate(([0], np.cumsum(open_minutes[:-1], dtype=np.int64) * 60))
        parts.append(
            pa.table(
                {
                    "calendar": pa.array(np.full(count, codes[calendar.name], dtype=np.int64)),
                    "minute": pa.array(np.arange(origin, origin + count, dtype=np.int64)),
                    "open_before": pa.array(cumulative),
                    "is_open": pa.array(open_minutes),
                }
            )
        )
    return pa.concat_tables(parts)


def _epoch_minute(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds() // 60)


def register(
    backend: BaseBackend, calendars: CalendarSet, first: datetime, last: datetime, cache: dict[object, CalendarPlan]
) -> CalendarPlan:
    """Build (or reuse) the minute table covering [first, last] on the backend."""
    first = first.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    last = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    years = range(first.year - 1, last.year + 2)
    built = [definition.build(years) for definition in calendars.definitions] + [always_open(UNASSIGNED)]
    codes = {calendar.name: index for index, calendar in enumerate(built)}
    key = (tuple(repr(c) for c in built), first, last)
    if key in cache:
        return cache[key]
    table = minute_table(built, codes, first, last)
    backend.create_table(MINUTE_TABLE, table, temp=True, overwrite=True)
    plan = CalendarPlan(codes, _epoch_minute(first), _epoch_minute(last))
    cache.clear()
    cache[key] = plan
    return plan


def epoch_seconds(column: ir.TimestampValue) -> ir.IntegerValue:
    return column.epoch_seconds().cast("int64")


def with_open_seconds(
    rows: ir.Table, backend: BaseBackend, *, instant: str, calendar: str, output: str, plan: CalendarPlan
) -> ir.Table:
    """Add `output`: open seconds of each row's calendar from the table's origin up to `instant`."""
    minutes = backend.table(plan.table)
    seconds = epoch_seconds(rows[instant])
    keyed = rows.mutate(bt_minute=(seconds // 60).cast("int64"), bt_second=seconds)
    lookup = minutes.select(
        bt_calendar=minutes.calendar, bt_lookup=minutes.minute, bt_cum=minutes.open_before, bt_open=minutes.is_open
    )
    joined = keyed.left_join(lookup, [keyed[calendar] == lookup.bt_calendar, keyed.bt_minute == lookup.bt_lookup])
    value = joined.bt_cum + joined.bt_open.ifelse(joined.bt_second - joined.bt_minute * 60, 0)
    return joined.mutate(**{output: value}).drop(
        "bt_minute", "bt_second", "bt_calendar", "bt_lookup", "bt_cum", "bt_open"
    )
