"""Metric queries: definitions -> one Ibis expression per query, on whatever backend the warehouse uses."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from steward.definitions.calendars import CalendarSet
from steward.definitions.costs import CostBook
from steward.definitions.metrics import ALL_DIMENSIONS, DIMENSIONS, Catalogue, MetricDefinition
from steward.domain.measures import Source
from steward.engine.customers import COSTS_KEY
from steward.engine.periods import GRAINS, Periods
from steward.engine.plan import PERIOD_AT, MetricPlan, QueryContext, QueryError, SourceResult

SOURCE_MODULES = {
    Source.INTERACTIONS: "steward.engine.interactions",
    Source.REPLIES: "steward.engine.replies",
    Source.BACKLOG: "steward.engine.backlog",
    Source.AGENT_TIME: "steward.engine.agent_time",
    Source.FORECASTS: "steward.engine.forecasts",
    Source.CUSTOMERS: "steward.engine.customers",
    Source.QA: "steward.engine.qa",
}
TIME_COLUMNS = {
    "interactions": ("created_at", "resolved_at", "closed_at"),
    "interaction_events": ("at",),
    "agent_states": ("start_at", "end_at"),
    "schedules": ("start_at", "end_at"),
    "forecasts": ("interval_start",),
    "orders": ("ordered_at",),
    "qa_results": ("evaluated_at",),
}


@dataclass(frozen=True)
class MetricQuery:
    """What to compute: metric ids, groups, filters and the period."""

    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: Mapping[str, Sequence[str]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    grain: str | None = None
    reporting_tz: str | None = None
    excluded: tuple[tuple[datetime, datetime], ...] = ()
    """UTC windows [from, to) left out of every metric (sources that select rows by an instant)."""


class MetricsEngine:
    """Runs metric definitions over the warehouse's canonical tables."""

    def __init__(
        self,
        backend: BaseBackend,
        catalogue: Catalogue,
        calendars: CalendarSet,
        reporting_tz: str = "UTC",
        costs: CostBook | None = None,
    ) -> None:
        self.backend = backend
        self.catalogue = catalogue
        self.calendars = calendars
        self.reporting_tz = reporting_tz
        # Monthly spend (definitions/costs.yaml) for retention_cost_ratio, read by customers.py.
        self._shared: dict[object, object] = {COSTS_KEY: costs or CostBook()}

    def query(  # noqa: PLR0917 - mirrors the documented Python API: query(metrics, by, where, ...)
        self,
        metrics: Sequence[str],
        by: Sequence[str] = (),
        where: Mapping[str, Sequence[str]] | None = None,
        start: date | None = None,
        end: date | None = None,
        grain: str | None = None,
        reporting_tz: str | None = None,
        *,
        excluded: Sequence[tuple[datetime, datetime]] = (),
    ) -> pa.Table:
        """A table with the group columns, the period column (named after the grain), and for every
        metric its value and components (see docs/metrics.md); `excluded` UTC windows are left out."""
        request = MetricQuery(
            tuple(metrics), tuple(by), dict(where or {}), start, end, grain, reporting_tz, tuple(excluded)
        )
        return self.expression(request).to_pyarrow()

    def explain(self, request: MetricQuery) -> str:
        """The SQL the backend runs for `request`."""
        return str(ibis.to_sql(self.expression(request), dialect=self.backend.name))

    def definitions(self, ids: Sequence[str]) -> list[MetricDefinition]:
        if not ids:
            raise QueryError("name at least one metric (see `steward metrics list`)")
        try:
            return [self.catalogue.get(metric_id) for metric_id in dict.fromkeys(ids)]
        except KeyError as error:
            raise QueryError(str(error.args[0])) from None

    def expression(self, request: MetricQuery) -> ir.Table:
        metrics = self.definitions(request.metrics)
        _check_groups(metrics, request)
        periods = Periods(request.reporting_tz or self.reporting_tz)
        start, end = periods.bounds(request.start, request.end)
        ctx = QueryContext(
            self.backend,
            self.calendars,
            periods,
            request.by,
            request.where,
            start,
            end,
            request.grain,
            excluded=request.excluded,
            shared=self._shared,
        )
        keys = [*request.by, *([request.grain] if request.grain else [])]
        parts = []
        for source, group in _by_source(metrics).items():
            result = _build(source, ctx, group)
            parts.append(_aggregate(ctx, result, request))
        joined = _join(parts, keys)
        return _values(joined, [plan for part in parts for plan in part[1]], keys)


