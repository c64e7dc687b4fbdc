"""`steward wfm staff`: required vs scheduled vs staffed agents per vendor and interval."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.wfm_options import (
    AnswerOption,
    ChartOption,
    FromOption,
    IntervalOption,
    OccupancyOption,
    PatienceOption,
    QueueOption,
    ServiceLevelOption,
    ToOption,
    VendorsOption,
    chart_path,
    chart_title,
    check_chart,
    parse_day,
    staffing_goal,
)
from steward.interfaces.cli.workspace_option import WorkspaceOption, fail, open_workspace
from steward.services.wfm_staffing import (
    StaffingReport,
    StaffingRequest,
    StaffingRequestError,
    VendorStaffing,
    staffing,
)

if TYPE_CHECKING:
    from steward.rendering.charts import ChartSpec

__all__ = [  # `wfm allocate` takes the same goal options from here
    "AnswerOption",
    "ServiceLevelOption",
    "show_staffing",
    "show_staffing_gap_summary",
    "staff_chart",
    "staff_command",
    "summary_table",
    "worst_intervals",
]

console = Console()


def staff_command(
    start: FromOption,
    end: ToOption,
    vendor: VendorsOption = None,
    queue: QueueOption = None,
    interval: IntervalOption = 30,
    basis: Annotated[
        str | None,
        typer.Option(
            "--basis",
            help="Demand: steward, vendor (its own forecast) or actual (default: steward if it covers "
            "the range, else vendor if it covers 90% of it, else actual).",
        ),
    ] = None,
    service_level: ServiceLevelOption = 80.0,
    answer_seconds: AnswerOption = 20.0,
    max_occupancy: OccupancyOption = None,
    shrinkage: Annotated[
        float, typer.Option("--shrinkage", min=0, max=99, help="Percent of paid time lost, for the FTE column.")
    ] = 30.0,
    patience: PatienceOption = None,
    worst: Annotated[int, typer.Option("--worst", min=0, help="Worst intervals listed per vendor.")] = 10,
    all_hours: Annotated[
        bool,
        typer.Option("--all-hours", help="Count every interval, not only those inside the vendor's business hours."),
    ] = False,
    chart: ChartOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Required agents (Erlang C, or A with --patience) against agents scheduled on work and agents actually in productive states, per vendor and interval; shortfalls in red (docs/wfm.md#required-scheduled-and-staffed)."""  # noqa: E501 - Typer rewraps the help
    check_chart(chart)
    goal = staffing_goal(service_level, answer_seconds, max_occupancy, patience, shrinkage)
    request = StaffingRequest(parse_day(start, "--from"), parse_day(end, "--to"), tuple(vendor or ()), queue,
                              interval, basis, goal, all_hours)  # fmt: skip
    ws = open_workspace(workspace)
    try:
        report = staffing(ws, request)
    except StaffingRequestError as error:
        fail(str(error))
    finally:
        ws.close()
    show_staffing(console, report, worst)
    if chart is not None:
        from steward.rendering.charts import save_chart  # altair slows every command's start-up

        for found in report.vendors:
            spec = staff_chart(found, report.timezone)
            console.print(f"chart: {save_chart(spec, chart_path(chart, found.vendor, len(report.vendors)))}")


def staff_chart(found: VendorStaffing, timezone: str) -> ChartSpec:
    """Required, scheduled and staffed agents per interval (wall-clock times of `timezone`), counted
    intervals below requirement marked (tests/golden/wfm_staff_chart.json)."""
    from steward.rendering.charts import intraday_chart

    rows = [{**row, "short": bool(short)} for row, short in zip(found.rows(), found.below(), strict=True)]
    title = chart_title(f"{found.vendor}: agents per interval", timezone, rows)
    return intraday_chart(rows, x="interval", series=["required", "scheduled", "staffed"], highlight="short",
                          title=title, y_title="Agents")  # fmt: skip


