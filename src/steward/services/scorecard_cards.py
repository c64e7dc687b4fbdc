"""One contract's scorecard for one month, as the plain JSON that is stored, printed and rendered.

The stored JSON is the scorecard: printing a closed period prints what was stored, and the
outcome inside it (statuses, credits, ratcheted targets) is the history later months build on.
Money is written as decimal strings so that nothing is lost between the database and the invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from steward.definitions.contract_models import Exclusion, ServiceLevel, Version
from steward.definitions.contracts import Contract, period_terms
from steward.domain.contract_terms import LevelOutcome, Measurement, PeriodOutcome, Status
from steward.domain.credits import evaluate_period
from steward.domain.fees import ChargeLine, FeeTerms, charge_lines
from steward.services.scorecard_data import (
    Period,
    charge_volumes,
    data_behind,
    exclusions_for,
    measure_levels,
    quarter_of,
)
from steward.workspace import Workspace

Card = dict[str, Any]
MONEY_FIELDS = {f.name for f in fields(PeriodOutcome) if f.type in ("Decimal", "Decimal | None")}
LEVEL_MONEY = {f.name for f in fields(LevelOutcome) if f.type == "Decimal"}


def fee_terms(version: Version) -> FeeTerms:
    fees = version.fees
    tiers = fees.volume_tiers
    return FeeTerms(
        monthly_fixed=fees.monthly_fixed,
        per_handled_contact=fees.per_handled_contact,
        per_productive_hour=fees.per_productive_hour,
        tiers=tuple((tier.up_to, tier.price) for tier in tiers.tiers) if tiers else (),
        tier_mode=tiers.mode if tiers else "graduated",
    )


def measure_months(
    workspace: Workspace, contract: Contract, months: Sequence[Period], until: date | None = None
) -> dict[str, dict[str, Measurement]]:
    """Every month's measurements, a few queries for all months of one contract version together.
    Monthly levels over their month; quarterly ones over their quarter in its last month, else not due."""
    found: dict[str, dict[str, Measurement]] = {month.label: {} for month in months}
    for version, governed in _by_version(contract, months):
        monthly = [level for level in version.all_levels if level.window == "month"]
        quarterly = [level for level in version.all_levels if level.window == "quarter"]
        for label, values in measure_levels(workspace, contract, monthly, governed, until).items():
            found[label].update(values)
        quarters = [quarter_of(m.first) for m in governed]
        ending = [q for q in dict.fromkeys(quarters) if q.months[-1] in governed]
        by_quarter = measure_levels(workspace, contract, quarterly, ending, until)
        for month, quarter in zip(governed, quarters, strict=True):
            due = quarter.months[-1] == month
            for level in quarterly:
                found[month.label][level.id] = (
                    by_quarter[quarter.label][level.id] if due else Measurement(None, 0, due=False)
                )
    return found


def _by_version(contract: Contract, months: Sequence[Period]) -> list[tuple[Version, list[Period]]]:
    groups: list[tuple[Version, list[Period]]] = []
    for month in months:
        version = contract.version_for(month.first)
        if version is None:
            continue
        if groups and groups[-1][0] is version:
            groups[-1][1].append(month)
        else:
            groups.append((version, [month]))
    return groups


def evaluate_month(
    workspace: Workspace,
    contract: Contract,
    month: Period,
    history: Sequence[PeriodOutcome],
    *,
    measured: dict[str, Measurement] | None = None,
    volumes: tuple[int, Decimal] | None = None,
) -> tuple[Card, PeriodOutcome] | None:
    """The month's scorecard, or None when no version of the contract is in force yet."""
    version = contract.version_for(month.first)
    if version is None:
        return None
    if measured is None:
        measured = measure_months(workspace, contract, [month])[month.label]
    contacts, hours = volumes or charge_volumes(workspace, contract.vendor, [month])[month.label]
    lines = charge_lines(fee_terms(version), contacts, hours)
    charges = sum((line.amount for line in lines), Decimal(0))
    terms = period_terms(contract, version, workspace.catalogue, charges)
    outcome = evaluate_period(terms, month.label, measured, history)
    return build_card(workspace, contract, version, month, outcome, lines), outcome


