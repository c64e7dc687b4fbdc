"""Mystery shopping: planned test contacts scored on their own scorecard and reported apart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tests.qa_support import qa_workspace
from typer.testing import CliRunner

from steward.domain.clock import FixedClock
from steward.interfaces.cli.app import app
from steward.services.qa_evaluations import EvaluationError, EvaluationInput, record_evaluation
from steward.services.qa_mystery import MysteryShopError, ShopPlan, plan_shops, score_shop, shops
from steward.services.qa_report import qa_report
from steward.workspace import Workspace

SHOP_CARD = """\
scorecard: mystery-email
purpose: mystery_shop
versions:
  - effective_from: 2026-01-01
    sections:
      - id: shop
        questions:
          - {id: correct_answer, text: Gives the correct policy answer, scale: binary, weight: 60}
          - {id: offers_alternative, text: Offers an alternative, scale: binary, weight: 40}
"""
PLAN = ShopPlan("northwind", "refund after 30 days", "email", "mystery-email", date(2026, 10, 10), count=2)


@pytest.fixture
def shopping(tmp_path: Path) -> Workspace:
    workspace = qa_workspace(tmp_path)
    (workspace.root / "definitions" / "scorecards" / "mystery.yaml").write_text(SHOP_CARD)
    return workspace


def cli(workspace: Workspace, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["qa", *args, "-w", str(workspace.root)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_a_planned_shop_is_scored_on_its_own_scorecard_and_kept_out_of_quality_score(shopping: Workspace) -> None:
    plan = ["--vendor", "northwind", "--scenario", "refund after 30 days", "--channel", "email"]
    code, out = cli(
        shopping, "shop", "plan", *plan, "--scorecard", "mystery-email", "--due", "2026-10-10", "--count", "2"
    )
    assert code == 0, out
    first = shops(shopping)[0].id
    scored = score_shop(shopping, first, interaction_id="480", evaluator="shopper-1",
                        answers={"correct_answer": "yes", "offers_alternative": "no"})  # fmt: skip
    assert scored.result.score == 60.0  # 60 x 1 + 40 x 0 over 100
    done = {s.id: s for s in shops(shopping)}[first]
    assert done.status == "done" and done.evaluation_id
    perfect = {"greeting": "yes", "tone": "5", "verify": "yes", "disclosure": "yes", "solved": "solved"}
    record_evaluation(shopping, EvaluationInput("email-support", "481", "lena", {**perfect, "extra_mile": "no"}))
    northwind = qa_report(shopping, "2026-10").vendors[0]
    assert northwind.values["quality_score"] == pytest.approx(100.0)  # the shop's 60 stays out
    assert northwind.values["mystery_shop_score"] == pytest.approx(60.0)
    assert northwind.shops is not None
    assert (northwind.shops.due, northwind.shops.done, northwind.shops.overdue) == (2, 1, 0)
    assert northwind.shops.scenario_scores == {"refund after 30 days": pytest.approx(60.0)}
    code, out = cli(shopping, "report", "--period", "2026-10")
    assert code == 0 and "Mystery shopping due in 2026-10" in out and "refund after 30 days 60.0" in out
    code, out = cli(shopping, "shop", "list", "--status", "planned")
    assert code == 0 and "overdue" in out  # the command's clock is today's, long after 10 October


def test_plans_and_shop_results_are_checked(shopping: Workspace) -> None:
    wrong = ShopPlan("nowhere", " ", "fax", "email-support", date(2026, 10, 10), count=0)
    with pytest.raises(MysteryShopError) as problems:
        plan_shops(shopping, wrong)
    for expected in ("unknown vendor 'nowhere'", "channel 'fax'", "not a mystery-shopping scorecard",
                     "scenario is empty", "count 0"):  # fmt: skip
        assert expected in str(problems.value)
    phone = plan_shops(shopping, ShopPlan("northwind", "card lost", "phone", "mystery-email", date(2026, 10, 9)))[0]
    with pytest.raises(MysteryShopError, match="channel is 'email', the plan's 'phone'"):
        score_shop(shopping, phone.id, interaction_id="480", evaluator="s", answers={"correct_answer": "yes"})
    with pytest.raises(EvaluationError, match="mystery-shopping scorecard"):
        record_evaluation(shopping, EvaluationInput("mystery-email", "480", "lena", {"correct_answer": "yes"}))
    with pytest.raises(EvaluationError, match="scored against their plan"):
        given = {"correct_answer": "yes", "offers_alternative": "yes"}
        record_evaluation(shopping, EvaluationInput("mystery-email", "480", "lena", given, sample="mystery_shop"))
    assert shopping.records.qa_evaluations() == []
    late = Workspace.open(shopping.root, FixedClock(datetime(2026, 10, 20, tzinfo=UTC)))
    shops_late = qa_report(late, "2026-10").vendors[0].shops
    assert shops_late is not None and shops_late.overdue == 1
