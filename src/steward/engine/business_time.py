"""Business-hours durations for all rows at once: a slot table joined in the engine.

For each calendar the table holds one row per UTC slot of the data's range. Slots are as long as
possible while every opening and closing instant still falls on a slot boundary (a minute at
worst, half an hour for the usual hours), so each slot is wholly open or closed, and the open
seconds from the origin up to an instant t in a slot are linear in t:
`F(t) = intercept + rate * t` (rate 1 in an open slot, 0 in a closed one). A business duration
is `F(stop) - F(start)`: two equi-joins, exact across daylight-saving changes because the zone
rules were applied when the table was built.

The join key is one dense integer, `calendar * slots_per_calendar + slot index`, and every row
finds its slot (a missing instant looks up its start's slot and yields null through `rate * null`),
so the joins are inner joins on a small dense key, which DuckDB runs several times faster than
outer joins on two columns. The engine makes the table cover every instant in the warehouse.
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

SLOT_TABLE = "steward_calendar_slots"
DAY = 86400


@dataclass(frozen=True)
class CalendarPlan:
    """The calendars in play, their integer codes and the registered slot table."""

    codes: dict[str, int]
    """Calendar name -> code; the always-open calendar for unassigned rows is `fallback_code`."""
    fallback_code: int
    slot_seconds: int
    first_slot: int
    """Epoch slot number of the table's first slot."""
    slots_per_calendar: int
    slots: ir.Table
    """The registered slot table, looked up once (a catalogue round trip per use adds up)."""


def calendar_code(rows: ir.Table, calendars: CalendarSet, plan: CalendarPlan) -> ir.IntegerValue:
    """Each row's calendar: by queue, else by vendor, else the default, else always open."""
    codes = plan.codes
    cases = [(rows.queue == queue, codes[name]) for queue, name in sorted(calendars.by_queue.items())]
    cases += [(rows.vendor == vendor, codes[name]) for vendor, name in sorted(calendars.by_vendor.items())]
    fallback = codes[calendars.default] if calendars.default else plan.fallback_code
    if not cases:
        return ibis.literal(fallback, type="int64")
    return ibis.cases(*cases, else_=fallback).cast("int64")


def open_intervals(calendars: list[BusinessCalendar], first: datetime, last: datetime) -> list[np.ndarray]:
    """Each calendar's open intervals in [first, last) as an (n, 2) array of epoch seconds."""
    return [
        np.array([(_epoch(a), _epoch(b)) for a, b in calendar.open_intervals(first, last)], dtype=np.int64).reshape(
            -1, 2
        )
        for calendar in calendars
    ]


def slot_seconds(intervals: list[np.ndarray]) -> int:
    """The longest slot length on which every window edge falls: 1800 s for hours on the half hour.

    Within a slot no calendar opens or closes, so a slot is wholly open or wholly closed and the
    lookup stays exact with a table far smaller than one row per minute.
    """
    edges = np.concatenate([i.ravel() for i in intervals] + [np.array([0], dtype=np.int64)])
    return int(np.gcd.reduce(np.append(edges % DAY, DAY)))


