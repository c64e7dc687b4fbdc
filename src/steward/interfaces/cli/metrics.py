"""`steward metrics list | query | explain`."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.workspace_option import EXIT_BAD_REQUEST, WorkspaceOption, fail, open_workspace
from steward.services.metrics import (
    MetricResult,
    MetricsRequestError,
    build_request,
    explain,
    list_metrics,
    run_query,
)

FORMATS = ("table", "csv", "json")

metrics_app = typer.Typer(
    help="Compute support metrics from the raw data (definitions: docs/metrics.md).", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)

ByOption = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        help="Group columns, comma-separated: vendor, queue, channel, site, ... and one period: "
        "day, week, month, quarter, year.",
    ),
]
WhereOption = Annotated[
    list[str] | None, typer.Option("--where", help="Filter, COLUMN=VALUE[,VALUE...]; repeat for more columns.")
]
FromOption = Annotated[str | None, typer.Option("--from", help="First local day (YYYY-MM-DD), inclusive.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last local day (YYYY-MM-DD), inclusive.")]
TzOption = Annotated[
    str | None, typer.Option("--tz", help="Reporting time zone for periods (default: [reporting] in steward.toml).")
]


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.print(f"[red]error:[/] {option} {text!r}: write a date as YYYY-MM-DD")
        raise typer.Exit(EXIT_BAD_REQUEST) from None


@metrics_app.command("list")
def list_command(workspace: WorkspaceOption = None) -> None:
    """Every metric with its formula in words (built-in and definitions/metrics/*.yaml)."""
    listing = list_metrics(open_workspace(workspace))
    for metric in listing.metrics:
        console.print(
            f"[bold]{metric.id}[/]  {metric.label} [dim]({metric.unit}, {metric.better} is better)[/]",
            highlight=False,
        )
        console.print(f"    {metric.formula}", highlight=False)
        if metric.warning:
            console.print(f"    [yellow]warning:[/] {metric.warning}", highlight=False)
    for issue in listing.issues:
        errors.print(f"[red]definition problem:[/] {issue}")
    if listing.issues:
        raise typer.Exit(EXIT_BAD_REQUEST)


@metrics_app.command("query")
def query_command(
    metrics: Annotated[list[str], typer.Argument(help="Metric ids (see `steward metrics list`).")],
    by: ByOption = None,
    where: WhereOption = None,
    start: FromOption = None,
    end: ToOption = None,
    tz: TzOption = None,
    output: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    components: Annotated[
        bool, typer.Option("--components", help="Also print numerators, denominators and counts.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Compute metrics, e.g. `steward metrics query frt_p90 csat_top2 --by vendor,month --from 2026-01-01`.

    Exit codes: 0 answered; 2 the request or a definition file needs fixing.
    """
    if output not in FORMATS:
        errors.print(f"[red]error:[/] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(EXIT_BAD_REQUEST)
    try:
        request = build_request(
            metrics, by=by or [], where=where or [], start=_day(start, "--from"), end=_day(end, "--to"), reporting_tz=tz
        )
        result = run_query(open_workspace(workspace), request)
    except MetricsRequestError as error:
        fail(str(error))
    if output == "json":
        sys.stdout.write(json.dumps(result.rows(components), indent=2) + "\n")
    elif output == "csv":
        sys.stdout.write(result.to_csv(components))
    else:
        console.print(result_table(result, components))
    for metric in result.metrics:
        if metric.warning:
            errors.print(f"[yellow]warning:[/] {metric.id}: {metric.warning}")


@metrics_app.command("explain")
def explain_command(
    metrics: Annotated[list[str], typer.Argument(help="Metric ids.")],
    by: ByOption = None,
    where: WhereOption = None,
    start: FromOption = None,
    end: ToOption = None,
    tz: TzOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Print the SQL the warehouse runs for a query (same options as `query`)."""
    try:
        request = build_request(
            metrics, by=by or [], where=where or [], start=_day(start, "--from"), end=_day(end, "--to"), reporting_tz=tz
        )
        sql = explain(open_workspace(workspace), request)
    except MetricsRequestError as error:
        fail(str(error))
    sys.stdout.write(sql + "\n")


def result_table(result: MetricResult, components: bool = False) -> Table:
    units = {m.id: m.unit or "" for m in result.metrics}
    table = Table()
    for name in result.columns(components):
        unit = units.get(name, "")
        table.add_column(f"{name}\n({unit})" if unit else name, justify="left" if name in result.groups else "right")
    for row in result.rows(components):
        table.add_row(*(_cell(value) for value in row.values()))
    return table


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
