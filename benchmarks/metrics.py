"""Monthly scorecard and business-hours clocks on generated interactions, against hand-written baselines.

    .venv/bin/python benchmarks/metrics.py [--rows 10000000] [--repeat 3]

1. Scorecard: 10 headline metrics by vendor x month. Steward (`workspace.metrics.query`) against
   the same numbers from hand-written DuckDB SQL on the same warehouse file (the floor) and from
   idiomatic pandas reading the generated Parquet file (what analysts write today). Targets
   (issue 3): Steward <= 1.2x the SQL, >= 4x faster than pandas, peak memory < 2 GiB.
2. Business time: first response in business hours (vendor calendars with lunch breaks and
   public holidays) against the calendar-time version, both through Steward. Target: <= 2x.

Every variant runs in its own process (peak memory is its own): once to warm up (imports, file
cache, compiled definitions), then `--repeat` times; the median is reported, and for Steward also
the first, cold run. Results are checked against each other before timings count.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).parent / ".data"
SCORECARD = (
    "volume",
    "frt_median",
    "frt_p90",
    "frt_within_target",
    "aht",
    "asa",
    "service_level",
    "abandon_rate",
    "csat_top2",
    "reopen_rate",
)

PEAK = """
def peak_mib():
    # VmHWM is this process's own high-water mark (ru_maxrss would include the parent it was forked from)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

SQL = """
WITH t AS (
  SELECT vendor, CAST(date_trunc('month', created_at) AS DATE) AS month, channel,
         (epoch(first_response_at) - epoch(created_at)) / 60.0 AS frt_min,
         coalesce(handle_seconds, CASE WHEN talk_seconds IS NOT NULL OR hold_seconds IS NOT NULL
                  OR wrap_seconds IS NOT NULL THEN coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0)
                  + coalesce(wrap_seconds, 0) END) AS handle,
         coalesce(abandoned, false) AS abandoned,
         coalesce(queue_wait_seconds, CAST(epoch(first_response_at) - epoch(created_at) AS DOUBLE)) AS wait,
         csat, reopens, resolved_at IS NOT NULL AS solved
  FROM interactions)
SELECT vendor, month,
  count(*) AS volume,
  quantile_cont(frt_min, 0.5) AS frt_median,
  quantile_cont(frt_min, 0.9) AS frt_p90,
  100.0 * count(*) FILTER (WHERE frt_min <= 60) / count(*) AS frt_within_target,
  sum(handle) / count(handle) AS aht,
  sum(wait) FILTER (WHERE channel = 'phone' AND NOT abandoned AND wait IS NOT NULL)
    / count(*) FILTER (WHERE channel = 'phone' AND NOT abandoned AND wait IS NOT NULL) AS asa,
  100.0 * count(*) FILTER (WHERE channel = 'phone' AND NOT abandoned AND wait <= 20)
    / count(*) FILTER (WHERE channel = 'phone' AND (abandoned OR wait IS NOT NULL)) AS service_level,
  100.0 * count(*) FILTER (WHERE channel = 'phone' AND abandoned)
    / count(*) FILTER (WHERE channel = 'phone') AS abandon_rate,
  100.0 * count(*) FILTER (WHERE csat >= 4) / count(csat) AS csat_top2,
  100.0 * count(*) FILTER (WHERE solved AND reopens > 0) / count(*) FILTER (WHERE solved) AS reopen_rate
FROM t GROUP BY ALL ORDER BY vendor, month
"""

RUN_SQL = f"""
import duckdb, json, sys, time
{PEAK}con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")  # it would print into the JSON on stdout
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    rows = con.sql({SQL!r}).fetchall()
    times.append(time.perf_counter() - started)
elapsed = sorted(times[1:] or times)[len(times[1:] or times) // 2]
print(json.dumps({{"seconds": elapsed, "peak": peak_mib(), "rows": [[str(r[0]), str(r[1]), *r[2:]] for r in rows]}}))
"""

RUN_STEWARD = (
    PEAK
    + """
import json, sys, time
from pathlib import Path
from steward.workspace import Workspace
workspace = Workspace.open(Path(sys.argv[1]))
metrics = sys.argv[2].split(",")
engine = workspace.metrics  # definitions are loaded once per process, not per query
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    table = engine.query(metrics, by=["vendor"], grain="month")
    times.append(time.perf_counter() - started)
elapsed = sorted(times[1:] or times)[len(times[1:] or times) // 2]
rows = [[str(r["vendor"]), str(r["month"]), *(r[m] for m in metrics)] for r in table.to_pylist()]
print(json.dumps({"seconds": elapsed, "first_seconds": times[0], "peak": peak_mib(), "rows": rows}))
"""
)

