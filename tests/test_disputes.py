"""Disputes: filing rules and what each decision changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from steward.definitions.qa_scorecards import ScorecardFile
from steward.domain.disputes import DisputedQuestion, dispute_problems, resolved_answers
from steward.domain.qa_scoring import score

GOLDEN = Path(__file__).parent / "golden" / "qa_email_support.yaml"
FORM = ScorecardFile.model_validate(yaml.safe_load(GOLDEN.read_text())["scorecard"]).versions[0].form()
ANSWERS = {"greeting": "yes", "tone": "3", "verify": "yes", "disclosure": "yes", "solved": "partly", "extra_mile": "no"}
AT = datetime(2026, 10, 5, 9)


def test_filing_rules_are_all_reported() -> None:
    disputed = {
        "tone": DisputedQuestion("the customer was rude first", "4"),
        "solved": DisputedQuestion("", "partly"),
        "nope": DisputedQuestion("?"),
    }
    problems = dispute_problems(FORM, ANSWERS, disputed, evaluated_at=AT, raised_at=AT + timedelta(days=8),
                                open_dispute=True)  # fmt: skip
    assert problems == [
        "this evaluation already has an open dispute",
        "the dispute window closed on 2026-10-12 09:00 UTC",
        "solved: a comment is required",
        "solved: the proposed answer is the one already given",
        "nope: no such question",
    ]
    assert dispute_problems(FORM, ANSWERS, {"tone": DisputedQuestion("ok", "4")}, evaluated_at=AT, raised_at=AT) == []


def test_each_decision_changes_what_it_says() -> None:
    disputed = {"tone": DisputedQuestion("rude customer", "4"), "solved": DisputedQuestion("refund was issued")}
    assert resolved_answers(FORM, ANSWERS, disputed, "rejected") == ANSWERS
    with pytest.raises(ValueError, match="for solved use partially_accepted"):
        resolved_answers(FORM, ANSWERS, disputed, "accepted")
    partial = resolved_answers(FORM, ANSWERS, disputed, "partially_accepted", {"solved": "solved"})
    assert partial["solved"] == "solved" and partial["tone"] == "3"
    assert score(FORM, partial).score == pytest.approx(100 * (10 + 10 + 20 + 10 + 40) / 100)  # tone 3 = 0.5
    with pytest.raises(ValueError, match="greeting: not disputed"):
        resolved_answers(FORM, ANSWERS, disputed, "partially_accepted", {"greeting": "no"})
    accepted = resolved_answers(FORM, ANSWERS, {"tone": DisputedQuestion("rude customer", "4")}, "accepted")
    assert accepted["tone"] == "4"
