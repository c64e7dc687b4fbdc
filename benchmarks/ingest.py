"""Import a generated native CSV with full validation, against DuckDB's own read_csv into a table.

    .venv/bin/python benchmarks/ingest.py [--rows 10000000] [--repeat 1]

The floor is `CREATE TABLE interactions AS SELECT * FROM read_csv(file)` into a fresh DuckDB
file: parsing and storing with no validation at all. Steward's run is `steward import` of the
same file into a fresh workspace: every row typed and checked, rejects quarantined, counts
recorded, all in one transaction. Each run is a separate process so peak memory is its own.
Target (issue 2): Steward within 2x the floor, peak memory under 4 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).parent / ".data"

FLOOR = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE interactions AS SELECT * FROM read_csv(?)", [sys.argv[1]])
print(con.execute("SELECT count(*) FROM interactions").fetchone()[0])
"""

STEWARD = """
import sys
from pathlib import Path
from steward.importers.base import ImportOptions
from steward.services.ingest import import_file
from steward.workspace import Workspace
workspace = Workspace.init(Path(sys.argv[2]))
options = ImportOptions(table="interactions")
summary = import_file(workspace, Path(sys.argv[1]), importer_name="steward", options=options)
print(summary.total("inserted"), summary.total("rejected"))
"""


def generated_csv(rows: int, seed: int) -> Path:
    """The generator's interactions CSV for `rows` rows, made once and kept in benchmarks/.data."""
    folder = DATA / f"native-{rows}-{seed}"
    path = folder / "interactions.csv"
    if not path.exists():
        from steward.services.generation import generate

        started = time.perf_counter()
        generate(folder, interactions=rows, seed=seed, file_format="csv")
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def measure(script: str, csv_path: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and the output of one run in a fresh process."""
    scratch = Path(tempfile.mkdtemp(prefix="steward-bench-", dir=DATA))
    target = scratch / ("floor.duckdb" if "duckdb.connect" in script else "workspace")
    try:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(csv_path), str(target)], stdout=subprocess.PIPE, text=True
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        output = process.stdout.read().strip() if process.stdout else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"benchmark run failed: {output}")
        return elapsed, usage.ru_maxrss / 1024, output
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is reported")
    parser.add_argument("--csv", type=Path, help="use this native interactions CSV instead of generating one")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    csv_path = args.csv or generated_csv(args.rows, args.seed)
    print(f"file: {csv_path} ({csv_path.stat().st_size / 2**30:.2f} GiB)")
    results = {}
    for name, script in (("duckdb read_csv (floor)", FLOOR), ("steward import", STEWARD)):
        runs = [measure(script, csv_path) for _ in range(args.repeat)]
        best = min(runs)
        results[name] = {
            "seconds": round(best[0], 2),
            "peak_rss_mib": round(max(r[1] for r in runs)),
            "output": best[2],
        }
        print(f"{name:26} {best[0]:7.2f} s   peak RSS {max(r[1] for r in runs):7.0f} MiB   ({best[2]})")
    floor, steward = results["duckdb read_csv (floor)"], results["steward import"]
    ratio = steward["seconds"] / floor["seconds"]
    peak = steward["peak_rss_mib"]
    print(f"ratio steward / floor: {ratio:.2f}x (target <= 2.0x); steward peak {peak} MiB (target < 4096)")
    print(json.dumps({"rows": args.rows, "results": results, "ratio": round(ratio, 2)}))


if __name__ == "__main__":
    main()
