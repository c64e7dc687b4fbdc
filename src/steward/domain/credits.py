"""Service-level money for one period: statuses, credits, caps, bonus, earnback, the net adjustment.

The arithmetic follows the common outsourcing structure (docs/contracts.md): a missed critical
level costs at-risk amount x category pool % x level allocation %; a month's credits never
exceed the at-risk amount nor, when the contract sets one, the rolling cap; a credit comes back
(earnback) when the level is then met for the next N measured periods. History is the earlier
outcomes of the same contract, oldest first and without gaps; nothing here reads a clock or a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from steward.domain.contract_history import (
    chronic_flags,
    earnback_due,
    effective_expected,
    misses_in_window,
    ratcheted_targets,
)
from steward.domain.contract_terms import (
    HUNDRED,
    BonusSettlement,
    CreditRule,
    LevelOutcome,
    LevelTerms,
    Measurement,
    PeriodOutcome,
    PeriodTerms,
    Status,
    cents,
    percent_of,
)

ZERO = Decimal(0)
NOT_MEASURED = Measurement(value=None, sample=0)


def level_status(level: LevelTerms, measured: Measurement, expected: float) -> Status:
    """Met, missed, missed minimum, insufficient sample (never a miss) or excluded."""
    if not measured.due:
        return Status.NOT_DUE
    if measured.excluded:
        return Status.EXCLUDED
    if measured.value is None or measured.sample < level.min_sample:
        return Status.INSUFFICIENT_SAMPLE
    value = round(measured.value, 9)  # 97.99999999999999 from a ratio is 98
    if beats_or_equals(value, expected, level.better):
        return Status.MET
    if level.minimum is not None and not beats_or_equals(value, level.minimum, level.better):
        return Status.MISSED_MINIMUM
    return Status.MISSED


def beats_or_equals(value: float, target: float, better: str) -> bool:
    return value >= target if better == "higher" else value <= target


def shortfall(value: float, expected: float, better: str) -> float:
    """Points by which `value` falls short of `expected` (0 when it does not)."""
    gap = expected - value if better == "higher" else value - expected
    return max(gap, 0.0)


def level_credit(terms: PeriodTerms, level: LevelTerms, value: float | None) -> Decimal:
    """What one defaulted critical level costs before caps, to the cent."""
    if level.rule is CreditRule.FIXED:
        return cents(level.fixed_amount)
    if level.rule is CreditRule.PROPORTIONAL:
        gap = Decimal(repr(round(shortfall(value or 0.0, level.expected, level.better), 9)))
        return cents(percent_of(gap, terms.charges))
    pool = terms.at_risk_amount * level.category_percent / HUNDRED
    return cents(pool * level.allocation_percent / HUNDRED)


def evaluate_period(
    terms: PeriodTerms,
    period: str,
    measured: Mapping[str, Measurement],
    history: Sequence[PeriodOutcome] = (),
) -> PeriodOutcome:
    """The scorecard money of `period`: every level's status and credit, then caps and settlement."""
    first_pass = [_level_before_caps(terms, level, measured, history) for level in terms.levels]
    before = sum((outcome.credit_before_cap for outcome in first_pass), ZERO)
    room = rolling_cap_room(terms, history)
    after_monthly = min(before, terms.at_risk_amount)
    after = min(after_monthly, room) if room is not None else after_monthly
    shares = share_out(after, {o.id: o.credit_before_cap for o in first_pass})
    bonuses = _capped_bonuses(terms, first_pass)
    levels = []
    for level, outcome in zip(terms.levels, first_pass, strict=True):
        earned_from, earnback = earnback_due(level, outcome.status, history)
        levels.append(
            replace(
                outcome,
                credit=shares[outcome.id],
                bonus=bonuses[outcome.id],
                earnback=earnback,
                earned_back_from=earned_from,
            )
        )
    return _settle(terms, period, tuple(levels), before, after_monthly, after, room, history)


