"""Calibration sessions as records: opened, answered blind, closed, reported from the stored answers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from tests.qa_support import qa_workspace
from typer.testing import CliRunner

from steward.domain.calibration import calibrate
from steward.interfaces.cli.app import app
from steward.services.qa_calibration import CalibrationError
from steward.services.qa_calibration_sessions import (
    close,
    open_session,
    session_report,
    sessions,
    status,
    submit,
    submit_file,
    submit_many,
)
from steward.storage.records import QaCalibrationAnswer
from steward.workspace import Workspace

GOLDEN = Path(__file__).parent / "golden" / "qa_email_support.yaml"
QUESTIONS = ("greeting", "tone", "verify", "disclosure", "solved", "extra_mile")
NOW = datetime(2026, 10, 5, 12, tzinfo=UTC)
# Final scores (tests/golden/qa_email_support.yaml): lena and ana agree; ben is lenient.
GIVEN = {
    "lena": {
        "480": ("yes", "5", "yes", "yes", "solved", "no"),  # 100
        "481": ("yes", "3", "yes", "yes", "partly", "no"),  # (10 + 20 x 0.5 + 20 + 10 + 40 x 0.5) = 70
        "482": ("yes", "4", "yes", "yes", "solved", "no"),  # 10 + 15 + 20 + 10 + 40 = 95
    },
    "ana": {
        "480": ("yes", "5", "yes", "yes", "solved", "no"),
        "481": ("yes", "3", "yes", "yes", "partly", "no"),
        "482": ("yes", "4", "yes", "yes", "solved", "no"),
    },
    "ben": {
        "480": ("yes", "5", "yes", "yes", "solved", "yes"),  # 110 (bonus): +10
        "481": ("yes", "5", "yes", "yes", "solved", "no"),  # 100: +30
        "482": ("yes", "5", "yes", "yes", "solved", "yes"),  # 110: +15 -> bias +18.3
    },
}


def answers(evaluator: str, interaction: str) -> dict[str, str]:
    return dict(zip(QUESTIONS, GIVEN[evaluator][interaction], strict=True))


@pytest.fixture
def calibrating(tmp_path: Path) -> Workspace:
    return qa_workspace(tmp_path)


def run(workspace: Workspace, *args: str) -> Result:
    return CliRunner().invoke(app, ["qa", "calibrate", *args, "-w", str(workspace.root)], env={"COLUMNS": "200"})


def pairs(evaluator: str, interaction: str) -> list[str]:
    return [arg for q, a in answers(evaluator, interaction).items() for arg in ("-a", f"{q}={a}")]


def answers_csv(path: Path, given: dict[str, list[str]], extra: tuple[str, ...] = ()) -> Path:
    lines = ["evaluator,interaction,question,answer"]
    for evaluator, units in given.items():
        for unit in units:
            lines += [f"{evaluator},{unit},{q},{a}" for q, a in answers(evaluator, unit).items()]
    path.write_text("\n".join([*lines, *extra]) + "\n")
    return path


def open_three(workspace: Workspace) -> int:
    record = open_session(workspace, name="October", scorecard="email-support", interactions=["480", "481", "482"],
                          evaluators=["lena", "ana", "ben"], expert="lena", opened_by="maria")  # fmt: skip
    return record.id


def table_rows(output: str) -> dict[str, str]:
    return {line.split()[1]: line for line in output.splitlines() if line.startswith("│ ") and len(line.split()) > 1}


def test_the_blind_workflow_end_to_end(calibrating: Workspace, tmp_path: Path) -> None:
    opened = run(calibrating, "open", "--name", "October refunds", "--scorecard", "email-support", "--by", "maria",
                 *("--interaction", "480", "--interaction", "481", "--interaction", "482"),
                 *("--evaluator", "lena", "--evaluator", "ana", "--evaluator", "ben", "--expert", "lena"))  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert "session 1 'October refunds' opened on email-support@2026-01-01" in opened.output
    for unit in ("480", "481", "482"):
        done = run(calibrating, "submit", "1", "--evaluator", "lena", "--interaction", unit, *pairs("lena", unit))
        assert done.exit_code == 0, done.output
    filed = run(calibrating, "submit", "1", "--file", str(answers_csv(tmp_path / "ana.csv", {"ana": ["480", "481"]})))
    assert filed.exit_code == 0 and "2 answer sheet(s) stored" in filed.output, filed.output
    for unit in ("480", "481"):
        assert run(calibrating, "submit", "1", "--evaluator", "ben", "--interaction", unit,
                   *pairs("ben", unit)).exit_code == 0  # fmt: skip

    progress = run(calibrating, "status", "1")
    assert progress.exit_code == 0, progress.output
    rows = table_rows(progress.output)
    assert "3 of 3" in rows["lena"] and "2 of 3" in rows["ana"] and "482" in rows["ben"]
    for sealed in ("solved", "partly", "100", "110", "70", "95", "alpha", "bias"):
        assert sealed not in progress.output, sealed
    sealed_report = run(calibrating, "report", "1")
    assert sealed_report.exit_code == 2 and "still open" in sealed_report.output

    refused = run(calibrating, "close", "1")
    assert refused.exit_code == 2
    assert "ana has not submitted 482" in refused.output and "ben has not submitted 482" in refused.output

    wrong = dict(answers("ben", "482"), tone="3")
    submit(calibrating, 1, "ben", "482", wrong)
    again = run(calibrating, "submit", "1", "--file", str(answers_csv(tmp_path / "b.csv", {"ben": ["482"]})))
    assert "1 replacing an earlier submission" in again.output, again.output
    assert run(calibrating, "submit", "1", "--evaluator", "ana", "--interaction", "482",
               *pairs("ana", "482")).exit_code == 0  # fmt: skip

    closed = run(calibrating, "close", "1")
    assert closed.exit_code == 0, closed.output
    assert "reference: lena; alpha (interval) on final scores" in closed.output
    people = table_rows(closed.output)
    assert "ok" in people["ana"] and "outside tolerance" in people["ben"] and "+18.3" in people["ben"]
    assert run(calibrating, "report", "1").output == closed.output.replace("session 1 closed\n", "")
    late = run(calibrating, "submit", "1", "--evaluator", "ana", "--interaction", "480", *pairs("ana", "480"))
    assert late.exit_code == 2 and "session 1 is closed" in late.output
    listed = run(calibrating, "list")
    assert "October refunds" in listed.output and "closed" in listed.output


def test_the_report_from_records_equals_calibrate_on_the_same_answers(calibrating: Workspace) -> None:
    session_id = open_three(calibrating)
    rows = [(e, u, answers(e, u)) for e in GIVEN for u in GIVEN[e]]
    assert submit_many(calibrating, session_id, rows).stored == 9
    report = close(calibrating, session_id)
    form = calibrating.qa_scorecards.scorecards["email-support"].versions[0].form()
    oracle = calibrate(form, {e: {u: answers(e, u) for u in GIVEN[e]} for e in GIVEN}, "lena", 5.0)
    assert report.result == oracle
    assert report.result.reference_scores == {"480": 100.0, "481": 70.0, "482": 95.0}
    ben = next(row for row in report.result.evaluators if row.evaluator == "ben")
    assert ben.bias == pytest.approx((10 + 30 + 15) / 3) and ben.flagged
    assert session_report(calibrating, session_id) == report
    assert sessions(calibrating)[0].closed_at == NOW.replace(tzinfo=None)


def test_a_partial_close_leaves_out_interactions_under_two_evaluators(calibrating: Workspace) -> None:
    session_id = open_three(calibrating)
    given = [("lena", u) for u in ("480", "481", "482")] + [("ana", "480"), ("ana", "481"), ("ben", "480")]
    submit_many(calibrating, session_id, [(e, u, answers(e, u)) for e, u in given])
    with pytest.raises(CalibrationError, match="ben has not submitted 481, 482"):
        close(calibrating, session_id)
    report = close(calibrating, session_id, partial=True)
    assert report.left_out == ("482",) and report.absent == ()
    assert set(report.result.reference_scores) == {"480", "481"}
    shown = run(calibrating, "report", str(session_id))
    assert "left out (scored by fewer than two evaluators): 482" in shown.output


def test_a_partial_close_without_the_expert_compares_with_the_consensus(calibrating: Workspace) -> None:
    session_id = open_three(calibrating)  # lena is the expert and submits nothing
    given = [(e, u) for e in ("ana", "ben") for u in ("480", "481", "482")]
    submit_many(calibrating, session_id, [(e, u, answers(e, u)) for e, u in given])
    report = close(calibrating, session_id, partial=True)
    assert report.result.reference == "consensus" and report.absent == ("lena",)
    assert report.note == "the expert lena scored none of the kept interactions"
    assert "compared with the consensus instead" in run(calibrating, "report", str(session_id)).output


def test_a_file_is_stored_whole_or_not_at_all_with_every_row_named(calibrating: Workspace, tmp_path: Path) -> None:
    session_id = open_three(calibrating)
    path = answers_csv(
        tmp_path / "answers.csv",
        {"lena": ["480"], "ana": ["480"]},
        ("zed,480,greeting,yes", "ben,999,greeting,yes", "ben,481,tone,9", "ben,481,tone,4"),
    )
    with pytest.raises(CalibrationError) as refused:
        submit_file(calibrating, session_id, path)
    assert str(refused.value) == f"{path}: row 17: tone answered twice by ben on 481 (first on row 16)"
    path.write_text(path.read_text().replace("ben,481,tone,4\n", "ben,481,greeting,yes\n"))
    with pytest.raises(CalibrationError) as refused:
        submit_file(calibrating, session_id, path)
    message = str(refused.value)
    for expected in (
        "row 14: zed on 480: 'zed' is not an evaluator of this session (lena, ana, ben)",
        "row 15: ben on 999: interaction '999' is not in this session (480, 481, 482)",
        "row 16: ben on 481: tone: '9' is not an answer (1, 2, 3, 4, 5)",
        "row 16: ben on 481: verify: not answered",
    ):
        assert f"{path}: {expected}" in message, message
    assert all(p.submitted == 0 for p in status(calibrating, session_id).progress)
    with calibrating.records.session() as session:
        assert session.query(QaCalibrationAnswer).count() == 0


def test_every_problem_is_named_when_opening_or_submitting(calibrating: Workspace) -> None:
    with pytest.raises(CalibrationError) as refused:
        open_session(calibrating, name="x", scorecard="email-support", interactions=["480", "998", "999", "480"],
                     evaluators=["lena"], expert="mo", opened_by="maria")  # fmt: skip
    message = str(refused.value)
    for expected in (
        "a calibration needs at least two evaluators",
        "the expert 'mo' must be one of the evaluators (lena)",
        "interactions named twice: 480",
        "interactions not in the warehouse (import them first): 998, 999",
    ):
        assert expected in message, message
    with pytest.raises(CalibrationError, match="evaluators named twice: ana"):
        open_session(calibrating, name="x", scorecard="email-support", interactions=["480"],
                     evaluators=["ana", "ana", "ben"], opened_by="maria")  # fmt: skip
    session_id = open_three(calibrating)
    with pytest.raises(CalibrationError) as refused:
        submit(calibrating, session_id, "zed", "999", {"greeting": "maybe"})
    message = str(refused.value)
    for expected in ("'zed' is not an evaluator", "interaction '999' is not in this session",
                     "greeting: 'maybe' is not an answer", "tone: not answered"):  # fmt: skip
        assert expected in message, message
    with pytest.raises(CalibrationError, match="ana on 480: given 2 times"):
        submit_many(calibrating, session_id, [("ana", "480", answers("ana", "480"))] * 2)
    with pytest.raises(CalibrationError, match="no calibration session 42"):
        status(calibrating, 42)
