"""A contract's terms for one period, as plain values the credit arithmetic works on.

The YAML models (steward.definitions.contracts) check what users write; these values are what
the arithmetic in steward.domain.credits needs, with every percentage still in percent (10 = 10%)
and every amount a Decimal, so a figure on a scorecard is the figure the contract states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

Better = Literal["higher", "lower"]
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(amount: Decimal) -> Decimal:
    """An amount rounded half-up to cents, the precision of an invoice line."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(percent: Decimal, amount: Decimal) -> Decimal:
    return amount * percent / HUNDRED


class Status(StrEnum):
    """How a service level did in a period."""

    MET = "met"
    MISSED = "missed"  # missed the expected target, met the minimum
    MISSED_MINIMUM = "missed minimum"
    INSUFFICIENT_SAMPLE = "insufficient sample"
    EXCLUDED = "excluded"
    NOT_DUE = "measured at quarter end"

    @property
    def is_miss(self) -> bool:
        return self in (Status.MISSED, Status.MISSED_MINIMUM)

    @property
    def is_measured(self) -> bool:
        return self in (Status.MET, Status.MISSED, Status.MISSED_MINIMUM)


class CreditRule(StrEnum):
    POOL = "pool"  # at-risk amount x category pool % x level allocation %
    PROPORTIONAL = "proportional"  # shortfall in points, as % of the period's charges
    FIXED = "fixed"  # a fixed amount per miss


class BonusSettlement(StrEnum):
    NET = "net"  # bonus and credits net into one adjustment, which may favour the vendor
    OFFSET_ONLY = "offset_only"  # bonus only cancels credits of the same period; the rest lapses
    SEPARATE = "separate"  # credits reduce the invoice; the bonus is paid on its own


@dataclass(frozen=True)
class Bonus:
    """Gainshare for beating a level: paid when the value is at or beyond `threshold`."""

    threshold: float
    amount: Decimal = Decimal(0)
    percent_of_charges: Decimal = Decimal(0)


@dataclass(frozen=True)
class Ratchet:
    """After `after_periods` periods in a row beating the expected target, move it towards the
    achieved value by `fraction`; a step never exceeds `max_step_percent` of the headroom to 100
    (or to 0 for lower-is-better levels) when that is set."""

    after_periods: int
    fraction: float = 0.5
    max_step_percent: float | None = None


@dataclass(frozen=True)
class LevelTerms:
    """One service level: targets and the money attached to missing or beating it."""

    id: str
    better: Better
    expected: float
    minimum: float | None = None
    min_sample: int = 0
    critical: bool = False
    category_percent: Decimal = Decimal(0)
    allocation_percent: Decimal = Decimal(0)
    rule: CreditRule = CreditRule.POOL
    fixed_amount: Decimal = Decimal(0)
    bonus: Bonus | None = None
    earnback_periods: int | None = None
    ratchet: Ratchet | None = None


@dataclass(frozen=True)
class ChronicRule:
    """Flag a level missed `misses` times within `within` periods, or credits at the cap `at_cap`
    times within `within` periods (either may be absent)."""

    within: int
    misses: int | None = None
    at_cap: int | None = None


@dataclass(frozen=True)
class PeriodTerms:
    """Everything the arithmetic needs for one period of one contract version."""

    version: str
    charges: Decimal
    at_risk_percent: Decimal
    levels: tuple[LevelTerms, ...]
    rolling_cap_percent: Decimal | None = None
    rolling_cap_periods: int = 12
    expected_misses_before_credit: int = 1
    expected_misses_window: int = 12
    bonus_cap_percent: Decimal | None = None
    bonus_settlement: BonusSettlement = BonusSettlement.NET
    chronic: ChronicRule | None = None

    @property
    def at_risk_amount(self) -> Decimal:
        return cents(percent_of(self.at_risk_percent, self.charges))


@dataclass(frozen=True)
class Measurement:
    """A level's measured value, the number of cases behind it and, for ratios, the components."""

    value: float | None
    sample: int
    numerator: float | None = None
    denominator: float | None = None
    excluded: bool = False
    due: bool = True
    """False in the first months of a quarterly window: the level is judged at the quarter's end."""


@dataclass(frozen=True)
class LevelOutcome:
    """A level's result in one period, with the money it produced."""

    id: str
    status: Status
    value: float | None
    sample: int
    expected: float
    minimum: float | None
    critical: bool
    numerator: float | None = None
    denominator: float | None = None
    credit_before_cap: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    earnback: Decimal = Decimal(0)
    earned_back_from: tuple[str, ...] = ()
    expected_misses_in_window: int = 0


@dataclass(frozen=True)
class PeriodOutcome:
    """A whole period: each level's outcome and the invoice adjustment they add up to."""

    period: str
    version: str
    charges: Decimal
    at_risk_amount: Decimal
    levels: tuple[LevelOutcome, ...]
    credits_before_caps: Decimal
    credits_after_monthly_cap: Decimal
    credits_after_caps: Decimal
    rolling_cap_room: Decimal | None
    bonus_earned: Decimal
    bonus_applied: Decimal
    bonus_paid_separately: Decimal
    earnback: Decimal
    net_adjustment: Decimal
    flags: tuple[str, ...] = ()
    next_targets: dict[str, float] = field(default_factory=dict)
    """Expected targets raised by a ratchet, in force from the next period of the same version."""

    @property
    def at_cap(self) -> bool:
        """Whether a cap (monthly or rolling) held the credits down to the most the month allows."""
        allowed = self.at_risk_amount
        if self.rolling_cap_room is not None:
            allowed = min(allowed, self.rolling_cap_room)
        return self.credits_before_caps > 0 and self.credits_before_caps >= allowed

    def level(self, level_id: str) -> LevelOutcome | None:
        return next((level for level in self.levels if level.id == level_id), None)
