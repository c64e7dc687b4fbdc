"""A quarter's scorecard: each level measured over the quarter, and the money of its three months.

Credits are settled monthly, so the quarter's money is the sum of its stored months; the levels'
quarter values are for the quarterly business review and carry no money of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from steward.definitions.contracts import Contract, period_terms
from steward.domain.credits import level_status
from steward.services.scorecard_cards import Card
from steward.services.scorecard_data import Period, measure_levels
from steward.workspace import Workspace

KEPT = (
    "id",
    "kind",
    "category",
    "metric",
    "metric_label",
    "variant",
    "formula",
    "unit",
    "better",
    "scope",
    "window",
    "min_sample",
    "business_outcome",
    "exclusions",
    "expected",
    "minimum",
    "critical",
)
SUMMED = (
    "charges",
    "at_risk_amount",
    "credits_before_caps",
    "credits_after_caps",
    "bonus_earned",
    "bonus_applied",
    "bonus_paid_separately",
    "earnback",
    "net_adjustment",
)


def quarter_card(workspace: Workspace, contract: Contract, quarter: Period, months: Sequence[Card]) -> Card | None:
    """Levels over the whole quarter against the targets in force in its last month; money summed."""
    version = contract.version_for(quarter.months[-1].first)
    if version is None or not months:
        return None
    last = months[-1]
    measured = measure_levels(workspace, contract, version.all_levels, [quarter])[quarter.label]
    terms = {t.id: t for t in period_terms(contract, version, workspace.catalogue, Decimal(0)).levels}
    levels = []
    for shown in last["levels"]:
        found = measured[shown["id"]]
        level = replace(terms[shown["id"]], expected=shown["expected"])
        levels.append(
            {
                **{key: shown[key] for key in KEPT if key in shown},
                "value": found.value,
                "sample": found.sample,
                "numerator": found.numerator,
                "denominator": found.denominator,
                "status": level_status(level, found, level.expected).value,
                "monthly": {card["period"]: _status_of(card, level.id) for card in months},
                **{key: _level_sum(months, level.id, key) for key in ("credit", "bonus", "earnback")},
            }
        )
    return {
        **{key: last[key] for key in ("contract", "vendor", "currency", "version", "contract_file", "contract_sha256")},
        "reporting_timezone": last["reporting_timezone"],
        "period": quarter.label,
        "from": quarter.first.isoformat(),
        "to": quarter.last_day.isoformat(),
        "state": "quarter: levels measured over the quarter; money is the sum of its months",
        "levels": levels,
        "months": [card["period"] for card in months],
        **{key: str(sum((Decimal(card[key]) for card in months), Decimal(0))) for key in SUMMED},
        "flags": sorted({flag for card in months for flag in card.get("flags", [])}),
        "data": {
            "first_interaction": months[0]["data"]["first_interaction"],
            "last_interaction": last["data"]["last_interaction"],
            "interactions": sum(card["data"]["interactions"] for card in months),
            "import_runs": sorted({run for card in months for run in card["data"]["import_runs"]}),
        },
    }


def _level_sum(months: Sequence[Card], level_id: str, key: str) -> str:
    amounts = (Decimal(lv[key]) for card in months for lv in card["levels"] if lv["id"] == level_id)
    return str(sum(amounts, Decimal(0)))


def _status_of(card: Card, level_id: str) -> str | None:
    return next((level["status"] for level in card["levels"] if level["id"] == level_id), None)
