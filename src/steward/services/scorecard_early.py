"""Early warning: the running month's scorecard projected from the month so far (never stored)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from steward.definitions.contracts import Contract, period_terms
from steward.domain.contract_history import effective_expected
from steward.domain.contract_terms import Measurement, PeriodOutcome
from steward.domain.measures import Kind
from steward.domain.projection import Projection, project
from steward.services.scorecard_cards import Card, evaluate_month, measure_months
from steward.services.scorecard_data import Period, charge_volumes, quarter_of
from steward.workspace import Workspace


def current_card(
    workspace: Workspace, contract: Contract, month: Period, history: Sequence[PeriodOutcome], now: datetime
) -> Card | None:
    """The month so far, each level projected to the month's end, and the money that would follow."""
    version = contract.version_for(month.first)
    if version is None:
        return None
    zone = ZoneInfo(workspace.settings.reporting_timezone)
    today = now.astimezone(zone).date()
    so_far = measure_months(workspace, contract, [month], until=today)[month.label]
    in_force = period_terms(contract, version, workspace.catalogue, Decimal(0))
    terms = {t.id: replace(t, expected=effective_expected(t, in_force.version, history)) for t in in_force.levels}
    windows = {level.id: level.window for level in version.all_levels}
    metrics = {level.id: workspace.catalogue.get(level.metric) for level in version.all_levels}
    elapsed_month = _elapsed(month, now, zone)
    projections: dict[str, Projection] = {}
    for level_id, measured in so_far.items():
        metric = metrics[level_id]
        period = quarter_of(month.first) if windows[level_id] == "quarter" else month
        is_share = metric.unit == "percent" and measured.denominator is not None
        projections[level_id] = project(
            terms[level_id],
            measured,
            _elapsed(period, now, zone),
            is_count=metric.kind is Kind.COUNT,
            is_share=is_share,
        )
    projected = {
        level_id: Measurement(p.value, p.sample, excluded=so_far[level_id].excluded, due=so_far[level_id].due)
        for level_id, p in projections.items()
    }
    contacts, hours = charge_volumes(workspace, contract.vendor, [month])[month.label]
    scale = Decimal(repr(elapsed_month)) if elapsed_month > 0 else Decimal(1)
    volumes = (round(contacts / float(scale)), (hours / scale).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    evaluated = evaluate_month(workspace, contract, month, history, measured=projected, volumes=volumes)
    if evaluated is None:
        return None
    card = evaluated[0]
    card["state"] = f"running: {month.first} to {today}, {elapsed_month:.0%} of the month; figures are projections"
    for level in card["levels"]:
        measured = so_far[level["id"]]
        level["so_far"] = {"value": measured.value, "sample": measured.sample}
        level["projection"] = asdict(projections[level["id"]])
    return card


def _elapsed(period: Period, now: datetime, zone: ZoneInfo) -> float:
    start = datetime.combine(period.first, time(0), zone).astimezone(UTC)
    end = datetime.combine(period.end, time(0), zone).astimezone(UTC)
    return min(max((now - start) / (end - start), 0.0), 1.0)
