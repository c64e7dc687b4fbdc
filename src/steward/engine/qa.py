"""QA results: scored evaluations, each counted once in the period of its `evaluated_at`.

Only the samples a metric names count (by default the random sample): targeted reviews look for
problems on purpose, so averaging them in would bias the KPI (docs/metrics.md, "QA").
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from steward.definitions.metrics import MetricDefinition
from steward.engine.plan import PERIOD_AT, MetricPlan, QueryContext, SourceResult, count_of, sum_of

PERCENT = 100.0


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    table = ctx.table("qa_results")
    rows = ctx.restrict(table, "evaluated_at").mutate(**{PERIOD_AT: table.evaluated_at})
    return SourceResult(rows, [_plan(metric) for metric in metrics])


def _plan(metric: MetricDefinition) -> MetricPlan:
    samples = list(metric.params["samples"])

    def counted(rows: ir.Table) -> ir.BooleanValue:
        return rows["sample"].isin(samples) & rows.score.notnull()

    if metric.variant == "pass_rate":
        return MetricPlan(
            metric,
            numerator=count_of(metric, lambda r: counted(r) & (r.passed == True)),  # noqa: E712 - an Ibis expression
            denominator=count_of(metric, lambda r: counted(r) & r.passed.notnull()),
            scale=PERCENT,
        )
    if metric.variant == "critical_fail_rate":
        return MetricPlan(
            metric,
            numerator=count_of(metric, lambda r: counted(r) & r.failed.isin(["section", "evaluation"])),
            denominator=count_of(metric, counted),
            scale=PERCENT,
        )
    return MetricPlan(
        metric, numerator=sum_of(metric, lambda r: r.score, counted), denominator=count_of(metric, counted)
    )
