"""Backlog: interactions open at the end of each period (a snapshot, not a flow)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from steward.definitions.metrics import MetricDefinition
from steward.engine.periods import next_period
from steward.engine.plan import PERIOD_AT, MetricPlan, QueryContext, SourceResult, count_of, where_only


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    snapshots = ibis.memtable(_snapshots(ctx))
    rows = where_only(ctx, ctx.table("interactions"))
    done = rows.resolved_at.fill_null(rows.closed_at)
    joined = rows.join(
        snapshots,
        [rows.created_at < snapshots.snapshot_at, done.isnull() | (done >= snapshots.snapshot_at)],
    )
    joined = joined.mutate(**{PERIOD_AT: joined.period_start_at})
    return SourceResult(joined, [_plan(metric) for metric in metrics])


def _plan(metric: MetricDefinition) -> MetricPlan:
    if metric.variant == "aged":
        age = int(metric.params["age_days"]) * 86400

        def aged(t: ir.Table) -> ir.BooleanValue:
            return t.created_at.epoch_seconds() + age < t.snapshot_at.epoch_seconds()

        return MetricPlan(metric, count=count_of(metric, aged))
    return MetricPlan(metric, count=count_of(metric, None))


def _snapshots(ctx: QueryContext) -> pa.Table:
    """(period start instant, snapshot instant = period end) for each period of the query."""
    first_day, last_day = _local_days(ctx)
    if ctx.grain is None:
        starts = [first_day]
        ends = [last_day + timedelta(days=1)]
    else:
        starts = ctx.periods.period_starts(ctx.grain, first_day, last_day)
        # The last period is counted where the range ends, not after it.
        ends = [min(next_period(day, ctx.grain), last_day + timedelta(days=1)) for day in starts]
    return pa.table(
        {
            "period_start_at": pa.array([ctx.periods.instant(d) for d in starts], pa.timestamp("us")),
            "snapshot_at": pa.array([ctx.periods.instant(d) for d in ends], pa.timestamp("us")),
        }
    )


def _local_days(ctx: QueryContext) -> tuple[date, date]:
    """The query's local dates, or the data's first and last day of arrivals."""
    t = ctx.table("interactions")
    found = t.aggregate(first=t.created_at.min(), last=t.created_at.max()).to_pyarrow().to_pylist()[0]
    first = _local_date(ctx, ctx.start) if ctx.start else _local_date(ctx, found["first"])
    last = _local_date(ctx, ctx.end - timedelta(microseconds=1)) if ctx.end else _local_date(ctx, found["last"])
    return first or date(2000, 1, 1), last or first or date(2000, 1, 1)


def _local_date(ctx: QueryContext, instant: datetime | None) -> date | None:
    if instant is None:
        return None
    return instant.replace(tzinfo=UTC).astimezone(ZoneInfo(ctx.periods.timezone)).date()