def _check_groups(metrics: Sequence[MetricDefinition], request: MetricQuery) -> None:
    if request.grain is not None and request.grain not in GRAINS:
        raise QueryError(f"unknown grain {request.grain!r}; use one of {', '.join(GRAINS)}")
    for column in [*request.by, *request.where]:
        if column not in ALL_DIMENSIONS:
            raise QueryError(f"cannot group or filter by {column!r}; columns: {', '.join(ALL_DIMENSIONS)}")
    for metric in metrics:
        if request.excluded and metric.spec.source.is_snapshot:
            raise QueryError(f"{metric.id} is a snapshot ({metric.spec.source.value}); time cannot be excluded from it")
        allowed = DIMENSIONS[metric.spec.source]
        for column in [*request.by, *request.where]:
            if column not in allowed:
                raise QueryError(
                    f"{metric.id} cannot be grouped or filtered by {column!r} "
                    f"({metric.spec.source.value} rows have: {', '.join(allowed) or 'no such columns'})"
                )


def _by_source(metrics: Sequence[MetricDefinition]) -> dict[Source, list[MetricDefinition]]:
    groups: dict[Source, list[MetricDefinition]] = {}
    for metric in metrics:
        groups.setdefault(metric.spec.source, []).append(metric)
    return groups


def _build(source: Source, ctx: QueryContext, metrics: list[MetricDefinition]) -> SourceResult:
    module = importlib.import_module(SOURCE_MODULES[source])
    result: SourceResult = module.build(ctx, metrics)
    return result


def _aggregate(ctx: QueryContext, result: SourceResult, request: MetricQuery) -> tuple[ir.Table, list[MetricPlan]]:
    rows = result.rows
    groups: dict[str, ir.Value] = {column: rows[column] for column in request.by}
    if request.grain:
        first, last = period_range(ctx) if ctx.periods.fixed_offset is None else (datetime.min, datetime.max)
        groups[request.grain] = ctx.periods.bucket(rows[PERIOD_AT], request.grain, first, last)
    aggregates = {
        f"{plan.metric.id}__{name}": build(rows) for plan in result.plans for name, build in plan.components().items()
    }
    table = rows.group_by(**groups).aggregate(**aggregates) if groups else rows.aggregate(**aggregates)
    return table, result.plans


def period_range(ctx: QueryContext) -> tuple[datetime, datetime]:
    """Earliest and latest instant in the warehouse (and the query), for the reporting zone's offsets.

    A query with both bounds only buckets rows inside them (every source selects its rows by the
    instant it is bucketed by), so the bounds are enough and no table is scanned."""
    if ctx.start is not None and ctx.end is not None:
        return ctx.start, ctx.end
    if "period_range" not in ctx.cache:
        bounds: list[datetime] = [b for b in (ctx.start, ctx.end) if b is not None]
        for table, columns in TIME_COLUMNS.items():
            t = ctx.table(table)
            found = (
                t.aggregate(**{f"lo_{c}": t[c].min() for c in columns}, **{f"hi_{c}": t[c].max() for c in columns})
                .to_pyarrow()
                .to_pylist()[0]
            )
            bounds += [value for value in found.values() if value is not None]
        ctx.cache["period_range"] = (min(bounds), max(bounds)) if bounds else (datetime(2000, 1, 1),) * 2
    return cast("tuple[datetime, datetime]", ctx.cache["period_range"])


def _join(parts: list[tuple[ir.Table, list[MetricPlan]]], keys: list[str]) -> ir.Table:
    joined = parts[0][0]
    for table, _ in parts[1:]:
        if not keys:
            joined = joined.cross_join(table)
            continue
        right = table.rename({f"r_{k}": k for k in keys})
        merged = joined.outer_join(right, [_same_group(joined[k], right[f"r_{k}"]) for k in keys])
        merged = merged.mutate(**{k: merged[k].fill_null(merged[f"r_{k}"]) for k in keys})
        joined = merged.drop(*(f"r_{k}" for k in keys))
    return joined


EMPTY_GROUP = "\x1f(empty)\x1f"
"""Stands in for a missing group value while sources are joined (PostgreSQL cannot full-join on
IS NOT DISTINCT FROM); no real value contains these control characters."""


def _same_group(left: ir.Value, right: ir.Value) -> ir.BooleanValue:
    """Equal group values, an empty one matching an empty one (or it would split into two rows)."""
    if left.type().is_string():
        return left.fill_null(EMPTY_GROUP) == right.fill_null(EMPTY_GROUP)
    return left == right


def _values(table: ir.Table, plans: list[MetricPlan], keys: list[str]) -> ir.Table:
    columns: list[ir.Value] = [table[k] for k in keys]
    for plan in plans:
        prefix = plan.metric.id
        if plan.quantile is not None:
            value = table[f"{prefix}__value"].cast("float64")
        elif plan.numerator is not None and plan.denominator is not None:
            denominator = table[f"{prefix}__denominator"]
            ratio = table[f"{prefix}__numerator"].cast("float64") / denominator.nullif(0).cast("float64")
            value = ratio * plan.scale if plan.scale != 1 else ratio
        else:
            value = table[f"{prefix}__count"].fill_null(0).cast("int64")
        columns.append(value.name(prefix))
        columns += [table[f"{prefix}__{name}"] for name in plan.components() if name != "value"]
    selected = table.select(*columns)
    return selected.order_by(keys) if keys else selected
