"""`steward qa shop plan | score | cancel | list`: mystery shopping as planned test contacts.

A plan names the vendor, the scenario a shopper plays, the channel, the due date and the
scorecard (one with `purpose: mystery_shop`, so shop results never enter quality_score). When the
shopper's contact has reached the helpdesk data, it is scored against its plan: the evaluation is
recorded with sample mystery_shop and the plan is done. The report counts plans done, open,
overdue and cancelled, and the scores by scenario.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean

from sqlalchemy import select

from steward.definitions.vendors import load_vendors
from steward.domain.canonical import CHANNELS
from steward.services.qa_evaluations import (
    EvaluationError,
    EvaluationInput,
    RecordedEvaluation,
    check_scorecards,
    interactions_by_id,
    mirror,
    one_interaction,
    scored_record,
)
from steward.storage.records import QaEvaluation, QaMysteryShop
from steward.workspace import Workspace

MAX_PLANNED = 500


class MysteryShopError(ValueError):
    """A plan or a shop result the user has to correct; the message names every problem."""


@dataclass(frozen=True)
class ShopPlan:
    vendor: str
    scenario: str
    channel: str
    scorecard: str
    due: date
    count: int = 1
    shopper: str | None = None


def plan_shops(workspace: Workspace, plan: ShopPlan) -> list[QaMysteryShop]:
    """`count` planned shops of one scenario, stored together."""
    problems = _plan_problems(workspace, plan)
    if problems:
        raise MysteryShopError("\n".join(problems))
    now = workspace.now_naive_utc()
    shops = [
        QaMysteryShop(
            vendor=plan.vendor,
            scenario=plan.scenario,
            channel=plan.channel,
            scorecard=plan.scorecard,
            due=plan.due,
            shopper=plan.shopper,
            status="planned",
            planned_at=now,
        )
        for _ in range(plan.count)
    ]
    with workspace.records.session() as session, session.begin():
        session.add_all(shops)
    return shops


def _plan_problems(workspace: Workspace, plan: ShopPlan) -> list[str]:
    problems = []
    vendors = _known_vendors(workspace)
    if plan.vendor not in vendors:
        problems.append(f"unknown vendor {plan.vendor!r} (known: {', '.join(sorted(vendors)) or 'none'})")
    if plan.channel not in CHANNELS:
        problems.append(f"channel {plan.channel!r}: one of {', '.join(CHANNELS)}")
    card = workspace.qa_scorecards.scorecards.get(plan.scorecard)
    if card is None:
        problems.append(f"unknown scorecard {plan.scorecard!r} (definitions/scorecards/)")
    elif card.purpose != "mystery_shop":
        problems.append(f"{plan.scorecard} is not a mystery-shopping scorecard (give it `purpose: mystery_shop`)")
    if not plan.scenario.strip():
        problems.append("the scenario is empty: say what the shopper asks for")
    if not 1 <= plan.count <= MAX_PLANNED:
        problems.append(f"count {plan.count}: between 1 and {MAX_PLANNED}")
    return problems


def _known_vendors(workspace: Workspace) -> set[str]:
    listed = {v.name for v in load_vendors(workspace.root / "definitions" / "vendors.yaml").vendors}
    t = workspace.warehouse.table("interactions")
    seen = {str(v) for v in t.select("vendor").distinct().to_pyarrow().column("vendor").to_pylist()}
    return listed | seen


def score_shop(
    workspace: Workspace,
    shop_id: int,
    *,
    interaction_id: str,
    evaluator: str,
    answers: Mapping[str, str],
    comments: Mapping[str, str] | None = None,
    interaction_source: str | None = None,
    evaluated_at: datetime | None = None,
) -> RecordedEvaluation:
    """Score the shopper's contact on the plan's scorecard; the plan is done in the same transaction."""
    check_scorecards(workspace)
    with workspace.records.session() as session, session.begin():
        shop = session.get(QaMysteryShop, shop_id)
        if shop is None:
            raise MysteryShopError(f"no mystery shop {shop_id}")
        if shop.status != "planned":
            raise MysteryShopError(f"mystery shop {shop_id} is {shop.status}, not planned")
        found = interactions_by_id(workspace, [interaction_id], interaction_source)
        try:
            interaction = one_interaction(interaction_id, found.get(interaction_id, []))
        except EvaluationError as error:
            raise MysteryShopError(str(error)) from None
        mismatch = [
            f"the interaction's {name} is {interaction[name]!r}, the plan's {planned!r}"
            for name, planned in (("vendor", shop.vendor), ("channel", shop.channel))
            if interaction[name] != planned
        ]
        if mismatch:
            raise MysteryShopError(f"interaction {interaction_id} is not this shop: " + "; ".join(mismatch))
        given = EvaluationInput(
            shop.scorecard, interaction_id, evaluator, answers, comments or {}, "mystery_shop", interaction_source,
            evaluated_at,
        )  # fmt: skip
        record, result = scored_record(workspace, given, interaction, planned_shop=True)
        session.add(record)
        shop.status, shop.evaluation_id = "done", record.evaluation_id
        shop.done_at = record.evaluated_at
    return RecordedEvaluation(record, result, mirror(workspace))


def cancel_shop(workspace: Workspace, shop_id: int) -> QaMysteryShop:
    with workspace.records.session() as session, session.begin():
        shop = session.get(QaMysteryShop, shop_id)
        if shop is None:
            raise MysteryShopError(f"no mystery shop {shop_id}")
        if shop.status != "planned":
            raise MysteryShopError(f"mystery shop {shop_id} is {shop.status}; only planned shops are cancelled")
        shop.status = "cancelled"
        return shop


def shops(workspace: Workspace, vendor: str | None = None, status: str | None = None) -> list[QaMysteryShop]:
    query = select(QaMysteryShop).order_by(QaMysteryShop.due, QaMysteryShop.id)
    if vendor:
        query = query.where(QaMysteryShop.vendor == vendor)
    if status:
        query = query.where(QaMysteryShop.status == status)
    with workspace.records.session() as session:
        return list(session.scalars(query))


@dataclass
class ShopSummary:
    """One vendor's mystery shopping due in a period."""

    vendor: str
    due: int = 0
    """Every shop due in the period, whatever its status."""
    done: int = 0
    overdue: int = 0
    cancelled: int = 0
    scenario_scores: dict[str, float] = field(default_factory=dict)
    """Mean score of the done shops per scenario."""


