"""How far QA evaluators agree: chance-corrected agreement next to the plain numbers people read.

Krippendorff's alpha (any number of evaluators, missing answers allowed) comes from the
`krippendorff` package, Cohen's and Fleiss' kappa from statsmodels; this module fixes their input
orientation and their edge cases. Every result carries raw agreement and the prevalence of the
commonest answer, because on skewed answers (almost every item passed) alpha and kappa fall towards
0 while evaluators agree 90% of the time, and alpha alone would read as "no agreement".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import krippendorff
import numpy as np

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Answer = Hashable | None
"""One evaluator's answer to one unit (None: not answered)."""


@dataclass(frozen=True)
class Agreement:
    """A reliability statistic with what is needed to read it."""

    statistic: str
    value: float | None
    """None where the statistic is undefined (fewer than two units or values to compare)."""
    raw_agreement: float | None
    """Share of pairs of answers to the same unit that are equal."""
    prevalence: float | None
    """Share of all answers taken by the commonest value."""
    units: int
    note: str = ""


def krippendorff_alpha(ratings: Sequence[Sequence[Answer]], level: Level) -> Agreement:
    """Alpha over `ratings[evaluator][unit]` (None where an evaluator did not answer a unit).

    Perfect agreement on a single value is defined here as 1.0 with a note: the package refuses a
    domain of one value, yet evaluators who all gave the same answer did agree.
    """
    values = [v for row in ratings for v in row if v is not None]
    units = _paired_units(ratings)
    raw, prevalence = raw_agreement(ratings), _prevalence(values)
    name = f"krippendorff_alpha_{level}"
    if units == 0:
        return Agreement(name, None, raw, prevalence, 0, "no unit has answers from two evaluators")
    if len(set(values)) == 1:
        return Agreement(name, 1.0, raw, prevalence, units, "every answer was the same value")
    domain = sorted(set(values), key=_order_key)
    codes = {value: index for index, value in enumerate(domain)}
    numeric = level in ("interval", "ratio")
    rows = [[math.nan if v is None else (float(v) if numeric else codes[v]) for v in row] for row in ratings]  # type: ignore[arg-type]
    data = np.asarray(rows, dtype=np.float64)
    # Codes keep the order of the values, so ordinal distances use ranks as the package expects.
    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    return Agreement(name, value, raw, prevalence, units, _skew_note(prevalence))


def cohen_kappa(first: Sequence[Answer], second: Sequence[Answer]) -> Agreement:
    """Cohen's kappa of two evaluators over the units both answered."""
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    raw = sum(a == b for a, b in pairs) / len(pairs) if pairs else None
    prevalence = _prevalence([v for pair in pairs for v in pair])
    if not pairs:
        return Agreement("cohen_kappa", None, None, None, 0, "no unit answered by both")
    categories = sorted({v for pair in pairs for v in pair}, key=_order_key)
    if len(categories) == 1:
        return Agreement("cohen_kappa", 1.0, raw, prevalence, len(pairs), "every answer was the same value")
    codes = {value: index for index, value in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for a, b in pairs:
        table[codes[a], codes[b]] += 1
    from statsmodels.stats.inter_rater import cohens_kappa  # 0.3 s to import: only where a kappa is asked for

    value = float(cohens_kappa(table, return_results=False))
    return Agreement("cohen_kappa", value, raw, prevalence, len(pairs), _skew_note(prevalence))


def fleiss_kappa_of(ratings: Sequence[Sequence[Answer]]) -> Agreement:
    """Fleiss' kappa over `ratings[evaluator][unit]`; it needs every evaluator on every unit."""
    if any(v is None for row in ratings for v in row):
        return Agreement("fleiss_kappa", None, raw_agreement(ratings), None, 0, "needs every unit rated by all")
    values = [v for row in ratings for v in row]
    domain = sorted(set(values), key=_order_key)
    codes = {value: index for index, value in enumerate(domain)}
    by_unit = np.array([[codes[v] for v in unit] for unit in zip(*ratings, strict=True)])
    raw, prevalence = raw_agreement(ratings), _prevalence(values)
    if len(domain) == 1:
        return Agreement("fleiss_kappa", 1.0, raw, prevalence, len(by_unit), "every answer was the same value")
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa  # 0.3 s to import: see cohen

    table, _ = aggregate_raters(by_unit, n_cat=len(domain))  # units x categories counts, not raw answers
    value = float(fleiss_kappa(table, method="fleiss"))
    return Agreement("fleiss_kappa", value, raw, prevalence, len(by_unit), _skew_note(prevalence))


def raw_agreement(ratings: Sequence[Sequence[Answer]]) -> float | None:
    """Pairwise percent agreement: equal pairs / all pairs of answers to the same unit."""
    equal = pairs = 0
    for unit in zip(*ratings, strict=True):
        answered = [v for v in unit if v is not None]
        for a, b in combinations(answered, 2):
            pairs += 1
            equal += a == b
    return equal / pairs if pairs else None


def _paired_units(ratings: Sequence[Sequence[Answer]]) -> int:
    return sum(1 for unit in zip(*ratings, strict=True) if sum(v is not None for v in unit) >= 2)


def _prevalence(values: Sequence[Answer]) -> float | None:
    if not values:
        return None
    return Counter(values).most_common(1)[0][1] / len(values)


def _skew_note(prevalence: float | None) -> str:
    if prevalence is not None and prevalence >= 0.8:
        return (
            f"{prevalence:.0%} of answers are one value: chance-corrected agreement runs low on skewed "
            "answers (read raw agreement alongside)"
        )
    return ""


def _order_key(value: object) -> tuple[int, float, str]:
    """Numbers in numeric order before text in text order, so ordinal scales keep their order."""
    if isinstance(value, bool):
        return (0, float(value), "")
    if isinstance(value, int | float) and not math.isnan(value):
        return (0, float(value), "")
    return (1, 0.0, str(value))


__all__ = [
    "Agreement",
    "cohen_kappa",
    "fleiss_kappa_of",
    "krippendorff_alpha",
    "raw_agreement",
]
