"""Loyalty: repeat purchase, churn, lifetime value, referral and retention cost, from orders.

These measures count customers per period, and what makes a customer count in a period (their
orders before it, their first order ever) lies outside the period's own rows. So this module
computes each metric per period itself, over all orders: a table of query periods (local dates
of the reporting zone, clipped to the query's range) is joined with the orders, and every metric
gives one row per period with its numerator and denominator. The query then groups those rows
by the same periods. Definitions: docs/metrics.md, "Customers".

Customer counts are per period: summing them over periods counts a customer once per period.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from steward.definitions.costs import CostBook
from steward.definitions.metrics import MetricDefinition
from steward.engine.periods import next_period
from steward.engine.plan import PERIOD_AT, MetricPlan, QueryContext, QueryError, SourceResult

COSTS_KEY = "costs"
"""Where the engine keeps the workspace's CostBook in the query context's shared state."""
PERCENT = 100.0
PERIOD_END = "period_end_at"


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    days = _period_days(ctx)
    periods = ibis.memtable(
        pa.table(
            {
                PERIOD_AT: _instants(ctx, [first for first, _ in days]),
                PERIOD_END: _instants(ctx, [end for _, end in days]),
            }
        )
    )
    orders = _orders(ctx)
    parts = [_ROWS[m.measure](ctx, m, orders, periods).mutate(cu_metric=ibis.literal(m.id)) for m in metrics]
    rows = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    return SourceResult(rows, [_plan(metric) for metric in metrics])


def _instants(ctx: QueryContext, days: list[date]) -> pa.Array:
    return pa.array([ctx.periods.instant(day) for day in days], pa.timestamp("us"))


# --- periods and orders ------------------------------------------------------------------------


def _period_days(ctx: QueryContext) -> list[tuple[date, date]]:
    """Each period as local dates [first, end), clipped to the query's range; none if the range is empty."""
    first_day, last_day = _local_days(ctx)
    if first_day is None or last_day is None or last_day < first_day:
        return []
    stop = last_day + timedelta(days=1)
    if ctx.grain is None:
        return [(first_day, stop)]
    starts = ctx.periods.period_starts(ctx.grain, first_day, last_day)
    return [(max(start, first_day), min(next_period(start, ctx.grain), stop)) for start in starts]


def _local_days(ctx: QueryContext) -> tuple[date | None, date | None]:
    """The query's first and last local date; where it leaves one open, the first or last order's."""
    t = ctx.table("orders")
    found = t.aggregate(first=t.ordered_at.min(), last=t.ordered_at.max()).to_pyarrow().to_pylist()[0]
    first = _local_date(ctx, ctx.start) if ctx.start else _local_date(ctx, found["first"])
    last = _local_date(ctx, ctx.end - timedelta(microseconds=1)) if ctx.end else _local_date(ctx, found["last"])
    return first, last


def _local_date(ctx: QueryContext, instant: datetime | None) -> date | None:
    if instant is None:
        return None
    return instant.replace(tzinfo=UTC).astimezone(ZoneInfo(ctx.periods.timezone)).date()


def _orders(ctx: QueryContext) -> ir.Table:
    """Every order (history matters whatever the query's range); referred_by empty where not imported."""
    t = ctx.table("orders")
    referred = t.referred_by if "referred_by" in t.columns else ibis.null("string")
    return t.select(customer=t.customer_id, at=t.ordered_at, amount=t.amount.cast("float64"), referred_by=referred)


def _in_periods(orders: ir.Table, periods: ir.Table) -> ir.Table:
    """Orders with the period they fall in (only orders inside some period)."""
    return orders.join(periods, [orders.at >= periods[PERIOD_AT], orders.at < periods[PERIOD_END]])


def _per_period(flags: ir.Table, numerator: ir.Value, denominator: ir.Value) -> ir.Table:
    """One row per period: the numerator and denominator of `flags` (rows of that period)."""
    return flags.group_by(PERIOD_AT).aggregate(cu_num=numerator.cast("float64"), cu_den=denominator.cast("float64"))


# --- the measures ------------------------------------------------------------------------------

RowBuilder = Callable[[QueryContext, MetricDefinition, ir.Table, ir.Table], ir.Table]


def _repeat_purchase(ctx: QueryContext, metric: MetricDefinition, orders: ir.Table, periods: ir.Table) -> ir.Table:
    """Customers with an order in the period; the numerator those with two or more."""
    placed = _in_periods(orders, periods).group_by(PERIOD_AT, "customer").aggregate(orders=ibis._.count())
    return _per_period(placed, (placed.orders >= 2).sum(), placed.count())


def _churn(ctx: QueryContext, metric: MetricDefinition, orders: ir.Table, periods: ir.Table) -> ir.Table:
    """Customers active at the period start (an order in the N x 24 h before it); the numerator those
    with a churn moment (an order + N x 24 h with no order in between) in the period."""
    window = ibis.interval(days=int(metric.params["inactive_days"]))
    recent = orders.join(periods, [orders.at >= periods[PERIOD_AT] - window, orders.at < periods[PERIOD_AT]])
    active = recent.select(PERIOD_AT, "customer").distinct()
    moments = _churn_moments(orders, window)
    lost = moments.join(periods, [moments.moment >= periods[PERIOD_AT], moments.moment < periods[PERIOD_END]])
    lost = lost.select(lost_at=lost[PERIOD_AT], lost_customer=lost.customer).distinct()
    flags = active.left_join(lost, [active[PERIOD_AT] == lost.lost_at, active.customer == lost.lost_customer])
    return _per_period(flags, flags.lost_customer.count(), flags.count())