RUN_PANDAS = (
    PEAK
    + """
import json, sys, time
import numpy as np, pandas as pd
times, reads = [], []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    df = pd.read_parquet(sys.argv[1], columns=["vendor", "channel", "created_at", "first_response_at", "resolved_at",
        "handle_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "queue_wait_seconds", "abandoned", "csat",
        "reopens"])
    read = time.perf_counter() - started
    for column in ("created_at", "first_response_at", "resolved_at"):
        df[column] = df[column].dt.tz_convert(None)
    df["month"] = df["created_at"].dt.to_period("M").dt.start_time.dt.date
    df["frt_min"] = (df["first_response_at"] - df["created_at"]).dt.total_seconds() / 60
    parts = df[["talk_seconds", "hold_seconds", "wrap_seconds"]]
    df["handle"] = df["handle_seconds"].fillna(parts.fillna(0).sum(axis=1).where(parts.notna().any(axis=1)))
    df["abandoned"] = df["abandoned"].fillna(False).astype(bool)
    df["wait"] = df["queue_wait_seconds"].fillna((df["first_response_at"] - df["created_at"]).dt.total_seconds())
    phone = df["channel"] == "phone"
    df["answered_phone"] = phone & ~df["abandoned"] & df["wait"].notna()
    df["answered_wait"] = df["wait"].where(df["answered_phone"])
    df["met"] = df["answered_phone"] & (df["wait"] <= 20)
    df["offered_phone"] = phone & (df["abandoned"] | df["wait"].notna())
    df["abandoned_phone"] = phone & df["abandoned"]
    df["phone"] = phone
    df["within"] = df["frt_min"] <= 60
    df["top2"] = df["csat"] >= 4
    df["solved"] = df["resolved_at"].notna()
    df["reopened"] = df["solved"] & (df["reopens"] > 0)
    g = df.groupby(["vendor", "month"], sort=True)
    out = g.agg(volume=("vendor", "size"), frt_median=("frt_min", "median"),
                frt_p90=("frt_min", lambda s: s.quantile(0.9)), within=("within", "sum"), aht=("handle", "mean"),
                asa=("answered_wait", "mean"), met=("met", "sum"), offered=("offered_phone", "sum"),
                abandoned=("abandoned_phone", "sum"), phone=("phone", "sum"), top2=("top2", "sum"),
                rated=("csat", "count"), reopened=("reopened", "sum"), solved=("solved", "sum"))
    out["frt_within_target"] = 100 * out["within"] / out["volume"]
    out["service_level"] = 100 * out["met"] / out["offered"]
    out["abandon_rate"] = 100 * out["abandoned"] / out["phone"]
    out["csat_top2"] = 100 * out["top2"] / out["rated"]
    out["reopen_rate"] = 100 * out["reopened"] / out["solved"]
    cols = ["volume", "frt_median", "frt_p90", "frt_within_target", "aht", "asa", "service_level", "abandon_rate",
            "csat_top2", "reopen_rate"]
    rows = [[str(v), str(m), *(float(x) for x in r)] for (v, m), r in zip(out.index, out[cols].to_numpy())]
    times.append(time.perf_counter() - started)
    reads.append(read)
elapsed = sorted(times[1:] or times)[len(times[1:] or times) // 2]
read = sorted(reads)[len(reads) // 2]
print(json.dumps({"seconds": elapsed, "peak": peak_mib(), "read_seconds": read, "rows": rows}))
"""
)


def prepared_workspace(rows: int, seed: int) -> tuple[Path, Path]:
    """A workspace holding `rows` generated interactions (made once, kept in benchmarks/.data)."""
    folder = DATA / f"metrics-{rows}-{seed}"
    workspace, data = folder / "workspace", folder / "data"
    if (folder / "ready").exists():
        return workspace, data / "interactions.parquet"
    from steward.importers.base import ImportOptions
    from steward.services.demo import calendar_yaml
    from steward.services.generation import DEFAULT_VENDORS, generate
    from steward.services.ingest import import_file
    from steward.workspace import Workspace

    started = time.perf_counter()
    generate(data, interactions=rows, seed=seed, file_format="parquet")
    ws = Workspace.init(workspace)
    for vendor in DEFAULT_VENDORS:
        (workspace / "definitions" / "calendars" / f"{vendor.name}.yaml").write_text(calendar_yaml(vendor))
    import_file(ws, data / "interactions.parquet", importer_name="steward", options=ImportOptions(table="interactions"))
    ws.close()
    (folder / "ready").write_text("ok\n")
    print(f"prepared {rows:,} interactions in {time.perf_counter() - started:.0f} s -> {workspace}")
    return workspace, data / "interactions.parquet"


