"""Coaching triggers and follow-up on hand-made evaluation histories."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from steward.domain.coaching import EvaluationFacts, follow_up, triggers

T0 = datetime(2026, 10, 1, 9)


def ev(n: int, agent: str, score: float, *failed: str) -> EvaluationFacts:
    return EvaluationFacts(f"ev-{agent}-{n}", agent, T0 + timedelta(days=n), score, failed)


HISTORY = [
    ev(1, "ana", 88, "tone"),
    ev(2, "ana", 91),
    ev(3, "ana", 85, "tone"),
    ev(4, "ana", 79, "tone", "closing"),
    ev(1, "ben", 64, "verify"),
    ev(2, "ben", 90),
]


def test_low_scores_and_patterns_open_items_once() -> None:
    found = {(t.agent_id, t.key): t for t in triggers(HISTORY)}
    assert set(found) == {("ana", "question:tone"), ("ben", "low-score")}
    assert found["ana", "question:tone"].reason == "tone failed in 3 of the last 4 evaluations"
    assert found["ben", "low-score"].evidence == ("ev-ben-1",)
    assert triggers(HISTORY, open_keys=[("ana", "question:tone"), ("ben", "low-score")]) == []


def test_the_window_forgets_old_failures() -> None:
    later = [*HISTORY, ev(5, "ana", 95), ev(6, "ana", 96), ev(7, "ana", 97)]
    assert ("ana", "question:tone") not in {(t.agent_id, t.key) for t in triggers(later, window=5)}


def test_follow_up_shows_whether_the_score_moved() -> None:
    result = follow_up([*HISTORY, ev(6, "ben", 84), ev(7, "ben", 88)], "ben", T0 + timedelta(days=3))
    assert result.before == pytest.approx(77.0) and result.after == pytest.approx(86.0)
    assert result.change == pytest.approx(9.0) and result.evaluations_after == 2
    assert follow_up(HISTORY, "zoe", T0).change is None
