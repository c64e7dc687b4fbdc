"""Measures over interactions: volume, clocks, handling, service level, FCR, CSAT, NPS.

Definitions of every term (answered, handled, wait, ...) are in docs/metrics.md; this module is
their Ibis form. Rows are restricted to the query first, then only the derived columns the
requested metrics need are added, so a scorecard without business time or events never pays
for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from steward.definitions.metrics import MetricDefinition
from steward.domain.measures import Statistic
from steward.engine import clocks
from steward.engine.business_time import epoch_seconds
from steward.engine.plan import (
    PERIOD_AT,
    MetricPlan,
    QueryContext,
    SourceResult,
    count_of,
    count_values,
    quantile_of,
    sum_of,
)

Condition = Callable[[ir.Table], ir.BooleanValue]
PERCENT = 100.0


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    table = ctx.table("interactions")
    rows = ctx.restrict(table, "created_at").mutate(**{PERIOD_AT: ibis._.created_at})
    rows = with_terms(_derive(ctx, rows, metrics))
    return SourceResult(rows, [_plan(ctx, metric) for metric in metrics])


# --- row-level terms, computed once per row -------------------------------------------------


def with_terms(rows: ir.Table) -> ir.Table:
    """Add the docs' row-level terms as columns, so every aggregate reads them instead of recomputing."""
    waited = (epoch_seconds(rows.first_response_at) - epoch_seconds(rows.created_at)).cast("float64")
    parts = rows.talk_seconds.notnull() | rows.hold_seconds.notnull() | rows.wrap_seconds.notnull()
    summed = rows.talk_seconds.fill_null(0) + rows.hold_seconds.fill_null(0) + rows.wrap_seconds.fill_null(0)
    is_abandoned = rows.abandoned.fill_null(False)
    wait = rows.queue_wait_seconds.fill_null(waited)
    return rows.mutate(
        t_abandoned=is_abandoned,
        t_wait=wait,
        t_handle=rows.handle_seconds.fill_null(ibis.ifelse(parts, summed, ibis.null("float64"))),
        t_solved=rows.resolved_at.notnull(),
        t_answered=~is_abandoned & wait.notnull(),
        t_handled=~is_abandoned & (rows.first_response_at.notnull() | rows.resolved_at.notnull()),
    )


def abandoned(t: ir.Table) -> ir.BooleanValue:
    return t.t_abandoned


def wait_seconds(t: ir.Table) -> ir.NumericValue:
    return t.t_wait


def answered(t: ir.Table) -> ir.BooleanValue:
    return t.t_answered


def handled(t: ir.Table) -> ir.BooleanValue:
    return t.t_handled


def solved(t: ir.Table) -> ir.BooleanValue:
    return t.t_solved


def handle_seconds(t: ir.Table) -> ir.NumericValue:
    return t.t_handle


# --- derived columns (clocks, repeats) ---------------------------------------------------------


def clock_column(metric: MetricDefinition, business: bool) -> str:
    pauses = tuple(metric.params.get("pause_states", ()))
    suffix = re.sub(r"\W", "_", "_".join(pauses)) if pauses else "nopause"
    return f"clk_{metric.measure}_{'b' if business else 'c'}_{suffix}"


def uses_business(ctx: QueryContext, metric: MetricDefinition) -> bool:
    """Business time only where a calendar exists; otherwise it equals calendar time."""
    return metric.calendar == "business" and bool(ctx.calendars.definitions)


def _derive(ctx: QueryContext, rows: ir.Table, metrics: Sequence[MetricDefinition]) -> ir.Table:
    clocks_needed = [m for m in metrics if m.measure in ("first_response", "resolution")]
    events = bool(clocks_needed) and ctx.has_rows("interaction_events")
    if events:
        rows = clocks.with_event_stops(ctx, rows)
    if clocks_needed:
        rows = _with_stops(rows, events)
    if any(uses_business(ctx, m) for m in clocks_needed):
        rows = clocks.with_calendar_code(ctx, rows)
    done: set[str] = set()
    for metric in clocks_needed:
        business = uses_business(ctx, metric)
        column = clock_column(metric, business)
        if column not in done:
            rows = _with_clock(ctx, rows, metric, business=business, column=column, events=events)
            done.add(column)
    for variant in sorted({m.variant or "" for m in metrics if m.measure == "fcr" and m.variant != "flag"}):
        rows = _with_repeats(ctx, rows, variant == "no_repeat_same_reason")
    return rows