def build_card(  # noqa: PLR0917 - the parts of one scorecard
    workspace: Workspace,
    contract: Contract,
    version: Version,
    month: Period,
    outcome: PeriodOutcome,
    lines: Sequence[ChargeLine],
) -> Card:
    behind = data_behind(workspace, contract.vendor, month)
    categories = {level.id: category.name for category, level in version.critical_levels}
    specs = {level.id: level for level in version.all_levels}
    return {
        "contract": contract.id,
        "vendor": contract.vendor,
        "currency": contract.spec.currency,
        "period": month.label,
        "from": month.first.isoformat(),
        "to": month.last_day.isoformat(),
        "version": outcome.version,
        "contract_file": contract.file.name,
        "contract_sha256": contract.sha256,
        "reporting_timezone": workspace.settings.reporting_timezone,
        **outcome_json(outcome),
        "levels": [
            _level_card(workspace, contract, specs[level.id], categories.get(level.id), level, month)
            for level in outcome.levels
        ],
        "charge_lines": [
            {"item": line.item, "quantity": str(line.quantity), "price": str(line.price), "amount": str(line.amount)}
            for line in lines
        ],
        "data": {
            "first_interaction": behind.first,
            "last_interaction": behind.last,
            "interactions": behind.rows,
            "import_runs": list(behind.import_runs),
        },
    }


def _level_card(  # noqa: PLR0917 - the parts of one level's row
    workspace: Workspace,
    contract: Contract,
    spec: ServiceLevel,
    category: str | None,
    level: LevelOutcome,
    month: Period,
) -> Card:
    metric = workspace.catalogue.get(spec.metric)
    return {
        **level_json(level),
        "kind": "critical" if category is not None else "key measurement",
        "category": category,
        "metric": metric.id,
        "metric_label": metric.label,
        "variant": metric.variant,
        "formula": metric.formula,
        "unit": metric.unit,
        "better": metric.better,
        "scope": {key: list(values) for key, values in spec.scope.model_dump().items() if values},
        "window": spec.window,
        "min_sample": spec.min_sample,
        "business_outcome": spec.outcome,
        "exclusions": [
            f"{e.kind.replace('_', ' ')} {e.start} to {e.end}: {e.reason}"
            for e in exclusions_for(contract, spec.id)
            if _overlaps(e, month)
        ],
    }


def _overlaps(exclusion: Exclusion, month: Period) -> bool:
    first = exclusion.start.date() if isinstance(exclusion.start, datetime) else exclusion.start
    last = exclusion.end.date() if isinstance(exclusion.end, datetime) else exclusion.end
    quarter = quarter_of(month.first)
    return first <= quarter.last_day and last >= month.first  # a quarterly level looks at its quarter


def outcome_json(outcome: PeriodOutcome) -> Card:
    """The period's money and flags as JSON (the levels separately, through level_json)."""
    data: Card = {}
    for field in fields(PeriodOutcome):
        value = getattr(outcome, field.name)
        if field.name == "levels":
            continue
        data[field.name] = _plain(value)
    data["at_cap"] = outcome.at_cap
    return data


def level_json(level: LevelOutcome) -> Card:
    return {field.name: _plain(getattr(level, field.name)) for field in fields(LevelOutcome)}


def outcome_from_card(card: Card) -> PeriodOutcome:
    """The outcome a stored scorecard holds, for the months after it."""
    levels = tuple(_level_from(level) for level in card["levels"])
    values: dict[str, Any] = {f.name: card.get(f.name) for f in fields(PeriodOutcome) if f.name != "levels"}
    for name in MONEY_FIELDS:
        values[name] = None if values[name] is None else Decimal(values[name])
    values["flags"] = tuple(values["flags"] or ())
    values["next_targets"] = dict(values["next_targets"] or {})
    return PeriodOutcome(levels=levels, **values)


def _level_from(data: Card) -> LevelOutcome:
    values: dict[str, Any] = {f.name: data.get(f.name) for f in fields(LevelOutcome)}
    for name in LEVEL_MONEY:
        values[name] = Decimal(values[name])
    values["status"] = Status(values["status"])
    values["earned_back_from"] = tuple(values["earned_back_from"] or ())
    return LevelOutcome(**values)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Status):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
