"""`steward wfm allocate`: split a month's forecast volume across BPO partners and price the split.

Inputs, all from the workspace (docs/wfm.md, "Allocation across partners"):
- volume: the partners' `forecasts` rows made by steward for the month, else their own forecasts summed;
  a forecast reaching part of the month (at least a week) is scaled to the month, and so are the
  agent-hours, so volume, capacity and fees all describe the whole month;
- partners: vendors of kind bpo with a contract version in force on the month's first day;
- min/max share: the version's `volume_share` (0-100% when absent);
- capacity: scheduled `work` seconds in the month × target occupancy / the partner's recent AHT
  (not limited when the partner has no schedules for the month yet);
- cost per contact: the version's fees for the partner's ceiling volume (domain.allocation.cost_per_contact);
- performance: the recent QA score (quality_score / 100), else service level / 100, else 1 (neutral).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from steward.definitions.contract_models import Version
from steward.definitions.contracts import Contract
from steward.definitions.vendors import load_vendors
from steward.domain.allocation import (
    AllocationRefused,
    NothingToAllocate,
    PartnerShare,
    PartnerTerms,
    PoolingPenalty,
    allocate,
    cost_per_contact,
    pooling_penalty,
)
from steward.domain.erlang import ServiceGoal
from steward.engine.periods import Periods, next_period
from steward.services.scorecard_cards import fee_terms
from steward.services.wfm_allocation_inputs import (
    AllocationInputError,
    ForecastVolume,
    RecentPerformance,
    forecast_volume,
    history_window,
    recent_performance,
    work_seconds,
)
from steward.workspace import Workspace

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class AllocationError(ValueError):
    """The allocation cannot be made as asked; the message says what to fix."""


@dataclass(frozen=True)
class AllocationOptions:
    """How to plan: the service goal, the occupancy agents can sustain, and history to learn from."""

    goal: ServiceGoal = field(default_factory=ServiceGoal)
    target_occupancy: float = 0.85
    history_days: int = 28
    hour_cost: Decimal | None = None
    """Cost of a productive hour for partners whose fees have no per_productive_hour."""


@dataclass(frozen=True)
class PartnerAllocation:
    """One partner's inputs and what it was allocated."""

    vendor: str
    min_share: float
    max_share: float
    capacity: float | None
    aht_seconds: float
    cost_per_contact: Decimal
    performance: float
    performance_source: str
    share: float
    volume: float
    reason: str
    agent_hours: float
    hour_cost: Decimal | None


@dataclass(frozen=True)
class AllocationResult:
    """The month's split, and the staff and money the split costs against one pooled team."""

    period: str
    queue: str | None
    forecast_source: str
    volume: float
    """The month's volume: the forecast scaled to the month when it reaches only part of it."""
    aht_seconds: float
    interval_minutes: int
    partners: tuple[PartnerAllocation, ...]
    pooled_agent_hours: float
    split_agent_hours: float
    splitting_cost: Decimal | None
    notes: tuple[str, ...] = ()
    forecast_volume: float | None = None
    """What the forecast itself says for the part of the month it reaches (None: the same as volume)."""
    covered_share: float = 1.0
    """Share of the month the forecast reaches."""

    @property
    def extra_percent(self) -> float | None:
        pooled = self.pooled_agent_hours
        return None if pooled == 0 else (self.split_agent_hours - pooled) / pooled * 100


