"""QA score formulas: the published Zendesk QA example, N/A, critical failures, bonus questions."""

from __future__ import annotations

import pytest

from steward.domain.qa_scoring import NA, Form, Option, Question, Section, score


def scale(low: int, high: int) -> tuple[Option, ...]:
    return tuple(Option(str(points), float(points)) for points in range(low, high + 1))


BINARY = (Option("yes", 1.0), Option("no", 0.0))


def zendesk(critical_gps: bool = False) -> Form:
    """Zendesk QA's formula: category score = (rating - min) / (max - min); review = weighted mean."""
    return Form(
        (
            Section(
                "review",
                (
                    Question("solution", scale(1, 4), weight=40),
                    Question("tone", scale(1, 5), weight=30, na_allowed=True),
                    Question("gps", BINARY, weight=30, critical="evaluation" if critical_gps else "none"),
                ),
            ),
        ),
        pass_mark=80,
    )


def test_zendesk_derived_example() -> None:
    result = score(zendesk(), {"solution": "3", "tone": "4", "gps": "yes"})
    assert result.score == pytest.approx(79.1667, abs=1e-4)  # (40 x 66.67 + 30 x 75 + 30 x 100) / 100
    assert result.passed is False
    with_na = score(zendesk(), {"solution": "3", "tone": NA, "gps": "yes"})
    assert with_na.score == pytest.approx(80.9524, abs=1e-4)  # N/A leaves numerator and denominator
    failed = score(zendesk(critical_gps=True), {"solution": "3", "tone": "4", "gps": "no"})
    assert (failed.score, failed.failed, failed.failed_questions) == (0.0, "evaluation", ("gps",))
    assert failed.raw == pytest.approx(100 * (40 * 2 / 3 + 30 * 0.75) / 100)


def test_a_critical_question_can_fail_only_its_section() -> None:
    form = Form(
        (
            Section("greeting", (Question("hello", BINARY, weight=1),)),
            Section(
                "compliance",
                (
                    Question("disclosure", BINARY, weight=2, critical="section"),
                    Question("verify", BINARY, weight=1),
                ),
            ),
        )
    )
    result = score(form, {"hello": "yes", "disclosure": "no", "verify": "yes"})
    assert result.failed == "section"
    assert result.sections["compliance"].score == 0.0 and result.sections["compliance"].raw == pytest.approx(100 / 3)
    assert result.sections["greeting"].score == 100.0
    assert result.score == pytest.approx(100 * 1 / 4)  # the section's questions keep their weight, at 0
    assert result.raw == pytest.approx(100 * 2 / 4)


def test_options_marked_as_failing_and_bonus_questions() -> None:
    resolution = Question(
        "resolution",
        (Option("solved", 10), Option("partly", 6, fails=True), Option("not solved", 0, fails=True)),
        weight=10,
        critical="evaluation",
    )
    extra = Question("extra_mile", BINARY, weight=2, bonus=True)
    capped = Form((Section("s", (resolution, extra)),))
    assert score(capped, {"resolution": "solved", "extra_mile": "yes"}).score == 100.0
    lifted = Form((Section("s", (resolution, extra)),), bonus_above_100=True)
    assert score(lifted, {"resolution": "solved", "extra_mile": "yes"}).score == pytest.approx(120.0)
    assert score(lifted, {"resolution": "partly", "extra_mile": "yes"}).score == 0.0  # 60% but marked failing


def test_every_answer_problem_is_reported_at_once() -> None:
    with pytest.raises(ValueError, match="gps: N/A is not allowed") as raised:
        score(zendesk(), {"solution": "9", "tone": NA, "gps": NA, "other": "1"})
    message = str(raised.value)
    assert "solution: '9' is not an answer" in message and "other: no such question" in message
    form = Form((Section("s", (Question("q", BINARY, na_allowed=True),)),))
    assert score(form, {"q": NA}).score is None
