"""Calibration sessions: deviation from the expert or the consensus, alignment, flags."""

from __future__ import annotations

import pytest

from steward.domain.calibration import alignment, calibrate
from steward.domain.qa_scoring import Form, Option, Question, Section

BINARY = (Option("yes", 1.0), Option("no", 0.0))


def points(maximum: int) -> tuple[Option, ...]:
    return tuple(Option(f"p{n}", float(n)) for n in range(maximum + 1))


def test_maestroqa_alignment_example() -> None:
    """Criteria of 15, 40 and 25 points: 10 vs 7, 40 vs 40, 15 vs 25 -> 0.8375 (one criterion: 80%)."""
    form = Form(
        (
            Section(
                "s",
                (
                    Question("a", points(15), weight=15),
                    Question("b", points(40), weight=40),
                    Question("c", points(25), weight=25),
                ),
            ),
        )
    )
    assert alignment(form, {"a": "p10", "b": "p40", "c": "p15"}, {"a": "p7", "b": "p40", "c": "p25"}) == pytest.approx(
        0.8375
    )
    one = Form((Section("s", (Question("a", points(15), weight=15),)),))
    assert alignment(one, {"a": "p10"}, {"a": "p7"}) == pytest.approx(0.80)


FORM = Form(
    (
        Section(
            "s",
            (
                Question("greeting", BINARY, weight=10),
                Question("accuracy", BINARY, weight=50),
                Question("tone", tuple(Option(str(n), float(n)) for n in range(1, 6)), weight=40),
            ),
        ),
    )
)


def answers(greeting: str, accuracy: str, tone: str) -> dict[str, str]:
    return {"greeting": greeting, "accuracy": accuracy, "tone": tone}


SESSION = {
    "expert": {"t1": answers("yes", "yes", "5"), "t2": answers("yes", "no", "3"), "t3": answers("no", "yes", "4")},
    "ana": {"t1": answers("yes", "yes", "5"), "t2": answers("yes", "no", "3"), "t3": answers("no", "yes", "3")},
    "ben": {"t1": answers("yes", "yes", "5"), "t2": answers("yes", "yes", "4"), "t3": answers("yes", "yes", "5")},
}


def test_deviation_from_the_expert_flags_the_lenient_evaluator() -> None:
    result = calibrate(FORM, SESSION, expert="expert")
    assert result.reference_scores == {"t1": 100.0, "t2": 30.0, "t3": 80.0}  # t2: 10 + 40 x 0.5; t3: 50 + 40 x 0.75
    by_name = {d.evaluator: d for d in result.evaluators}
    assert set(by_name) == {"ana", "ben"}
    ana, ben = by_name["ana"], by_name["ben"]
    assert ana.bias == pytest.approx(-10 / 3)  # t3 tone 3 instead of 4: 70 vs 80
    assert ana.mean_absolute_deviation == pytest.approx(10 / 3) and not ana.flagged
    assert ben.bias == pytest.approx((0 + 60 + 20) / 3)  # t2 90 vs 30, t3 100 vs 80
    assert ben.flagged and ben.within_tolerance == pytest.approx(1 / 3)
    assert ana.alignment == pytest.approx((1 + 1 + (1 - 0.4 * 0.25)) / 3)
    assert result.questions["greeting"].raw_agreement == pytest.approx(7 / 9)
    assert result.overall.value is not None and result.overall.value < 1


def test_consensus_reference_and_unknown_expert() -> None:
    result = calibrate(FORM, SESSION)
    assert result.reference == "consensus" and len(result.evaluators) == 3
    assert result.reference_scores["t2"] == pytest.approx((30 + 30 + 90) / 3)
    with pytest.raises(ValueError, match="did not take part"):
        calibrate(FORM, SESSION, expert="zoe")
