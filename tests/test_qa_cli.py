"""`steward qa sample` and `steward qa sample-size` on a small workspace."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from tests.native_rows import write_table
from typer.testing import CliRunner

from steward.importers.base import ImportOptions
from steward.interfaces.cli.app import app
from steward.services.ingest import import_file
from steward.workspace import Workspace


def test_sample_writes_three_frames_reproducibly(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        {
            "interaction_id": f"t{n}",
            "vendor": "northwind" if n % 3 else "sunrise",
            "queue": "billing" if n % 2 else "orders",
            "channel": "email",
            "agent_id": f"ag-{n % 4}",
            "created_at": datetime(2026, 10, 1, 8) + timedelta(hours=2 * n),
            "csat": 1 if n % 10 == 0 else 5,
            "handle_seconds": 300 + n,
        }
        for n in range(300)
    ]
    import_file(
        workspace, write_table(tmp_path / "i.csv", "interactions", rows), options=ImportOptions(table="interactions")
    )
    root = str(workspace.root)
    args = ["qa", "sample", "--period", "2026-10", "--random", "30", "--per-agent", "3", "--targeted", "low_csat",
            "--per-queue", "5", "--seed", "4", "-w", root]  # fmt: skip
    first = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "a.csv")])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "b.csv")])
    assert again.exit_code == 0 and (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    picked = list(csv.DictReader((tmp_path / "a.csv").read_text().splitlines()))
    frames = [row["frame"] for row in picked]
    assert frames.count("random") == 30 and frames.count("targeted") == 5
    assert 0 < frames.count("quota") <= 12  # 4 agents x 3, less any already in the random frame
    assert len({row["interaction"] for row in picked}) == len(picked)
    bad = CliRunner().invoke(app, ["qa", "sample", "--targeted", "angry", "-w", root])
    assert bad.exit_code == 2 and "unknown targeted queue angry" in bad.output
    nothing = CliRunner().invoke(app, ["qa", "sample", "-w", root])
    assert nothing.exit_code == 2 and "at least one frame" in nothing.output


def test_sample_size_states_the_precision() -> None:
    result = CliRunner().invoke(app, ["qa", "sample-size", "--sd", "10", "--per-agent", "5"])
    assert result.exit_code == 0
    assert "±12.4 points" in result.output and "needs 18 evaluations" in result.output and "385" in result.output
