"""When QA results call for coaching, and whether the coaching worked.

Two triggers open a coaching item for an agent: an evaluation scoring below the threshold
(default 70), and the same question failed in k of the agent's last n evaluations (default 3 of 5)
— one bad day is a conversation, a pattern is a skill gap. An item is keyed by agent and cause, so
the same cause never opens a second item while one is open. Follow-up compares the mean score of
the agent's evaluations after the item opened with the mean of the evaluations before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean


@dataclass(frozen=True)
class EvaluationFacts:
    evaluation_id: str
    agent_id: str
    evaluated_at: datetime
    score: float
    failed_questions: tuple[str, ...] = ()
    """Questions answered with a failing answer (critical or not)."""


@dataclass(frozen=True)
class CoachingTrigger:
    agent_id: str
    key: str
    """What the item is about: `low-score` or `question:<id>`."""
    reason: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class FollowUp:
    before: float | None
    after: float | None
    evaluations_after: int

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


def triggers(
    evaluations: Iterable[EvaluationFacts],
    *,
    threshold: float = 70.0,
    repeats: int = 3,
    window: int = 5,
    open_keys: Iterable[tuple[str, str]] = (),
) -> list[CoachingTrigger]:
    """New coaching causes, oldest evidence first, leaving out causes that already have an open item."""
    already = set(open_keys)
    by_agent: dict[str, list[EvaluationFacts]] = defaultdict(list)
    for evaluation in sorted(evaluations, key=lambda e: (e.evaluated_at, e.evaluation_id)):
        by_agent[evaluation.agent_id].append(evaluation)
    found = []
    for agent, history in sorted(by_agent.items()):
        low = [e for e in history if e.score < threshold]
        if low and (agent, "low-score") not in already:
            worst = min(low, key=lambda e: e.score)
            reason = f"{len(low)} evaluation(s) below {threshold:g}, lowest {worst.score:g}"
            found.append(CoachingTrigger(agent, "low-score", reason, tuple(e.evaluation_id for e in low)))
        found += _repeated_failures(agent, history[-window:], repeats, already)
    return found


def _repeated_failures(
    agent: str, recent: Sequence[EvaluationFacts], repeats: int, already: set[tuple[str, str]]
) -> list[CoachingTrigger]:
    counts: dict[str, list[str]] = defaultdict(list)
    for evaluation in recent:
        for question in evaluation.failed_questions:
            counts[question].append(evaluation.evaluation_id)
    return [
        CoachingTrigger(
            agent, f"question:{q}", f"{q} failed in {len(ids)} of the last {len(recent)} evaluations", tuple(ids)
        )
        for q, ids in sorted(counts.items())
        if len(ids) >= repeats and (agent, f"question:{q}") not in already
    ]


def follow_up(evaluations: Iterable[EvaluationFacts], agent_id: str, opened_at: datetime) -> FollowUp:
    """Mean score before the item opened against the mean after it (None where there are none)."""
    own = [e for e in evaluations if e.agent_id == agent_id]
    before = [e.score for e in own if e.evaluated_at <= opened_at]  # those that opened it count as before
    after = [e.score for e in own if e.evaluated_at > opened_at]
    return FollowUp(fmean(before) if before else None, fmean(after) if after else None, len(after))
