"""Clock stops and pauses from interaction_events, and durations in calendar or business time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

import ibis
import ibis.expr.types as ir

from steward.engine import business_time
from steward.engine.plan import QueryContext

KEYS = ("source", "interaction_id")
CALENDAR_CODE = "calendar_code"


def with_event_stops(ctx: QueryContext, rows: ir.Table) -> ir.Table:
    """Add `ev_has`, `ev_first_reply`, `ev_last_solved`, `ev_first_closed` from the rows' events."""
    events = ctx.table("interaction_events")
    own = rows.select(*KEYS, ev_created=rows.created_at)
    joined = events.join(own, list(KEYS))
    human_reply = (joined.kind == "agent_reply") & (joined.actor_type.isnull() | (joined.actor_type == "agent"))
    status = joined.kind == "status"
    stops = joined.group_by(list(KEYS)).aggregate(
        ev_count=joined.count(),
        ev_first_reply=joined.at.min(where=human_reply & (joined.at >= joined.ev_created)),
        ev_last_solved=joined.at.max(where=status & (joined.value == "solved")),
        ev_first_closed=joined.at.min(where=status & (joined.value == "closed")),
    )
    merged = rows.left_join(stops, list(KEYS)).drop(*(f"{k}_right" for k in KEYS))
    return merged.mutate(ev_has=merged.ev_count.fill_null(0) > 0).drop("ev_count")


def with_calendar_code(ctx: QueryContext, rows: ir.Table) -> ir.Table:
    plan = calendar_plan(ctx)
    return rows.mutate(**{CALENDAR_CODE: business_time.calendar_code(rows, ctx.calendars, plan.codes)})


def calendar_plan(ctx: QueryContext) -> business_time.CalendarPlan:
    """The minute table for the whole data range (built once per engine and range)."""
    first, last = data_range(ctx)
    cache = ctx.cache.setdefault("calendar_plans", {})
    return business_time.register(
        ctx.backend, ctx.calendars, first, last, cast("dict[object, business_time.CalendarPlan]", cache)
    )


def data_range(ctx: QueryContext) -> tuple[datetime, datetime]:
    key = "data_range"
    if key not in ctx.cache:
        t = ctx.table("interactions")
        latest = ibis.greatest(t.created_at, t.first_response_at, t.resolved_at, t.closed_at)
        bounds = t.aggregate(first=t.created_at.min(), last=latest.max()).execute()
        first, last = bounds["first"][0], bounds["last"][0]
        if ctx.has_rows("interaction_events"):
            e = ctx.table("interaction_events").aggregate(first=ibis._.at.min(), last=ibis._.at.max()).execute()
            first, last = min(first, e["first"][0]), max(last, e["last"][0])
        if ctx.start is not None:
            first = min(first, ctx.start) if first is not None else ctx.start
        if ctx.end is not None:
            last = max(last, ctx.end) if last is not None else ctx.end
        ctx.cache[key] = (_py(first), _py(last))
    return cast("tuple[datetime, datetime]", ctx.cache[key])


def _py(value: object) -> object:
    to_pydatetime = getattr(value, "to_pydatetime", None)
    return to_pydatetime() if to_pydatetime else value


def paused_seconds(
    ctx: QueryContext, rows: ir.Table, *, start: str, stop: str, states: Sequence[str], business: bool, output: str
) -> ir.Table:
    """Add `output`: seconds (calendar or business) in `states` between each row's start and stop."""
    events = ctx.table("interaction_events").filter(ibis._.kind == "status")
    ordered = events.mutate(
        seg_end=events.at.lead().over(ibis.window(group_by=list(KEYS), order_by=[events.at, events.value]))
    )
    paused = ordered.filter(ordered.value.isin(list(states)))
    columns = [*KEYS, start, stop] + ([CALENDAR_CODE] if business else [])
    own = rows.select(*columns).filter(rows[stop].notnull())
    joined = paused.join(own, list(KEYS))
    clipped = joined.mutate(
        seg_from=ibis.greatest(joined.at, joined[start]),
        seg_to=ibis.least(joined.seg_end.fill_null(joined[stop]), joined[stop]),
    )
    clipped = clipped.filter(clipped.seg_to > clipped.seg_from)
    if business:
        plan = calendar_plan(ctx)
        clipped = business_time.with_open_seconds(
            clipped, ctx.backend, instant="seg_to", calendar=CALENDAR_CODE, output="open_to", plan=plan
        )
        clipped = business_time.with_open_seconds(
            clipped, ctx.backend, instant="seg_from", calendar=CALENDAR_CODE, output="open_from", plan=plan
        )
        length = clipped.open_to - clipped.open_from
    else:
        length = business_time.epoch_seconds(clipped.seg_to) - business_time.epoch_seconds(clipped.seg_from)
    sums = clipped.group_by(list(KEYS)).aggregate(**{output: length.sum()})
    merged = rows.left_join(sums, list(KEYS)).drop(*(f"{k}_right" for k in KEYS))
    return merged.mutate(**{output: merged[output].fill_null(0)})


def duration_seconds(
    ctx: QueryContext, rows: ir.Table, *, start: str, stop: str, business: bool, output: str
) -> ir.Table:
    """Add `output`: seconds from start to stop in calendar or business time (null without a stop)."""
    if not business:
        value = business_time.epoch_seconds(rows[stop]) - business_time.epoch_seconds(rows[start])
        return rows.mutate(**{output: value})
    plan = calendar_plan(ctx)
    rows = business_time.with_open_seconds(
        rows, ctx.backend, instant=stop, calendar=CALENDAR_CODE, output=f"{output}_to", plan=plan
    )
    rows = business_time.with_open_seconds(
        rows, ctx.backend, instant=start, calendar=CALENDAR_CODE, output=f"{output}_from", plan=plan
    )
    return rows.mutate(**{output: rows[f"{output}_to"] - rows[f"{output}_from"]}).drop(f"{output}_to", f"{output}_from")
