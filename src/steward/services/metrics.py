"""Metric questions users ask: what can be measured, compute these metrics, show the SQL."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from steward.definitions.located_yaml import DefinitionIssue
from steward.definitions.metrics import MetricDefinition
from steward.engine.periods import GRAINS, PeriodError
from steward.engine.plan import QueryError
from steward.engine.query import MetricQuery
from steward.workspace import Workspace


class MetricsRequestError(ValueError):
    """A request the user has to correct (unknown metric, bad grouping, broken definition file...)."""


@dataclass(frozen=True)
class MetricListing:
    metrics: list[MetricDefinition]
    issues: tuple[DefinitionIssue, ...]


@dataclass(frozen=True)
class MetricResult:
    """A query's answer: group columns, then each metric's value (components kept in `table`)."""

    table: pa.Table
    groups: list[str]
    metrics: list[MetricDefinition]

    def rows(self, components: bool = False) -> list[dict[str, object]]:
        names = self.columns(components)
        return [{name: _plain(row[name]) for name in names} for row in self.table.to_pylist()]

    def columns(self, components: bool = False) -> list[str]:
        if components:
            return list(self.table.column_names)
        return [*self.groups, *(m.id for m in self.metrics)]

    def to_csv(self, components: bool = False) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.columns(components), lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows(components))
        return out.getvalue()


def list_metrics(workspace: Workspace) -> MetricListing:
    catalogue = workspace.catalogue
    return MetricListing(list(catalogue.metrics.values()), definition_issues(workspace))


def parse_groups(by: Sequence[str]) -> tuple[list[str], str | None]:
    """`vendor,month` -> (['vendor'], 'month'): a grain name among the groups sets the grain."""
    names = [part.strip() for item in by for part in item.split(",") if part.strip()]
    grains = [name for name in names if name in GRAINS]
    if len(grains) > 1:
        raise MetricsRequestError(f"group by at most one period ({', '.join(grains)} given)")
    return [name for name in names if name not in GRAINS], (grains[0] if grains else None)


def parse_where(conditions: Sequence[str]) -> dict[str, list[str]]:
    """['vendor=acme,bluecrest', 'queue=billing'] -> {'vendor': ['acme', 'bluecrest'], 'queue': ['billing']}."""
    where: dict[str, list[str]] = {}
    for condition in conditions:
        column, equals, values = condition.partition("=")
        if not equals or not column.strip() or not values.strip():
            raise MetricsRequestError(f"--where {condition!r}: write COLUMN=VALUE[,VALUE...], e.g. vendor=acme")
        where.setdefault(column.strip(), []).extend(v.strip() for v in values.split(",") if v.strip())
    return where


def build_request(
    metric_ids: Sequence[str],
    *,
    by: Sequence[str] = (),
    where: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    reporting_tz: str | None = None,
) -> MetricQuery:
    groups, grain = parse_groups(by)
    ids = tuple(part.strip() for item in metric_ids for part in item.split(",") if part.strip())
    return MetricQuery(ids, tuple(groups), parse_where(where), start, end, grain, reporting_tz)


def run_query(workspace: Workspace, request: MetricQuery) -> MetricResult:
    _refuse_broken_definitions(workspace)
    try:
        engine = workspace.metrics
        table = engine.expression(request).to_pyarrow()
        metrics = engine.definitions(request.metrics)
    except (QueryError, PeriodError) as error:
        raise MetricsRequestError(str(error)) from error
    groups = [*request.by, *([request.grain] if request.grain else [])]
    return MetricResult(table, groups, metrics)


def explain(workspace: Workspace, request: MetricQuery) -> str:
    _refuse_broken_definitions(workspace)
    try:
        return workspace.metrics.explain(request)
    except (QueryError, PeriodError) as error:
        raise MetricsRequestError(str(error)) from error


def definition_issues(workspace: Workspace) -> tuple[DefinitionIssue, ...]:
    """Problems in any file metrics depend on: metrics, calendars and costs."""
    return workspace.catalogue.issues + workspace.calendars.issues + workspace.costs.issues


def _refuse_broken_definitions(workspace: Workspace) -> None:
    issues = definition_issues(workspace)
    if issues:
        raise MetricsRequestError("fix the definitions first:\n" + "\n".join(str(issue) for issue in issues))


def metric_number(value: object) -> float | None:
    """A metric value or component from a result row as a float; None for a missing one or NaN."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value
