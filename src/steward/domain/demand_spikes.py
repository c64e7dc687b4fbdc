"""Demand spikes: intervals whose arrivals are too many to be the forecast's bad luck.

Arrivals in an interval are close to Poisson around the forecast's mean λ, so the chance of seeing
x or more contacts when the forecast was right is the Poisson tail P(X ≥ x | λ). A spike needs that
tail below `max_p` (default 1e-4: about one false alarm per 10,000 intervals, or once in 7 weeks of
30-minute intervals per queue) *and* a relative excess of at least `min_excess` (default 30%), so a
large queue's statistically certain but harmless +5% is not an alarm (docs/wfm.md). Seasonality
(Monday mornings, Black Friday) is in the forecast itself, so a busy interval the forecast expected
is not a spike.

A forecast of exactly 0 would make a single contact impossible (P = 0); the mean is floored at half
a contact, so a quiet interval needs about six contacts before the tail says "spike".

>>> bool(spike_mask(np.array([160.0]), np.array([100.0]), SpikeRule())[0])
True
>>> bool(spike_mask(np.array([118.0]), np.array([100.0]), SpikeRule())[0])
False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
MIN_MEAN = 0.5


@dataclass(frozen=True)
class SpikeRule:
    """When arrivals count as a spike: both a tiny Poisson tail and a real relative excess."""

    max_p: float = 1e-4
    min_excess: float = 0.30
    """Actual at least (1 + min_excess) × forecast."""

    def __post_init__(self) -> None:
        if not 0 < self.max_p < 1:
            raise ValueError(f"max_p {self.max_p} must be between 0 and 1")
        if self.min_excess < 0:
            raise ValueError(f"min_excess {self.min_excess} must be 0 or more")


def tail_probability(actual: Floats, forecast: Floats) -> Floats:
    """P(X ≥ actual) for X ~ Poisson(forecast), the mean floored at half a contact."""
    mean = np.maximum(np.asarray(forecast, dtype=np.float64), MIN_MEAN)
    seen = np.asarray(actual, dtype=np.float64)
    from scipy.stats import poisson  # scipy.stats costs every command 0.4 s at start-up otherwise

    # sf(k) is P(X > k), so P(X ≥ x) is sf(x − 1); arrivals are whole counts.
    return np.asarray(poisson.sf(np.ceil(seen) - 1, mean), dtype=np.float64)


def spike_mask(actual: Floats, forecast: Floats, rule: SpikeRule) -> Flags:
    """True where the arrivals are a spike under `rule`."""
    far = tail_probability(actual, forecast) < rule.max_p
    big = actual >= (1 + rule.min_excess) * np.maximum(forecast, 0.0)
    return np.asarray(far & big & (actual > 0), dtype=np.bool_)


def runs(mask: Flags) -> list[tuple[int, int]]:
    """(first, last) positions of each run of consecutive True values, in order.

    >>> runs(np.array([False, True, True, False, True]))
    [(1, 2), (4, 4)]
    """
    padded = np.concatenate([[False], np.asarray(mask, dtype=np.bool_), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(first), int(after) - 1) for first, after in zip(edges[::2], edges[1::2], strict=True)]
