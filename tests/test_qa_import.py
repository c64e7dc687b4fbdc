"""`steward qa import`: a QA tool's per-question export becomes evaluation records, scored by Steward."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from tests.qa_support import qa_workspace
from typer.testing import CliRunner

from steward.domain.disputes import DisputedQuestion
from steward.interfaces.cli.app import app
from steward.services.qa_disputes import open_dispute, resolve_dispute
from steward.services.qa_import import import_evaluations
from steward.workspace import Workspace

HEADER = ["Review ID", "Ticket", "Reviewer", "Scorecard", "Reviewed", "Criterion", "Rating", "Comment", "Type"]
MAPPING = """\
columns: {evaluation: Review ID, interaction: Ticket, evaluator: Reviewer, scorecard: Scorecard,
          evaluated_at: Reviewed, question: Criterion, answer: Rating, comment: Comment, sample: Type}
values:
  scorecard: {Email QA: email-support}
  question: {Greeting: greeting, Tone: tone, Verification: verify, Disclosure: disclosure,
             Resolution: solved, Extra mile: extra_mile}
  answer: {"Yes": "yes", "No": "no", "N/A": n/a, Solved: solved, Partly: partly}
  sample: {Random: random, Low CSAT: targeted}
timezone: Europe/Berlin
timestamp_format: "%d.%m.%Y %H:%M"
"""
CRITERIA = ("Greeting", "Tone", "Verification", "Disclosure", "Resolution", "Extra mile")


def review(review_id: str, ticket: str, ratings: tuple[str, ...], kind: str = "Random") -> list[list[str]]:
    return [
        [review_id, ticket, "lena", "Email QA", "04.10.2026 16:30", criterion, rating, "", kind]
        for criterion, rating in zip(CRITERIA, ratings, strict=True)
    ]


def write_export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


@pytest.fixture
def qa(tmp_path: Path) -> Workspace:
    workspace = qa_workspace(tmp_path)
    (tmp_path / "map.yaml").write_text(MAPPING)
    return workspace


def test_good_evaluations_are_stored_and_scored_bad_ones_named_by_row(qa: Workspace, tmp_path: Path) -> None:
    rows = (
        review("R-1", "480", ("Yes", "4", "Yes", "Yes", "Partly", "No"))  # rows 2-7
        + review("R-2", "481", ("Yes", "5", "Yes", "Yes", "Solved", "Yes"), kind="Low CSAT")  # rows 8-13
        + review("R-3", "481", ("Yes", "7", "Yes", "Yes", "Solved", "No"))  # rows 14-19: 7 is off the 1-5 scale
        + review("R-4", "999", ("Yes", "5", "Yes", "Yes", "Solved", "No"))  # rows 20-25: no such interaction
    )
    rows[1][7] = "friendly\nbut long"  # a comment over two lines, quoted in the CSV
    summary = import_evaluations(qa, write_export(tmp_path / "export.csv", rows), mapping=tmp_path / "map.yaml")
    assert (summary.rows_read, summary.evaluations_read, summary.stored) == (24, 4, 2)
    assert (summary.rejected_evaluations, summary.rejected_rows) == (2, 12)
    assert summary.reconciles() and (summary.rows_stored, summary.rows_unchanged) == (12, 0)
    reasons = {evaluation: (r.rows, r.field, r.reason) for evaluation, r in summary.rejected}
    assert reasons["R-3"][:2] == ((15,), "answer") and reasons["R-3"][2].startswith("tone: '7' is not an answer")
    assert reasons["R-4"][1] == "interaction" and "'999'" in reasons["R-4"][2]
    assert summary.reject_report is not None and "R-3" in summary.reject_report.read_text()
    stored = {e.evaluation_id: e for e in qa.records.qa_evaluations()}
    # R-1 by hand: (10 x 1 + 20 x 0.75 + 20 + 10 + 40 x 0.5) / 100 = 75; R-2: 100 + bonus 10 x 1 / 100 = 110.
    assert (stored["R-1"].score, stored["R-1"].passed, stored["R-1"].comments) == (
        75.0,
        False,
        {"tone": "friendly\nbut long"},
    )
    assert (stored["R-2"].score, stored["R-2"].sample) == (110.0, "targeted")
    # 16:30 in Berlin on 4 October (summer time) is 14:30 UTC.
    assert stored["R-1"].evaluated_at == datetime(2026, 10, 4, 14, 30)
    results = qa.warehouse.table("qa_results").to_pyarrow().to_pylist()
    assert sorted((r["evaluation_id"], r["score"], r["vendor"]) for r in results) == [
        ("R-1", 75.0, "northwind"), ("R-2", 110.0, "northwind")
    ]  # fmt: skip


def test_reimport_changes_nothing_even_after_a_dispute_and_a_changed_export_is_refused(
    qa: Workspace, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export.csv", review("R-1", "480", ("Yes", "4", "Yes", "Yes", "Partly", "No")))
    import_evaluations(qa, export, mapping=tmp_path / "map.yaml")
    opened = open_dispute(qa, "R-1", "ag-7", {"tone": DisputedQuestion("friendly", "5")})
    resolve_dispute(qa, opened.id, "qa-lead", "accepted", comment="agreed")
    again = import_evaluations(qa, export, mapping=tmp_path / "map.yaml")
    assert (again.stored, again.unchanged, again.rejected_evaluations) == (0, 1, 0) and again.reconciles()
    rows = review("R-1", "480", ("Yes", "5", "Yes", "Yes", "Solved", "No"))
    for row in rows:
        row[2] = "tom"
    refused = import_evaluations(qa, write_export(tmp_path / "changed.csv", rows), mapping=tmp_path / "map.yaml")
    reason = refused.rejected[0][1].reason
    assert reason.startswith("already recorded; the export now differs in evaluator, solved, tone"), reason
    assert [e.score for e in qa.records.qa_evaluations()] == [80.0]  # the dispute's tone 5, not the export's


def test_rows_of_one_evaluation_must_agree_and_fields_be_present(qa: Workspace, tmp_path: Path) -> None:
    rows = review("R-1", "480", ("Yes", "4", "Yes", "Yes", "Partly", "No"))
    rows[2][2] = "tom"  # row 4: another reviewer inside the same review
    rows[3][6] = ""  # row 5: no rating
    rows[4][4] = "yesterday"  # row 6: not a time
    summary = import_evaluations(qa, write_export(tmp_path / "e.csv", rows), mapping=tmp_path / "map.yaml")
    problems = sorted((r.rows, r.field) for _, r in summary.rejected)
    assert problems == [((4,), "evaluator"), ((5,), "answer"), ((6,), "evaluated_at")]
    assert summary.stored == 0 and qa.records.qa_evaluations() == []


def test_times_that_are_not_one_instant_and_overlong_ids_are_named(qa: Workspace, tmp_path: Path) -> None:
    ambiguous = review("R-1", "480", ("Yes", "4", "Yes", "Yes", "Partly", "No"))
    for row in ambiguous:
        row[4] = "25.10.2026 02:30"  # Berlin sets the clocks back at 03:00: 02:30 happens twice
    overlong = review("R-" + "9" * 40, "481", ("Yes", "4", "Yes", "Yes", "Partly", "No"))
    summary = import_evaluations(
        qa, write_export(tmp_path / "e.csv", ambiguous + overlong), mapping=tmp_path / "map.yaml"
    )
    problems = {(r.rows[0], r.field) for _, r in summary.rejected}
    assert (2, "evaluated_at") in problems and (8, "evaluation") in problems
    assert summary.stored == 0 and summary.reconciles()


def test_cli_names_missing_columns_and_mapping_lines(qa: Workspace, tmp_path: Path) -> None:
    export = write_export(tmp_path / "e.csv", review("R-1", "480", ("Yes", "4", "Yes", "Yes", "Partly", "No")))
    unmapped = CliRunner().invoke(app, ["qa", "import", str(export), "-w", str(qa.root)])
    assert unmapped.exit_code == 2 and "'evaluation' (evaluation)" in unmapped.output
    (tmp_path / "bad.yaml").write_text("columns:\n  evaluaton: Review ID\n")
    bad = CliRunner().invoke(app, ["qa", "import", str(export), "-m", str(tmp_path / "bad.yaml"), "-w", str(qa.root)])
    assert bad.exit_code == 2 and "bad.yaml:2" in bad.output and "did you mean 'evaluation'" in bad.output
    done = CliRunner().invoke(app, ["qa", "import", str(export), "-m", str(tmp_path / "map.yaml"), "-w", str(qa.root)])
    assert done.exit_code == 0, done.output
    assert "6 rows, 1 evaluations read; 1 stored" in done.output
