"""Hand-computed metric cases (tests/cases/*.yaml), checked against the oracle and the engine.

Each case holds a little data, a query, the expected values and the arithmetic behind them in
`reasoning:`. The oracle (tests/oracle.py) must reproduce every expected value now; the engine
must too as soon as `steward.engine.query` exists (until then that half is skipped).

Helpers here (loading rows into a workspace, reading an engine result, comparing results) are
shared with tests/test_metrics_oracle.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests import oracle
from tests.native_rows import write_table
from tests.oracle import Key, Parts, Row
from tests.workforce_support import Ask, engine_parts

from steward.definitions.calendars import CalendarDefinition, CalendarSet
from steward.definitions.metrics import MetricDefinition, load_catalogue
from steward.domain.canonical import TABLES, ColumnType
from steward.domain.measures import Kind
from steward.importers.base import ImportOptions
from steward.services.ingest import import_file
from steward.workspace import Workspace

CASES_FOLDER = Path(__file__).parent / "cases"
CASES = sorted(CASES_FOLDER.glob("*.yaml"))
CASE_KEYS = {"reasoning", "calendars", "definitions", "interactions", "interaction_events", "query", "expected"}
QUERY_KEYS = {"metrics", "by", "grain", "start", "end", "reporting_tz", "where"}
COMPONENTS = ("numerator", "denominator", "count")


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    reasoning: str
    calendars: tuple[dict[str, Any], ...]
    definitions: tuple[dict[str, Any], ...]
    data: dict[str, list[Row]]
    query: Ask
    expected: dict[str, dict[Key, Parts]]

    def metric(self, metric_id: str) -> MetricDefinition:
        return catalogue(self.definitions)[metric_id]

    @property
    def calendar_set(self) -> CalendarSet:
        return CalendarSet(tuple(CalendarDefinition.model_validate(c) for c in self.calendars))


def load_case(path: Path) -> Case:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(raw) - CASE_KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert str(raw.get("reasoning", "")).strip(), f"{path.name}: say how the expected values were computed"
    query_raw = raw["query"]
    assert set(query_raw) <= QUERY_KEYS, f"{path.name}: unknown query keys {sorted(set(query_raw) - QUERY_KEYS)}"
    query = Ask(
        metrics=tuple(query_raw["metrics"]),
        by=tuple(query_raw.get("by", ())),
        grain=query_raw.get("grain"),
        start=query_raw.get("start"),
        end=query_raw.get("end"),
        reporting_tz=query_raw.get("reporting_tz", "UTC"),
        where=query_raw.get("where") or {},
    )
    data = {
        "interactions": [canonical_row("interactions", r) for r in raw.get("interactions", [])],
        "interaction_events": [canonical_row("interaction_events", r) for r in raw.get("interaction_events", [])],
    }
    return Case(
        path.stem,
        raw["reasoning"],
        tuple(raw.get("calendars", ())),
        tuple(raw.get("definitions", ())),
        data,
        query,
        expected_parts(raw["expected"], query),
    )


def canonical_row(table: str, raw: dict[str, Any]) -> Row:
    """A case row with its timestamps as naive UTC; every column must be canonical."""
    columns = {c.name: c for c in TABLES[table].columns}
    unknown = set(raw) - set(columns)
    assert not unknown, f"{table} has no columns {sorted(unknown)}"
    row: Row = {}
    for name, value in raw.items():
        if columns[name].type is ColumnType.TIMESTAMP and value is not None:
            value = naive_utc(value)
        row[name] = value
    return row


def naive_utc(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    assert isinstance(moment, datetime) and moment.tzinfo is not None, f"{value!r}: timestamps need a zone (Z)"
    return moment.astimezone(UTC).replace(tzinfo=None)


def expected_parts(rows: list[dict[str, Any]], query: Ask) -> dict[str, dict[Key, Parts]]:
    """`- {metric: id, <by columns>..., <grain>: date, value: x, numerator: n, ...}` -> metric -> key -> Parts."""
    expected: dict[str, dict[Key, Parts]] = {metric_id: {} for metric_id in query.metrics}
    for row in rows:
        key_columns = (*query.by, *([query.grain] if query.grain else []))
        allowed = {"metric", "value", *COMPONENTS, *key_columns}
        assert set(row) <= allowed, f"expected row {row} has keys outside {sorted(allowed)}"
        key = tuple(row.get(column) for column in key_columns)
        expected[row["metric"]][key] = Parts(
            row["value"], row.get("numerator"), row.get("denominator"), row.get("count")
        )
    return expected


def catalogue(definitions: Sequence[dict[str, Any]] = ()) -> dict[str, MetricDefinition]:
    """Built-in metrics plus the given inline definitions."""
    metrics = dict(load_catalogue().metrics)
    for definition in definitions:
        metric = MetricDefinition.model_validate(definition)
        assert metric.id not in metrics, f"{metric.id} is already a built-in metric"
        metrics[metric.id] = metric
    return metrics


# --------------------------------------------------------------------------------------------
# Comparing results
# --------------------------------------------------------------------------------------------


def comparable(parts: dict[Key, Parts], metric: MetricDefinition) -> dict[Key, Parts]:
    """Results without empty values (and, for counts, without zeros): whether a group with nothing in it
    is listed at all is a matter of presentation, not of the metric's definition."""
    return {
        key: part
        for key, part in parts.items()
        if part.value is not None and not (metric.kind is Kind.COUNT and part.value == 0)
    }


