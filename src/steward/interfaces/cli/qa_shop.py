"""`steward qa shop plan | score | cancel | list`: mystery shopping."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.qa_followup import format_number, parse_pairs
from steward.interfaces.cli.workspace_option import EXIT_BAD_REQUEST, WorkspaceOption, fail, open_workspace
from steward.services.qa_mystery import MysteryShopError, ShopPlan, cancel_shop, plan_shops, score_shop, shops
from steward.services.qa_report import QaReport

console = Console()
errors = Console(stderr=True)
shop_app = typer.Typer(
    help="Mystery shopping: plan test contacts, score them on their own scorecard, follow the plan (docs/qa.md).",
    no_args_is_help=True,
)


@shop_app.command("plan")
def plan_command(
    vendor: Annotated[str, typer.Option(help="Vendor whose agents the shopper contacts.")],
    scenario: Annotated[str, typer.Option(help="What the shopper asks for, e.g. 'refund after 30 days'.")],
    channel: Annotated[str, typer.Option(help="email, chat, phone, messaging, social or other.")],
    scorecard: Annotated[str, typer.Option(help="A scorecard with purpose: mystery_shop.")],
    due: Annotated[str, typer.Option(help="Date the contacts are due, YYYY-MM-DD.")],
    count: Annotated[int, typer.Option(min=1, help="How many contacts of this scenario.")] = 1,
    shopper: Annotated[str | None, typer.Option(help="Who makes the contacts.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Plan test contacts of one scenario."""
    try:
        plan = ShopPlan(vendor, scenario, channel, scorecard, date.fromisoformat(due), count, shopper)
    except ValueError:
        errors.print(f"[red]error:[/] --due {due!r}: write a date as YYYY-MM-DD")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    ws = open_workspace(workspace)
    try:
        planned = plan_shops(ws, plan)
    except MysteryShopError as error:
        fail(str(error))
    finally:
        ws.close()
    ids = ", ".join(str(s.id) for s in planned)
    console.print(f"planned {len(planned)} mystery shop(s) for {vendor} ({scenario}, {channel}, due {due}): {ids}")


@shop_app.command("score")
def score_command(
    shop: Annotated[int, typer.Argument(help="The planned shop's number.")],
    interaction: Annotated[str, typer.Option(help="The shopper's contact as it appears in the helpdesk data.")],
    evaluator: Annotated[str, typer.Option(help="Who scored it.")],
    answer: Annotated[list[str], typer.Option("--answer", "-a", help="QUESTION=ANSWER, repeated.")],
    comment: Annotated[list[str] | None, typer.Option("--comment", help="QUESTION=TEXT, repeated.")] = None,
    source: Annotated[str | None, typer.Option(help="The interaction's source, when its id exists in several.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Score a planned shop's contact on the plan's scorecard (sample mystery_shop, never in quality_score)."""
    ws = open_workspace(workspace)
    try:
        done = score_shop(
            ws,
            shop,
            interaction_id=interaction,
            evaluator=evaluator,
            answers=parse_pairs(answer, "--answer"),
            comments=parse_pairs(comment or [], "--comment"),
            interaction_source=source,
        )
    except ValueError as error:  # MysteryShopError, EvaluationError and a malformed QUESTION=ANSWER
        fail(str(error))
    finally:
        ws.close()
    scored = format_number(done.result.score, 1)
    console.print(f"shop {shop} done: [bold]{done.record.evaluation_id}[/] scored {scored}")


@shop_app.command("cancel")
def cancel_command(shop: Annotated[int, typer.Argument()], workspace: WorkspaceOption = None) -> None:
    """Cancel a planned shop (it stays on record, counted as cancelled)."""
    ws = open_workspace(workspace)
    try:
        cancel_shop(ws, shop)
    except MysteryShopError as error:
        fail(str(error))
    finally:
        ws.close()
    console.print(f"shop {shop} cancelled")


@shop_app.command("list")
def list_command(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None,
    status: Annotated[str | None, typer.Option(help="planned, done or cancelled.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Every shop with its due date, status and evaluation."""
    ws = open_workspace(workspace)
    try:
        found, today = shops(ws, vendor, status), ws.today()
    finally:
        ws.close()
    table = Table(title="Mystery shops")
    for heading in ("#", "vendor", "scenario", "channel", "due", "shopper", "status", "evaluation"):
        table.add_column(heading)
    for shop in found:
        state = "[red]overdue[/]" if shop.status == "planned" and shop.due < today else shop.status
        table.add_row(str(shop.id), shop.vendor, shop.scenario, shop.channel, shop.due.isoformat(),
                      shop.shopper or "", state, shop.evaluation_id or "")  # fmt: skip
    console.print(table)


def show_shops(target: Console, report: QaReport) -> None:
    """The period's mystery shopping per vendor, apart from the QA score."""
    rows = [v for v in report.vendors if v.shops is not None]
    if not rows:
        return
    table = Table(title=f"Mystery shopping due in {report.period}")
    for heading in ("vendor", "due", "done", "overdue", "cancelled", "score by scenario"):
        table.add_column(heading, justify="left" if heading in ("vendor", "score by scenario") else "right")
    for vendor in rows:
        shops_of = vendor.shops
        assert shops_of is not None  # noqa: S101 - filtered above
        scenarios = "; ".join(f"{name} {value:.1f}" for name, value in sorted(shops_of.scenario_scores.items()))
        table.add_row(vendor.vendor, str(shops_of.due), str(shops_of.done), str(shops_of.overdue),
                      str(shops_of.cancelled), scenarios or "—")  # fmt: skip
    target.print(table)
