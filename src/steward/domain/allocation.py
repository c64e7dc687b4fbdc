"""Splitting forecast volume across partners, and what the split costs in staff against one pooled team.

The allocation rule (docs/wfm.md, "Allocation across partners"), deterministic and explainable:

1. Each partner has a floor, min share × volume, and a ceiling, the smaller of max share × volume
   and its capacity (contacts it can handle in the period).
2. The request is infeasible when the minimum shares add up to more than 100%, when a partner's
   floor is above its capacity, or when the ceilings together cannot take the whole volume. Every
   broken constraint is named in one error.
3. Every partner gets its floor. The rest goes to partners in order of effective cost, cost per
   contact / performance (a partner at 0.8 performance costs as if it were 25% dearer), cheapest
   first, ties by name; each is filled up to its ceiling before the next gets anything.

The pooling penalty: Erlang C on one pooled queue against one queue per partner on its allocated
volume (routing as a percentage split), same AHT and goal, so the difference is only the pooling lost
(research/wfm.md §3.3: 100 calls per 15 min at AHT 300 s, 80/20, pooled needs 39 agents; 50/50 needs 42).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from steward.domain.erlang import ServiceGoal, required_agents_erlang_c
from steward.domain.fees import FeeTerms, charge_lines

# Shares and volumes are floats; constraints are compared with this slack so that 33.3 + 33.3 + 33.4
# or a capacity equal to the floor up to rounding never reads as a violation.
_SLACK = 1e-9


class AllocationRefused(ValueError):
    """The volume cannot be allocated as asked; the message says why."""


class NothingToAllocate(AllocationRefused):
    """The forecast volume is 0: there is nothing to split."""


class AllocationInfeasible(AllocationRefused):
    """The contracts' shares and the partners' capacity cannot take the volume; `problems` says which."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("cannot allocate the volume: " + "; ".join(self.problems))


@dataclass(frozen=True)
class PartnerTerms:
    """One partner as the allocation sees it. Shares are percent; capacity None means not limited."""

    name: str
    cost_per_contact: Decimal
    performance: float
    capacity: float | None = None
    min_share: float = 0.0
    max_share: float = 100.0

    def __post_init__(self) -> None:
        if not 0 <= self.performance <= 1:
            raise ValueError(f"{self.name}: performance must be between 0 and 1, not {self.performance}")
        if not 0 <= self.min_share <= self.max_share <= 100:
            raise ValueError(
                f"{self.name}: need 0 <= min share <= max share <= 100, got {self.min_share}-{self.max_share}"
            )
        if self.capacity is not None and self.capacity < 0:
            raise ValueError(f"{self.name}: capacity cannot be negative")
        if self.cost_per_contact < 0:
            raise ValueError(f"{self.name}: cost per contact cannot be negative")

    @property
    def effective_cost(self) -> float:
        """Cost per contact / performance: the ranking key (a partner at performance 0 comes last)."""
        return math.inf if self.performance == 0 else float(self.cost_per_contact) / self.performance


@dataclass(frozen=True)
class PartnerShare:
    """What one partner gets, and which rule decided it."""

    name: str
    share: float
    """Percent of the volume."""
    volume: float
    reason: str
    """`max share` or `capacity` (filled to its ceiling), `takes the rest`, `min share`, or `not needed`."""


def allocate(volume: float, partners: Sequence[PartnerTerms]) -> list[PartnerShare]:
    """Shares of `volume` per partner by the rule in the module docstring, in the partners' given order."""
    if volume <= 0:
        raise NothingToAllocate(f"nothing to allocate: the forecast volume is {volume:g}")
    if not partners:
        raise AllocationInfeasible(["no partners to allocate to"])
    floors = {p.name: p.min_share / 100 * volume for p in partners}
    ceilings = {p.name: _ceiling(p, volume) for p in partners}
    _check_feasible(volume, partners, floors, ceilings)
    given = dict(floors)
    rest = volume - sum(floors.values())
    for partner in sorted(partners, key=lambda p: (p.effective_cost, p.name)):
        extra = max(0.0, min(ceilings[partner.name] - given[partner.name], rest))
        given[partner.name] += extra
        rest -= extra
    return [_share(p, given[p.name], floors[p.name], ceilings[p.name], volume) for p in partners]


