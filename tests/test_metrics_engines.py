"""Every built-in metric gives the same numbers on Spark (local mode) and PostgreSQL as on DuckDB.

One small deterministic dataset (the generator's company over three months that cross both
daylight-saving changes and Easter, plus hand-built interaction events with pauses, reopens,
bot and unattributed replies and same-instant ties) is imported into a DuckDB workspace by the
real importer. Its canonical tables are then copied as they are into a Spark warehouse
(`pyspark://` URL, Parquet written from DuckDB) and into a fresh PostgreSQL schema
(`postgres://` URL), and the whole catalogue is queried on each backend through `MetricsEngine`
with the same definitions and business calendars. Counts must agree exactly, ratios and means
to a relative 1e-9 and percentiles to 1e-6.

Run with `make test-engines` (marker `engines`); Spark needs Java 17 and the `spark` extra.
Under CI=true a missing engine is a failure, elsewhere a skip with the reason.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import yaml
from tests.conftest import POSTGRES_URL, postgres_available
from tests.native_rows import write_table
from tests.test_metrics_quality import qa_rows

from steward.definitions.metrics import DIMENSIONS, MetricDefinition, load_catalogue
from steward.domain.canonical import TABLES
from steward.domain.clock import FixedClock
from steward.domain.measures import Source, Statistic
from steward.engine.query import SOURCE_MODULES, MetricsEngine
from steward.importers.base import ImportOptions
from steward.services.demo import IMPORT_ORDER
from steward.services.generation import DEFAULT_VENDORS, generate
from steward.services.ingest import import_file
from steward.storage.warehouse import LINEAGE_COLUMN, WarehouseError, local_spark_url, spark_backend
from steward.workspace import Workspace

pytestmark = [
    pytest.mark.engines,
    pytest.mark.timeout(900),
    # PySpark 4.0's toPandas still passes pandas 3's deprecated copy= keyword; harmless until it follows.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:DeprecationWarning"),
    # PySpark leaves the local sockets it collects results through to the garbage collector.
    pytest.mark.filterwarnings(r"ignore:Exception ignored in. <socket\.socket:pytest.PytestUnraisableExceptionWarning"),
]

SEED = 5
INTERACTIONS = 5_000
START, MONTHS = date(2026, 2, 15), 3  # New York and London change clocks on 8 and 29 March; Easter 3-6 April
EVENT_SHARE = 0.3  # of e-mails and chats, which get a full event history
CATALOGUE = load_catalogue()

CALENDARS = {
    "london.yaml": {
        "name": "london-support",
        "timezone": "Europe/London",
        "hours": {"mon-fri": ["08:00-12:30", "13:30-18:00"], "sat": ["09:00-13:00"]},
        "holidays": {"country": "GB", "subdivision": "ENG", "extra": ["2026-04-02"]},
        "applies_to": {"queues": ["billing", "orders"]},
    },
    "new-york.yaml": {
        "name": "sunrise-new-york",
        "timezone": "America/New_York",
        "hours": {"mon-fri": ["07:00-19:00"], "sun": ["22:00-06:00"]},
        "holidays": {"country": "US"},
        "applies_to": {"vendors": ["sunrise"]},
    },
}
VENDOR_CALENDARS = {"bluecrest": "london-support"}  # a vendor's own choice in vendors.yaml


@dataclass(frozen=True)
class Scenario:
    """One query of the whole catalogue."""

    name: str
    by: tuple[str, ...] = ()
    grain: str | None = None
    reporting_tz: str = "UTC"
    where: dict[str, list[str]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    excluded: tuple[tuple[datetime, datetime], ...] = ()
    """UTC windows left out, as a contract's exclusions are (snapshot sources cannot take them)."""