def run(script: str, *args: str) -> tuple[dict[str, object], float]:
    """The script's JSON output and the process's peak RSS in MiB."""
    finished = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"benchmark run failed: {finished.stderr[-2000:]}")
    output = json.loads(finished.stdout)
    return output, float(output["peak"])


def measured(name: str, repeat: int, script: str, *args: str) -> dict[str, object]:
    output, peak = run(script, *args, str(repeat + 1))  # in one process: a warm-up run, then `repeat` runs
    runs = [(output, peak)]
    seconds = float(str(output["seconds"]))
    print(f"{name:34} {seconds:8.3f} s   peak RSS {peak:6.0f} MiB")
    return {"seconds": seconds, "peak_rss_mib": round(peak), "rows": runs[0][0]["rows"], **_extra(runs[0][0])}


def _extra(output: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in output.items() if k not in ("seconds", "rows", "peak")}


def same(a: object, b: object, what: str) -> None:
    """Stop unless two results agree (1e-9 relative): timings of different numbers mean nothing."""
    assert isinstance(a, list) and isinstance(b, list)
    if len(a) != len(b):
        raise SystemExit(f"{what}: {len(a)} rows vs {len(b)}")
    for left, right in zip(a, b, strict=True):
        for x, y in zip(left, right, strict=True):
            if _missing(x) and _missing(y):
                continue
            if isinstance(x, float) or isinstance(y, float):
                if _missing(x) or _missing(y) or abs(float(x) - float(y)) > 1e-9 * max(1.0, abs(float(y))):
                    raise SystemExit(f"{what}: {left} != {right}")
            elif str(x) != str(y):
                raise SystemExit(f"{what}: {left} != {right}")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    workspace, parquet = prepared_workspace(args.rows, args.seed)
    warehouse = str(workspace / "warehouse.duckdb")
    sql = measured("scorecard: hand-written DuckDB SQL", args.repeat, RUN_SQL, warehouse)
    steward = measured("scorecard: steward", args.repeat, RUN_STEWARD, str(workspace), ",".join(SCORECARD))
    pandas = measured("scorecard: pandas (read + compute)", args.repeat, RUN_PANDAS, str(parquet))
    same(steward["rows"], sql["rows"], "steward vs SQL")
    same(pandas["rows"], sql["rows"], "pandas vs SQL")
    calendar = measured("frt_mean (calendar time)", args.repeat, RUN_STEWARD, str(workspace), "frt_mean")
    calendar_p90 = measured("frt_p90 (calendar time)", args.repeat, RUN_STEWARD, str(workspace), "frt_p90")
    business_p90 = measured(
        "frt_business_p90 (business hours)", args.repeat, RUN_STEWARD, str(workspace), "frt_business_p90"
    )
    business = measured(
        "frt_business_mean (business hours)", args.repeat, RUN_STEWARD, str(workspace), "frt_business_mean"
    )
    figures = {
        "rows": args.rows,
        "scorecard_vs_sql": round(float(str(steward["seconds"])) / float(str(sql["seconds"])), 2),
        "pandas_vs_scorecard": round(float(str(pandas["seconds"])) / float(str(steward["seconds"])), 1),
        "scorecard_peak_rss_mib": steward["peak_rss_mib"],
        "business_vs_calendar": round(float(str(business["seconds"])) / float(str(calendar["seconds"])), 2),
        "business_vs_calendar_p90": round(float(str(business_p90["seconds"])) / float(str(calendar_p90["seconds"])), 2),
        "seconds": {
            "sql": sql["seconds"],
            "steward": steward["seconds"],
            "pandas": pandas["seconds"],
            "pandas_read": pandas.get("read_seconds"),
            "frt_calendar": calendar["seconds"],
            "frt_business": business["seconds"],
            "frt_p90_calendar": calendar_p90["seconds"],
            "frt_p90_business": business_p90["seconds"],
        },
    }
    print(
        f"scorecard: {figures['scorecard_vs_sql']}x the SQL (target <= 1.2x), pandas takes "
        f"{figures['pandas_vs_scorecard']}x as long (target >= 4x), peak {figures['scorecard_peak_rss_mib']} MiB "
        f"(target < 2048); business hours {figures['business_vs_calendar']}x calendar time for the mean, "
        f"{figures['business_vs_calendar_p90']}x for p90 (target <= 2x)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
