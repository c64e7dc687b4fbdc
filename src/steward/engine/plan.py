"""The pieces every source module shares: the query context and what a metric aggregates.

A source module (interactions, replies, backlog, agent time, forecasts, customers) turns the
query into one Ibis table of rows, each with the grouping columns and a `period_at` instant, and
says for each metric which aggregates to take over those rows. The query assembles them: one
aggregation per source, joined on the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from steward.definitions.calendars import CalendarSet
from steward.definitions.metrics import MetricDefinition
from steward.engine.periods import Periods

PERIOD_AT = "period_at"
Aggregate = Callable[[ir.Table], ir.Value]


class QueryError(ValueError):
    """A query that cannot be answered as asked (unknown metric, grouping a metric cannot have, ...)."""


@dataclass(frozen=True)
class MetricPlan:
    """Aggregates of one metric over its source's rows.

    `numerator`/`denominator` give value = scale x numerator / denominator; `count` alone is a count
    metric; `quantile` (with `count`) is a percentile taken from the rows.
    """

    metric: MetricDefinition
    numerator: Aggregate | None = None
    denominator: Aggregate | None = None
    count: Aggregate | None = None
    quantile: Aggregate | None = None
    scale: float = 1.0

    def components(self) -> dict[str, Aggregate]:
        parts = {"numerator": self.numerator, "denominator": self.denominator, "count": self.count}
        if self.quantile is not None:
            parts["value"] = self.quantile
        return {name: build for name, build in parts.items() if build is not None}


@dataclass(frozen=True)
class SourceResult:
    rows: ir.Table
    plans: list[MetricPlan]


@dataclass
class QueryContext:
    """Everything a source module needs to build its rows for one query."""

    backend: BaseBackend
    calendars: CalendarSet
    periods: Periods
    by: Sequence[str]
    where: Mapping[str, Sequence[str]]
    start: datetime | None
    end: datetime | None
    grain: str | None
    excluded: Sequence[tuple[datetime, datetime]] = ()
    """UTC windows [from, to) taken out of measurement (a contract's force majeure, client-caused incidents)."""
    cache: dict[object, object] = field(default_factory=dict)
    """Facts about the data found while building this query (ranges, whether events exist)."""
    shared: dict[object, object] = field(default_factory=dict)
    """What outlives one query in the engine: registered calendar tables, the workspace's costs."""

    def table(self, name: str) -> ir.Table:
        return self.backend.table(name)

    def restrict(self, rows: ir.Table, at: str) -> ir.Table:
        """Rows matching the query's `where` and falling in its period by the instant column `at`."""
        conditions = [rows[column].isin(list(values)) for column, values in self.where.items()]
        if self.start is not None:
            conditions.append(rows[at] >= ibis.timestamp(self.start))
        if self.end is not None:
            conditions.append(rows[at] < ibis.timestamp(self.end))
        for first, last in self.excluded:
            conditions.append((rows[at] < ibis.timestamp(first)) | (rows[at] >= ibis.timestamp(last)))
        return rows.filter(*conditions) if conditions else rows

    def has_rows(self, name: str) -> bool:
        key = ("has_rows", name)
        if key not in self.cache:
            self.cache[key] = bool(self.table(name).limit(1).count().execute())
        return bool(self.cache[key])


def metric_mask(rows: ir.Table, metric: MetricDefinition) -> ir.BooleanValue | None:
    """The metric's own filters (e.g. phone only) as one condition, or None."""
    conditions = [rows[column].isin(list(values)) for column, values in metric.filters.items()]
    if not conditions:
        return None
    mask = conditions[0]
    for condition in conditions[1:]:
        mask = mask & condition
    return mask


def both(mask: ir.BooleanValue | None, condition: ir.BooleanValue | None) -> ir.BooleanValue | None:
    if mask is None:
        return condition
    if condition is None:
        return mask
    return mask & condition


def count_of(metric: MetricDefinition, condition: Callable[[ir.Table], ir.BooleanValue] | None = None) -> Aggregate:
    """Rows (meeting `condition`) within the metric's filters."""

    def build(rows: ir.Table) -> ir.Value:
        where = both(metric_mask(rows, metric), condition(rows).fill_null(False) if condition else None)
        return rows.count(where=where) if where is not None else rows.count()

    return build


def sum_of(
    metric: MetricDefinition,
    value: Callable[[ir.Table], ir.NumericValue],
    condition: Callable[[ir.Table], ir.BooleanValue] | None = None,
) -> Aggregate:
    """Sum of `value` over rows (meeting `condition`) within the metric's filters; 0 when none."""

    def build(rows: ir.Table) -> ir.Value:
        where = both(metric_mask(rows, metric), condition(rows).fill_null(False) if condition else None)
        return value(rows).sum(where=where).fill_null(0)

    return build


def quantile_of(metric: MetricDefinition, value: Callable[[ir.Table], ir.NumericValue], q: float) -> Aggregate:
    def build(rows: ir.Table) -> ir.Value:
        return value(rows).quantile(q, where=metric_mask(rows, metric))

    return build


def count_values(metric: MetricDefinition, value: Callable[[ir.Table], ir.Value]) -> Aggregate:
    def build(rows: ir.Table) -> ir.Value:
        return value(rows).count(where=metric_mask(rows, metric))

    return build


def where_only(ctx: QueryContext, rows: ir.Table) -> ir.Table:
    """Rows matching the query's `where`, at any time (for snapshots such as backlog)."""
    conditions = [rows[column].isin(list(values)) for column, values in ctx.where.items()]
    return rows.filter(*conditions) if conditions else rows