def _ceiling(partner: PartnerTerms, volume: float) -> float:
    by_share = partner.max_share / 100 * volume
    return by_share if partner.capacity is None else min(by_share, partner.capacity)


def _check_feasible(
    volume: float, partners: Sequence[PartnerTerms], floors: Mapping[str, float], ceilings: Mapping[str, float]
) -> None:
    problems = []
    minimum = sum(p.min_share for p in partners)
    if minimum > 100 + _SLACK:
        problems.append(f"minimum shares add up to {minimum:g}%, more than 100%")
    for partner in partners:
        if partner.capacity is not None and floors[partner.name] > partner.capacity * (1 + _SLACK) + _SLACK:
            problems.append(
                f"{partner.name}: min share {partner.min_share:g}% is {floors[partner.name]:,.0f} contacts, "
                f"above its capacity of {partner.capacity:,.0f}"
            )
    room = sum(ceilings.values())
    if room < volume * (1 - _SLACK) - _SLACK:
        problems.append(
            f"max shares and capacity take at most {room:,.0f} of {volume:,.0f} contacts "
            f"({room / volume:.1%}); raise a max share, add capacity or add a partner"
        )
    if problems:
        raise AllocationInfeasible(problems)


def _share(partner: PartnerTerms, given: float, floor: float, ceiling: float, volume: float) -> PartnerShare:
    if given >= ceiling - _SLACK * volume and given > floor + _SLACK * volume:
        by_share = partner.capacity is None or partner.max_share / 100 * volume <= partner.capacity
        reason = "max share" if by_share else "capacity"
    elif given > floor + _SLACK * volume:
        reason = "takes the rest"
    else:
        reason = "min share" if floor > 0 else "not needed"
    return PartnerShare(partner.name, given / volume * 100, given, reason)


def cost_per_contact(fees: FeeTerms, contacts: float, productive_hours: Decimal) -> Decimal:
    """The period's charges for `contacts` handled in `productive_hours`, per contact (to 4 decimals):
    fixed fee spread over the contacts, plus per contact (flat or tiered), plus hours × hourly rate."""
    whole = math.ceil(contacts)
    if whole <= 0:
        raise ValueError("cost per contact needs at least one contact")
    total = sum((line.amount for line in charge_lines(fees, whole, productive_hours)), Decimal(0))
    return (total / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class PoolingPenalty:
    """Agents per interval for one pooled team and for each partner's own queue."""

    interval_seconds: float
    pooled_agents: npt.NDArray[np.int64]
    partner_agents: Mapping[str, npt.NDArray[np.int64]]

    def agent_hours(self, agents: npt.NDArray[np.int64]) -> float:
        return float(agents.sum()) * self.interval_seconds / 3600

    @property
    def pooled_agent_hours(self) -> float:
        return self.agent_hours(self.pooled_agents)

    @property
    def split_agent_hours(self) -> float:
        return sum(self.agent_hours(agents) for agents in self.partner_agents.values())

    @property
    def extra_agent_hours(self) -> float:
        return self.split_agent_hours - self.pooled_agent_hours

    @property
    def extra_percent(self) -> float | None:
        pooled = self.pooled_agent_hours
        return None if pooled == 0 else self.extra_agent_hours / pooled * 100


def pooling_penalty(
    volumes: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    interval_seconds: float,
    shares: Mapping[str, float],
    goal: ServiceGoal,
) -> PoolingPenalty:
    """Erlang C agents per interval on the whole volume vs on each partner's share (percent) of it."""
    total = np.asarray(volumes, dtype=np.float64)
    pooled = required_agents_erlang_c(total, aht_seconds, interval_seconds, goal)
    split = {
        name: required_agents_erlang_c(total * share / 100, aht_seconds, interval_seconds, goal)
        for name, share in shares.items()
    }
    return PoolingPenalty(interval_seconds, pooled, split)