def slot_table(calendars: list[BusinessCalendar], first: datetime, last: datetime) -> tuple[pa.Table, int]:
    """`key`, `intercept`, `rate` per calendar (code = position in the list) and slot of [first, last)
    (both midnight UTC), and the slot size."""
    intervals = open_intervals(calendars, first, last)
    size = slot_seconds(intervals)
    origin, count = _epoch(first) // size, (_epoch(last) - _epoch(first)) // size
    starts = (np.arange(origin, origin + count, dtype=np.int64)) * size
    parts = []
    for code, spans in enumerate(intervals):
        is_open = np.zeros(count, dtype=np.bool_)
        for start, end in spans:
            is_open[start // size - origin : end // size - origin] = True
        before = np.concatenate(([0], np.cumsum(is_open[:-1], dtype=np.int64) * size))
        parts.append(
            pa.table(
                {
                    "key": pa.array(np.arange(count, dtype=np.int64) + code * count),
                    "intercept": pa.array(np.where(is_open, before - starts, before)),
                    "rate": pa.array(is_open.astype(np.int64)),
                }
            )
        )
    return pa.concat_tables(parts), size


def _epoch(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def register(
    backend: BaseBackend, calendars: CalendarSet, first: datetime, last: datetime, cache: dict[object, CalendarPlan]
) -> CalendarPlan:
    """Build (or reuse) the slot table covering [first, last] on the backend."""
    first = first.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    last = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    key = (tuple(d.model_dump_json() for d in calendars.definitions), first, last)
    if key in cache:
        return cache[key]
    years = range(first.year - 1, last.year + 2)
    built = [definition.build(years) for definition in calendars.definitions]
    codes = {calendar.name: index for index, calendar in enumerate(built)}
    # The always-open calendar is found by its position, never by a name a user could also choose.
    table, size = slot_table([*built, always_open()], first, last)
    _replace_session_table(backend, SLOT_TABLE, table)
    count = (_epoch(last) - _epoch(first)) // size
    plan = CalendarPlan(codes, len(built), size, _epoch(first) // size, count, backend.table(SLOT_TABLE))
    cache.clear()
    cache[key] = plan
    return plan


def _replace_session_table(backend: BaseBackend, name: str, table: pa.Table) -> None:
    """`table` under `name` for this connection only, replacing an earlier one."""
    if backend.name == "pyspark":
        # Ibis has no temporary tables on Spark; a temporary view over the in-memory rows is Spark's
        # session-scoped equivalent (and, unlike a table, writes nothing to the shared catalogue).
        backend.create_view(name, ibis.memtable(table), overwrite=True)
        return
    backend.create_table(name, table, temp=True, overwrite=True)


def epoch_seconds(column: ir.TimestampValue) -> ir.IntegerValue:
    """Whole seconds since 1970, fractions dropped: backends round or truncate differently otherwise."""
    # FLOOR, not a cast: DuckDB and PostgreSQL round when casting, Spark's epoch is already truncated.
    return column.epoch_seconds().cast("float64").floor().cast("int64")


def slot_key(calendar: ir.IntegerValue, seconds: ir.IntegerValue, plan: CalendarPlan) -> ir.IntegerValue:
    """The slot table's key for an instant given as epoch seconds, in a row's calendar."""
    return calendar * plan.slots_per_calendar + (seconds // plan.slot_seconds - plan.first_slot)


def with_slots(rows: ir.Table, *, key: str, prefix: str, plan: CalendarPlan) -> ir.Table:
    """Add `<prefix>_intercept` and `<prefix>_rate` of the slot `key` names; then the open seconds up
    to an instant t in that slot are `intercept + rate * t`. Every key must be in the table."""
    slots = plan.slots
    lookup = slots.select(
        **{f"{prefix}_key": slots.key, f"{prefix}_intercept": slots.intercept, f"{prefix}_rate": slots.rate}
    )
    joined = rows.join(lookup, [rows[key] == lookup[f"{prefix}_key"]])
    # One projection over the join: every level of nesting costs compile time, and deep SQL fails.
    return joined.select(*rows.columns, joined[f"{prefix}_intercept"], joined[f"{prefix}_rate"])


def business_seconds(
    rows: ir.Table, *, calendar: str, start: str, stop: str, output: str, plan: CalendarPlan
) -> ir.Table:
    """Add `output`: open seconds of each row's calendar between two instants (null without `stop`).

    Epoch seconds are computed once per row; a row without `stop` looks up its start's slot, so the
    inner joins keep it, and `rate * null` makes its value null.
    """
    begin, end = f"{output}_s0", f"{output}_s1"
    rows = rows.mutate(**{begin: epoch_seconds(rows[start]), end: epoch_seconds(rows[stop])})
    rows = rows.mutate(
        **{
            f"{output}_k0": slot_key(rows[calendar], rows[begin], plan),
            f"{output}_k1": slot_key(rows[calendar], rows[end].fill_null(rows[begin]), plan),
        }
    )
    rows = with_slots(rows, key=f"{output}_k0", prefix=f"{output}_a", plan=plan)
    rows = with_slots(rows, key=f"{output}_k1", prefix=f"{output}_b", plan=plan)
    opened_at_stop = rows[f"{output}_b_intercept"] + rows[f"{output}_b_rate"] * rows[end]
    opened_at_start = rows[f"{output}_a_intercept"] + rows[f"{output}_a_rate"] * rows[begin]
    return rows.mutate(**{output: (opened_at_stop - opened_at_start).cast("float64")})
