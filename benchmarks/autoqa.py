"""AutoQA at demo scale: import transcripts with redaction, then run the rulesets over them.

    .venv/bin/python benchmarks/autoqa.py [--transcripts 20000] [--seed 7]

Generates N chat interactions in October 2026 and their demo transcripts (4-10 turns, ~7 on
average) into a temporary workspace, then times:

- the import of the transcripts Parquet with redaction (every text through `st_redact`), against the
  same import with the redaction flag switched off (the baseline; ratio = cost of redaction);
- `run_autoqa` over the month (the demo ruleset, 7 rules), including storing its results.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from steward.domain import canonical
from steward.importers.base import ImportOptions
from steward.services.generation.transcripts import DEMO_AUTOQA_RULESET, write_demo_transcripts
from steward.services.ingest import import_file
from steward.services.qa_autoqa import run_autoqa
from steward.workspace import Workspace

VENDORS = ("northwind", "southwind", "eastwind", "acme-inhouse")
OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)


def workspace_with_interactions(root: Path, count: int) -> Workspace:
    workspace = Workspace.init(root)
    (root / "definitions" / "autoqa" / "chat-basics.yaml").write_text(DEMO_AUTOQA_RULESET, encoding="utf-8")
    seconds = 30 * 86_400 // count
    table = pa.table(
        {
            "interaction_id": [f"c-{n}" for n in range(count)],
            "vendor": [VENDORS[n % len(VENDORS)] for n in range(count)],
            "queue": ["billing"] * count,
            "channel": ["chat" if n % 3 else "email" for n in range(count)],
            "agent_id": [f"ag-{n % 97}" for n in range(count)],
            "created_at": [OCTOBER + timedelta(seconds=n * seconds) for n in range(count)],
        }
    )
    pq.write_table(table, root / "interactions.parquet")
    import_file(workspace, root / "interactions.parquet", options=ImportOptions(table="interactions"))
    return workspace


def timed_import(workspace: Workspace, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    summary = import_file(workspace, path, options=ImportOptions(table="transcripts"))
    return time.perf_counter() - started, summary.total("inserted")


def without_redaction() -> canonical.Table:
    table = canonical.TABLES["transcripts"]
    columns = tuple(dataclasses.replace(c, redacted=False) for c in table.columns)
    return dataclasses.replace(table, columns=columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace = workspace_with_interactions(root / "ws", args.transcripts)
        started = time.perf_counter()
        path = write_demo_transcripts(
            workspace, OCTOBER, datetime(2026, 11, 1, tzinfo=UTC), root / "transcripts.parquet",
            limit=args.transcripts, seed=args.seed,
        )  # fmt: skip
        turns = pq.read_metadata(path).num_rows
        print(f"generated {args.transcripts:,} transcripts, {turns:,} turns in {time.perf_counter() - started:.1f} s")

        baseline = workspace_with_interactions(root / "baseline", 1)
        redacted = canonical.TABLES["transcripts"]
        canonical.TABLES["transcripts"] = without_redaction()
        try:
            plain, _ = timed_import(baseline, path)
        finally:
            canonical.TABLES["transcripts"] = redacted
        baseline.close()
        seconds, inserted = timed_import(workspace, path)
        print(f"import without redaction: {plain:.2f} s ({turns / plain:,.0f} turns/s)")
        print(f"import with redaction:    {seconds:.2f} s ({inserted / seconds:,.0f} turns/s), {seconds / plain:.2f}x")

        started = time.perf_counter()
        summary = run_autoqa(workspace, "2026-10")
        elapsed = time.perf_counter() - started
        print(
            f"run_autoqa: {elapsed:.2f} s for {summary.interactions:,} interactions "
            f"({summary.interactions / elapsed:,.0f} interactions/s, {turns / elapsed:,.0f} turns/s), "
            f"{summary.rows_stored:,} rows stored"
        )
        workspace.close()


if __name__ == "__main__":
    main()
