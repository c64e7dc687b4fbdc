"""`steward qa coach open | list | close`: coaching items opened by QA results, and their follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from steward.domain.clock import naive_utc
from steward.domain.coaching import EvaluationFacts, FollowUp, follow_up, triggers
from steward.domain.qa_scoring import NA
from steward.services.qa_evaluations import form_of
from steward.storage.records import QaCoachingItem, QaEvaluation
from steward.workspace import Workspace

COACHED_SAMPLES = ("random", "targeted")
"""Calibration scores are about the evaluators and mystery shops about the process: not coaching."""
STATUSES = ("open", "done", "cancelled")


class CoachingError(ValueError):
    """A coaching request the user has to correct."""


@dataclass(frozen=True)
class ItemProgress:
    item: QaCoachingItem
    follow_up: FollowUp


def open_items(
    workspace: Workspace,
    *,
    owner: str | None = None,
    due_days: int = 14,
    threshold: float = 70.0,
    repeats: int = 3,
    window: int = 5,
) -> list[QaCoachingItem]:
    """Open an item for every new trigger (a cause already open is not opened again)."""
    evaluations = [e for e in workspace.records.qa_evaluations() if e.sample in COACHED_SAMPLES and e.agent_id]
    vendors = {e.agent_id: e.vendor for e in evaluations}
    now = naive_utc(workspace.clock.now())
    with workspace.records.session() as session, session.begin():
        open_keys = [
            (i.agent_id, i.key) for i in session.scalars(select(QaCoachingItem).where(QaCoachingItem.status == "open"))
        ]
        found = triggers(
            [_facts(workspace, e) for e in evaluations],
            threshold=threshold,
            repeats=repeats,
            window=window,
            open_keys=open_keys,
        )
        items = [
            QaCoachingItem(
                agent_id=t.agent_id,
                vendor=vendors[t.agent_id],
                key=t.key,
                reason=t.reason,
                evidence=list(t.evidence),
                owner=owner,
                due=(now + timedelta(days=due_days)).date(),
                status="open",
                opened_at=now,
            )
            for t in found
        ]
        session.add_all(items)
        session.flush()
        session.expunge_all()
    return items


def progress(workspace: Workspace, status: str | None = None) -> list[ItemProgress]:
    """Items with the agent's mean score before and after each was opened."""
    facts = [
        _facts(workspace, e) for e in workspace.records.qa_evaluations() if e.sample in COACHED_SAMPLES and e.agent_id
    ]
    with workspace.records.session() as session:
        query = select(QaCoachingItem).order_by(QaCoachingItem.id)
        if status:
            query = query.where(QaCoachingItem.status == status)
        items = list(session.scalars(query))
    return [ItemProgress(item, follow_up(facts, item.agent_id, item.opened_at)) for item in items]


def close_item(workspace: Workspace, item_id: int, status: str = "done", note: str | None = None) -> QaCoachingItem:
    if status not in STATUSES[1:]:
        raise CoachingError(f"close as done or cancelled, not {status!r}")
    with workspace.records.session() as session, session.begin():
        item = session.get(QaCoachingItem, item_id)
        if item is None:
            raise CoachingError(f"no coaching item {item_id}")
        if item.status != "open":
            raise CoachingError(f"coaching item {item_id} is already {item.status}")
        item.status, item.note = status, note
        item.closed_at = naive_utc(workspace.clock.now())
        session.flush()
        session.expunge(item)
    return item


def _facts(workspace: Workspace, evaluation: QaEvaluation) -> EvaluationFacts:
    form = form_of(workspace, evaluation)
    failed = tuple(  # a bonus not earned is no failure
        q.id
        for _, q in form.questions()
        if not q.bonus and (answer := evaluation.answers.get(q.id)) not in (None, NA) and q.failing(q.option(answer))
    )
    return EvaluationFacts(
        evaluation.evaluation_id, evaluation.agent_id or "", evaluation.evaluated_at, evaluation.score or 0.0, failed
    )
