"""A volume-aware verdict on a partner's forecast: its WAPE judged against the Poisson floor.

A fixed WAPE target is unfair to small queues (a perfect forecast of 5 contacts per interval still
misses by 35%) and lax on large ones (4% at 400), so the verdict looks at the excess over the floor:
WAPE − floor ≤ k points is "good", ≤ 2k "fair", beyond that "poor" (research/wfm.md §4.3). Bias is
judged on its own: a partner that under-forecasts by more than k points understaffs systematically
even when its WAPE looks fine.

>>> judge(wape=0.12, floor=0.08, bias=-0.01).label
'good'
>>> judge(wape=0.30, floor=0.08, bias=-0.20).label
'poor, under-forecasts'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_TOLERANCE = 0.05
"""k: five percentage points above the floor."""


@dataclass(frozen=True)
class ForecastVerdict:
    """How a forecast did, given what chance alone allows."""

    grade: str
    """good, fair, poor, or unknown (nothing arrived)."""
    excess: float | None
    """WAPE − floor, as a fraction."""
    bias_note: str | None
    """'under-forecasts' or 'over-forecasts' when |bias| exceeds the tolerance."""

    @property
    def label(self) -> str:
        return self.grade if self.bias_note is None else f"{self.grade}, {self.bias_note}"


def judge(
    wape: float | None, floor: float | None, bias: float | None, tolerance: float = DEFAULT_TOLERANCE
) -> ForecastVerdict:
    """Grade WAPE by its excess over the Poisson floor, and flag a bias beyond `tolerance` (fractions)."""
    if tolerance <= 0:
        raise ValueError(f"tolerance {tolerance} must be above 0 (0.05 is five points)")
    if wape is None or floor is None or math.isnan(wape) or math.isnan(floor):
        return ForecastVerdict("unknown", None, None)
    excess = wape - floor
    grade = "good" if excess <= tolerance else "fair" if excess <= 2 * tolerance else "poor"
    note = None
    if bias is not None and not math.isnan(bias) and abs(bias) > tolerance:
        note = "under-forecasts" if bias < 0 else "over-forecasts"
    return ForecastVerdict(grade, excess, note)