SCENARIOS = (
    Scenario("vendor_month_utc", by=("vendor",), grain="month"),
    Scenario("vendor_month_new_york", by=("vendor",), grain="month", reporting_tz="America/New_York"),
    # No groups: the sources' one-row aggregates are cross-joined; the range starts and ends mid-data.
    Scenario("range_berlin", reporting_tz="Europe/Berlin", start=date(2026, 3, 1), end=date(2026, 4, 15)),
    Scenario("queue_week_filtered", by=("queue",), grain="week", where={"channel": ["email", "chat"]}),
    # A contract's scorecard: bounded months in a zone with daylight saving, a force-majeure window out.
    Scenario(
        "vendor_month_berlin_excluded",
        by=("vendor",),
        grain="month",
        reporting_tz="Europe/Berlin",
        start=date(2026, 2, 1),
        end=date(2026, 4, 30),
        excluded=((datetime(2026, 3, 9, 23), datetime(2026, 3, 12, 6, 30)),),
    ),
)


def applies(metric: MetricDefinition, scenario: Scenario) -> bool:
    """Whether the metric's rows have the scenario's group and filter columns."""
    if scenario.excluded and metric.spec.source.is_snapshot:
        return False
    return set(scenario.by) | set(scenario.where) <= set(DIMENSIONS[metric.spec.source])


def missing_module(metric: MetricDefinition) -> str | None:
    """The engine module a metric needs, when it has not been written yet."""
    module = SOURCE_MODULES[metric.spec.source]
    return module if importlib.util.find_spec(module) is None else None


RUNNABLE = tuple(m.id for m in CATALOGUE.metrics.values() if missing_module(m) is None)


