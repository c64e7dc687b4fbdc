"""The same metric queries on Spark (local mode) and on the embedded DuckDB (figures in docs/scale-out.md).

    .venv/bin/python benchmarks/engines.py [--interactions 200000] [--months 12] [--repeat 2]

Generates a company's data, imports it into a DuckDB workspace, copies the canonical tables into a
local Spark warehouse (Parquet written from DuckDB, as docs/scale-out.md describes) and times each
query on both, through `MetricsEngine` with the same definitions and business calendars. The first
run of a query is reported apart: it builds the business-hours slot table and warms the JVM.
Needs Java 17 and the `spark` extra; Spark runs with 2 local cores and a 2 GiB driver.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from steward.definitions.metrics import DIMENSIONS
from steward.engine.query import MetricsEngine
from steward.importers.base import ImportOptions
from steward.services.demo import IMPORT_ORDER, vendors_yaml
from steward.services.generation import DEFAULT_VENDORS, generate
from steward.services.ingest import import_file
from steward.storage.warehouse import local_spark_url
from steward.workspace import Workspace

DATA = Path(__file__).parent / ".data"
CALENDARS = {
    "london.yaml": {
        "name": "london-support",
        "timezone": "Europe/London",
        "hours": {"mon-fri": ["08:00-12:30", "13:30-18:00"], "sat": ["09:00-13:00"]},
        "holidays": {"country": "GB", "subdivision": "ENG"},
        "applies_to": {"queues": ["billing", "orders"]},
    },
    "new-york.yaml": {
        "name": "sunrise-new-york",
        "timezone": "America/New_York",
        "hours": {"mon-fri": ["07:00-19:00"]},
        "holidays": {"country": "US"},
        "applies_to": {"vendors": ["sunrise"]},
    },
}
QUERIES = {
    "volume, AHT, CSAT by vendor x month": ["volume", "aht", "csat_top2"],
    "first response p90, business hours": ["frt_business_p90"],
    "resolution, business hours minus pauses": ["resolution_business_mean"],
    "FCR (repeat contacts within 7 days)": ["fcr"],
}


def duckdb_workspace(folder: Path, interactions: int, months: int) -> Workspace:
    root = folder / "duckdb"
    if (root / "steward.toml").exists():
        return Workspace.open(root)
    workspace = Workspace.init(root)
    (root / "definitions" / "vendors.yaml").write_text(vendors_yaml(DEFAULT_VENDORS), encoding="utf-8")
    for name, calendar in CALENDARS.items():
        (root / "definitions" / "calendars" / name).write_text(yaml.safe_dump(calendar), encoding="utf-8")
    generated = generate(folder / "data", interactions=interactions, seed=3, start=date(2025, 6, 1), months=months)
    for table in [t for t in IMPORT_ORDER if t in generated.files]:
        import_file(workspace, generated.files[table], options=ImportOptions(table=table))
    return workspace


def spark_workspace(folder: Path, source: Workspace) -> Workspace:
    """A workspace on a local Spark warehouse holding the DuckDB workspace's tables."""
    root = folder / "spark"
    shutil.rmtree(root, ignore_errors=True)
    (root / "parquet").mkdir(parents=True)
    url = local_spark_url(root)
    Workspace.init(root / "ws").close()
    shutil.rmtree(root / "ws" / "definitions")
    shutil.copytree(source.root / "definitions", root / "ws" / "definitions")
    settings = (root / "ws" / "steward.toml").read_text(encoding="utf-8")
    settings = settings.replace('url = "duckdb:///warehouse.duckdb"', f'url = "{url}"')
    (root / "ws" / "steward.toml").write_text(settings, encoding="utf-8")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    workspace = Workspace.open(root / "ws")
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session is not None
    session.sparkContext.setLogLevel("ERROR")
    for name in workspace.warehouse.row_counts():
        path = root / "parquet" / f"{name}.parquet"
        pq.write_table(source.warehouse.table(name).to_pyarrow(), path)
        columns = session.table(name).columns
        session.read.parquet(str(path)).select(*columns).write.insertInto(name, overwrite=True)
    return workspace


def timed(engine: MetricsEngine, metrics: list[str], repeat: int) -> tuple[float, float, int]:
    """(first run, median of the next `repeat`, rows) in seconds."""
    runs = []
    rows = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        rows = engine.query(metrics, by=["vendor"], grain="month").num_rows
        runs.append(time.perf_counter() - started)
    return runs[0], statistics.median(runs[1:]), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    folder = DATA / f"engines-{args.interactions}-{args.months}"
    duck = duckdb_workspace(folder, args.interactions, args.months)
    started = time.perf_counter()
    spark = spark_workspace(folder, duck)
    print(f"Spark session up and {args.interactions:,} interactions loaded in {time.perf_counter() - started:.1f} s")
    # Every built-in metric that can be split by vendor (customer metrics are company-wide).
    groupable = [m.id for m in duck.catalogue.metrics.values() if "vendor" in DIMENSIONS[m.spec.source]]
    queries = {**QUERIES, f"{len(groupable)} metrics (whole catalogue) by vendor x month": groupable}
    engines = {
        name: MetricsEngine(ws.warehouse.backend, ws.catalogue, ws.calendars)
        for name, ws in (("duckdb", duck), ("spark", spark))
    }
    print("| query | DuckDB first / warm | Spark local first / warm | warm ratio |\n|---|---|---|---|")
    for label, metrics in queries.items():
        figures = {name: timed(engine, metrics, args.repeat) for name, engine in engines.items()}
        (d_first, d_warm, d_rows), (s_first, s_warm, s_rows) = figures["duckdb"], figures["spark"]
        assert d_rows == s_rows, (label, d_rows, s_rows)
        print(f"| {label} | {d_first:.2f} / {d_warm:.2f} s | {s_first:.1f} / {s_warm:.1f} s | {s_warm / d_warm:.0f}x |")
    spark.close()
    duck.close()


if __name__ == "__main__":
    main()