def shop_summaries(workspace: Workspace, first: date, last: date) -> dict[str, ShopSummary]:
    """Per vendor: the shops due from `first` to `last`, by status, and the scores by scenario."""
    today = workspace.today()
    with workspace.records.session() as session:
        due = list(session.scalars(select(QaMysteryShop).where(QaMysteryShop.due.between(first, last))))
        done_ids = [s.evaluation_id for s in due if s.evaluation_id]
        scores = dict(
            session.execute(
                select(QaEvaluation.evaluation_id, QaEvaluation.score).where(QaEvaluation.evaluation_id.in_(done_ids))
            ).all()
        )
    found: dict[str, ShopSummary] = {}
    by_scenario: dict[tuple[str, str], list[float]] = defaultdict(list)
    for shop in due:
        entry = found.setdefault(shop.vendor, ShopSummary(shop.vendor))
        entry.due += 1
        entry.done += shop.status == "done"
        entry.cancelled += shop.status == "cancelled"
        entry.overdue += shop.status == "planned" and shop.due < today
        score = scores.get(shop.evaluation_id or "")
        if shop.status == "done" and score is not None:
            by_scenario[(shop.vendor, shop.scenario)].append(score)
    for (vendor, scenario), values in by_scenario.items():
        found[vendor].scenario_scores[scenario] = fmean(values)
    return found