def unavailable(reason: str) -> None:
    """Skip with the reason, or fail under CI, where every engine must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


# --------------------------------------------------------------------------------------------
# The dataset, imported into DuckDB by the real importer
# --------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    root: Path
    tables: dict[str, pa.Table]


def _vendors_yaml() -> str:
    entries = [
        {"name": v.name, "kind": v.kind, "timezone": v.timezone}
        | ({"calendar": VENDOR_CALENDARS[v.name]} if v.name in VENDOR_CALENDARS else {})
        for v in DEFAULT_VENDORS
    ]
    return yaml.safe_dump({"vendors": entries}, sort_keys=False)


def _events(interactions: pa.Table, rng: np.random.Generator) -> pa.Table:
    """Event histories for a share of e-mails and chats: every clock rule gets exercised."""
    rows: list[dict[str, Any]] = []
    for row in interactions.to_pylist():
        if row["channel"] not in ("email", "chat") or rng.random() >= EVENT_SHARE:
            continue
        scale = 180.0 if row["channel"] == "email" else 4.0  # minutes between steps

        def gap(scale: float = scale) -> timedelta:
            return timedelta(seconds=int(rng.exponential(scale * 60)) + 1)

        def add(at: datetime, kind: str, value: str | None, actor: str | None, row: dict[str, Any] = row) -> None:
            rows.append(
                {
                    "source": row["source"],
                    "interaction_id": row["interaction_id"],
                    "at": at.replace(tzinfo=UTC),
                    "kind": kind,
                    "value": value,
                    "actor_type": actor,
                }
            )

        at: datetime = row["created_at"]
        add(at, "status", "new", "system")
        add(at, "customer_message", None, "customer")
        if rng.random() < 0.05:
            add(at - timedelta(seconds=30), "agent_reply", None, "agent")  # logged before creation: not a first reply
        if rng.random() < 0.15:
            add(at + timedelta(seconds=20), "agent_reply", None, "bot")  # bots never stop the human clock
        add(at + timedelta(seconds=45), "status", "open", "system")
        replies = int(rng.integers(0, 5))  # 0: never answered
        for reply in range(replies):
            at += gap()
            add(at, "agent_reply", None, None if rng.random() < 0.1 else "agent")
            if rng.random() < 0.15:
                add(at, "customer_message", None, "customer")  # same instant: belongs to this reply
            pause = rng.random()
            if pause < 0.5:
                add(at, "status", "pending", "agent")
            elif pause < 0.7:
                add(at, "status", "on_hold", "agent")
            if reply < replies - 1:
                at += gap()
                add(at, "customer_message", None, "customer")
                if rng.random() < 0.3:
                    add(at + timedelta(seconds=37), "customer_message", None, "customer")  # the oldest one counts
                add(at + timedelta(seconds=1), "status", "open", "system")
        if replies and rng.random() < 0.8:
            at += gap()
            add(at, "status", "solved", "agent")
            if rng.random() < 0.25:  # reopened and solved again: resolution runs to the last solve
                at += gap(600.0)
                add(at, "customer_message", None, "customer")
                add(at, "status", "open", "system")
                at += gap()
                add(at, "agent_reply", None, "agent")
                add(at + timedelta(seconds=5), "status", "solved", "agent")
            if rng.random() < 0.3:
                add(at + timedelta(days=4), "status", "closed", "system")
        elif rng.random() < 0.2:
            add(at + gap(), "status", "closed", "system")  # closed without a solve
    schema = pa.schema(
        [
            ("source", pa.string()),
            ("interaction_id", pa.string()),
            ("at", pa.timestamp("us", tz="UTC")),
            ("kind", pa.string()),
            ("value", pa.string()),
            ("actor_type", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dataset]:
    folder = tmp_path_factory.mktemp("engines")
    root = folder / "duckdb"
    workspace = Workspace.init(root, clock=FixedClock(datetime(2026, 6, 1, tzinfo=UTC)))
    try:
        (root / "definitions" / "vendors.yaml").write_text(_vendors_yaml(), encoding="utf-8")
        for name, calendar in CALENDARS.items():
            (root / "definitions" / "calendars" / name).write_text(yaml.safe_dump(calendar), encoding="utf-8")
        generated = generate(folder / "data", interactions=INTERACTIONS, seed=SEED, start=START, months=MONTHS)
        for table in [t for t in IMPORT_ORDER if t in generated.files]:
            summary = import_file(workspace, generated.files[table], options=ImportOptions(table=table))
            assert summary.exit_code == 0, table
        events = _events(workspace.warehouse.table("interactions").to_pyarrow(), np.random.default_rng(SEED))
        path = folder / "handmade_events.parquet"
        pq.write_table(events, path)
        summary = import_file(workspace, path, options=ImportOptions(table="interaction_events"))
        assert summary.exit_code == 0
        evaluations = qa_rows(800, SEED, datetime.combine(START, datetime.min.time()), days=MONTHS * 30)
        qa = write_table(folder / "qa_results.csv", "qa_results", evaluations)
        assert import_file(workspace, qa, options=ImportOptions(table="qa_results")).exit_code == 0
        tables = {name: workspace.warehouse.table(name).to_pyarrow() for name in TABLES}
    finally:
        workspace.close()
    yield Dataset(root, tables)


def _workspace_at(dataset: Dataset, root: Path, url: str) -> Workspace:
    """A workspace with the dataset's definitions whose warehouse is `url`."""
    Workspace.init(root).close()
    shutil.rmtree(root / "definitions")
    shutil.copytree(dataset.root / "definitions", root / "definitions")
    settings = (root / "steward.toml").read_text(encoding="utf-8")
    settings = settings.replace('url = "duckdb:///warehouse.duckdb"', f'url = "{url}"')
    (root / "steward.toml").write_text(settings, encoding="utf-8")
    return Workspace.open(root)


# --------------------------------------------------------------------------------------------
# The backends
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    if importlib.util.find_spec("pyspark") is None:
        unavailable("pyspark is not installed (`make install` installs the spark extra)")
    if shutil.which("java") is None:
        unavailable("Spark needs Java 17 (`java` is not on PATH)")
    folder = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")  # no lookup of the machine's own name
        workspace = _workspace_at(dataset, folder / "ws", local_spark_url(folder / "spark"))
        try:
            from pyspark.sql import SparkSession

            session = SparkSession.getActiveSession()
            assert session is not None
            session.sparkContext.setLogLevel("ERROR")
            # Loading as documented in docs/scale-out.md: Parquet files into the canonical tables.
            for name, table in dataset.tables.items():
                path = folder / "parquet" / f"{name}.parquet"
                path.parent.mkdir(exist_ok=True)
                pq.write_table(table, path)
                columns = session.table(name).columns
                session.read.parquet(str(path)).select(*columns).write.insertInto(name, overwrite=True)
            yield workspace
        finally:
            workspace.close()


