"""`steward wfm accuracy`: each partner's own forecasts against actuals, and its agents' time."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.domain.forecast_verdict import ForecastVerdict
from steward.interfaces.cli.wfm_options import (
    ChartOption,
    IntervalOption,
    chart_path,
    chart_title,
    check_chart,
)
from steward.interfaces.cli.workspace_option import WorkspaceOption, fail, open_workspace
from steward.services.wfm_accuracy import Accuracy, AccuracyReport, AccuracyRequestError, partner_accuracy

console = Console()
GRADE_COLOURS = {"good": "green", "fair": "yellow", "poor": "bold red", "unknown": "dim"}


def accuracy_command(
    period: Annotated[str, typer.Option("--period", help="2026-10, 2026-Q3, last or current.")] = "last",
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only this partner.")] = None,
    interval: IntervalOption = 30,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Points above the Poisson floor a WAPE may be and still be good.")
    ] = 5.0,
    daily: Annotated[bool, typer.Option("--daily", help="Also list every day.")] = False,
    chart: ChartOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Each partner's own forecast (made_by = the partner) against what arrived: WAPE and bias (the forecast_wape and forecast_bias metrics), the Poisson floor and a verdict against it, plus adherence, conformance, shrinkage and occupancy (docs/wfm.md#partner-accuracy)."""  # noqa: E501 - Typer rewraps the help
    check_chart(chart)
    ws = open_workspace(workspace)
    try:
        report = partner_accuracy(ws, period, vendor, interval, tolerance)
    except AccuracyRequestError as error:
        fail(str(error))
    finally:
        ws.close()
    show_accuracy(console, report, daily)
    if chart is not None:
        from steward.rendering.charts import intraday_chart, save_chart  # altair slows every command's start-up

        for partner in report.partners:
            title = chart_title(f"{partner.vendor}: own forecast vs actual", report.timezone, partner.intervals)
            spec = intraday_chart(partner.intervals, x="interval", series=["forecast", "actual"], title=title,
                                  y_title="Contacts")  # fmt: skip
            console.print(f"chart: {save_chart(spec, chart_path(chart, partner.vendor, len(report.partners)))}")


def show_accuracy(target: Console, report: AccuracyReport, daily: bool = False) -> None:
    """One row per partner; with `daily`, a table of days per partner."""
    if not report.partners:
        target.print(f"No partner forecasts (made_by = the vendor's own name) in {report.period}.")
        return
    table = Table(title=f"Partner forecasts and agent time {report.period}")
    for heading in ("partner", "WAPE", "floor", "bias", "day-total WAPE", "verdict", "adherence", "conformance",
                    "shrinkage", "planned", "unplanned", "occupancy"):  # fmt: skip
        table.add_column(heading, justify="left" if heading in ("partner", "verdict") else "right")
    for partner in report.partners:
        figures, people = partner.overall, partner.agent_time
        table.add_row(
            partner.vendor,
            *_accuracy_cells(figures),
            _percent(partner.daily_total_wape),
            _verdict(figures.verdict),
            *(_percent(people.get(m)) for m in ("adherence", "conformance", "shrinkage", "shrinkage_planned",
                                                 "shrinkage_unplanned", "occupancy")),
        )  # fmt: skip
    target.print(table)
    if daily:
        for partner in report.partners:
            days = Table(title=f"{partner.vendor}: day by day")
            for heading in ("day", "WAPE", "floor", "bias", "forecast", "actual", "verdict"):
                days.add_column(heading, justify="left" if heading in ("day", "verdict") else "right")
            for day, figures in partner.days:
                days.add_row(f"{day:%a %Y-%m-%d}", *_accuracy_cells(figures), f"{figures.forecast:,.0f}",
                             f"{figures.actual:,.0f}", _verdict(figures.verdict))  # fmt: skip
            target.print(days)
    target.print(
        f"[dim]WAPE and bias over each forecast row (queue × interval), in percent; bias > 0 = over-forecast. "
        f"Floor: the WAPE a perfect forecast would have at these volumes, over the same rows; "
        f"good = WAPE ≤ floor + {report.tolerance:g} points, fair ≤ floor + {2 * report.tolerance:g}.[/]"
    )


def _accuracy_cells(figures: Accuracy) -> tuple[str, str, str]:
    return _percent(figures.wape), _percent(figures.floor), _signed(figures.bias)


def _verdict(verdict: ForecastVerdict) -> str:
    return f"[{GRADE_COLOURS[verdict.grade]}]{verdict.label}[/]"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"
