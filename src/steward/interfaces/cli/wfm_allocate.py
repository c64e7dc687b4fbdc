"""`steward wfm allocate`: split a month's forecast across BPO partners and show what splitting costs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.domain.erlang import ServiceGoal
from steward.interfaces.cli.wfm_options import AnswerOption, ServiceLevelOption, check_chart
from steward.interfaces.cli.workspace_option import WorkspaceOption, fail, open_workspace
from steward.services.wfm_allocation import AllocationError, AllocationOptions, AllocationResult, plan_allocation

console = Console()


def allocate_command(
    period: Annotated[str, typer.Option("--period", help="Month to allocate: 2026-11, next or current.")] = "next",
    queue: Annotated[str | None, typer.Option("--queue", help="Only this queue's forecast.")] = None,
    hour_cost: Annotated[
        str | None,
        typer.Option("--hour-cost", help="Cost of a productive hour where a contract has no per_productive_hour fee."),
    ] = None,
    service_level: ServiceLevelOption = 80.0,
    answer_seconds: AnswerOption = 20.0,
    max_occupancy: Annotated[
        float,
        typer.Option(
            "--max-occupancy", min=1, max=100, help="Highest occupancy agents sustain, percent: sets capacity."
        ),
    ] = 85.0,
    chart: Annotated[Path | None, typer.Option("--chart", help="Draw the allocated shares (.svg or .png).")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Split the month's forecast volume across BPO partners within their contracts' min and max shares and capacity, cheapest per contact (adjusted by performance) first, and show the agent-hours and money splitting costs against one pooled team (docs/wfm.md#allocation-across-partners)."""  # noqa: E501 - Typer rewraps the help
    check_chart(chart)
    if not 1 < service_level < 100:
        fail(f"--service-level {service_level:g}: a percent above 1 and below 100 (80 means 80%)")
    options = AllocationOptions(
        goal=ServiceGoal(service_level=service_level / 100, answer_seconds=answer_seconds),
        target_occupancy=max_occupancy / 100,
        hour_cost=_money(hour_cost),
    )
    ws = open_workspace(workspace)
    try:
        result = plan_allocation(ws, period, queue, options)
    except AllocationError as error:
        fail(str(error))
    finally:
        ws.close()
    show_allocation(console, result)
    if chart is not None:
        from steward.rendering.charts import bar_chart, save_chart  # altair costs every command 0.15 s at start-up

        rows = [{"partner": p.vendor, "share_percent": p.share, "limited_by": p.reason} for p in result.partners]
        title = f"Allocated share of {result.volume:,.0f} forecast contacts, {result.period}"
        drawn = bar_chart(rows, category="partner", value="share_percent", title=title, color="limited_by")
        console.print(f"chart: {save_chart(drawn, chart)}")


def show_allocation(console: Console, result: AllocationResult) -> None:
    """Per partner its bounds, inputs and allocation; then pooled vs split agent-hours and their cost."""
    where = f", queue {result.queue}" if result.queue else ""
    scaled = (
        f" (scaled from {result.forecast_volume:,.0f} over {result.covered_share:.0%} of the month)"
        if result.forecast_volume is not None
        else ""
    )
    console.print(
        f"Allocation for {result.period}{where}: {result.volume:,.0f} contacts{scaled} ({result.forecast_source}), "
        f"AHT {result.aht_seconds:,.0f} s, {result.interval_minutes}-minute intervals"
    )
    table = Table(title_justify="left")
    headings = (
        "partner",
        "min %",
        "max %",
        "capacity (contacts)",
        "cost/contact",
        "performance",
        "share %",
        "volume",
        "why",
        "agent-hours",
    )
    for heading in headings:
        table.add_column(heading, justify="left" if heading in {"partner", "why"} else "right")
    for p in result.partners:
        table.add_row(
            p.vendor,
            f"{p.min_share:g}",
            f"{p.max_share:g}",
            "not limited" if p.capacity is None else f"{p.capacity:,.0f}",
            f"{p.cost_per_contact:,.2f}",
            f"{p.performance:.2f} ({p.performance_source})",
            f"{p.share:.1f}",
            f"{p.volume:,.0f}",
            p.reason,
            f"{p.agent_hours:,.1f}",
        )
    console.print(table)
    extra = result.split_agent_hours - result.pooled_agent_hours
    percent = result.extra_percent
    console.print(
        f"agent-hours: pooled {result.pooled_agent_hours:,.1f}, split {result.split_agent_hours:,.1f} "
        f"(+{extra:,.1f}" + (f", +{percent:.1f}%)" if percent is not None else ")")
    )
    if result.splitting_cost is not None:
        console.print(f"cost of splitting: [bold]{result.splitting_cost:,.2f}[/]")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")


def _money(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        fail(f"--hour-cost {text!r} is not an amount")
    if not value.is_finite() or value < 0:
        fail(f"--hour-cost {text!r} must be a non-negative amount")
    return value
