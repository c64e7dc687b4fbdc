"""`steward qa dispute ...` and `steward qa coach ...`: what follows an evaluation."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.domain.disputes import DisputedQuestion
from steward.interfaces.cli.workspace_option import EXIT_BAD_REQUEST, WorkspaceOption, fail, open_workspace
from steward.services.qa_coaching import CoachingError, close_item, open_items, progress
from steward.services.qa_disputes import DisputeError, disputes, open_dispute, resolve_dispute

console = Console()
errors = Console(stderr=True)

dispute_app = typer.Typer(help="Disputes of evaluations: open, resolve, list.", no_args_is_help=True)


@dispute_app.command("open")
def dispute_open(
    evaluation: Annotated[str, typer.Argument(help="Evaluation id (ev-...).")],
    raised_by: Annotated[str, typer.Option("--by", help="Agent or partner user disputing.")],
    question: Annotated[
        list[str], typer.Option("--question", "-q", help="QUESTION=COMMENT, repeated (comment required).")
    ],
    propose: Annotated[
        list[str] | None, typer.Option("--propose", help="QUESTION=ANSWER the disputer proposes.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Dispute questions of an evaluation within the dispute window (7 days after the evaluation)."""
    try:
        comments, proposed = parse_pairs(question, "--question"), parse_pairs(propose or [], "--propose")
    except ValueError as error:
        fail(str(error))
    unknown = sorted(set(proposed) - set(comments))
    if unknown:
        errors.print(f"[red]error:[/] --propose for questions not disputed: {', '.join(unknown)}")
        raise typer.Exit(EXIT_BAD_REQUEST)
    disputed = {q: DisputedQuestion(text, proposed.get(q)) for q, text in comments.items()}
    ws = open_workspace(workspace)
    try:
        dispute = open_dispute(ws, evaluation, raised_by, disputed)
    except DisputeError as error:
        fail(str(error))
    finally:
        ws.close()
    console.print(f"dispute [bold]{dispute.id}[/] opened on {evaluation}: {', '.join(disputed)}")


@dispute_app.command("resolve")
def dispute_resolve(
    dispute: Annotated[int, typer.Argument(help="Dispute number.")],
    arbitrator: Annotated[str, typer.Option(help="Who decides.")],
    decision: Annotated[str, typer.Option(help="accepted, partially_accepted or rejected.")],
    change: Annotated[
        list[str] | None, typer.Option("--change", help="QUESTION=ANSWER for a partial acceptance.")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Why.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Decide a dispute; changed answers re-score the evaluation, with an audit record."""
    try:
        changes = parse_pairs(change or [], "--change")
    except ValueError as error:
        fail(str(error))
    ws = open_workspace(workspace)
    try:
        done = resolve_dispute(ws, dispute, arbitrator, decision, changes=changes, comment=comment)
    except DisputeError as error:
        fail(str(error))
    finally:
        ws.close()
    moved = (
        "unchanged"
        if done.before == done.after
        else f"{format_number(done.before, 1)} → {format_number(done.after, 1)}"
    )
    console.print(f"dispute {dispute} {decision.replace('_', ' ')}; score {moved}")


@dispute_app.command("list")
def dispute_list(
    status: Annotated[str | None, typer.Option(help="open, accepted, partially_accepted or rejected.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Disputes with their status, who raised them and who decided."""
    ws = open_workspace(workspace)
    try:
        found = disputes(ws, status)
    finally:
        ws.close()
    table = Table(title="Disputes")
    for heading in ("#", "evaluation", "raised by", "raised at", "questions", "status", "arbitrator"):
        table.add_column(heading)
    for d in found:
        table.add_row(str(d.id), d.evaluation_id, d.raised_by, f"{d.raised_at:%Y-%m-%d %H:%M}",
                      ", ".join(d.questions), d.status.replace("_", " "), d.arbitrator or "")  # fmt: skip
    console.print(table)


coach_app = typer.Typer(help="Coaching items opened by QA results: open, list, close.", no_args_is_help=True)


@coach_app.command("open")
def coach_open(
    owner: Annotated[str | None, typer.Option(help="Who coaches (team lead).")] = None,
    due_days: Annotated[int, typer.Option("--due-days", min=1, help="Days until the item is due.")] = 14,
    threshold: Annotated[float, typer.Option(help="A score below this opens an item.")] = 70.0,
    repeats: Annotated[int, typer.Option(min=1, help="Failures of one question that open an item ...")] = 3,
    window: Annotated[int, typer.Option(min=1, help="... within the agent's last N evaluations.")] = 5,
    workspace: WorkspaceOption = None,
) -> None:
    """Open coaching items for low scores and repeated question failures (a cause never twice)."""
    ws = open_workspace(workspace)
    try:
        items = open_items(ws, owner=owner, due_days=due_days, threshold=threshold, repeats=repeats, window=window)
    finally:
        ws.close()
    for item in items:
        console.print(f"#{item.id} {item.agent_id} ({item.vendor}): {item.reason}; due {item.due}", highlight=False)
    console.print(f"{len(items)} coaching item(s) opened")


@coach_app.command("list")
def coach_list(
    status: Annotated[str | None, typer.Option(help="open, done or cancelled.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Coaching items with the agent's mean QA score before and after each was opened."""
    ws = open_workspace(workspace)
    try:
        rows = progress(ws, status)
    finally:
        ws.close()
    table = Table(title="Coaching")
    for heading in ("#", "agent", "cause", "owner", "due", "status", "before", "after", "change"):
        table.add_column(heading, justify="right" if heading in ("before", "after", "change") else "left")
    for row in rows:
        item, moved = row.item, row.follow_up
        change = format_number(moved.change, 1, signed=True)
        table.add_row(str(item.id), item.agent_id, item.reason, item.owner or "", str(item.due), item.status,
                      format_number(moved.before, 1), format_number(moved.after, 1), change)  # fmt: skip
    console.print(table)


@coach_app.command("close")
def coach_close(
    item: Annotated[int, typer.Argument(help="Coaching item number.")],
    status: Annotated[str, typer.Option(help="done or cancelled.")] = "done",
    note: Annotated[str | None, typer.Option(help="What was agreed.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Close a coaching item."""
    ws = open_workspace(workspace)
    try:
        closed = close_item(ws, item, status, note)
    except CoachingError as error:
        fail(str(error))
    finally:
        ws.close()
    console.print(f"coaching item {closed.id} {closed.status}")


def parse_pairs(items: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise ValueError(f"{option} {item!r}: write QUESTION=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def format_number(value: float | None, places: int, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.{places}f}" if signed else f"{value:.{places}f}"
