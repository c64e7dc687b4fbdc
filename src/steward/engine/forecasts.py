"""Forecast accuracy: each forecast row against the interactions that actually arrived.

A forecast row is one (vendor, queue, interval, made_by); its actual volume is the number of
interactions of that vendor and queue created in [interval_start, interval_start + interval_minutes),
0 when none. Rows of several forecasters for the same interval are each compared with the same
actual (docs/metrics.md, "Forecasts"); `made_by` is a dimension so they can be told apart.

The actuals are a range join. Intervals are at most 60 minutes long, so an interval lies within
two consecutive UTC hours: each forecast row is paired with the interactions of its vendor and
queue in those two hours (an equi-join) and the exact bounds are checked on those pairs only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from steward.definitions.metrics import MetricDefinition
from steward.engine.business_time import epoch_seconds
from steward.engine.plan import PERIOD_AT, Aggregate, MetricPlan, QueryContext, SourceResult, count_of, sum_of

HOUR = 3600
PERCENT = 100.0
FORECAST_COLUMNS = ("source", "vendor", "queue", "interval_start", "interval_minutes", "made_by", "volume")


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    forecasts = ctx.restrict(ctx.table("forecasts"), "interval_start").select(*FORECAST_COLUMNS)
    rows = _with_actuals(ctx, forecasts)
    rows = rows.mutate(**{PERIOD_AT: rows.interval_start})
    return SourceResult(rows, [_plan(metric) for metric in metrics])


def _with_actuals(ctx: QueryContext, forecasts: ir.Table) -> ir.Table:
    """Forecast rows with `actual`: the interactions of their vendor and queue created in the interval."""
    hour = epoch_seconds(forecasts.interval_start) // HOUR
    keyed = forecasts.mutate(fc_end=forecasts.interval_start + forecasts.interval_minutes.as_interval("m"))
    touched = keyed.mutate(fc_hour=hour).union(keyed.mutate(fc_hour=hour + 1), distinct=False)
    arrivals = _arrivals(ctx)
    joined = touched.left_join(
        arrivals,
        [
            touched.vendor == arrivals.ac_vendor,
            touched.queue == arrivals.ac_queue,
            touched.fc_hour == arrivals.ac_hour,
            arrivals.ac_at >= touched.interval_start,
            arrivals.ac_at < touched.fc_end,
        ],
    )
    # A forecast row is unique by its columns (its key is among them), so grouping gives one row each.
    return joined.group_by(*FORECAST_COLUMNS).aggregate(actual=joined.ac_at.count())


def _arrivals(ctx: QueryContext) -> ir.Table:
    """Interactions' vendor, queue, creation instant and UTC hour (only the vendors and queues asked for)."""
    table = ctx.table("interactions")
    conditions = [table[c].isin(list(v)) for c, v in ctx.where.items() if c in ("vendor", "queue")]
    if ctx.start is not None:
        conditions.append(table.created_at >= ibis.timestamp(ctx.start))
    table = table.filter(*conditions) if conditions else table
    return table.select(
        ac_vendor=table.vendor,
        ac_queue=table.queue,
        ac_at=table.created_at,
        ac_hour=epoch_seconds(table.created_at) // HOUR,
    )


# --- plans -------------------------------------------------------------------------------------


def error(t: ir.Table) -> ir.NumericValue:
    """Forecast minus actual: positive when the forecast was too high."""
    return t.volume - t.actual.cast("float64")


def _plan(metric: MetricDefinition) -> MetricPlan:
    numerator, denominator = _FORMULAS[metric.variant or ""](metric)
    return MetricPlan(metric, numerator, denominator, scale=PERCENT)


def _wape(metric: MetricDefinition) -> tuple[Aggregate, Aggregate]:
    return sum_of(metric, lambda t: error(t).abs()), sum_of(metric, lambda t: t.actual)


def _bias(metric: MetricDefinition) -> tuple[Aggregate, Aggregate]:
    return sum_of(metric, error), sum_of(metric, lambda t: t.actual)


def _mape(metric: MetricDefinition) -> tuple[Aggregate, Aggregate]:
    def seen(t: ir.Table) -> ir.BooleanValue:
        return t.actual > 0

    def relative(t: ir.Table) -> ir.NumericValue:
        return error(t).abs() / t.actual.nullif(0).cast("float64")

    return sum_of(metric, relative, seen), count_of(metric, seen)


_FORMULAS: dict[str, Callable[[MetricDefinition], tuple[Aggregate, Aggregate]]] = {
    "wape": _wape,
    "bias": _bias,
    "mape": _mape,
}
