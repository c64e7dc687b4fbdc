"""`steward scorecard` and `steward contract check | schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from steward.definitions.contract_models import contract_schema
from steward.interfaces.cli.workspace_option import EXIT_BAD_REQUEST, WorkspaceOption, fail, open_workspace
from steward.rendering.scorecard import csv_text, format_value, html_page, money, scope_text
from steward.services.contracts import contract_summary
from steward.services.scorecard import ScorecardError, ScorecardReport, scorecards

FORMATS = ("table", "json", "csv", "html")
STATUS_STYLE = {
    "met": "green",
    "missed": "yellow",
    "missed minimum": "bold red",
    "on track": "green",
    "at risk": "yellow",
    "likely miss": "bold red",
}

console = Console()
errors = Console(stderr=True)
contract_app = typer.Typer(help="Contracts as code: check definitions/contracts/*.yaml.", no_args_is_help=True)


def scorecard(
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="2026-10 (a month), 2026-Q3 (a quarter), last (the last complete month in the data) "
            "or current (the running month, projected to its end).",
        ),
    ] = "last",
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only this vendor's contract.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json, csv or html.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (html default: reports/scorecards/).")
    ] = None,
    revise: Annotated[
        str | None,
        typer.Option("--revise", help="Store a new revision of a closed month whose data changed; give the reason."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Each contract's scorecard: value, sample, targets, status, credit and bonus per service level,
    then charges, credits before and after caps, bonus, earnback, net adjustment and chronic-failure flags.

    Closed months are stored the first time they are evaluated; later runs print the stored scorecard and warn when the data now gives other figures (see docs/contracts.md).

    Exit codes: 0 done; 2 the request or a definition needs fixing.
    """  # noqa: E501 - Typer rewraps the help; a line break here would show as one
    if output_format not in FORMATS:
        errors.print(f"[red]error:[/] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(EXIT_BAD_REQUEST)
    ws = open_workspace(workspace)
    try:
        report = scorecards(ws, period, vendor, revise)
    except ScorecardError as error:
        fail(str(error))
    finally:
        ws.close()
    for warning in report.warnings:
        errors.print(f"[yellow]warning:[/] {warning}")
    _emit(report, output_format, output, ws.reports)


def _emit(report: ScorecardReport, output_format: str, output: Path | None, reports: Path) -> None:
    if output_format == "html":
        console.print(f"HTML scorecard written to [bold]{write_html(report, output, reports)}[/]")
        return
    text = None
    if output_format == "json":
        text = json.dumps(report.cards, indent=2) + "\n"
    elif output_format == "csv":
        text = csv_text(report.cards)
    if text is None:
        for card in report.cards:
            show_card(console, card)
        return
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"written to [bold]{output}[/]")


def write_html(report: ScorecardReport, output: Path | None, reports: Path) -> Path:
    target = output or reports / "scorecards" / f"scorecards-{report.period.label}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html_page(report.cards, f"Scorecards {report.period.label}"), encoding="utf-8")
    return target


def show_card(target: Console, card: dict[str, Any]) -> None:
    """One scorecard as Rich tables: the levels, then the money."""
    if not target.is_terminal:
        target.width = max(target.width, 132)  # logs and pipes: wide enough for the table
    currency = card.get("currency", "")
    title = f"{card['vendor']} — {card['period']}  [dim]({card['version']})[/]"
    table = Table(title=title, title_justify="left")
    for heading in ("level", "scope", "value", "sample", "expected", "minimum", "status", "credit", "bonus"):
        table.add_column(heading, justify="left" if heading in ("level", "scope", "status") else "right")
    for level in card["levels"]:
        status = level["status"]
        shown = f"[{STATUS_STYLE.get(status, 'dim')}]{status}[/]"
        if "projection" in level:
            outlook = level["projection"]["outlook"]
            shown = f"[{STATUS_STYLE.get(outlook, 'dim')}]{outlook}[/]"
        unit = level.get("unit")
        table.add_row(
            f"{level['id']}" + (" [dim](key)[/]" if level.get("kind") == "key measurement" else ""),
            scope_text(level.get("scope")),
            format_value(level.get("value"), unit),
            f"{level['sample']:,}",
            format_value(level.get("expected"), unit),
            format_value(level.get("minimum"), unit),
            shown,
            _amount(level.get("credit")),
            _amount(level.get("bonus")),
        )
    target.print(table)
    if card.get("state") and not card.get("revision"):
        target.print(f"[dim]{card['state']}[/]")
    target.print(_money_line(card, currency), highlight=False)
    for flag in card.get("flags", []):
        target.print(f"[bold red]{flag}[/]")
    data = card.get("data")
    if data:
        runs = ", ".join(str(r) for r in data["import_runs"]) or "none"
        stored = f"revision {card['revision']}, evaluated {card['evaluated_at']}; " if card.get("revision") else ""
        target.print(
            f"[dim]{stored}contract {card['contract_file']} sha256 {card['contract_sha256'][:12]}; "
            f"{data['interactions']:,} interactions {data['first_interaction']} to {data['last_interaction']}; "
            f"import runs {runs}[/]"
        )


def _money_line(card: dict[str, Any], currency: str) -> str:
    parts = [
        f"charges {money(card['charges'], currency)}",
        f"credits {money(card['credits_before_caps'])} before caps, {money(card['credits_after_caps'])} after",
        f"bonus {money(card['bonus_earned'])}",
        f"earnback {money(card['earnback'])}",
    ]
    net = money(card["net_adjustment"], currency)
    return " · ".join(parts) + f" → [bold]net adjustment {net}[/]"


def _amount(value: str | None) -> str:
    return "" if value in (None, "0", "0.00") else money(value)


@contract_app.command("check")
def check(workspace: WorkspaceOption = None) -> None:
    """Validate every contract file; each problem is printed as file:line. Exit 2 when any is found."""
    ws = open_workspace(workspace)
    summary = contract_summary(ws)
    ws.close()
    for line in summary.lines:
        console.print(line, highlight=False)
    for issue in summary.issues:
        errors.print(f"[red]{issue}[/]", highlight=False)
    if summary.issues:
        errors.print(f"{len(summary.issues)} problem(s) in definitions/contracts/")
        raise typer.Exit(EXIT_BAD_REQUEST)


@contract_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of contract files (for editors; docs/contract.schema.json is the same)."""
    sys.stdout.write(contract_schema() + "\n")
