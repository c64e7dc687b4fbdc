"""quality_score and the QA rates from imported QA results, against a plain-Python oracle."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from tests.native_rows import Row, write_table

from steward.importers.base import ImportOptions
from steward.services.ingest import import_file
from steward.workspace import Workspace

SAMPLES = ("random", "random", "random", "targeted", "calibration", "autoqa", "mystery_shop")


def qa_rows(count: int, seed: int, start: datetime = datetime(2026, 1, 1), days: int = 89) -> list[Row]:
    """Evaluations of every sample kind, with critical failures and some scores without a pass mark."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        failed = rng.choice(["none"] * 8 + ["section", "evaluation"])
        score = 0.0 if failed == "evaluation" else round(rng.uniform(40, 110), 1)
        rows.append(
            {
                "evaluation_id": f"ev-{n}",
                "interaction_id": str(1000 + n),
                "vendor": rng.choice(["northwind", "sunrise"]),
                "queue": rng.choice(["billing", "orders"]),
                "channel": rng.choice(["email", "chat"]),
                "agent_id": f"ag-{rng.randint(1, 6)}",
                "evaluator": rng.choice(["qa-lena", "qa-omar"]),
                "scorecard": "email-support",
                "evaluated_at": start + timedelta(minutes=rng.randint(0, 60 * 24 * days)),
                "sample": rng.choice(SAMPLES),
                "score": score,
                "raw_score": score,
                "failed": failed,
                "passed": None if n % 7 == 0 else score >= 80,
            }
        )
    return rows


def oracle(rows: list[Row]) -> dict[tuple[str, str], dict[str, float | None]]:
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row["sample"] == "random":
            at = row["evaluated_at"]
            assert isinstance(at, datetime)
            groups[str(row["vendor"]), f"{at.year}-{at.month:02d}"].append(row)
    answers = {}
    for key, members in groups.items():
        with_mark = [r for r in members if r["passed"] is not None]
        answers[key] = {
            "quality_score": sum(float(r["score"]) for r in members) / len(members),  # type: ignore[arg-type]
            "qa_pass_rate": 100 * sum(bool(r["passed"]) for r in with_mark) / len(with_mark) if with_mark else None,
            "qa_critical_fail_rate": 100 * sum(r["failed"] != "none" for r in members) / len(members),
        }
    return answers


@pytest.mark.parametrize("seed", [1, 2])
def test_quality_metrics_match_the_oracle(workspace: Workspace, tmp_path: Path, seed: int) -> None:
    rows = qa_rows(400, seed)
    path = write_table(tmp_path / "qa.csv", "qa_results", rows)
    summary = import_file(workspace, path, importer_name="steward", options=ImportOptions(table="qa_results"))
    assert summary.exit_code == 0 and summary.total("stored") == 400
    table = workspace.metrics.query(
        ["quality_score", "qa_pass_rate", "qa_critical_fail_rate"], by=["vendor"], grain="month", reporting_tz="UTC"
    )
    got = {(r["vendor"], r["month"].strftime("%Y-%m")): r for r in table.to_pylist()}
    want = oracle(rows)
    assert set(got) == set(want)
    for key, values in want.items():
        for metric, value in values.items():
            assert got[key][metric] == pytest.approx(value), (key, metric)
    targeted = workspace.metrics.query(["quality_score"], where={"sample": ["targeted"]}, start=date(2026, 1, 1))
    assert targeted.to_pylist()[0]["quality_score__denominator"] == 0  # the KPI's sample is random only


def test_mystery_shopping_is_reported_apart(workspace: Workspace, tmp_path: Path) -> None:
    rows = qa_rows(300, 9)
    for n, row in enumerate(rows[:40]):
        row["sample"] = "mystery_shop"
        row["score"] = 50.0 + n
    path = write_table(tmp_path / "qa.csv", "qa_results", rows)
    import_file(workspace, path, importer_name="steward", options=ImportOptions(table="qa_results"))
    answer = workspace.metrics.query(["mystery_shop_score", "quality_score"], start=date(2026, 1, 1)).to_pylist()[0]
    mystery = [float(r["score"]) for r in rows if r["sample"] == "mystery_shop"]  # type: ignore[arg-type]
    assert len(mystery) >= 40
    assert answer["mystery_shop_score"] == pytest.approx(sum(mystery) / len(mystery))
    randoms = [float(r["score"]) for r in rows if r["sample"] == "random"]  # type: ignore[arg-type]
    assert answer["quality_score"] == pytest.approx(sum(randoms) / len(randoms))


QA_TOOL_EXPORT = """\
Review ID,Ticket,Team,Agent,Reviewer,Scorecard,Reviewed,Review type,Score %,Critical failed
r-1,4811,Northwind Manila,ag-7,lena,Email QA,10/02/2026 09:15,Random,92.5,No
r-2,4812,Northwind Manila,ag-7,lena,Email QA,10/03/2026 11:40,Random,0,Yes
r-3,4813,Northwind Manila,ag-8,omar,Email QA,10/03/2026 12:05,Low CSAT,55,No
r-4,4814,Sunrise Cape Town,ag-9,omar,Email QA,10/04/2026 16:20,Random,81,No
"""
QA_TOOL_MAPPING = """\
table: qa_results
source: acme-qa
timezone: Europe/Berlin
columns:
  evaluation_id: Review ID
  interaction_id: Ticket
  vendor: Team
  agent_id: Agent
  evaluator: Reviewer
  scorecard: Scorecard
  evaluated_at: Reviewed
  sample: Review type
  score: Score %
  failed: Critical failed
timestamp_formats: {"*": "%m/%d/%Y %H:%M"}
values:
  vendor: {Northwind Manila: northwind, Sunrise Cape Town: sunrise}
  scorecard: {Email QA: email-support}
  sample: {Random: random, Low CSAT: targeted}
  failed: {"No": none, "Yes": evaluation}
"""


def test_a_qa_tool_export_imports_through_a_mapping(workspace: Workspace, tmp_path: Path) -> None:
    """docs/qa.md: any QA tool's CSV export becomes qa_results through a mapping file."""
    (tmp_path / "export.csv").write_text(QA_TOOL_EXPORT)
    (tmp_path / "acme-qa.yaml").write_text(QA_TOOL_MAPPING)
    summary = import_file(
        workspace,
        tmp_path / "export.csv",
        importer_name="mapped",
        options=ImportOptions(mapping=tmp_path / "acme-qa.yaml"),
    )
    assert summary.exit_code == 0 and summary.total("stored") == 4
    table = workspace.metrics.query(["quality_score", "qa_critical_fail_rate"], by=["vendor"], start=date(2026, 10, 1))
    got = {row["vendor"]: row for row in table.to_pylist()}
    assert got["northwind"]["quality_score"] == pytest.approx((92.5 + 0) / 2)  # the targeted review stays out
    assert got["northwind"]["qa_critical_fail_rate"] == pytest.approx(50.0)
    assert got["sunrise"]["quality_score"] == pytest.approx(81.0)
