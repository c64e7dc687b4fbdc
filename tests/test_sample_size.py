"""Sample sizes for QA plans against hand-computed and published figures."""

from __future__ import annotations

import pytest

from steward.domain.sample_size import evaluations_for_mean, evaluations_for_share, mean_margin, share_margin


def test_five_evaluations_at_sd_ten_give_about_twelve_points() -> None:
    """t(0.975, 4) = 2.7764; 2.7764 x 10 / sqrt(5) = 12.42."""
    assert mean_margin(5, 10) == pytest.approx(12.4166, abs=1e-3)
    assert mean_margin(1, 10) == float("inf")


def test_evaluations_needed_for_a_precision() -> None:
    n = evaluations_for_mean(sd=10, margin=5)
    assert mean_margin(n, 10) <= 5 < mean_margin(n - 1, 10)
    assert n == 18  # t(0.975, 17) x 10 / sqrt(18) = 4.97


def test_shares_385_for_five_points_and_the_population_correction() -> None:
    assert evaluations_for_share(0.05) == 385  # 1.96^2 x 0.25 / 0.05^2 = 384.16
    assert evaluations_for_share(0.03) == 1068  # the McIntosh "about 1,080" at +/-3%
    assert evaluations_for_share(0.05, population=1000) == 278  # BPA Quality's 278 of 1,000 calls
    assert share_margin(385) == pytest.approx(0.04994, abs=1e-4)
    with pytest.raises(ValueError, match="above 0"):
        evaluations_for_share(0)
