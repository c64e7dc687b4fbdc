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


DONE = ("solved", "closed")


def with_event_stops(ctx: QueryContext, rows: ir.Table) -> ir.Table:
    """Add what the rows' events say about their clocks (docs/metrics.md, Clocks).

    `ev_replies` / `ev_statuses`: whether the interaction has reply or status events at all;
    `ev_first_reply`: first human agent reply at or after creation; `ev_resolved`: when the
    ticket last became solved or closed, null while its latest status is still open.
    """
    events = ctx.table("interaction_events")
    own = rows.select(*KEYS, ev_created=rows.created_at)
    joined = events.join(own, list(KEYS))
    status = joined.kind == "status"
    reopened = status & ~joined.value.isin(DONE)
    last_open = joined.at.max(where=reopened).over(ibis.window(group_by=list(KEYS)))
    marked = joined.mutate(ev_since=ibis.greatest(joined.ev_created, last_open.fill_null(joined.ev_created)))
    human_reply = (marked.kind == "agent_reply") & (marked.actor_type.isnull() | (marked.actor_type == "agent"))
    done = (marked.kind == "status") & marked.value.isin(DONE) & (marked.at >= marked.ev_since)
    stops = marked.group_by(list(KEYS)).aggregate(
        ev_replies=marked.count(where=marked.kind == "agent_reply"),
        ev_statuses=marked.count(where=marked.kind == "status"),
        ev_first_reply=marked.at.min(where=human_reply & (marked.at >= marked.ev_created)),
        ev_resolved=marked.at.min(where=done),
    )
    merged = rows.left_join(stops, [rows[k] == stops[k] for k in KEYS])
    return merged.select(
        *rows.columns,
        ev_replies=merged.ev_replies.fill_null(0) > 0,
        ev_statuses=merged.ev_statuses.fill_null(0) > 0,
        ev_first_reply=merged.ev_first_reply,
        ev_resolved=merged.ev_resolved,
    )


def with_calendar_code(ctx: QueryContext, rows: ir.Table) -> ir.Table:
    plan = calendar_plan(ctx)
    return rows.mutate(**{CALENDAR_CODE: business_time.calendar_code(rows, ctx.calendars, plan)})


def calendar_plan(ctx: QueryContext) -> business_time.CalendarPlan:
    """The minute table for the whole data range (built once per engine and range)."""
    first, last = data_range(ctx)
    cache = ctx.shared.setdefault("calendar_plans", {})
    return business_time.register(
        ctx.backend, ctx.calendars, first, last, cast("dict[object, business_time.CalendarPlan]", cache)
    )


def data_range(ctx: QueryContext) -> tuple[datetime, datetime]:
    """Earliest and latest instant of interactions and events, widened to the query's period."""
    if "data_range" not in ctx.cache:
        first, last = _stored_range(ctx)
        if ctx.start is not None:
            first = min(first, ctx.start) if first is not None else ctx.start
        if ctx.end is not None:
            last = max(last, ctx.end) if last is not None else ctx.end
        fallback = ctx.start or ctx.end or datetime(2000, 1, 1)
        ctx.cache["data_range"] = (first or fallback, last or first or fallback)
    return cast("tuple[datetime, datetime]", ctx.cache["data_range"])


def _stored_range(ctx: QueryContext) -> tuple[datetime | None, datetime | None]:
    """The range scanned from the warehouse, reused while no import has changed it.

    Every import stamps the rows it writes with its run id, so row counts and the highest run id
    tell cheaply whether the data moved since the last scan.
    """
    version = tuple(
        tuple(ctx.table(name).aggregate(n=ibis._.count(), run=ibis._.import_run_id.max()).to_pyarrow().to_pylist())
        for name in ("interactions", "interaction_events")
    )
    remembered = ctx.shared.get("data_range")
    if isinstance(remembered, tuple) and remembered[0] == version:
        return cast("tuple[datetime | None, datetime | None]", remembered[1])
    t = ctx.table("interactions")
    latest = {f"last_{c}": t[c].max() for c in ("created_at", "first_response_at", "resolved_at", "closed_at")}
    found = t.aggregate(first=t.created_at.min(), **latest)
    events = ctx.table("interaction_events")
    found_events = events.aggregate(first=events.at.min(), last=events.at.max())
    values = [*found.to_pyarrow().to_pylist()[0].values(), *found_events.to_pyarrow().to_pylist()[0].values()]
    firsts = [v for v in (values[0], values[5]) if v is not None]
    lasts = [v for v in (*values[1:5], values[6]) if v is not None]
    bounds = (min(firsts) if firsts else None, max(lasts) if lasts else None)
    ctx.shared["data_range"] = (version, bounds)
    return bounds


def _py(value: object) -> object:
    to_pydatetime = getattr(value, "to_pydatetime", None)
    return to_pydatetime() if to_pydatetime else value


def paused_seconds(
    ctx: QueryContext, rows: ir.Table, *, start: str, stop: str, states: Sequence[str], business: bool, output: str
) -> ir.Table:
    """Add `output`: seconds (calendar or business) in `states` between each row's start and stop."""
    events = ctx.table("interaction_events").filter(ibis._.kind == "status")
    ordered = events.mutate(
        seg_end=events.at.lead().over(
            ibis.window(group_by=list(KEYS), order_by=[events.at, events.value.fill_null("")])
        )
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
        clipped = business_time.business_seconds(
            clipped, calendar=CALENDAR_CODE, start="seg_from", stop="seg_to", output="seg_open", plan=plan
        )
        length = clipped.seg_open
    else:
        length = business_time.epoch_seconds(clipped.seg_to) - business_time.epoch_seconds(clipped.seg_from)
    # float64 like duration_seconds (see there); a sum of bigints is numeric on PostgreSQL.
    sums = clipped.group_by(list(KEYS)).aggregate(**{output: length.sum().cast("float64")})
    merged = rows.left_join(sums, [rows[k] == sums[k] for k in KEYS])
    return merged.select(*rows.columns, **{output: merged[output].fill_null(0.0)})


def duration_seconds(
    ctx: QueryContext, rows: ir.Table, *, start: str, stop: str, business: bool, output: str
) -> ir.Table:
    """Add `output`: seconds from start to stop in calendar or business time (null without a stop).

    Seconds are float64 although whole: callers divide by 60.0, which Spark reads as a decimal
    literal (an integer divided by it is rounded to 6 decimals) and PostgreSQL as numeric.
    """
    if not business:
        value = business_time.epoch_seconds(rows[stop]) - business_time.epoch_seconds(rows[start])
        return rows.mutate(**{output: value.cast("float64")})
    return business_time.business_seconds(
        rows, calendar=CALENDAR_CODE, start=start, stop=stop, output=output, plan=calendar_plan(ctx)
    )
