"""Calibration statistics against published reliability examples (shared/research/qa.md §2.2)."""

from __future__ import annotations

import pytest

from steward.domain.reliability import cohen_kappa, fleiss_kappa_of, krippendorff_alpha, raw_agreement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers x 12 units, values 1-5.
_ = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]
# Fleiss (1971): 30 patients x 6 psychiatrists, diagnoses 1-5 (as in statsmodels' tests), by patient.
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_2011_reliability_data(level: str, published: float) -> None:
    result = krippendorff_alpha(KRIPPENDORFF_2011, level)  # type: ignore[arg-type]
    assert result.value == pytest.approx(published, abs=0.0005)
    assert result.units == 11  # unit 12 has one answer only: nothing to compare


def test_krippendorff_binary_example_and_labels_in_any_order() -> None:
    """Krippendorff's first example: 2 coders x 10 units, alpha 0.095; text labels give the same."""
    coders = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert krippendorff_alpha(coders, "nominal").value == pytest.approx(0.095238, abs=1e-6)
    words = [["pass" if v else "fail" for v in row] for row in coders]
    assert krippendorff_alpha(words, "nominal").value == pytest.approx(0.095238, abs=1e-6)


def test_cohen_kappa_on_the_textbook_two_by_two_table() -> None:
    """A: yes/no vs B: yes/no = 20/5/10/15 -> p_o 0.70, p_e 0.50, kappa 0.40."""
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    result = cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])
    assert result.value == pytest.approx(0.40)
    assert result.raw_agreement == pytest.approx(0.70)


def test_fleiss_1971_diagnoses() -> None:
    by_evaluator = [list(row) for row in zip(*FLEISS_1971, strict=True)]
    result = fleiss_kappa_of(by_evaluator)
    assert result.value == pytest.approx(0.4302445, abs=1e-7)
    assert result.units == 30


def test_perfect_agreement_is_defined_not_a_crash() -> None:
    same = [[1, 1, 1], [1, 1, 1]]
    for result in (krippendorff_alpha(same, "nominal"), cohen_kappa(*same), fleiss_kappa_of(same)):
        assert result.value == 1.0 and result.raw_agreement == 1.0 and "same value" in result.note


def test_skewed_answers_keep_raw_agreement_and_prevalence_next_to_alpha() -> None:
    """Five coders x five units, all 3s but one 1 (the shape of fast-krippendorff #11): alpha is 0
    while 46 of the 50 pairs of answers agree (by hand: the odd answer disagrees with 4 others)."""
    coders = [[3, 3, 3, 3, 3] for _ in range(5)]
    coders[0][0] = 1
    result = krippendorff_alpha(coders, "nominal")
    assert result.value == pytest.approx(0.0, abs=1e-9)
    assert result.raw_agreement == pytest.approx(46 / 50)
    assert result.prevalence == pytest.approx(24 / 25)
    assert "skewed" in result.note


def test_missing_answers_and_too_little_to_compare() -> None:
    assert krippendorff_alpha([[1, None], [None, 2]], "nominal").value is None
    assert cohen_kappa([1, None], [None, 2]).value is None
    assert fleiss_kappa_of([[1, None], [1, 2]]).value is None
    assert raw_agreement([[1, 2], [1, 3]]) == 0.5