def _with_stops(rows: ir.Table, events: bool) -> ir.Table:
    if not events:
        return rows.mutate(stop_first_response=rows.first_response_at, stop_resolution=rows.resolved_at)
    return rows.mutate(
        stop_first_response=ibis.ifelse(rows.ev_replies, rows.ev_first_reply, rows.first_response_at),
        stop_resolution=ibis.ifelse(rows.ev_statuses, rows.ev_resolved, rows.resolved_at),
    )


def _with_clock(
    ctx: QueryContext, rows: ir.Table, metric: MetricDefinition, *, business: bool, column: str, events: bool
) -> ir.Table:
    stop = f"stop_{metric.measure}"
    rows = clocks.duration_seconds(
        ctx, rows, start="created_at", stop=stop, business=business, output=f"{column}_gross"
    )
    pauses = tuple(metric.params.get("pause_states", ()))
    if pauses and events:
        rows = clocks.paused_seconds(
            ctx, rows, start="created_at", stop=stop, states=pauses, business=business, output=f"{column}_paused"
        )
        return rows.mutate(**{column: (rows[f"{column}_gross"] - rows[f"{column}_paused"]) / 60.0})
    return rows.mutate(**{column: rows[f"{column}_gross"] / 60.0})


def _with_repeats(ctx: QueryContext, rows: ir.Table, same_reason: bool) -> ir.Table:
    """Add the customer's next contact time (over all interactions, whatever the query's filters)."""
    keys = ["customer_id", "contact_reason"] if same_reason else ["customer_id"]
    every = ctx.table("interactions")
    contacts = every.filter(*(every[k].notnull() for k in keys)).select(*keys, "created_at").distinct()
    window = ibis.window(group_by=keys, order_by="created_at")
    name = "next_same_reason" if same_reason else "next_contact"
    following = contacts.mutate(**{name: contacts.created_at.lead().over(window)})
    following = following.rename({f"rp_{k}": k for k in [*keys, "created_at"]})
    joined = rows.left_join(following, [rows[k] == following[f"rp_{k}"] for k in [*keys, "created_at"]])
    return joined.select(*rows.columns, joined[name])


def _horizon(ctx: QueryContext) -> object:
    if "horizon" not in ctx.cache:
        t = ctx.table("interactions")
        ctx.cache["horizon"] = t.created_at.max().execute()
    return ctx.cache["horizon"]


# --- per-measure plans -------------------------------------------------------------------------


