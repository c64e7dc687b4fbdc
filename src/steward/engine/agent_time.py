"""Agent time: occupancy, adherence, conformance and shrinkage from agent_states and schedules.

Every measure is a sum of minutes, so numerators and denominators re-aggregate exactly over any
slice. The rows are of three kinds, one table for all (docs/metrics.md, "Agent time"):

- `state`: one per agent_states row, its minutes, in the period of the state's start;
- `schedule`: one per schedules row, its minutes, in the period of the schedule's start;
- `overlap`: one per (schedule row, state row, UTC day) that overlap, the overlapping minutes,
  in the period of the schedule's start (built only for adherence and unplanned shrinkage).

Overlaps are a range join; both sides are first cut at UTC midnights so that the join has an
equality on (vendor, agent, day) besides the inequalities. Every backend runs that as a plain
hash join, where a join on the agent alone would pair every schedule of a year with every state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from steward.definitions.metrics import MetricDefinition
from steward.engine.business_time import epoch_seconds
from steward.engine.plan import (
    PERIOD_AT,
    Aggregate,
    MetricPlan,
    QueryContext,
    QueryError,
    SourceResult,
    both,
    metric_mask,
)

DAY = 86_400
PERCENT = 100.0
WORK = "work"
UNPAID = "off"  # the only scheduled activity that is not paid time
STATE, SCHEDULE, OVERLAP = "state", "schedule", "overlap"


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    schedules = ctx.restrict(ctx.table("schedules"), "start_at")
    states = ctx.restrict(ctx.table("agent_states"), "start_at")
    parts = [_rows(states, STATE, "state"), _rows(schedules, SCHEDULE, "activity")]
    if any(_needs_overlaps(metric) for metric in metrics):
        parts.append(_overlaps(ctx, schedules))
    return SourceResult(ibis.union(*parts, distinct=False), [_plan(metric) for metric in metrics])


def _needs_overlaps(metric: MetricDefinition) -> bool:
    return metric.measure == "adherence" or (metric.measure == "shrinkage" and metric.variant != "planned")


# --- rows --------------------------------------------------------------------------------------


def _rows(table: ir.Table, kind: str, label: str) -> ir.Table:
    """State or schedule rows in the common shape; `lo`/`hi`/`planned_at` only matter for overlaps."""
    seconds = epoch_seconds(table.end_at) - epoch_seconds(table.start_at)
    return _shape(
        table,
        kind=kind,
        state=table[label] if kind == STATE else None,
        activity=table[label] if kind == SCHEDULE else None,
        seconds=seconds,
        span=(None, None),
        planned_at=None,
        period_at=table.start_at,
    )


def _shape(
    table: ir.Table,
    *,
    kind: str,
    state: ir.StringValue | None,
    activity: ir.StringValue | None,
    seconds: ir.NumericValue,
    span: tuple[ir.IntegerValue | None, ir.IntegerValue | None],
    planned_at: ir.IntegerValue | None,
    period_at: ir.TimestampValue,
) -> ir.Table:
    """The columns every agent-time row has, with the same types, so the three kinds union."""

    def text(value: ir.StringValue | None) -> ir.StringValue:
        return value if value is not None else ibis.null("string")

    def integer(value: ir.IntegerValue | None) -> ir.IntegerValue:
        return value.cast("int64") if value is not None else ibis.null("int64")

    return table.select(
        vendor=table.vendor,
        agent_id=table.agent_id,
        at_kind=ibis.literal(kind),
        at_state=text(state),
        at_activity=text(activity),
        at_seconds=seconds.cast("float64"),
        at_lo=integer(span[0]),
        at_hi=integer(span[1]),
        at_planned_at=integer(planned_at),
        **{PERIOD_AT: period_at},
    )


def _overlaps(ctx: QueryContext, schedules: ir.Table) -> ir.Table:
    """(schedule, state, day) triples that overlap; the states of the query's agents at any time."""
    states = ctx.table("agent_states")
    conditions = [states[column].isin(list(values)) for column, values in ctx.where.items()]
    if ctx.start is not None:  # a state that ended before the first schedule started cannot overlap it
        conditions.append(states.end_at > ibis.timestamp(ctx.start))
    states = states.filter(*conditions) if conditions else states
    left = _by_day(schedules.select("vendor", "agent_id", "activity", "start_at", "end_at"), "sc")
    right = _by_day(states.select("vendor", "agent_id", "state", "start_at", "end_at"), "st")
    joined = left.join(
        right,
        [
            left.sc_vendor == right.st_vendor,
            left.sc_agent_id == right.st_agent_id,
            left.sc_day == right.st_day,
            left.sc_lo < right.st_hi,
            right.st_lo < left.sc_hi,
        ],
    )
    joined = joined.mutate(vendor=joined.sc_vendor, agent_id=joined.sc_agent_id)
    lo = ibis.greatest(joined.sc_lo, joined.st_lo)
    hi = ibis.least(joined.sc_hi, joined.st_hi)
    return _shape(
        joined,
        kind=OVERLAP,
        state=joined.st_state,
        activity=joined.sc_activity,
        seconds=hi - lo,
        span=(lo, hi),
        planned_at=epoch_seconds(joined.sc_start_at),
        period_at=joined.sc_start_at,
    )


