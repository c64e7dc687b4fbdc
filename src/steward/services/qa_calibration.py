"""`steward qa calibrate`: a calibration session's answers (CSV) against an expert or the consensus.

The CSV has one row per answer: `evaluator, interaction, question, answer` (answer `n/a` where the
question allows it). Every problem is reported with its row and field, all at once.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from steward.domain.calibration import CalibrationResult, calibrate
from steward.domain.qa_scoring import score
from steward.workspace import Workspace

COLUMNS = ("evaluator", "interaction", "question", "answer")


class CalibrationError(ValueError):
    """A session file or request the user has to correct."""


@dataclass(frozen=True)
class CalibrationReport:
    scorecard: str
    version: str
    result: CalibrationResult


def calibrate_file(
    workspace: Workspace,
    path: Path,
    scorecard: str,
    *,
    expert: str | None = None,
    tolerance: float = 5.0,
    on_day: date | None = None,
) -> CalibrationReport:
    card = workspace.qa_scorecards.scorecards.get(scorecard)
    if card is None:
        raise CalibrationError(f"unknown scorecard {scorecard!r} (definitions/scorecards/)")
    day = on_day or workspace.clock.now().date()
    version = card.version_for(day)
    if version is None:
        raise CalibrationError(f"{scorecard} has no version in force on {day}")
    session = _read(path)
    form = version.form()
    problems = []
    for evaluator, units in session.items():
        for unit, answers in units.items():
            try:
                score(form, answers)
            except ValueError as error:
                problems.append(f"{path}: {evaluator} on {unit}: {error}")
    if problems:
        raise CalibrationError("\n".join(problems))
    try:
        result = calibrate(form, session, expert, tolerance)
    except ValueError as error:
        raise CalibrationError(str(error)) from None
    return CalibrationReport(scorecard, card.version_label(version), result)


def _read(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CalibrationError(f"{path}: cannot be read ({error.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CalibrationError(f"{path}: row 1: missing columns {', '.join(missing)} (need {', '.join(COLUMNS)})")
    session: dict[str, dict[str, dict[str, str]]] = {}
    problems = []
    for number, row in enumerate(reader, start=2):
        empty = [c for c in COLUMNS if not (row.get(c) or "").strip()]
        if empty:
            problems.append(f"{path}: row {number}: {', '.join(empty)} empty")
            continue
        answers = session.setdefault(row["evaluator"].strip(), {}).setdefault(row["interaction"].strip(), {})
        question = row["question"].strip()
        if question in answers:
            problems.append(f"{path}: row {number}: {question} answered twice by {row['evaluator'].strip()}")
        answers[question] = row["answer"].strip()
    if problems:
        raise CalibrationError("\n".join(problems))
    if len(session) < 2:
        raise CalibrationError(f"{path}: a calibration needs at least two evaluators")
    return session
