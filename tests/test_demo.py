"""`steward generate` and `steward demo` end to end, on small volumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from steward.interfaces.cli.app import app
from steward.services.status import workspace_status
from steward.workspace import Workspace


def test_generate_writes_native_files_that_import_cleanly(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["generate", str(tmp_path / "data"), "--interactions", "2000", "--format", "csv"])
    assert result.exit_code == 0, result.output
    for name in ("interactions", "agent_states", "schedules", "forecasts", "orders"):
        assert (tmp_path / "data" / f"{name}.csv").exists()
    Workspace.init(tmp_path / "ws").close()
    imported = runner.invoke(app, ["import", str(tmp_path / "data"), "-w", str(tmp_path / "ws"), "--json"])
    assert imported.exit_code == 0, imported.output
    per_table = json.loads(imported.output)["tables"]
    assert set(per_table) == {"interactions", "interaction_events", "agent_states", "schedules", "forecasts", "orders"}
    assert per_table["interactions"]["inserted"] == 2000


def test_generate_refuses_sizes_outside_the_range(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", str(tmp_path), "--interactions", "20000000"])
    assert result.exit_code == 2
    assert "10000000" in result.output.replace(",", "").replace("_", "")


def test_demo_builds_a_workspace_and_prints_the_summary(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder), "--interactions", "3000"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in (
        "Interactions per vendor and channel",
        "Interactions per month",
        "acme-inhouse",
        "northwind",
        "bluecrest",
        "sunrise",
        "interactions.parquet",
        "rejected",
        "Headline metrics per vendor and month",
        "frt business p90",
        "csat top2",
        "Contract scorecards for 2026-10",
        "sunrise — 2026-10",
        "net adjustment",
        "HTML scorecard",
        "Quality assurance for 2026-10",
        "Mystery shopping due in 2026-10",
        "Calibration on support-quality@2025-11-01",
        "outside tolerance",
        "AutoQA",
        "Steward's forecast, 7 days of 60-minute intervals",
        "Staffing gaps of sunrise, 2026-10-01 to 2026-10-31",
        str(folder),
    ):
        assert text in result.output, text
    workspace = Workspace.open(folder)
    try:
        status = workspace_status(workspace)
        assert status.tables["interactions"] == 3000
        assert status.tables["forecasts"] > 0 and status.tables["agent_states"] > 0 and status.tables["orders"] > 0
        assert {v.name for v in status.vendors if v.declared} == {"acme-inhouse", "northwind", "bluecrest", "sunrise"}
        assert all(run.rows_rejected == 0 for run in status.imports)
    finally:
        workspace.close()
    allocation = CliRunner().invoke(app, ["wfm", "allocate", "--period", "2026-11", "-w", str(folder)],
                                    env={"COLUMNS": "160"})  # fmt: skip
    assert allocation.exit_code == 0, allocation.output
    assert "min share" in allocation.output and "agent-hours: pooled" in allocation.output
    again = CliRunner().invoke(app, ["demo", "--dir", str(folder), "--interactions", "2000"])
    assert again.exit_code == 0, again.output  # a demo workspace is rebuilt


def test_demo_leaves_other_folders_alone(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path), "--interactions", "1000"])
    assert result.exit_code == 2
    assert (tmp_path / "mine.txt").read_text() == "keep me"


@pytest.mark.slow
def test_full_demo_has_a_clear_miss_a_near_line_and_a_comfortable_partner(tmp_path: Path) -> None:
    """At the default 500,000 interactions the demo contracts tell three different stories."""
    from steward.services.demo import build_demo

    result = build_demo(tmp_path / "demo")
    try:
        assert result.scorecards is not None
        cards = {card["vendor"]: card for card in result.scorecards.cards}
        assert result.scorecards.period.label == "2026-10" and set(cards) == {"sunrise", "northwind", "bluecrest"}
        critical = {v: [lv for lv in c["levels"] if lv["kind"] == "critical"] for v, c in cards.items()}
        assert sum(lv["status"] == "missed minimum" for lv in critical["sunrise"]) >= 2
        assert float(cards["sunrise"]["credits_after_caps"]) > 0 and cards["sunrise"]["flags"]
        assert all(lv["status"] == "met" for lv in critical["northwind"])
        near = [lv for lv in critical["northwind"] if abs(lv["value"] - lv["expected"]) <= 0.05 * abs(lv["expected"])]
        assert len(near) >= 2, critical["northwind"]
        measured = [lv for lv in cards["bluecrest"]["levels"] if lv["status"] != "measured at quarter end"]
        assert all(lv["status"] == "met" for lv in measured)
        assert all(abs(lv["value"] - lv["expected"]) >= 0.04 * abs(lv["expected"]) for lv in measured)
        assert float(cards["bluecrest"]["net_adjustment"]) >= 0
        assert result.qa is not None
        imported, report = result.qa.imported, result.qa.report
        assert imported.stored == imported.evaluations_read >= 200 and imported.reconciles()
        quality = {v.vendor: v.values["quality_score"] or 0.0 for v in report.vendors}
        assert (
            min(quality, key=lambda v: quality[v]) == "sunrise"
            and max(quality, key=lambda v: quality[v]) == "bluecrest"
        )
        evaluators = {e.evaluator: e for e in result.qa.calibration.result.evaluators}
        assert evaluators["qa-tom"].flagged and (evaluators["qa-tom"].bias or 0) > 3  # lenient
        assert not evaluators["qa-lena"].flagged
        assert result.qa.autoqa.interactions >= 1000
        assert result.workforce is not None
        gaps = result.workforce.staffing.summary  # sunrise rosters for 70% of its need
        assert gaps.understaffed >= 0.15 * gaps.counted and (gaps.covered_share or 1.0) < 0.95
        chosen = [s.forecast for s in result.workforce.forecast.series if s.forecast is not None]
        assert chosen and all(f.floor <= min(score.wape for score in f.scores) for f in chosen)
    finally:
        result.workspace.close()


def test_the_demo_reads_naive_utc_instants_as_utc_whatever_the_machine_zone() -> None:
    from datetime import date, datetime

    from steward.services.demo_wfm import naive_utc_to_local

    assert naive_utc_to_local(datetime(2026, 10, 31, 23, 0), "Europe/Berlin").date() == date(2026, 11, 1)
