"""A period's charges from a contract's fees: fixed, per handled contact (flat or by tier), per productive hour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from steward.domain.contract_terms import cents

ZERO = Decimal(0)


@dataclass(frozen=True)
class ChargeLine:
    """One line of the period's invoice: what is charged, how many, at what price."""

    item: str
    quantity: Decimal
    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FeeTerms:
    monthly_fixed: Decimal = ZERO
    per_handled_contact: Decimal = ZERO
    per_productive_hour: Decimal = ZERO
    tiers: Sequence[tuple[int | None, Decimal]] = ()
    tier_mode: Literal["graduated", "all_units"] = "graduated"


def tiered_lines(contacts: int, tiers: Sequence[tuple[int | None, Decimal]], mode: str) -> list[ChargeLine]:
    """Contacts priced by volume tier: `graduated` prices each contact at its own tier (like tax
    brackets); `all_units` prices every contact at the tier the total reaches."""
    if mode == "all_units":
        reached = next(((bound, price) for bound, price in tiers if bound is None or contacts <= bound), tiers[-1])
        return [_line(f"handled contacts (tier up to {reached[0] or 'any'})", Decimal(contacts), reached[1])]
    lines, floor = [], 0
    for bound, price in tiers:
        top = contacts if bound is None else min(contacts, bound)
        if top > floor:
            label = f"handled contacts {floor + 1:,}-{top:,}"
            lines.append(_line(label, Decimal(top - floor), price))
        if bound is None or contacts <= bound:
            break
        floor = bound
    return lines


def charge_lines(fees: FeeTerms, handled_contacts: int, productive_hours: Decimal) -> list[ChargeLine]:
    """Every charge of the period, each rounded to cents."""
    lines = []
    if fees.monthly_fixed:
        lines.append(_line("monthly fixed fee", Decimal(1), fees.monthly_fixed))
    if fees.tiers:
        lines += tiered_lines(handled_contacts, fees.tiers, fees.tier_mode)
    elif fees.per_handled_contact:
        lines.append(_line("handled contacts", Decimal(handled_contacts), fees.per_handled_contact))
    if fees.per_productive_hour:
        lines.append(_line("productive hours", productive_hours, fees.per_productive_hour))
    return lines


def _line(item: str, quantity: Decimal, price: Decimal) -> ChargeLine:
    return ChargeLine(item, quantity, price, cents(quantity * price))
