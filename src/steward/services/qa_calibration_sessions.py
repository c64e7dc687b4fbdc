"""`steward qa calibrate open | submit | status | close | report | list`: calibration sessions as records.

A session pins the scorecard version in force on the day it is opened, the interactions and the
evaluators. Evaluators score blind: while the session is open nothing here returns anyone's answers
or scores, only how many interactions each evaluator has submitted. A second submission by the same
evaluator on the same interaction replaces the first while the session is open. Closing needs every
answer, or `partial=True`: interactions scored by fewer than two evaluators are then left out, and
the report names them. The report is computed from the stored answers with the pinned version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.domain.calibration import calibrate
from steward.domain.qa_scoring import Form
from steward.services.qa_calibration import (
    AnswerSheet,
    CalibrationError,
    CalibrationReport,
    answer_problems,
    read_answers,
    session_of,
    sheet_problems,
)
from steward.services.qa_evaluations import EvaluationError, form_of, interactions_by_id
from steward.storage.records import QaCalibrationAnswer, QaCalibrationSession
from steward.workspace import Workspace

Submission = tuple[str, str, Mapping[str, str]]
"""(evaluator, interaction id, question id -> answer label or n/a)."""


@dataclass(frozen=True)
class EvaluatorProgress:
    """How far one evaluator is: counts and the interactions still to do, never answers or scores."""

    evaluator: str
    submitted: int
    of: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class SessionStatus:
    session: QaCalibrationSession
    progress: list[EvaluatorProgress]


@dataclass(frozen=True)
class Submitted:
    stored: int
    """Answer sheets (evaluator x interaction) written."""
    replaced: int
    """Of those, how many replaced an earlier submission."""


def open_session(
    workspace: Workspace,
    *,
    name: str,
    scorecard: str,
    interactions: Sequence[str],
    evaluators: Sequence[str],
    expert: str | None = None,
    tolerance: float = 5.0,
    opened_by: str,
) -> QaCalibrationSession:
    """Open a session on the scorecard version in force today; every reason it cannot open is named."""
    problems = _people_problems(evaluators, expert) + _interaction_problems(workspace, interactions)
    if not name.strip():
        problems.append("the session needs a name")
    if tolerance < 0:
        problems.append(f"tolerance {tolerance:g}: points, 0 or more")
    version = _version_in_force(workspace, scorecard, problems)
    if problems or version is None:
        raise CalibrationError("\n".join(problems))
    record = QaCalibrationSession(
        name=name.strip(),
        scorecard=scorecard,
        scorecard_version=version,
        interactions=list(interactions),
        evaluators=list(evaluators),
        expert=expert,
        tolerance=tolerance,
        status="open",
        opened_by=opened_by,
        opened_at=workspace.now_naive_utc(),
    )
    with workspace.records.session() as session, session.begin():
        session.add(record)
        session.flush()
        session.expunge(record)
    return record


def submit(
    workspace: Workspace, session_id: int, evaluator: str, interaction_id: str, answers: Mapping[str, str]
) -> Submitted:
    """Store one evaluator's answers on one interaction (replacing an earlier submission)."""
    return submit_many(workspace, session_id, [(evaluator, interaction_id, answers)])


def submit_many(workspace: Workspace, session_id: int, rows: Iterable[Submission]) -> Submitted:
    """Store every (evaluator, interaction, answers) in one transaction, or none; every problem named."""
    sheets = [AnswerSheet(evaluator, interaction, dict(answers)) for evaluator, interaction, answers in rows]
    counts = Counter((s.evaluator, s.interaction) for s in sheets)
    problems = [f"{e} on {u}: given {n} times" for (e, u), n in counts.items() if n > 1]
    with workspace.records.session() as session, session.begin():
        record = _open_record(session, session_id)
        form = _form(workspace, record)
        for sheet in sheets:
            problems += [
                f"{sheet.evaluator} on {sheet.interaction}: {p}"
                for p in answer_problems(form, sheet, _membership(record, sheet))
            ]
        if problems:
            raise CalibrationError("\n".join(problems))
        return _store(session, record, sheets, workspace.now_naive_utc())