def _by_day(table: ir.Table, prefix: str) -> ir.Table:
    """One row per UTC day an interval touches, its columns prefixed, with `day`, and `lo`/`hi`: the
    interval's part of that day in epoch seconds.

    Most intervals lie within one day; only the others meet a table of day offsets, as long as the
    longest interval needs (found with one small query).
    """
    start, end = epoch_seconds(table.start_at), epoch_seconds(table.end_at)
    keyed = table.mutate(_s=start, _e=end, _first=start // DAY, _span=(end - 1) // DAY - start // DAY)
    keyed = keyed.filter(keyed._e > keyed._s)  # an empty interval overlaps nothing
    spread = keyed.filter(keyed._span == 0).mutate(_day=keyed._first)
    longest = keyed.aggregate(longest=keyed._span.max()).to_pyarrow().to_pylist()[0]["longest"]
    if longest:
        offsets = ibis.memtable({"_offset": list(range(int(longest) + 1))})
        multi = keyed.filter(keyed._span > 0).cross_join(offsets)
        multi = multi.filter(multi._offset <= multi._span)
        spread = spread.union(multi.mutate(_day=multi._first + multi._offset).drop("_offset"), distinct=False)
    day = spread._day
    return spread.select(
        *(spread[column].name(f"{prefix}_{column}") for column in table.columns),
        **{
            f"{prefix}_day": day,
            f"{prefix}_lo": ibis.greatest(spread._s, day * DAY),
            f"{prefix}_hi": ibis.least(spread._e, (day + 1) * DAY),
        },
    )


# --- per-measure plans -------------------------------------------------------------------------

Condition = Callable[[ir.Table], ir.BooleanValue]


def minutes_of(metric: MetricDefinition, kind: str, condition: Condition | None = None) -> Aggregate:
    """Minutes of the rows of `kind` (meeting `condition`) within the metric's filters; 0 when none."""

    def build(rows: ir.Table) -> ir.Value:
        where = rows.at_kind == kind
        if condition is not None:
            where = where & condition(rows).fill_null(False)
        where = both(metric_mask(rows, metric), where)
        return (rows.at_seconds.sum(where=where) / 60.0).fill_null(0)

    return build


def difference(first: Aggregate, second: Aggregate) -> Aggregate:
    def build(rows: ir.Table) -> ir.Value:
        return first(rows) - second(rows)

    return build


def total(first: Aggregate, second: Aggregate) -> Aggregate:
    def build(rows: ir.Table) -> ir.Value:
        return first(rows) + second(rows)

    return build


def in_states(names: Sequence[str]) -> Condition:
    return lambda t: t.at_state.isin(list(names))


def in_activities(names: Sequence[str]) -> Condition:
    return lambda t: t.at_activity.isin(list(names))


def paid(t: ir.Table) -> ir.BooleanValue:
    return t.at_activity != UNPAID


def _plan(metric: MetricDefinition) -> MetricPlan:
    return _PLANS[metric.measure](metric)


def _occupancy(metric: MetricDefinition) -> MetricPlan:
    busy = tuple(metric.params["busy_states"])
    ready = (*busy, *metric.params["available_states"])
    return MetricPlan(
        metric, minutes_of(metric, STATE, in_states(busy)), minutes_of(metric, STATE, in_states(ready)), scale=PERCENT
    )


def _conformance(metric: MetricDefinition) -> MetricPlan:
    productive = in_states(tuple(metric.params["productive_states"]))
    return MetricPlan(
        metric,
        minutes_of(metric, STATE, productive),
        minutes_of(metric, SCHEDULE, in_activities([WORK])),
        scale=PERCENT,
    )


def _adherence(metric: MetricDefinition) -> MetricPlan:
    grace = int(metric.params["grace_minutes"]) * 60
    if grace < 0:
        raise QueryError(f"{metric.id}: grace_minutes must be 0 or more, not {metric.params['grace_minutes']}")
    matched = _matches(tuple(metric.params["activity_states"]))

    def adhered_seconds(t: ir.Table) -> ir.NumericValue:
        # Only the part of the overlap after the grace period: that part is credited on the schedule row.
        return ibis.greatest(t.at_hi - ibis.greatest(t.at_lo, t.at_planned_at + grace), 0).cast("float64")

    def in_grace(rows: ir.Table) -> ir.Value:
        where = both(metric_mask(rows, metric), (rows.at_kind == SCHEDULE) & paid(rows).fill_null(False))
        return (ibis.least(rows.at_seconds, float(grace)).sum(where=where) / 60.0).fill_null(0)

    def after_grace(rows: ir.Table) -> ir.Value:
        where = both(
            metric_mask(rows, metric), (rows.at_kind == OVERLAP) & (paid(rows) & matched(rows)).fill_null(False)
        )
        return (adhered_seconds(rows).sum(where=where) / 60.0).fill_null(0)

    return MetricPlan(metric, total(in_grace, after_grace), minutes_of(metric, SCHEDULE, paid), scale=PERCENT)


def _matches(pairs: Sequence[str]) -> Condition:
    """The state adheres to the scheduled activity: same name, or an `activity:state` pair."""
    parsed = [tuple(pair.split(":", 1)) for pair in pairs]

    def condition(t: ir.Table) -> ir.BooleanValue:
        match = t.at_state == t.at_activity
        for activity, state in parsed:
            match = match | ((t.at_activity == activity) & (t.at_state == state))
        return match

    return condition


def _shrinkage(metric: MetricDefinition) -> MetricPlan:
    planned = minutes_of(metric, SCHEDULE, in_activities(tuple(metric.params["planned_activities"])))
    productive = in_states(tuple(metric.params["productive_states"]))
    scheduled_work = minutes_of(metric, SCHEDULE, in_activities([WORK]))
    worked_in_work = minutes_of(metric, OVERLAP, lambda t: in_activities([WORK])(t) & productive(t))
    unplanned = difference(scheduled_work, worked_in_work)
    numerator = {"planned": planned, "unplanned": unplanned}.get(metric.variant or "", total(planned, unplanned))
    return MetricPlan(metric, numerator, minutes_of(metric, SCHEDULE, paid), scale=PERCENT)


_PLANS: dict[str, Callable[[MetricDefinition], MetricPlan]] = {
    "occupancy": _occupancy,
    "adherence": _adherence,
    "conformance": _conformance,
    "shrinkage": _shrinkage,
}