@pytest.fixture(scope="module")
def postgres(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    if not postgres_available():
        unavailable("no PostgreSQL server answers on 127.0.0.1:5432 (user postgres, database test)")
    schema = f"steward_engines_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    workspace = _workspace_at(dataset, tmp_path_factory.mktemp("postgres") / "ws", url)
    try:
        for name, table in dataset.tables.items():
            if table.num_rows:
                workspace.warehouse.backend.insert(name, table)
        # As after any bulk load: without statistics the planner loops over subqueries (seconds -> minutes).
        with workspace.warehouse.backend.begin() as cursor:
            cursor.execute("ANALYZE")
        yield workspace
    finally:
        workspace.close()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module")
def duckdb_workspace(dataset: Dataset) -> Iterator[Workspace]:
    workspace = Workspace.open(dataset.root)
    yield workspace
    workspace.close()


# --------------------------------------------------------------------------------------------
# Results: the whole catalogue once per backend and scenario
# --------------------------------------------------------------------------------------------

Rows = dict[tuple[Any, ...], dict[str, Any]]
"""A query's result: each group's key (the `by` columns, then the period) -> the row."""


@dataclass
class Results:
    """Per scenario: the rows of each source's metrics, or the error that stopped them."""

    answers: dict[tuple[str, Source], Rows | str]
    whole_errors: dict[str, str]
    """Scenarios whose whole-catalogue query failed (and were then run source by source)."""


def _query(engine: MetricsEngine, metrics: list[str], scenario: Scenario) -> Rows:
    table = engine.query(
        metrics,
        by=scenario.by,
        where=scenario.where,
        start=scenario.start,
        end=scenario.end,
        grain=scenario.grain,
        reporting_tz=scenario.reporting_tz,
        excluded=scenario.excluded,
    )
    keys = [*scenario.by, *([scenario.grain] if scenario.grain else [])]
    return {tuple(row[k] for k in keys): row for row in table.to_pylist()}


def _attempt(engine: MetricsEngine, metrics: list[str], scenario: Scenario) -> Rows | str:
    try:
        return _query(engine, metrics, scenario)
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:2000]


def _run(workspace: Workspace) -> Results:
    """The whole catalogue in one query per scenario, as a scorecard runs it (sources joined on the
    groups); if that fails, source by source, so a broken module fails only its own metrics."""
    engine = MetricsEngine(workspace.warehouse.backend, workspace.catalogue, workspace.calendars)
    answers: dict[tuple[str, Source], Rows | str] = {}
    whole_errors: dict[str, str] = {}
    for scenario in SCENARIOS:
        metrics = [CATALOGUE.get(m) for m in RUNNABLE if applies(CATALOGUE.get(m), scenario)]
        sources = dict.fromkeys(m.spec.source for m in metrics)
        whole = _attempt(engine, [m.id for m in metrics], scenario)
        if not isinstance(whole, str):
            answers.update({(scenario.name, source): whole for source in sources})
            continue
        whole_errors[scenario.name] = whole
        for source in sources:
            own = [m.id for m in metrics if m.spec.source is source]
            answers[scenario.name, source] = _attempt(engine, own, scenario)
    return Results(answers, whole_errors)


@pytest.fixture(scope="module")
def expected(duckdb_workspace: Workspace) -> Results:
    return _run(duckdb_workspace)


@pytest.fixture(scope="module")
def spark_results(spark: Workspace) -> Results:
    return _run(spark)


@pytest.fixture(scope="module")
def postgres_results(postgres: Workspace) -> Results:
    return _run(postgres)


def _tolerance(metric: MetricDefinition, column: str) -> float:
    if metric.statistic in (Statistic.MEDIAN, Statistic.PERCENTILE) and column == metric.id:
        return 1e-6
    return 1e-9


def _differences(metric: MetricDefinition, want: Rows | str, got: Rows | str, label: str) -> list[str]:
    if isinstance(want, str):
        return [f"{label}: fails on DuckDB itself: {want}"]
    if isinstance(got, str):
        return [f"{label}: {got}"]
    want, got = _own(metric, want), _own(metric, got)
    if set(want) != set(got):
        return [f"{label}: groups {sorted(want)} on DuckDB, {sorted(got)} here"]
    problems = []
    for key, row in want.items():
        for column, a in row.items():
            b = got[key][column]
            if not _same(a, b, _tolerance(metric, column)):
                problems.append(f"{label} {key} {column}: DuckDB {a!r}, here {b!r}")
    return problems


