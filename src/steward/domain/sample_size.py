"""How precise a QA sample is, and how large it must be for a wanted precision.

A mean score from n evaluations with standard deviation s lies within t(1 - a/2, n - 1) * s / sqrt(n)
of the true mean with confidence 1 - a (Student's t: per-agent samples are small). Shares (pass
rates) use the normal approximation, with the finite-population correction when the population is
known. Five evaluations at SD 10 points give about +/-12 points: enough to coach, not to rank agents.
"""

from __future__ import annotations

import math


def mean_margin(n: int, sd: float, confidence: float = 0.95) -> float:
    """Half-width of the confidence interval of a mean of `n` scores (points)."""
    if n < 2:
        return math.inf
    from scipy import stats  # half a second to import: every command would pay it at start-up

    return float(stats.t.ppf((1 + confidence) / 2, n - 1)) * sd / math.sqrt(n)


def evaluations_for_mean(sd: float, margin: float, confidence: float = 0.95, limit: int = 100_000) -> int:
    """The fewest evaluations whose mean is within +/-`margin` points at `confidence`."""
    if margin <= 0:
        raise ValueError("the margin must be above 0")
    n = 2
    while mean_margin(n, sd, confidence) > margin:
        n += 1
        if n > limit:
            raise ValueError(f"more than {limit:,} evaluations would be needed")
    return n


def share_margin(n: int, share: float = 0.5, confidence: float = 0.95, population: int | None = None) -> float:
    """Half-width of the confidence interval of a share (0-1) seen in `n` evaluations."""
    if n < 1:
        return math.inf
    z = _normal_quantile((1 + confidence) / 2)
    margin = z * math.sqrt(share * (1 - share) / n)
    if population is not None and population > 1:
        margin *= math.sqrt(max(population - n, 0) / (population - 1))
    return margin


def evaluations_for_share(
    margin: float, share: float = 0.5, confidence: float = 0.95, population: int | None = None
) -> int:
    """The fewest evaluations for a share within +/-`margin` (0-1): 385 for +/-5% at 95%."""
    if margin <= 0:
        raise ValueError("the margin must be above 0")
    z = _normal_quantile((1 + confidence) / 2)
    n0 = z * z * share * (1 - share) / (margin * margin)
    if population is not None and population > 0:
        n0 = n0 / (1 + (n0 - 1) / population)
    return math.ceil(n0 - 1e-9)


def _normal_quantile(p: float) -> float:
    from scipy import stats  # see mean_margin

    return float(stats.norm.ppf(p))
