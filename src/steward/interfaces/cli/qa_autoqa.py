"""`steward qa autoqa`: run the AutoQA rulesets over stored transcripts and show what failed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.progress import bar
from steward.interfaces.cli.workspace_option import WorkspaceOption, fail, open_workspace
from steward.services.qa_autoqa import AutoQaError, AutoQaSummary, run_autoqa

console = Console()
ATTENTION = 10.0
"""A rule failing more often than this (percent) is shown in red."""


def autoqa_command(
    period: Annotated[
        str, typer.Option("--period", help="Month of the interactions: 2026-10, last, current, or all.")
    ] = "last",
    vendor: Annotated[list[str] | None, typer.Option("--vendor", help="Only these vendors (repeat).")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Check every stored transcript of the period against definitions/autoqa/ and store the results.

    Results go to autoqa_results (per rule) and qa_results (per ruleset, sample autoqa, metric autoqa_score) in one transaction; a re-run replaces the results of its period and vendors, deleting those it no longer produces.
    """  # noqa: E501 - Typer rewraps the help
    ws = open_workspace(workspace)
    try:
        with bar(console) as progress:
            task = progress.add_task("checking transcripts", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            summary = run_autoqa(ws, period, vendor or (), on_progress)
    except AutoQaError as error:
        fail(str(error))
    finally:
        ws.close()
    show_autoqa(console, summary)


def show_autoqa(console: Console, summary: AutoQaSummary) -> None:
    """A table per rule (checked, failed, fail rate) and per vendor (interactions, mean score, share fully passed)."""
    rules = Table(title=f"AutoQA rules, {summary.period} ({summary.interactions:,} interactions checked)")
    for heading in ("ruleset", "rule", "checked", "failed", "fail rate"):
        rules.add_column(heading, justify="left" if heading in ("ruleset", "rule") else "right")
    for (ruleset, rule), tally in sorted(summary.rules.items()):
        colour = "red" if tally.fail_rate > ATTENTION else "green"
        rate = f"[{colour}]{tally.fail_rate:.1f}%[/]"
        rules.add_row(ruleset, rule, f"{tally.checked:,}", f"{tally.failed:,}", rate)
    console.print(rules)
    vendors = Table(title="AutoQA by vendor")
    for heading in ("vendor", "interactions", "mean score", "fully passed"):
        vendors.add_column(heading, justify="left" if heading == "vendor" else "right")
    for name, vendor in sorted(summary.vendors.items()):
        vendors.add_row(name, f"{vendor.interactions:,}", f"{vendor.mean_score:.1f}", f"{vendor.passed_share:.1f}%")
    console.print(vendors)
    if summary.not_covered:
        console.print(f"interactions with a transcript that no ruleset applies to: {summary.not_covered:,}")
    runs = ", ".join(str(run) for run in summary.run_ids)
    console.print(f"{summary.rows_stored:,} rows stored (import run {runs}); metric: autoqa_score")
    if summary.rows_removed:
        console.print(
            f"{summary.rows_removed:,} earlier rows removed (rules, rulesets or interactions no longer checked)"
        )
