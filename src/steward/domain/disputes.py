"""Disputes of QA evaluations: what may be disputed, and what an arbitrator's decision changes.

An agent or partner disputes questions of an evaluation within the dispute window (default 7 days
after the evaluation), each with a comment and optionally the answer they propose. One dispute per
evaluation is open at a time. The arbitrator accepts (the proposed answers replace the evaluator's),
partially accepts (the arbitrator names the questions and answers that change) or rejects (nothing
changes). The evaluation is re-scored with the scorecard version it was scored with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from steward.domain.qa_scoring import NA, Form

Decision = Literal["accepted", "partially_accepted", "rejected"]
DEFAULT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class DisputedQuestion:
    comment: str
    proposed: str | None = None


def dispute_problems(
    form: Form,
    answers: Mapping[str, str],
    disputed: Mapping[str, DisputedQuestion],
    *,
    evaluated_at: datetime,
    raised_at: datetime,
    window: timedelta = DEFAULT_WINDOW,
    open_dispute: bool = False,
) -> list[str]:
    """Every reason the dispute cannot be filed as given (empty when it can)."""
    problems = []
    if open_dispute:
        problems.append("this evaluation already has an open dispute")
    if raised_at > evaluated_at + window:
        problems.append(f"the dispute window closed on {(evaluated_at + window):%Y-%m-%d %H:%M} UTC")
    if not disputed:
        problems.append("name at least one question")
    questions = {q.id: q for _, q in form.questions()}
    for question_id, item in disputed.items():
        question = questions.get(question_id)
        if question is None:
            problems.append(f"{question_id}: no such question")
            continue
        if not item.comment.strip():
            problems.append(f"{question_id}: a comment is required")
        if item.proposed is not None and not _allowed(form, question_id, item.proposed):
            problems.append(f"{question_id}: {item.proposed!r} is not an answer to this question")
        if item.proposed is not None and item.proposed == answers.get(question_id):
            problems.append(f"{question_id}: the proposed answer is the one already given")
    return problems


def resolved_answers(
    form: Form,
    answers: Mapping[str, str],
    disputed: Mapping[str, DisputedQuestion],
    decision: Decision,
    changes: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The evaluation's answers after the decision; raises ValueError naming every problem."""
    if decision == "rejected":
        if changes:
            raise ValueError("a rejected dispute changes no answer")
        return dict(answers)
    if decision == "accepted":
        missing = [q for q, item in disputed.items() if item.proposed is None]
        if missing or changes:
            raise ValueError(
                "accepting takes the proposed answers; for "
                + (", ".join(missing) if missing else "other answers")
                + " use partially_accepted with the answers that change"
            )
        return {**answers, **{q: item.proposed for q, item in disputed.items() if item.proposed is not None}}
    given = dict(changes or {})
    problems = [f"{q}: not disputed" for q in given if q not in disputed]
    problems += [f"{q}: {a!r} is not an answer to this question" for q, a in given.items() if not _allowed(form, q, a)]
    if not given:
        problems.append("a partial acceptance names the answers that change")
    if problems:
        raise ValueError("; ".join(problems))
    return {**answers, **given}


def _allowed(form: Form, question_id: str, answer: str) -> bool:
    for _, question in form.questions():
        if question.id == question_id:
            return (answer == NA and question.na_allowed) or answer in {o.label for o in question.options}
    return False