def _level_before_caps(
    terms: PeriodTerms, level: LevelTerms, measured: Mapping[str, Measurement], history: Sequence[PeriodOutcome]
) -> LevelOutcome:
    found = measured.get(level.id, NOT_MEASURED)
    expected = effective_expected(level, terms.version, history)
    status = level_status(level, found, expected)
    misses = misses_in_window(level.id, status, history, terms.expected_misses_window)
    defaulted = status is Status.MISSED_MINIMUM or (
        status is Status.MISSED and misses >= terms.expected_misses_before_credit
    )
    ratcheted = replace(level, expected=expected)
    credit = level_credit(terms, ratcheted, found.value) if level.critical and defaulted else ZERO
    bonus = _bonus(terms, level, status, found.value)
    return LevelOutcome(
        id=level.id,
        status=status,
        value=found.value,
        sample=found.sample,
        expected=expected,
        minimum=level.minimum,
        critical=level.critical,
        numerator=found.numerator,
        denominator=found.denominator,
        credit_before_cap=credit,
        bonus=bonus,
        expected_misses_in_window=misses,
    )


def _bonus(terms: PeriodTerms, level: LevelTerms, status: Status, value: float | None) -> Decimal:
    if level.bonus is None or not level.critical or status is not Status.MET or value is None:
        return ZERO
    if not beats_or_equals(round(value, 9), level.bonus.threshold, level.better):
        return ZERO
    return cents(level.bonus.amount + percent_of(level.bonus.percent_of_charges, terms.charges))


def _capped_bonuses(terms: PeriodTerms, outcomes: Sequence[LevelOutcome]) -> dict[str, Decimal]:
    earned = {outcome.id: outcome.bonus for outcome in outcomes}
    total = sum(earned.values(), ZERO)
    if terms.bonus_cap_percent is None:
        return earned
    return share_out(min(total, cents(percent_of(terms.bonus_cap_percent, terms.charges))), earned)


def rolling_cap_room(terms: PeriodTerms, history: Sequence[PeriodOutcome]) -> Decimal | None:
    """What the rolling cap still allows this period: cap % of the window's charges (this period
    included) less the credits already given in the window; None when the contract sets none."""
    if terms.rolling_cap_percent is None:
        return None
    window = list(history)[-(terms.rolling_cap_periods - 1) :] if terms.rolling_cap_periods > 1 else []
    charges = sum((o.charges for o in window), terms.charges)
    given = sum((o.credits_after_caps for o in window), ZERO)
    return max(cents(percent_of(terms.rolling_cap_percent, charges)) - given, ZERO)


def share_out(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """`total` split over the keys in proportion to `weights`, in cents, summing exactly to `total`
    (largest remainders get the odd cents); a key never gets more than its weight."""
    whole = sum(weights.values(), ZERO)
    if whole <= 0 or total >= whole:
        return dict(weights) if whole > 0 else dict.fromkeys(weights, ZERO)
    exact = {key: total * weight / whole for key, weight in weights.items()}
    shares = {key: value.quantize(Decimal("0.01"), rounding="ROUND_FLOOR") for key, value in exact.items()}
    left = int((total - sum(shares.values(), ZERO)) * 100)
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[:left]:
        shares[key] += Decimal("0.01")
    return shares


def _settle(  # noqa: PLR0917 - the figures of one invoice adjustment
    terms: PeriodTerms,
    period: str,
    levels: tuple[LevelOutcome, ...],
    before: Decimal,
    after_monthly: Decimal,
    after: Decimal,
    room: Decimal | None,
    history: Sequence[PeriodOutcome],
) -> PeriodOutcome:
    bonus = sum((level.bonus for level in levels), ZERO)
    earnback = sum((level.earnback for level in levels), ZERO)
    applied, separate = bonus, ZERO
    if terms.bonus_settlement is BonusSettlement.OFFSET_ONLY:
        applied = min(bonus, after)
    elif terms.bonus_settlement is BonusSettlement.SEPARATE:
        applied, separate = ZERO, bonus
    outcome = PeriodOutcome(
        period=period,
        version=terms.version,
        charges=terms.charges,
        at_risk_amount=terms.at_risk_amount,
        levels=levels,
        credits_before_caps=before,
        credits_after_monthly_cap=after_monthly,
        credits_after_caps=after,
        rolling_cap_room=room,
        bonus_earned=bonus,
        bonus_applied=applied,
        bonus_paid_separately=separate,
        earnback=earnback,
        net_adjustment=applied + earnback - after,
    )
    return replace(
        outcome,
        flags=chronic_flags(terms, outcome, history),
        next_targets=ratcheted_targets(terms, outcome, history),
    )
