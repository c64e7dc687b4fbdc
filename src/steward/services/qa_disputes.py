"""`steward qa dispute open | resolve | list`: disputes of evaluations, with an audit trail.

A decision that changes answers re-scores the evaluation with the scorecard version it was scored
with, writes the before and after into the audit log, and mirrors the new score into qa_results,
all as one change of the records (the mirror follows; a failed mirror is repeated by the next one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.domain.disputes import Decision, DisputedQuestion, dispute_problems, resolved_answers
from steward.domain.qa_scoring import Form, score
from steward.services.qa_evaluations import EvaluationError, form_of, mirror
from steward.storage.records import QaAuditEntry, QaDispute, QaEvaluation
from steward.workspace import Workspace

DECISIONS: tuple[Decision, ...] = ("accepted", "partially_accepted", "rejected")


class DisputeError(ValueError):
    """A dispute or decision that cannot be recorded as given; the message lists every problem."""


@dataclass(frozen=True)
class Resolution:
    dispute: QaDispute
    before: float | None
    after: float | None


def open_dispute(
    workspace: Workspace, evaluation_id: str, raised_by: str, disputed: Mapping[str, DisputedQuestion]
) -> QaDispute:
    """File a dispute; every reason it cannot be filed is named at once."""
    with workspace.records.session() as session, session.begin():
        evaluation = _evaluation(session, evaluation_id)
        now = workspace.now_naive_utc()
        pending = session.scalar(
            select(QaDispute).where(QaDispute.evaluation_id == evaluation_id, QaDispute.status == "open")
        )
        problems = dispute_problems(
            _form(workspace, evaluation),
            evaluation.answers,
            disputed,
            evaluated_at=evaluation.evaluated_at,
            raised_at=now,
            open_dispute=pending is not None,
        )
        if problems:
            raise DisputeError("; ".join(problems))
        dispute = QaDispute(
            evaluation_id=evaluation_id,
            raised_by=raised_by,
            raised_at=now,
            questions={q: {"comment": d.comment, "proposed": d.proposed} for q, d in disputed.items()},
            status="open",
        )
        session.add(dispute)
        session.add(QaAuditEntry(evaluation_id=evaluation_id, at=now, actor=raised_by, action="disputed",
                                 after=dispute.questions))  # fmt: skip
        session.flush()
        session.expunge(dispute)
    return dispute


def resolve_dispute(
    workspace: Workspace,
    dispute_id: int,
    arbitrator: str,
    decision: str,
    *,
    changes: Mapping[str, str] | None = None,
    comment: str | None = None,
) -> Resolution:
    """Record the decision; answers that change re-score the evaluation (audited, mirrored)."""
    if decision not in DECISIONS:
        raise DisputeError(f"decision {decision!r}: one of {', '.join(DECISIONS)}")
    with workspace.records.session() as session, session.begin():
        dispute = session.get(QaDispute, dispute_id)
        if dispute is None:
            raise DisputeError(f"no dispute {dispute_id}")
        if dispute.status != "open":
            raise DisputeError(f"dispute {dispute_id} was already {dispute.status.replace('_', ' ')}")
        evaluation = _evaluation(session, dispute.evaluation_id)
        form = _form(workspace, evaluation)
        disputed = {q: DisputedQuestion(d["comment"], d.get("proposed")) for q, d in dispute.questions.items()}
        try:
            answers = resolved_answers(form, evaluation.answers, disputed, decision, changes)
        except ValueError as error:
            raise DisputeError(str(error)) from None
        before, now = _snapshot(evaluation), workspace.now_naive_utc()
        _rescore(evaluation, form, answers)
        dispute.status, dispute.arbitrator, dispute.resolved_at = decision, arbitrator, now
        dispute.changes, dispute.resolution_comment = dict(changes or {}), comment
        session.add(QaAuditEntry(evaluation_id=evaluation.evaluation_id, at=now, actor=arbitrator,
                                 action=f"dispute {decision}", before=before, after=_snapshot(evaluation),
                                 note=comment))  # fmt: skip
        session.flush()
        session.expunge(dispute)
        result = Resolution(dispute, before["score"], evaluation.score)
    if result.before != result.after:
        mirror(workspace)
    return result


def disputes(workspace: Workspace, status: str | None = None) -> list[QaDispute]:
    with workspace.records.session() as session:
        query = select(QaDispute).order_by(QaDispute.id)
        if status:
            query = query.where(QaDispute.status == status)
        return list(session.scalars(query))


def _rescore(evaluation: QaEvaluation, form: Form, answers: dict[str, str]) -> None:
    result = score(form, answers)
    evaluation.answers = answers
    evaluation.score, evaluation.raw_score = result.score, result.raw
    evaluation.failed, evaluation.passed = result.failed or "none", result.passed


def _snapshot(evaluation: QaEvaluation) -> dict[str, Any]:
    return {"answers": dict(evaluation.answers), "score": evaluation.score, "failed": evaluation.failed}


def _evaluation(session: Session, evaluation_id: str) -> QaEvaluation:
    found: QaEvaluation | None = session.scalar(select(QaEvaluation).where(QaEvaluation.evaluation_id == evaluation_id))
    if found is None:
        raise DisputeError(f"no evaluation {evaluation_id}")
    return found


def _form(workspace: Workspace, evaluation: QaEvaluation) -> Form:
    try:
        return form_of(workspace, evaluation)
    except EvaluationError as error:
        raise DisputeError(str(error)) from None
