"""QA evaluations recorded from the CLI, kept as records and mirrored into qa_results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tests.qa_support import qa_workspace
from typer.testing import CliRunner

from steward.domain.clock import FixedClock
from steward.interfaces.cli.app import app
from steward.workspace import Workspace

GOLDEN = Path(__file__).parent / "golden" / "qa_email_support.yaml"
ANSWERS = ["greeting=yes", "tone=4", "verify=yes", "disclosure=yes", "solved=partly", "extra_mile=no"]


@pytest.fixture
def evaluating(tmp_path: Path) -> Workspace:
    return qa_workspace(tmp_path)


def run(workspace: Workspace, *args: str) -> object:
    return CliRunner().invoke(app, ["qa", "evaluate", *args, "-w", str(workspace.root)])


def test_an_evaluation_is_recorded_scored_and_reaches_quality_score(evaluating: Workspace) -> None:
    answers = [arg for a in ANSWERS for arg in ("-a", a)]
    result = run(evaluating, "--scorecard", "email-support", "--interaction", "480", "--evaluator", "lena", *answers,
                 "--comment", "solved=refund promised but not issued")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    # (greeting 10 + tone 20 x 0.75 + verify 20 + disclosure 10 + solved 40 x 0.5) / 100 = 75; pass mark 80
    assert "score 75.0 (raw 75.0) — below the pass mark" in result.output  # type: ignore[attr-defined]
    records = evaluating.records.qa_evaluations()
    assert len(records) == 1
    record = records[0]
    assert (record.vendor, record.agent_id, record.scorecard_version) == (
        "northwind",
        "ag-7",
        "email-support@2026-01-01",
    )
    assert record.answers["tone"] == "4" and record.comments == {"solved": "refund promised but not issued"}
    table = evaluating.metrics.query(["quality_score"], by=["agent_id"], start=date(2026, 10, 1))
    assert table.to_pylist()[0]["quality_score"] == pytest.approx(record.score)


def test_every_problem_is_named_and_nothing_is_stored(evaluating: Workspace) -> None:
    bad = run(evaluating, "--scorecard", "email-support", "--interaction", "480", "--evaluator", "lena",
              "-a", "greeting=maybe", "-a", "disclosure=n/a")  # fmt: skip
    assert bad.exit_code == 2  # type: ignore[attr-defined]
    for words in ("greeting: 'maybe' is not an answer", "disclosure: N/A is not allowed", "tone: not answered"):
        assert words in bad.output, bad.output  # type: ignore[attr-defined]
    missing = run(
        evaluating, "--scorecard", "email-support", "--interaction", "999", "--evaluator", "lena", "-a", "x=y"
    )
    assert missing.exit_code == 2 and "not in the warehouse" in missing.output  # type: ignore[attr-defined]
    unknown = run(evaluating, "--scorecard", "chat", "--interaction", "480", "--evaluator", "lena", "-a", "x=y")
    assert unknown.exit_code == 2 and "unknown scorecard 'chat'" in unknown.output  # type: ignore[attr-defined]
    assert evaluating.records.qa_evaluations() == []


def evaluate(workspace: Workspace) -> str:
    answers = [arg for a in ANSWERS for arg in ("-a", a)]
    result = run(workspace, "--scorecard", "email-support", "--interaction", "481", "--evaluator", "lena", *answers)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return str(result.output.split(":")[0])  # type: ignore[attr-defined]


def dispute(workspace: Workspace, *args: str) -> object:
    return CliRunner().invoke(app, ["qa", "dispute", *args, "-w", str(workspace.root)], env={"COLUMNS": "200"})


def test_a_dispute_partially_accepted_rescores_audits_and_mirrors(evaluating: Workspace) -> None:
    evaluation = evaluate(evaluating)  # 75.0: tone 4, solved partly
    opened = dispute(evaluating, "open", evaluation, "--by", "ag-7", "-q", "solved=the refund was issued",
                     "-q", "tone=customer was abusive", "--propose", "tone=5")  # fmt: skip
    assert opened.exit_code == 0, opened.output  # type: ignore[attr-defined]
    again = dispute(evaluating, "open", evaluation, "--by", "ag-7", "-q", "tone=again")
    assert again.exit_code == 2 and "already has an open dispute" in again.output  # type: ignore[attr-defined]
    resolved = dispute(evaluating, "resolve", "1", "--arbitrator", "qa-lead", "--decision", "partially_accepted",
                       "--change", "solved=solved", "--comment", "refund confirmed in the CRM")  # fmt: skip
    assert resolved.exit_code == 0, resolved.output  # type: ignore[attr-defined]
    assert "score 75.0 → 95.0" in resolved.output  # type: ignore[attr-defined]  # solved partly (20) -> solved (40)
    record = evaluating.records.qa_evaluations()[0]
    assert record.score == 95.0 and record.answers["solved"] == "solved" and record.answers["tone"] == "4"
    from steward.storage.records import QaAuditEntry

    with evaluating.records.session() as session:
        audit = list(session.query(QaAuditEntry).order_by(QaAuditEntry.id))
    assert [a.action for a in audit] == ["disputed", "dispute partially_accepted"]
    assert audit[1].before["score"] == 75.0 and audit[1].after["score"] == 95.0 and audit[1].actor == "qa-lead"
    table = evaluating.metrics.query(["quality_score"], start=date(2026, 10, 1))
    assert table.to_pylist()[0]["quality_score"] == pytest.approx(95.0)
    twice = dispute(evaluating, "resolve", "1", "--arbitrator", "qa-lead", "--decision", "rejected")
    assert twice.exit_code == 2 and "already partially accepted" in twice.output  # type: ignore[attr-defined]
    listed = dispute(evaluating, "list")
    assert "partially accepted" in listed.output and "qa-lead" in listed.output  # type: ignore[attr-defined]


def test_the_dispute_window_closes(evaluating: Workspace) -> None:
    from steward.domain.disputes import DisputedQuestion
    from steward.services.qa_disputes import DisputeError, open_dispute
    from steward.services.qa_evaluations import EvaluationInput, record_evaluation

    given = EvaluationInput("email-support", "482", "lena", dict(a.split("=") for a in ANSWERS))
    evaluation = record_evaluation(evaluating, given).record.evaluation_id  # the fixture's clock: 5 October
    later = Workspace.open(evaluating.root, FixedClock(datetime(2026, 10, 20, tzinfo=UTC)))
    try:
        with pytest.raises(DisputeError, match="the dispute window closed on 2026-10-12 12:00 UTC"):
            open_dispute(later, evaluation, "ag-7", {"tone": DisputedQuestion("harsh")})
    finally:
        later.close()


def test_coaching_items_open_once_and_show_whether_the_score_moved(evaluating: Workspace) -> None:
    from steward.services.qa_coaching import close_item, open_items, progress
    from steward.services.qa_evaluations import EvaluationInput, record_evaluation

    weak = dict(a.split("=") for a in ANSWERS) | {"tone": "1", "solved": "not solved"}  # tone and solved fail
    for n in range(3):
        given = EvaluationInput("email-support", f"48{n}", "lena", weak)
        record_evaluation(evaluating, given)  # 10 + 0 + 20 + 10 + 0 = 40 each
    items = open_items(evaluating, owner="tl-maria")
    assert sorted(i.key for i in items) == ["low-score", "question:solved", "question:tone"]
    assert {i.agent_id for i in items} == {"ag-7"} and all(i.owner == "tl-maria" for i in items)
    assert open_items(evaluating) == []  # the same causes stay with the open items
    later = Workspace.open(evaluating.root, FixedClock(datetime(2026, 10, 9, 12, tzinfo=UTC)))
    try:
        record_evaluation(later, EvaluationInput("email-support", "480", "lena", dict(a.split("=") for a in ANSWERS)))
        rows = {row.item.key: row.follow_up for row in progress(later)}
        assert rows["low-score"].before == pytest.approx(40.0) and rows["low-score"].after == pytest.approx(75.0)
        closed = close_item(later, items[0].id, note="walked through the refund policy")
        assert closed.status == "done" and [r.item.id for r in progress(later, "open")] == [i.id for i in items[1:]]
    finally:
        later.close()


def test_the_qa_report_counts_samples_and_open_work(evaluating: Workspace) -> None:
    from steward.services.qa_evaluations import EvaluationInput, record_evaluation
    from steward.services.qa_report import qa_report

    base = dict(a.split("=") for a in ANSWERS)
    for n, (sample, tone) in enumerate([("random", "4"), ("random", "2"), ("targeted", "1"), ("calibration", "5")]):
        record_evaluation(
            evaluating, EvaluationInput("email-support", f"48{n % 3}", "lena", base | {"tone": tone}, sample=sample)
        )
    report = qa_report(evaluating, "2026-10")
    (northwind,) = report.vendors
    assert northwind.evaluations == {"random": 2, "targeted": 1, "calibration": 1}
    assert northwind.values["quality_score"] == pytest.approx((75.0 + 65.0) / 2)  # tone 4 -> 15 points, tone 2 -> 5
    assert northwind.values["mystery_shop_score"] is None  # shops come only from plans (tests/test_qa_mystery.py)
    assert northwind.margin == pytest.approx(12.706 * 7.0711 / 2**0.5, rel=1e-3)  # t(0.975, 1) x sd / sqrt(2)
    result = CliRunner().invoke(app, ["qa", "report", "--period", "2026-10", "-w", str(evaluating.root)],
                                env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0 and "70.0 ±63.5" in result.output, result.output
