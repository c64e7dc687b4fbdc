"""`steward qa calibrate file`: a calibration session's answers (CSV) against an expert or the consensus.

The CSV has one row per answer: `evaluator, interaction, question, answer` (answer `n/a` where the
question allows it). Every problem is reported with its row and field, all at once. The same reader
loads answers into a recorded session (`steward qa calibrate submit --file`, qa_calibration_sessions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from steward.domain.calibration import CalibrationResult, calibrate
from steward.domain.qa_scoring import Form
from steward.domain.qa_scoring import answer_problems as form_problems
from steward.services.csv_rows import read_csv_rows
from steward.workspace import Workspace

COLUMNS = ("evaluator", "interaction", "question", "answer")


class CalibrationError(ValueError):
    """A session file or request the user has to correct."""


@dataclass(frozen=True)
class CalibrationReport:
    scorecard: str
    version: str
    result: CalibrationResult
    left_out: tuple[str, ...] = ()
    """Interactions scored by fewer than two evaluators (a partly closed session), not analysed."""
    absent: tuple[str, ...] = ()
    """Evaluators of a partly closed session with nothing left to compare."""
    note: str = ""
    """Why the reference is not the one the session named (the consensus stood in for the expert)."""


@dataclass
class AnswerSheet:
    """One evaluator's answers on one interaction, with the file row of each answer."""

    evaluator: str
    interaction: str
    answers: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def row_of(self, problem: str) -> int:
        """The row a problem message (`question: ...`, as AnswerProblem writes it) points at; the
        sheet's first row otherwise."""
        question = problem.partition(":")[0]
        return self.rows.get(question, min(self.rows.values()))


def calibrate_file(
    workspace: Workspace,
    path: Path,
    scorecard: str,
    *,
    expert: str | None = None,
    tolerance: float = 5.0,
    on_day: date | None = None,
) -> CalibrationReport:
    """Analyse a session file scored with the scorecard version in force on `on_day` (default today)."""
    card = workspace.qa_scorecards.scorecards.get(scorecard)
    if card is None:
        raise CalibrationError(f"unknown scorecard {scorecard!r} (definitions/scorecards/)")
    day = on_day or workspace.today()
    version = card.version_for(day)
    if version is None:
        raise CalibrationError(f"{scorecard} has no version in force on {day}")
    sheets = read_answers(path)
    if len({sheet.evaluator for sheet in sheets}) < 2:
        raise CalibrationError(f"{path}: a calibration needs at least two evaluators")
    form = version.form()
    problems = [problem for sheet in sheets for problem in sheet_problems(path, form, sheet)]
    if problems:
        raise CalibrationError("\n".join(problems))
    try:
        result = calibrate(form, session_of(sheets), expert, tolerance)
    except ValueError as error:
        raise CalibrationError(str(error)) from None
    return CalibrationReport(scorecard, card.version_label(version), result)


def read_answers(path: Path) -> list[AnswerSheet]:
    """The file's answer sheets in file order; every malformed row is named at once."""
    header, rows = read_csv_rows(path, CalibrationError)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CalibrationError(f"{path}: row 1: missing columns {', '.join(missing)} (need {', '.join(COLUMNS)})")
    sheets: dict[tuple[str, str], AnswerSheet] = {}
    problems = []
    for number, row in rows:
        empty = [c for c in COLUMNS if not (row.get(c) or "").strip()]
        if empty:
            problems.append(f"{path}: row {number}: {', '.join(empty)} empty")
            continue
        evaluator, interaction, question = (row[c].strip() for c in COLUMNS[:3])
        sheet = sheets.setdefault((evaluator, interaction), AnswerSheet(evaluator, interaction))
        if question in sheet.answers:
            problems.append(
                f"{path}: row {number}: {question} answered twice by {evaluator} on {interaction} "
                f"(first on row {sheet.rows[question]})"
            )
            continue
        sheet.answers[question], sheet.rows[question] = row["answer"].strip(), number
    if problems:
        raise CalibrationError("\n".join(problems))
    return list(sheets.values())


def sheet_problems(path: Path, form: Form, sheet: AnswerSheet, extra: Sequence[str] = ()) -> list[str]:
    """`answer_problems`, each with its file row."""
    problems = answer_problems(form, sheet, extra)
    return [f"{path}: row {sheet.row_of(p)}: {sheet.evaluator} on {sheet.interaction}: {p}" for p in problems]


def answer_problems(form: Form, sheet: AnswerSheet, extra: Sequence[str] = ()) -> list[str]:
    """`extra` problems and, one by one, the form's objections to the sheet's answers."""
    return [*extra, *map(str, form_problems(form, sheet.answers))]


def session_of(sheets: Sequence[AnswerSheet]) -> dict[str, dict[str, dict[str, str]]]:
    """evaluator -> interaction -> answers, as `calibrate` takes them."""
    session: dict[str, dict[str, dict[str, str]]] = {}
    for sheet in sheets:
        session.setdefault(sheet.evaluator, {})[sheet.interaction] = dict(sheet.answers)
    return session