def assert_same_parts(expected: dict[Key, Parts], actual: dict[Key, Parts], metric: MetricDefinition, who: str) -> None:
    want, got = comparable(expected, metric), comparable(actual, metric)
    assert sorted(got, key=repr) == sorted(want, key=repr), f"{metric.id}: {who} has groups {got}, expected {want}"
    for key, part in want.items():
        found = got[key]
        where = f"{metric.id} {key} ({who})"
        assert found.value == pytest.approx(part.value, rel=1e-6, abs=1e-9), f"{where}: {found} != {part}"
        for name in COMPONENTS:
            wanted, seen = getattr(part, name), getattr(found, name)
            if wanted is not None and seen is not None:
                assert seen == pytest.approx(wanted, rel=1e-6, abs=1e-9), f"{where} {name}: {seen} != {wanted}"


# --------------------------------------------------------------------------------------------
# The engine side: rows into a workspace, results out
# --------------------------------------------------------------------------------------------


def load_workspace(
    workspace: Workspace,
    data: dict[str, list[Row]],
    calendars: Sequence[dict[str, Any]] = (),
    definitions: Sequence[dict[str, Any]] = (),
) -> None:
    """Exactly these calendars and extra metric definitions, and these rows, all imported without a reject."""
    definitions_folder = workspace.root / "definitions"
    calendar_folder = definitions_folder / "calendars"
    calendar_folder.mkdir(parents=True, exist_ok=True)
    for old in calendar_folder.glob("*.yaml"):
        old.unlink()  # the example calendar `steward init` writes would claim queues billing and orders
    for calendar in calendars:
        (calendar_folder / f"{calendar['name']}.yaml").write_text(yaml.safe_dump(calendar), encoding="utf-8")
    if definitions:
        (definitions_folder / "metrics").mkdir(exist_ok=True)
        text = yaml.safe_dump({"metrics": list(definitions)}, sort_keys=False)
        (definitions_folder / "metrics" / "extra.yaml").write_text(text, encoding="utf-8")
    folder = workspace.root / "incoming"
    folder.mkdir(exist_ok=True)
    for table in ("interactions", "interaction_events"):
        if data.get(table):
            path = write_table(folder / f"{table}.csv", table, data[table])
            summary = import_file(workspace, path, options=ImportOptions(table=table))
            assert summary.total("rejected") == 0, summary.to_json()["rejects"]


def oracle_parts(
    metric: MetricDefinition, data: dict[str, list[Row]], query: Ask, calendars: CalendarSet
) -> dict[Key, Parts]:
    return oracle.compute_parts(metric, data, calendars=calendars, **query.oracle_arguments())


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_there_are_enough_hand_computed_cases() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_oracle_matches_the_hand_computed_values(path: Path) -> None:
    case = load_case(path)
    for metric_id in case.query.metrics:
        metric = case.metric(metric_id)
        got = oracle_parts(metric, case.data, case.query, case.calendar_set)
        assert case.expected[metric_id], f"{case.name}: no expected values for {metric_id}"
        assert_same_parts(case.expected[metric_id], got, metric, "oracle")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_engine_matches_the_hand_computed_values(path: Path, request: pytest.FixtureRequest) -> None:
    workspace: Workspace = request.getfixturevalue("workspace")
    case = load_case(path)
    load_workspace(workspace, case.data, case.calendars, case.definitions)
    got = engine_parts(workspace, case.query)
    for metric_id in case.query.metrics:
        assert_same_parts(case.expected[metric_id], got[metric_id], case.metric(metric_id), "engine")
