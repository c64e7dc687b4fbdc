"""Helpers for the agent-time, forecast and loyalty tests: rows in through the importer, parts out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
import yaml
from tests.native_rows import write_table
from tests.oracle import Key, Parts, Row

from steward.definitions.costs import COSTS_FILE, load_costs
from steward.definitions.metrics import load_catalogue
from steward.domain.canonical import TABLES
from steward.engine.query import MetricsEngine
from steward.importers.base import ImportOptions
from steward.services.ingest import import_file
from steward.workspace import Workspace

COMPONENTS = ("numerator", "denominator")


def at(text: str) -> datetime:
    """'2026-01-05 09:00' or with seconds -> naive UTC."""
    return datetime.fromisoformat(text)


def load(
    workspace: Workspace,
    data: dict[str, list[Row]],
    definitions: Sequence[dict[str, Any]] = (),
    costs: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Import every table of `data` (none may be rejected), with extra metric definitions and costs.yaml."""
    folder = workspace.root / "incoming"
    folder.mkdir(exist_ok=True)
    if definitions:
        (workspace.root / "definitions" / "metrics").mkdir(exist_ok=True)
        text = yaml.safe_dump({"metrics": list(definitions)}, sort_keys=False)
        (workspace.root / "definitions" / "metrics" / "extra.yaml").write_text(text, encoding="utf-8")
    if costs is not None:
        text = yaml.safe_dump({"costs": list(costs)}, sort_keys=False)
        (workspace.root / "definitions" / "costs.yaml").write_text(text, encoding="utf-8")
    for table, rows in data.items():
        if rows:
            path = write_table(folder / f"{table}.csv", table, rows)
            summary = import_file(workspace, path, options=ImportOptions(table=table))
            assert summary.total("rejected") == 0, summary.to_json()["rejects"]


def empty(workspace: Workspace) -> None:
    """Delete every canonical row and the costs file, so one workspace serves many examples."""
    for table in TABLES:
        workspace.warehouse.sql_connection.execute(f'DELETE FROM "{table}"')
    (workspace.root / "definitions" / COSTS_FILE).unlink(missing_ok=True)


@dataclass(frozen=True)
class Ask:
    """A metrics query (the arguments of `ws.metrics.query` and of the oracle)."""

    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    grain: str | None = None
    start: date | None = None
    end: date | None = None
    reporting_tz: str = "UTC"
    where: dict[str, list[str]] = field(default_factory=dict)

    def oracle_arguments(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "grain": self.grain,
            "start": self.start,
            "end": self.end,
            "reporting_tz": self.reporting_tz,
            "where": self.where,
        }


def engine_parts(workspace: Workspace, ask: Ask, *, fresh: bool = False) -> dict[str, dict[Key, Parts]]:
    """The engine's answer as metric -> group key -> Parts; `fresh`: a new engine that has cached nothing
    and reads definitions/ again (for a workspace reused with other data)."""
    engine = workspace.metrics
    if fresh:
        definitions = workspace.root / "definitions"
        engine = MetricsEngine(
            workspace.warehouse.backend,
            load_catalogue(definitions / "metrics"),
            workspace.calendars,
            workspace.settings.reporting_timezone,
            load_costs(definitions / COSTS_FILE),
        )
    table = engine.query(
        list(ask.metrics),
        by=list(ask.by),
        where=ask.where,
        start=ask.start,
        end=ask.end,
        grain=ask.grain,
        reporting_tz=ask.reporting_tz,
    )
    result: dict[str, dict[Key, Parts]] = {metric_id: {} for metric_id in ask.metrics}
    for row in table.to_pylist():
        key = tuple(row[column] for column in ask.by)
        if ask.grain:
            period = row[ask.grain]
            key = (*key, period.date() if isinstance(period, datetime) else period)
        for metric_id in ask.metrics:
            result[metric_id][key] = Parts(
                row[metric_id],
                row.get(f"{metric_id}__numerator"),
                row.get(f"{metric_id}__denominator"),
                row.get(f"{metric_id}__count"),
            )
    return result


def valued(parts: dict[Key, Parts]) -> dict[Key, Parts]:
    """Groups with a value: whether an empty group is listed at all is presentation, not definition."""
    return {key: part for key, part in parts.items() if part.value is not None}


def assert_same(expected: dict[Key, Parts], actual: dict[Key, Parts], who: str) -> None:
    want, got = valued(expected), valued(actual)
    assert sorted(got, key=repr) == sorted(want, key=repr), f"{who}: groups {sorted(got, key=repr)} != {want}"
    for key, part in want.items():
        found = got[key]
        assert found.value == pytest.approx(part.value, rel=1e-6, abs=1e-9), f"{who} {key}: {found} != {part}"
        for name in COMPONENTS:
            wanted, seen = getattr(part, name), getattr(found, name)
            if wanted is not None and seen is not None:
                assert seen == pytest.approx(wanted, rel=1e-6, abs=1e-9), f"{who} {key} {name}: {seen} != {wanted}"
