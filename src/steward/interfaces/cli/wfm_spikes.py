"""`steward wfm spikes`: demand spikes over a range, and risky intervals in the days ahead."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from steward.domain.demand_spikes import SpikeRule
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
from steward.services.wfm_spikes import (
    RiskyInterval,
    SpikeReport,
    SpikeRequest,
    SpikeRequestError,
    days_ahead,
    spikes,
)

console = Console()


def spikes_command(
    start: FromOption,
    end: ToOption,
    ahead_days: Annotated[int, typer.Option("--ahead-days", min=0, help="Days after now to check for risk.")] = 7,
    now: Annotated[
        str | None, typer.Option("--now", help="Local time to look ahead from, e.g. 2026-10-20T08:00 (default: now).")
    ] = None,
    vendor: VendorsOption = None,
    queue: QueueOption = None,
    interval: IntervalOption = 30,
    basis: Annotated[
        str | None, typer.Option("--basis", help="steward or vendor (default: steward if it covers the range).")
    ] = None,
    max_p: Annotated[
        float, typer.Option("--max-p", help="Largest Poisson tail P(X ≥ actual | forecast) that is a spike.")
    ] = 1e-4,
    min_excess: Annotated[float, typer.Option("--min-excess", min=0, help="Least excess over forecast, %.")] = 30.0,
    merge: Annotated[bool, typer.Option("--merge/--no-merge", help="Merge consecutive spike intervals.")] = True,
    service_level: ServiceLevelOption = 80.0,
    answer_seconds: AnswerOption = 20.0,
    max_occupancy: OccupancyOption = None,
    patience: PatienceOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Spikes and risky intervals listed at most.")] = 20,
    chart: ChartOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Intervals where contacts arrived far above the forecast (a Poisson tail below --max-p and at least --min-excess above), and future intervals whose forecast needs more agents than are scheduled (docs/wfm.md#spikes-and-risky-intervals)."""  # noqa: E501 - Typer rewraps the help
    check_chart(chart)
    try:
        rule = SpikeRule(max_p, min_excess / 100)
    except ValueError as error:
        fail(str(error))
    goal = staffing_goal(service_level, answer_seconds, max_occupancy, patience, 0.0)
    ws = open_workspace(workspace)
    try:
        request = SpikeRequest(parse_day(start, "--from"), parse_day(end, "--to"), tuple(vendor or ()), queue,
                               interval, basis, rule, merge, _now(now, ws.settings.reporting_timezone), ahead_days,
                               goal)  # fmt: skip
        report = spikes(ws, request)
    except SpikeRequestError as error:
        fail(str(error))
    finally:
        ws.close()
    show_spikes(console, report, top)
    if chart is not None:
        from steward.rendering.charts import intraday_chart, save_chart  # altair slows every command's start-up

        for name, rows in report.curves.items():
            title = chart_title(f"{name}: contacts vs forecast, spikes in red", report.timezone, rows)
            spec = intraday_chart(rows, x="interval", series=["forecast", "actual"], highlight="spike", title=title,
                                  y_title="Contacts")  # fmt: skip
            console.print(f"chart: {save_chart(spec, chart_path(chart, name, len(report.curves)))}")


def show_spikes(target: Console, report: SpikeReport, top: int = 20) -> None:
    """The strongest spikes, then risky intervals ahead summed per vendor and the worst of them."""
    request = report.request
    table = Table(title=f"Demand spikes {request.start} to {request.end} ({len(report.spikes)} found)")
    for heading in ("vendor", "queue", "from", "to", "intervals", "actual", "forecast", "excess", "P(X ≥ actual)",
                    "basis"):  # fmt: skip
        table.add_column(heading, justify="left" if heading in ("vendor", "queue", "from", "to", "basis") else "right")
    for spike in report.spikes[:top]:
        excess = "new" if spike.excess is None else f"[bold red]{spike.excess:+.0%}[/]"
        table.add_row(spike.vendor, spike.queue, f"{spike.start:%a %Y-%m-%d %H:%M}", f"{spike.end:%H:%M}",
                      str(spike.intervals), f"{spike.actual:,.0f}", f"{spike.forecast:,.1f}", excess,
                      f"{spike.p_value:.1e}", spike.basis)  # fmt: skip
    target.print(table)
    _show_risky(target, report, top)
    target.print(
        f"[dim]Spike: P(X ≥ actual | forecast) < {request.rule.max_p:g} and actual ≥ forecast × "
        f"{1 + request.rule.min_excess:g}; times in {report.timezone}.[/]"
    )


def _show_risky(target: Console, report: SpikeReport, top: int) -> None:
    zone = ZoneInfo(report.timezone)
    now = report.now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    per_vendor: dict[str, list[RiskyInterval]] = defaultdict(list)
    for risky in report.risky:
        per_vendor[risky.vendor].append(risky)
    title = f"Risky intervals in the {report.request.ahead_days} days after {now:%Y-%m-%d %H:%M}"
    summary = Table(title=title)
    for heading in ("vendor", "basis", "risky intervals", "agent-hours short", "first"):
        summary.add_column(heading, justify="right" if heading in ("risky intervals", "agent-hours short") else "left")
    hours = report.request.interval_minutes / 60
    for name, found in sorted(per_vendor.items()):
        short = sum(r.short for r in found) * hours
        summary.add_row(name, found[0].basis, f"[bold red]{len(found):,}[/]", f"{short:,.1f}",
                        f"{found[0].start:%a %Y-%m-%d %H:%M}")  # fmt: skip
    if per_vendor:
        target.print(summary)
    else:
        qualified = " (see the notes below)" if report.risk_notes else ""
        target.print(f"No risky intervals in {days_ahead(report.request.ahead_days)}{qualified}.")
    for vendor, notes in sorted(report.risk_notes.items()):
        for note in notes:
            target.print(f"[yellow]{vendor}: {note}[/]")
    if not per_vendor:
        return
    worst = Table(title="Worst risky intervals")
    for heading in ("vendor", "interval", "forecast contacts", "required", "scheduled", "short"):
        worst.add_column(heading, justify="left" if heading in ("vendor", "interval") else "right")
    for risky in sorted(report.risky, key=lambda r: (-r.short, r.start))[:top]:
        worst.add_row(risky.vendor, f"{risky.start:%a %Y-%m-%d %H:%M}", f"{risky.volume:,.1f}", str(risky.required),
                      f"{risky.scheduled:.1f}", f"[bold red]{-risky.short:+.1f}[/]")  # fmt: skip
    target.print(worst)


def _now(text: str | None, timezone: str) -> datetime | None:
    """--now as an aware instant: a time without a zone is local to the reporting time zone."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--now {text!r}: use a local time like 2026-10-20T08:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