def submit_file(workspace: Workspace, session_id: int, path: Path) -> Submitted:
    """Store a CSV of `evaluator, interaction, question, answer` rows: all of it or, with every
    problem named by file and row, nothing."""
    sheets = read_answers(path)
    with workspace.records.session() as session, session.begin():
        record = _open_record(session, session_id)
        form = _form(workspace, record)
        problems = [p for sheet in sheets for p in sheet_problems(path, form, sheet, _membership(record, sheet))]
        if problems:
            raise CalibrationError("\n".join(problems))
        return _store(session, record, sheets, workspace.now_naive_utc())


def status(workspace: Workspace, session_id: int) -> SessionStatus:
    """Each evaluator's progress (blind: counts and missing interactions, no answers, no scores)."""
    with workspace.records.session() as session:
        record = _record(session, session_id)
        return SessionStatus(record, _progress(record, _done(session, record)))


def close(workspace: Workspace, session_id: int, *, partial: bool = False) -> CalibrationReport:
    """Close the session and return its report; refused while answers are missing unless `partial`."""
    with workspace.records.session() as session, session.begin():
        record = _open_record(session, session_id)
        answers = _answers(session, record)
        behind = [p for p in _progress(record, set(answers)) if p.missing]
        if behind and not partial:
            lines = [f"{p.evaluator} has not submitted {', '.join(p.missing)}" for p in behind]
            raise CalibrationError(
                f"session {session_id} cannot close yet:\n"
                + "\n".join(lines)
                + "\n(a partial close, --partial, leaves out the interactions scored by fewer than two evaluators)"
            )
        report = _report(workspace, record, answers)
        record.status, record.closed_at = "closed", workspace.now_naive_utc()
        session.flush()
        session.expunge(record)
    return report


def session_report(workspace: Workspace, session_id: int) -> CalibrationReport:
    """The closed session's report, computed from its stored answers with the pinned version."""
    with workspace.records.session() as session:
        record = _record(session, session_id)
        if record.status != "closed":
            raise CalibrationError(f"session {session_id} is still open: its results stay sealed until it is closed")
        return _report(workspace, record, _answers(session, record))


def sessions(workspace: Workspace, status: str | None = None) -> list[QaCalibrationSession]:
    """Every session (or those with `status`: open, closed), oldest first."""
    with workspace.records.session() as session:
        query = select(QaCalibrationSession).order_by(QaCalibrationSession.id)
        if status:
            query = query.where(QaCalibrationSession.status == status)
        return list(session.scalars(query))


def _report(
    workspace: Workspace, record: QaCalibrationSession, answers: Mapping[tuple[str, str], dict[str, str]]
) -> CalibrationReport:
    scorers = {u: [e for e in record.evaluators if (e, u) in answers] for u in record.interactions}
    left_out = tuple(u for u in record.interactions if len(scorers[u]) < 2)
    kept = [AnswerSheet(e, u, answers[e, u]) for u in record.interactions if u not in left_out for e in scorers[u]]
    if not kept:
        raise CalibrationError(f"session {record.id}: no interaction was scored by two evaluators yet")
    given = session_of(kept)
    # A partly closed session whose expert scored nothing that is kept falls back to the consensus.
    expert = record.expert if record.expert in given else None
    note = f"the expert {record.expert} scored none of the kept interactions" if expert != record.expert else ""
    try:
        result = calibrate(_form(workspace, record), given, expert, record.tolerance)
    except ValueError as error:
        raise CalibrationError(f"session {record.id}: {error}") from None
    absent = tuple(e for e in record.evaluators if e not in given)
    return CalibrationReport(record.scorecard, record.scorecard_version, result, left_out, absent, note)


def _store(session: Session, record: QaCalibrationSession, sheets: Sequence[AnswerSheet], at: datetime) -> Submitted:
    earlier = {
        (a.evaluator, a.interaction_id): a
        for a in session.scalars(select(QaCalibrationAnswer).where(QaCalibrationAnswer.session_id == record.id))
    }
    for sheet in sheets:
        found = earlier.get((sheet.evaluator, sheet.interaction))
        if found is None:
            session.add(QaCalibrationAnswer(session_id=record.id, evaluator=sheet.evaluator,
                                            interaction_id=sheet.interaction, answers=sheet.answers,
                                            submitted_at=at))  # fmt: skip
        else:
            found.answers, found.submitted_at = sheet.answers, at
    replaced = sum((s.evaluator, s.interaction) in earlier for s in sheets)
    return Submitted(len(sheets), replaced)