def _plan(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    builder = _PLANS[metric.measure]
    return builder(ctx, metric)


def duration_plan(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    column = clock_column(metric, uses_business(ctx, metric))

    def value(t: ir.Table) -> ir.NumericValue:
        return t[column]

    if metric.statistic is Statistic.MEAN:
        return MetricPlan(metric, sum_of(metric, value), count_values(metric, value))
    if metric.statistic is Statistic.WITHIN_TARGET:
        target = float(metric.params["target_minutes"])
        return MetricPlan(metric, count_of(metric, lambda t: t[column] <= target), count_of(metric), scale=PERCENT)
    return MetricPlan(
        metric, count=count_values(metric, value), quantile=quantile_of(metric, value, metric.quantile or 0.5)
    )


def _volume(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    return MetricPlan(metric, count=count_of(metric, handled if metric.variant == "handled" else None))


def _handle_time(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    column = {"talk": "talk_seconds", "hold": "hold_seconds", "wrap": "wrap_seconds"}.get(metric.variant or "")

    def value(t: ir.Table) -> ir.NumericValue:
        return t[column] if column else handle_seconds(t)

    return MetricPlan(metric, sum_of(metric, value), count_values(metric, value))


def _speed_of_answer(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    return MetricPlan(metric, sum_of(metric, wait_seconds, answered), count_of(metric, answered))


def _service_level(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    threshold = float(metric.params["threshold_seconds"])
    short = float(metric.params["short_abandon_seconds"])

    def answered_in_time(t: ir.Table) -> ir.BooleanValue:
        return answered(t) & (wait_seconds(t) <= threshold)

    def abandoned_in_time(t: ir.Table) -> ir.BooleanValue:
        return abandoned(t) & (wait_seconds(t) <= threshold).fill_null(False)

    def offered(t: ir.Table) -> ir.BooleanValue:
        return answered(t) | abandoned(t)

    def long_enough(t: ir.Table) -> ir.BooleanValue:
        return answered(t) | (abandoned(t) & ~(wait_seconds(t) < short).fill_null(False))

    def after_threshold(t: ir.Table) -> ir.BooleanValue:
        return answered(t) | (abandoned(t) & ~abandoned_in_time(t))

    def met_or_abandoned(t: ir.Table) -> ir.BooleanValue:
        return answered_in_time(t) | abandoned_in_time(t)

    numerator, denominator = {
        "abandons_missed": (answered_in_time, offered),
        "abandons_excluded": (answered_in_time, answered),
        "short_abandons_ignored": (answered_in_time, long_enough),
        "abandons_within_threshold_met": (met_or_abandoned, offered),
        "abandons_within_threshold_ignored": (answered_in_time, after_threshold),
    }[metric.variant or ""]
    return MetricPlan(metric, count_of(metric, numerator), count_of(metric, denominator), scale=PERCENT)


def _abandonment(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    short = float(metric.params["short_abandon_seconds"])
    if metric.variant == "all":
        return MetricPlan(metric, count_of(metric, abandoned), count_of(metric), scale=PERCENT)

    def short_abandon(t: ir.Table) -> ir.BooleanValue:
        return abandoned(t) & (wait_seconds(t) < short).fill_null(False)

    def counted_abandon(t: ir.Table) -> ir.BooleanValue:
        return abandoned(t) & ~short_abandon(t)

    def counted_offer(t: ir.Table) -> ir.BooleanValue:
        return ~short_abandon(t)

    return MetricPlan(metric, count_of(metric, counted_abandon), count_of(metric, counted_offer), scale=PERCENT)


def _transfer(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    return MetricPlan(
        metric, count_of(metric, lambda t: handled(t) & (t.transfers > 0)), count_of(metric, handled), scale=PERCENT
    )


def _reopen(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    return MetricPlan(
        metric, count_of(metric, lambda t: solved(t) & (t.reopens > 0)), count_of(metric, solved), scale=PERCENT
    )


def _fcr(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    if metric.variant == "flag":
        flagged = count_of(metric, lambda t: t.resolved_first_contact)
        return MetricPlan(
            metric, flagged, count_of(metric, lambda t: t.resolved_first_contact.notnull()), scale=PERCENT
        )
    same_reason = metric.variant == "no_repeat_same_reason"
    column = "next_same_reason" if same_reason else "next_contact"
    window = int(metric.params["window_days"]) * 86400
    horizon = _horizon(ctx)

    def eligible(t: ir.Table) -> ir.BooleanValue:
        known = t.customer_id.notnull() & (t.contact_reason.notnull() if same_reason else ibis.literal(True))
        if horizon is None:
            return known & ibis.literal(False)
        return known & (epoch_seconds(t.created_at) + window <= epoch_seconds(ibis.timestamp(horizon)))

    def resolved(t: ir.Table) -> ir.BooleanValue:
        repeat = (epoch_seconds(t[column]) - epoch_seconds(t.created_at)) <= window
        return eligible(t) & ~repeat.fill_null(False)

    return MetricPlan(metric, count_of(metric, resolved), count_of(metric, eligible), scale=PERCENT)


def _csat(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    positive = int(metric.params["positive_threshold"])
    negative = int(metric.params["negative_threshold"])

    def rated(t: ir.Table) -> ir.BooleanValue:
        return t.csat.notnull()

    if metric.variant == "mean":
        return MetricPlan(metric, sum_of(metric, lambda t: t.csat), count_of(metric, rated))
    if metric.variant == "response_rate":
        return MetricPlan(
            metric, count_of(metric, lambda t: rated(t) & solved(t)), count_of(metric, solved), scale=PERCENT
        )
    good: Condition = (lambda t: t.csat >= positive) if metric.variant == "top2" else (lambda t: t.csat <= negative)
    return MetricPlan(metric, count_of(metric, good), count_of(metric, rated), scale=PERCENT)


def _nps(ctx: QueryContext, metric: MetricDefinition) -> MetricPlan:
    def net(t: ir.Table) -> ir.NumericValue:
        return ibis.cases((t.nps >= 9, 1), (t.nps <= 6, -1), else_=0)

    return MetricPlan(
        metric,
        sum_of(metric, net, lambda t: t.nps.notnull()),
        count_of(metric, lambda t: t.nps.notnull()),
        scale=PERCENT,
    )


_PLANS: dict[str, Callable[[QueryContext, MetricDefinition], MetricPlan]] = {
    "volume": _volume,
    "first_response": duration_plan,
    "resolution": duration_plan,
    "handle_time": _handle_time,
    "speed_of_answer": _speed_of_answer,
    "service_level": _service_level,
    "abandonment": _abandonment,
    "transfer": _transfer,
    "reopen": _reopen,
    "fcr": _fcr,
    "csat": _csat,
    "nps": _nps,
}
