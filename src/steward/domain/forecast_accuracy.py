"""Forecast accuracy: WAPE, bias, and the Poisson floor below which no forecast can go.

WAPE and bias follow the metric engine's `forecast_accuracy` (docs/metrics.md, "Forecasts"):
WAPE = Σ|F − A| / ΣA and bias = Σ(F − A) / ΣA, positive when the forecast was too high. Both are
fractions here (0.08 = 8%); undefined (NaN) when nothing arrived.

Contacts arrive at random: even a forecast that knows each interval's true mean λ misses by
E|X − λ| when X ~ Poisson(λ). Summed over intervals this gives the **Poisson floor**, the WAPE of a
perfect forecast of the mean, Σ E|X − λ_t| / Σ λ_t. For one interval E|X − λ| / λ = 2 P(X = ⌊λ⌋),
about sqrt(2 / (πλ)) when λ is large: 35.1% at λ = 5, 8.0% at λ = 100, 4.0% at λ = 400. The true
means are unknown, so a forecast's floor is taken at the actual volumes (`floor_of_actuals`).

>>> round(interval_floor(100.0), 3)
0.08
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln


def wape(forecast: ArrayLike, actual: ArrayLike) -> float:
    """Weighted absolute percentage error Σ|F − A| / ΣA as a fraction (NaN when ΣA is 0)."""
    f, a = _pair(forecast, actual)
    total = float(a.sum())
    return float(np.abs(f - a).sum()) / total if total > 0 else math.nan


def bias(forecast: ArrayLike, actual: ArrayLike) -> float:
    """Σ(F − A) / ΣA as a fraction: positive = over-forecast (NaN when ΣA is 0)."""
    f, a = _pair(forecast, actual)
    total = float(a.sum())
    return float((f - a).sum()) / total if total > 0 else math.nan


def poisson_mean_absolute_deviation(mean: ArrayLike) -> NDArray[np.float64]:
    """E|X − λ| for X ~ Poisson(λ), exactly: 2 e^(−λ) λ^(⌊λ⌋+1) / ⌊λ⌋! (0 at λ = 0)."""
    lam = np.asarray(mean, dtype=np.float64)
    if np.any(lam < 0):
        raise ValueError("a Poisson mean cannot be negative")
    k = np.floor(lam)
    # Log space: λ^(k+1) and k! overflow float64 long before λ reaches the volumes of a large queue.
    with np.errstate(divide="ignore"):
        log_value = math.log(2.0) - lam + (k + 1) * np.log(lam) - gammaln(k + 1)
    return np.where(lam > 0, np.exp(log_value), 0.0)


def interval_floor(mean: float) -> float:
    """E|X − λ| / λ: the WAPE of a perfect forecast of one interval with mean λ (NaN at λ = 0)."""
    if mean <= 0:
        return math.nan
    return float(poisson_mean_absolute_deviation(mean)) / mean


def poisson_floor(means: ArrayLike) -> float:
    """Σ E|X − λ_t| / Σ λ_t: the expected WAPE of a forecast equal to the true means (NaN when Σλ is 0)."""
    lam = np.asarray(means, dtype=np.float64)
    total = float(lam.sum())
    return float(poisson_mean_absolute_deviation(lam).sum()) / total if total > 0 else math.nan


def floor_of_actuals(actual: ArrayLike) -> float:
    """The Poisson floor of a forecast judged against these actual volumes, taken at them (λ_t = A_t).

    Taken at the forecast's own volumes instead, a forecast that is too low would earn a larger
    allowance; the forecast backtest and `wfm accuracy` use this one definition.

    >>> floor_of_actuals([100.0, 100.0]) == interval_floor(100.0)
    True
    """
    return poisson_floor(actual)


def approximate_floor(mean: float) -> float:
    """sqrt(2 / (πλ)): the large-λ (normal) approximation of `interval_floor`."""
    return math.sqrt(2.0 / (math.pi * mean))


def _pair(forecast: ArrayLike, actual: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    f = np.asarray(forecast, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if f.shape != a.shape:
        raise ValueError(f"forecast and actual differ in shape: {f.shape} vs {a.shape}")
    return f, a