def plan_allocation(
    workspace: Workspace, period: str = "next", queue: str | None = None, options: AllocationOptions | None = None
) -> AllocationResult:
    """Allocate the month's forecast across partners and compare the split's staffing with pooling."""
    options = options or AllocationOptions()
    first = parse_month(period, workspace.today())
    contracts = _partner_contracts(workspace, first)
    names = [contract.vendor for contract, _ in contracts]
    periods = Periods(workspace.settings.reporting_timezone)
    start, end = periods.instant(first), periods.instant(next_period(first, "month"))
    try:
        forecast = forecast_volume(workspace, start, end, names, queue)
    except AllocationInputError as error:
        raise AllocationError(str(error)) from None
    # "Recent" is the weeks before the planned month (or before today, when that is earlier).
    recent_until = min(workspace.today(), first)
    recent = recent_performance(workspace, names, *history_window(recent_until, options.history_days), queue)
    work = work_seconds(workspace, start, end, names)
    notes = _coverage_notes(forecast)
    aht = forecast.aht_seconds or _mean_aht(recent, notes)
    volume = forecast.month_total
    terms = [
        _terms(contract.vendor, version, volume, recent[contract.vendor], work.get(contract.vendor), aht, options)
        for contract, version in contracts
    ]
    notes += [f"{t.name}: no schedules for the month, capacity not limited" for t in terms if t.capacity is None]
    shares = _allocate(volume, terms, forecast, queue, f"{first:%Y-%m}")
    penalty = pooling_penalty(
        forecast.volumes, aht, forecast.interval_minutes * 60, {s.name: s.share for s in shares}, options.goal
    )
    month = _MonthHours(penalty, 1 / forecast.covered_share)
    rows = tuple(
        _row(contract.vendor, version, t, s, recent[t.name], month, aht, options)
        for (contract, version), t, s in zip(contracts, terms, shares, strict=True)
    )
    return AllocationResult(
        period=f"{first:%Y-%m}",
        queue=queue,
        forecast_source=forecast.source,
        volume=volume,
        aht_seconds=aht,
        interval_minutes=forecast.interval_minutes,
        partners=rows,
        pooled_agent_hours=month.pooled,
        split_agent_hours=month.scale * penalty.split_agent_hours,
        splitting_cost=_splitting_cost(rows, month.pooled, notes),
        notes=tuple(notes),
        forecast_volume=forecast.total if forecast.covered_share < 1 else None,
        covered_share=forecast.covered_share,
    )


@dataclass(frozen=True)
class _MonthHours:
    """The pooling penalty's agent-hours, scaled from the forecast's reach to the whole month."""

    penalty: PoolingPenalty
    scale: float

    @property
    def pooled(self) -> float:
        return self.scale * self.penalty.pooled_agent_hours

    def of(self, partner: str) -> float:
        return self.scale * self.penalty.agent_hours(self.penalty.partner_agents[partner])


def _allocate(
    volume: float, terms: list[PartnerTerms], forecast: ForecastVolume, queue: str | None, month: str
) -> list[PartnerShare]:
    try:
        return allocate(volume, terms)
    except NothingToAllocate:
        where = f" on queue {queue!r}" if queue else ""
        raise AllocationError(
            f"nothing to allocate: the {forecast.source}{where} for {month} forecasts 0 contacts"
        ) from None
    except AllocationRefused as error:
        raise AllocationError(str(error)) from None


def _coverage_notes(forecast: ForecastVolume) -> list[str]:
    """Say so when the forecast reaches only part of the month and was scaled to it."""
    if forecast.covered_share >= 1:
        return []
    low, high = forecast.reach
    return [
        f"the {forecast.source} reaches {forecast.covered_share:.0%} of the month ({low:%Y-%m-%d %H:%M} to "
        f"{high:%Y-%m-%d %H:%M} UTC): its {forecast.total:,.0f} contacts are scaled to {forecast.month_total:,.0f} "
        "for the month, and its agent-hours likewise"
    ]