def _membership(record: QaCalibrationSession, sheet: AnswerSheet) -> list[str]:
    problems = []
    if sheet.evaluator not in record.evaluators:
        problems.append(f"{sheet.evaluator!r} is not an evaluator of this session ({', '.join(record.evaluators)})")
    if sheet.interaction not in record.interactions:
        problems.append(f"interaction {sheet.interaction!r} is not in this session ({', '.join(record.interactions)})")
    return problems


def _progress(record: QaCalibrationSession, done: set[tuple[str, str]]) -> list[EvaluatorProgress]:
    total = len(record.interactions)
    progress = []
    for evaluator in record.evaluators:
        missing = tuple(u for u in record.interactions if (evaluator, u) not in done)
        progress.append(EvaluatorProgress(evaluator, total - len(missing), total, missing))
    return progress


def _done(session: Session, record: QaCalibrationSession) -> set[tuple[str, str]]:
    query = select(QaCalibrationAnswer.evaluator, QaCalibrationAnswer.interaction_id).where(
        QaCalibrationAnswer.session_id == record.id
    )
    return {(evaluator, interaction) for evaluator, interaction in session.execute(query)}


def _answers(session: Session, record: QaCalibrationSession) -> dict[tuple[str, str], dict[str, str]]:
    query = select(QaCalibrationAnswer).where(QaCalibrationAnswer.session_id == record.id)
    return {(a.evaluator, a.interaction_id): dict(a.answers) for a in session.scalars(query)}


def _people_problems(evaluators: Sequence[str], expert: str | None) -> list[str]:
    problems = []
    if len(set(evaluators)) < 2:
        problems.append("a calibration needs at least two evaluators")
    twice = sorted({e for e in evaluators if evaluators.count(e) > 1})
    if twice:
        problems.append(f"evaluators named twice: {', '.join(twice)}")
    if any(not e.strip() for e in evaluators):
        problems.append("an evaluator's name is empty")
    if expert is not None and expert not in evaluators:
        problems.append(f"the expert {expert!r} must be one of the evaluators ({', '.join(evaluators) or 'none'})")
    return problems


def _interaction_problems(workspace: Workspace, interactions: Sequence[str]) -> list[str]:
    if not interactions:
        return ["a calibration needs at least one interaction"]
    problems = []
    twice = sorted({u for u in interactions if interactions.count(u) > 1})
    if twice:
        problems.append(f"interactions named twice: {', '.join(twice)}")
    known = interactions_by_id(workspace, list(interactions))
    unknown = [u for u in dict.fromkeys(interactions) if u not in known]
    if unknown:
        problems.append(f"interactions not in the warehouse (import them first): {', '.join(unknown)}")
    return problems


def _version_in_force(workspace: Workspace, scorecard: str, problems: list[str]) -> str | None:
    if workspace.qa_scorecards.issues:
        problems.append("fix the scorecards first:\n" + "\n".join(map(str, workspace.qa_scorecards.issues)))
        return None
    card = workspace.qa_scorecards.scorecards.get(scorecard)
    if card is None:
        known = ", ".join(workspace.qa_scorecards.scorecards) or "none in definitions/scorecards/"
        problems.append(f"unknown scorecard {scorecard!r} (known: {known})")
        return None
    day = workspace.today()
    version = card.version_for(day)
    if version is None:
        problems.append(f"{scorecard} has no version in force on {day}")
        return None
    return card.version_label(version)


def _form(workspace: Workspace, record: QaCalibrationSession) -> Form:
    """The pinned scorecard version's form (never the one in force today)."""
    try:
        return form_of(workspace, record)
    except EvaluationError as error:
        raise CalibrationError(str(error)) from None


def _record(session: Session, session_id: int) -> QaCalibrationSession:
    record = session.get(QaCalibrationSession, session_id)
    if record is None:
        raise CalibrationError(f"no calibration session {session_id}")
    return record


def _open_record(session: Session, session_id: int) -> QaCalibrationSession:
    record = _record(session, session_id)
    if record.status != "open":
        raise CalibrationError(f"session {session_id} is closed: it takes no more answers")
    return record
