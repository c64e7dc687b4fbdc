"""Early warning: where a level is heading by the end of the period, from the period so far.

A rate (a share, a mean, a percentile) is projected to stay where it is; a count grows with the
time left. For shares the spread of the final value is known: the rest of the period is a binomial
draw at today's rate, so the final value's standard deviation is 100 * sqrt(n_rest * p * (1 - p)) / n_final.
A level is a *likely miss* when its projection misses, *at risk* when it meets but a miss is more
than 5% likely (1.645 standard deviations; 5% of the target for values without a known spread),
and *on track* otherwise. `needed` says what the rest of the period must average to meet the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from steward.domain.contract_terms import LevelTerms, Measurement

ONE_SIDED_95 = 1.645
PLAIN_MARGIN = 0.05


@dataclass(frozen=True)
class Projection:
    value: float | None
    sample: int
    outlook: str  # on track | at risk | likely miss | insufficient sample | excluded
    needed: float | None = None
    """What the rest of the period must achieve (shares and means only), or None."""


def project(level: LevelTerms, so_far: Measurement, elapsed: float, *, is_count: bool, is_share: bool) -> Projection:
    """Project `so_far` (covering `elapsed`, 0-1, of the period) to the period's end."""
    if so_far.excluded:
        return Projection(None, 0, "excluded")
    if so_far.value is None or elapsed <= 0:
        return Projection(None, 0, "insufficient sample")
    elapsed = min(elapsed, 1.0)
    final_sample = round(so_far.sample / elapsed)
    value = so_far.value / elapsed if is_count else so_far.value
    if final_sample < level.min_sample:
        return Projection(value, final_sample, "insufficient sample")
    needed = _needed(level, so_far, final_sample) if not is_count else None
    meets = value >= level.expected if level.better == "higher" else value <= level.expected
    if not meets:
        return Projection(value, final_sample, "likely miss", needed)
    margin = _margin(level, so_far, final_sample, is_share)
    close = abs(value - level.expected) < margin
    return Projection(value, final_sample, "at risk" if close else "on track", needed)


def _margin(level: LevelTerms, so_far: Measurement, final_sample: int, is_share: bool) -> float:
    if is_share and so_far.value is not None and final_sample > 0:
        p = min(max(so_far.value / 100, 0.0), 1.0)
        rest = max(final_sample - so_far.sample, 0)
        return ONE_SIDED_95 * 100 * math.sqrt(rest * p * (1 - p)) / final_sample
    return abs(level.expected) * PLAIN_MARGIN


def _needed(level: LevelTerms, so_far: Measurement, final_sample: int) -> float | None:
    """The value the rest of the period must average: (target x n_final - value x n_so_far) / n_rest."""
    rest = final_sample - so_far.sample
    if rest <= 0 or so_far.value is None or so_far.denominator is None:
        return None
    return (level.expected * final_sample - so_far.value * so_far.sample) / rest