def parse_month(text: str, today: date) -> date:
    """`next`, `current` or `YYYY-MM` -> the month's first day."""
    if text in {"next", "current"}:
        this_month = today.replace(day=1)
        return next_period(this_month, "month") if text == "next" else this_month
    match = _MONTH.match(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise AllocationError(f"--period {text!r}: use a month such as 2026-11, or next or current")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _partner_contracts(workspace: Workspace, first: date) -> list[tuple[Contract, Version]]:
    """BPO vendors with a contract version in force on the month's first day, by vendor name."""
    kinds = {v.name: v.kind for v in load_vendors(workspace.root / "definitions" / "vendors.yaml").vendors}
    found = []
    for contract in sorted(workspace.contracts.contracts, key=lambda c: c.vendor):
        version = contract.version_for(first)
        if version is not None and kinds.get(contract.vendor, "bpo") == "bpo":
            found.append((contract, version))
    if not found:
        raise AllocationError(
            f"no BPO partner has a contract in force on {first} (definitions/contracts/, docs/contracts.md)"
        )
    return found


def _mean_aht(recent: dict[str, RecentPerformance], notes: list[str]) -> float:
    known = [p.aht_seconds for p in recent.values() if p.aht_seconds]
    if not known:
        raise AllocationError("no handle time: the forecast has no aht_seconds and no recent interactions have any")
    notes.append("the forecast has no AHT: using the partners' recent mean AHT")
    return sum(known) / len(known)


def _terms(  # noqa: PLR0917 - one partner's inputs, each from its own source
    vendor: str,
    version: Version,
    volume: float,
    recent: RecentPerformance,
    seconds: float | None,
    pooled_aht: float,
    options: AllocationOptions,
) -> PartnerTerms:
    share = version.volume_share
    low, high = (float(share.min), float(share.max)) if share else (0.0, 100.0)
    aht = recent.aht_seconds or pooled_aht
    capacity = None if seconds is None else seconds * options.target_occupancy / aht
    ceiling = min(high / 100 * volume, capacity if capacity is not None else volume)
    # Fixed fees are spread over the most the partner may take: the cost per contact it offers at its best.
    reference = max(ceiling, 1.0)
    hours = Decimal(repr(float(reference * aht / 3600 / options.target_occupancy))).quantize(Decimal("0.0001"))
    performance, _ = _performance(recent)
    cost = cost_per_contact(fee_terms(version), reference, hours)
    return PartnerTerms(vendor, cost, performance, capacity, low, high)


def _performance(recent: RecentPerformance) -> tuple[float, str]:
    if recent.quality_score is not None:
        return min(max(recent.quality_score / 100, 0.0), 1.0), "QA score"
    if recent.service_level is not None:
        return min(max(recent.service_level / 100, 0.0), 1.0), "service level"
    return 1.0, "no data: neutral"


def _row(  # noqa: PLR0917 - the parts of one partner's line
    vendor: str,
    version: Version,
    terms: PartnerTerms,
    share: PartnerShare,
    recent: RecentPerformance,
    month: _MonthHours,
    aht: float,
    options: AllocationOptions,
) -> PartnerAllocation:
    rate = version.fees.per_productive_hour or options.hour_cost
    return PartnerAllocation(
        vendor=vendor,
        min_share=terms.min_share,
        max_share=terms.max_share,
        capacity=terms.capacity,
        aht_seconds=recent.aht_seconds or aht,
        cost_per_contact=terms.cost_per_contact,
        performance=terms.performance,
        performance_source=_performance(recent)[1],
        share=share.share,
        volume=share.volume,
        reason=share.reason,
        agent_hours=month.of(vendor),
        hour_cost=rate,
    )


def _splitting_cost(rows: tuple[PartnerAllocation, ...], pooled_hours: float, notes: list[str]) -> Decimal | None:
    """Σ partner rate × (its split agent-hours − its share of the pooled agent-hours); with one rate
    for everyone this is rate × (split − pooled)."""
    missing = [row.vendor for row in rows if row.hour_cost is None]
    if missing:
        notes.append(f"no cost per productive hour for {', '.join(missing)}: pass --hour-cost to price the split")
        return None
    total = Decimal(0)
    for row in rows:
        extra = row.agent_hours - pooled_hours * row.share / 100
        total += Decimal(repr(extra)) * (row.hour_cost or Decimal(0))
    return total.quantize(Decimal("0.01"), ROUND_HALF_UP)