def _churn_moments(orders: ir.Table, window: ir.IntervalValue) -> ir.Table:
    """(customer, moment): an order + N days when the customer's next order is later (or never).

    A moment after the latest order in the warehouse is not known yet (the customer may still come
    back within the data we will get), so it is left out.
    """
    following = orders.mutate(
        next_at=orders.at.lead().over(ibis.window(group_by="customer", order_by="at")),
        moment=orders.at + window,
    )
    latest = orders.at.max().as_scalar()
    gone = following.next_at.isnull() | (following.next_at > following.moment)
    return following.filter(gone, following.moment <= latest).select("customer", "moment")


def _lifetime_value(ctx: QueryContext, metric: MetricDefinition, orders: ir.Table, periods: ir.Table) -> ir.Table:
    """Customers with an order in the period; the numerator all their order amounts before the period end."""
    buyers = _in_periods(orders, periods).select(PERIOD_AT, PERIOD_END, "customer").distinct()
    history = orders.select(h_customer=orders.customer, h_at=orders.at, h_amount=orders.amount)
    joined = buyers.join(history, [buyers.customer == history.h_customer, history.h_at < buyers[PERIOD_END]])
    spent = joined.group_by(PERIOD_AT, "customer").aggregate(spent=joined.h_amount.sum())
    return _per_period(spent, spent.spent.sum(), spent.count())


def _first_orders(orders: ir.Table) -> ir.Table:
    return orders.group_by("customer").aggregate(first_at=orders.at.min())


def _referral(ctx: QueryContext, metric: MetricDefinition, orders: ir.Table, periods: ir.Table) -> ir.Table:
    """New customers (first order in the period); the numerator those referred by an earlier customer."""
    first = _first_orders(orders)
    new = first.join(periods, [first.first_at >= periods[PERIOD_AT], first.first_at < periods[PERIOD_END]])
    new = new.select(PERIOD_AT, "customer")
    referred = _referred(orders, first)
    flags = new.left_join(referred, new.customer == referred.referred_customer)
    return _per_period(flags, flags.referred_customer.count(), flags.count())


def _referred(orders: ir.Table, first: ir.Table) -> ir.Table:
    """Customers one of whose orders at their first instant names a customer whose first order came earlier."""
    opening = orders.join(first, ["customer", orders.at == first.first_at])
    opening = opening.filter(opening.referred_by.notnull(), opening.referred_by != opening.customer)
    referrers = first.select(r_customer=first.customer, r_first_at=first.first_at)
    joined = opening.join(
        referrers, [opening.referred_by == referrers.r_customer, referrers.r_first_at < opening.first_at]
    )
    return joined.select(referred_customer=joined.customer).distinct()


def _retention_cost(ctx: QueryContext, metric: MetricDefinition, orders: ir.Table, periods: ir.Table) -> ir.Table:
    """Per period: retention spend per returning customer over acquisition spend per new customer."""
    costs = _costs(ctx)
    first = _first_orders(orders)
    placed = _in_periods(orders, periods).select(PERIOD_AT, "customer").distinct()
    placed = placed.join(first, "customer")
    counts = placed.group_by(PERIOD_AT).aggregate(
        returning=(placed.first_at < placed[PERIOD_AT]).sum(), new=(placed.first_at >= placed[PERIOD_AT]).sum()
    )
    spend = ibis.memtable(_spend_rows(ctx, costs))
    joined = spend.left_join(counts, spend[PERIOD_AT] == counts[PERIOD_AT])
    retained = joined.returning.fill_null(0).nullif(0).cast("float64")
    acquired = joined.new.fill_null(0).nullif(0).cast("float64")
    return joined.select(
        spend[PERIOD_AT],
        cu_num=joined.retention / retained,
        cu_den=joined.acquisition / acquired,
    )


def _costs(ctx: QueryContext) -> CostBook:
    costs = ctx.shared.get(COSTS_KEY)
    book = costs if isinstance(costs, CostBook) else CostBook()
    if book.issues:
        raise QueryError("definitions/costs.yaml cannot be used:\n" + "\n".join(str(i) for i in book.issues))
    return book


def _spend_rows(ctx: QueryContext, costs: CostBook) -> pa.Table:
    """Spend per period from the cost book; empty where a month the period touches has no entry."""
    days = _period_days(ctx)
    spent = [costs.spend(first, end) for first, end in days]
    return pa.table(
        {
            PERIOD_AT: _instants(ctx, [first for first, _ in days]),
            "retention": pa.array([s.retention if s else None for s in spent], pa.float64()),
            "acquisition": pa.array([s.acquisition if s else None for s in spent], pa.float64()),
        }
    )


_ROWS: dict[str, RowBuilder] = {
    "repeat_purchase": _repeat_purchase,
    "churn": _churn,
    "lifetime_value": _lifetime_value,
    "referral": _referral,
    "retention_cost_ratio": _retention_cost,
}


# --- plans -------------------------------------------------------------------------------------


def _plan(metric: MetricDefinition) -> MetricPlan:
    # Retention cost components stay empty where spend is unknown; every other one is a count or sum.
    fill = metric.measure != "retention_cost_ratio"

    def component(column: str) -> Callable[[ir.Table], ir.Value]:
        def build(rows: ir.Table) -> ir.Value:
            value = rows[column].sum(where=rows.cu_metric == metric.id)
            return value.fill_null(0) if fill else value

        return build

    scale = PERCENT if metric.unit == "percent" else 1.0
    return MetricPlan(metric, component("cu_num"), component("cu_den"), scale=scale)