def _own(metric: MetricDefinition, rows: Rows) -> Rows:
    """The metric's columns, in the groups where its source has rows.

    Joined with other sources, a group only they have gives this metric null components; queried
    alone, its source has no such group. Both mean the same, so such groups are left out.
    """
    own = {}
    for key, row in rows.items():
        columns = {c: v for c, v in row.items() if c == metric.id or c.startswith(f"{metric.id}__")}
        if any(v is not None for c, v in columns.items() if c != metric.id):
            own[key] = columns
    return own


def _same(a: object, b: object, tolerance: float) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool):
        return a == b  # counts are exact
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=tolerance, abs_tol=1e-12)
    return a == b


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_the_dataset_exercises_every_clock(expected: Results) -> None:
    """Guards the comparison against passing on empty numbers."""
    answers = expected.answers
    for source, column in (
        (Source.REPLIES, "nrt_mean__denominator"),
        (Source.BACKLOG, "backlog"),
        (Source.INTERACTIONS, "resolution_business_mean__denominator"),
        (Source.INTERACTIONS, "frt_business_p90__count"),
    ):
        rows = answers[SCENARIOS[0].name, source]
        assert not isinstance(rows, str), rows
        assert sum(row[column] for row in rows.values()) > 0, column
        assert len(rows) == 4 * 4  # four vendors, February to May
    assert answers[SCENARIOS[0].name, Source.INTERACTIONS] != answers[SCENARIOS[1].name, Source.INTERACTIONS]
    quality = answers[SCENARIOS[0].name, Source.QA]
    assert not isinstance(quality, str), quality
    assert sum(row["quality_score__denominator"] or 0 for row in quality.values()) > 0


@pytest.mark.parametrize("backend", ["spark", "postgres"])
@pytest.mark.parametrize("metric_id", list(CATALOGUE.metrics))
def test_metric_agrees_with_duckdb(
    metric_id: str, backend: str, expected: Results, request: pytest.FixtureRequest
) -> None:
    metric = CATALOGUE.get(metric_id)
    module = missing_module(metric)
    if module is not None:
        pytest.skip(f"{metric_id}: its engine module {module} does not exist yet")
    results: Results = request.getfixturevalue(f"{backend}_results")
    problems = []
    for scenario in [s for s in SCENARIOS if applies(metric, s)]:
        key = (scenario.name, metric.spec.source)
        problems += _differences(metric, expected.answers[key], results.answers[key], scenario.name)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("backend", ["duckdb", "spark", "postgres"])
def test_whole_catalogue_runs_in_one_query(backend: str, request: pytest.FixtureRequest) -> None:
    """What a scorecard runs: every source's rows aggregated and joined on the groups, in one query."""
    results: Results = request.getfixturevalue("expected" if backend == "duckdb" else f"{backend}_results")
    assert not results.whole_errors, "\n".join(f"{k}: {v}" for k, v in results.whole_errors.items())


@pytest.mark.parametrize("backend", ["spark", "postgres"])
def test_canonical_tables_arrived_whole(backend: str, dataset: Dataset, request: pytest.FixtureRequest) -> None:
    workspace: Workspace = request.getfixturevalue(backend)
    counts = workspace.warehouse.row_counts()
    assert counts == {name: table.num_rows for name, table in dataset.tables.items()}
    assert LINEAGE_COLUMN in workspace.warehouse.table("interactions").columns


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("pyspark://spark-master:7077", "written pyspark://?master=spark://host:7077"),
        ("pyspark://?master=local[1]&executor_memory=4g", "unknown Spark setting executor_memory"),
    ],
)
def test_spark_urls_are_checked_before_a_session_starts(url: str, message: str) -> None:
    with pytest.raises(WarehouseError, match=re.escape(message)):
        spark_backend(url)