def show_staffing(target: Console, report: StaffingReport, worst: int = 10) -> None:
    """One summary row per vendor, then each vendor's worst intervals."""
    request = report.request
    title = f"Staffing {request.start} to {request.end}, {request.interval_minutes}-minute intervals"
    if report.vendors:
        target.print(summary_table(report.vendors, title))
    else:
        target.print(f"{title}: no vendor has anything to show.")
    for found in report.vendors:
        if worst:
            worst_intervals(target, found, worst)
        for note in found.notes:
            target.print(f"[yellow]{found.vendor}: {note}[/]")
    for vendor, why in report.nothing_to_show.items():
        target.print(f"[yellow]nothing to show for {vendor}: {why}[/]")
    if not report.vendors and not report.nothing_to_show:
        target.print("[yellow]no forecasts, contacts, schedules or agent states in the range[/]")
    goal = request.plan
    target.print(
        f"[dim]{goal.model}, {goal.goal.service_level:.0%} in {goal.goal.answer_seconds:g} s; times in "
        f"{report.timezone}; agent-hours short = Σ (required − staffed) where below; covered = required hours "
        f"delivered in the intervals that needed them; "
        + ("every interval counts (--all-hours).[/]" if request.all_hours else
           "only intervals at least half inside the vendor's business hours count (open), unless --all-hours.[/]")
    )  # fmt: skip


def show_staffing_gap_summary(target: Console, summary: VendorStaffing, worst: int = 5) -> None:
    """One partner's staffing gaps (the demo prints this for its understaffed partner)."""
    start, end = summary.local_starts[0].date(), summary.local_starts[-1].date()
    target.print(summary_table([summary], f"Staffing gaps of {summary.vendor}, {start} to {end}"))
    worst_intervals(target, summary, worst)


def summary_table(vendors: list[VendorStaffing], title: str) -> Table:
    table = Table(title=title)
    headings = ("vendor", "basis", "intervals", "open", "understaffed", "underscheduled", "worst gap", "at",
                "agent-h short", "sched. agent-h short", "covered")  # fmt: skip
    for heading in headings:
        table.add_column(heading, justify="left" if heading in ("vendor", "basis", "at") else "right")
    for found in vendors:
        s = found.summary
        covered = "—" if s.covered_share is None else f"{100 * s.covered_share:.1f}%"
        colour = "green" if (s.covered_share or 0) >= 0.95 else "yellow" if (s.covered_share or 0) >= 0.85 else "red"
        table.add_row(
            found.vendor,
            found.basis,
            f"{s.intervals:,}",
            f"{s.counted:,}" if not found.all_hours else "all",
            _red_if(s.understaffed > 0, f"{s.understaffed:,}"),
            _red_if(s.underscheduled > 0, f"{s.underscheduled:,}"),
            "—" if s.worst_gap is None else _red_if(s.worst_gap < 0, f"{s.worst_gap:+.1f}"),
            "—" if s.worst_at is None else f"{s.worst_at:%a %Y-%m-%d %H:%M}",
            f"{s.staffed_hours_short:,.1f}",
            f"{s.scheduled_hours_short:,.1f}",
            covered if s.covered_share is None else f"[{colour}]{covered}[/]",
        )
    return table


def worst_intervals(target: Console, found: VendorStaffing, count: int) -> None:
    chosen = found.worst(count)
    if not chosen:
        return
    table = Table(title=f"{found.vendor}: worst intervals")
    for heading in ("interval", "contacts", "AHT s", "required", "FTE", "scheduled", "staffed", "sched. gap",
                    "staffed gap"):  # fmt: skip
        table.add_column(heading, justify="left" if heading == "interval" else "right")
    for i in chosen:
        required, scheduled, staffed = int(found.required[i]), float(found.scheduled[i]), float(found.staffed[i])
        aht = float(found.aht_seconds[i])
        observed = math.isfinite(staffed)
        table.add_row(
            f"{found.local_starts[i]:%a %Y-%m-%d %H:%M}",
            f"{found.volume[i]:,.1f}",
            f"{aht:,.0f}" if math.isfinite(aht) else "—",
            str(required),
            str(int(found.required_fte[i])),
            f"{scheduled:.1f}",
            f"{staffed:.1f}" if observed else "—",
            _gap(scheduled - required),
            _gap(staffed - required) if observed else "—",
        )
    target.print(table)


def _gap(value: float) -> str:
    return _red_if(value < -1e-9, f"{value:+.1f}")


def _red_if(condition: bool, text: str) -> str:
    return f"[bold red]{text}[/]" if condition else text
