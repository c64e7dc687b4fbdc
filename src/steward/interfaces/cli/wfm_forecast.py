"""`steward wfm forecast`: backtest demand models per vendor and queue, store the best one's forecast."""

from __future__ import annotations

import math
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.progress import bar
from steward.interfaces.cli.wfm_options import chart_title, check_chart
from steward.interfaces.cli.workspace_option import WorkspaceOption, fail, open_workspace
from steward.services.wfm_forecast import ForecastRequest, ForecastRun, SeriesResult, run_forecast
from steward.services.wfm_forecast_models import ForecastError, ForecastOptions

if TYPE_CHECKING:
    from steward.rendering.charts import ChartSpec

console = Console()


def forecast_command(
    start: Annotated[
        str | None,
        typer.Option(
            "--start", help="First day to forecast, e.g. 2026-11-01 (default: the day after the newest interaction)."
        ),
    ] = None,
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Days to forecast.")] = 7,
    interval: Annotated[int, typer.Option("--interval", help="Interval length in minutes: 15, 30 or 60.")] = 30,
    vendor: Annotated[list[str] | None, typer.Option("--vendor", help="Only these vendors (repeat).")] = None,
    queue: Annotated[list[str] | None, typer.Option("--queue", help="Only these queues (repeat).")] = None,
    history_weeks: Annotated[int, typer.Option("--history-weeks", help="Weeks each model trains on.")] = 8,
    origins: Annotated[int, typer.Option("--origins", help="Backtest weeks (rolling origins).")] = 3,
    queue_totals: Annotated[
        bool, typer.Option("--queue-totals", help="Also forecast each queue across its vendors (shown, not stored).")
    ] = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Draw the first series' forecast vs last week (.svg or .png).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Forecast contacts and AHT per vendor, queue and interval, and store the forecasts (made_by steward).

    Each model (seasonal naive, 4-week average, MSTL) is backtested on the last weeks; the one with the lowest WAPE is chosen per series. The report shows each model's WAPE and bias next to the Poisson floor, the error even a perfect forecast of the mean would have (docs/wfm.md#forecasts).
    """  # noqa: E501 - Typer rewraps the help
    check_chart(chart)
    try:
        options = ForecastOptions(interval, horizon_days, history_weeks, origins)
        first_day = date.fromisoformat(start) if start else None
    except (ForecastError, ValueError) as error:
        fail(str(error))
    request = ForecastRequest(options, first_day, tuple(vendor or ()), tuple(queue or ()), queue_totals)
    ws = open_workspace(workspace)
    try:
        with bar(console) as progress:
            task = progress.add_task("reading history", total=None)

            def on_progress(label: str, done: int, total: int) -> None:
                progress.update(task, description=label, completed=done, total=total)

            run = run_forecast(ws, request, on_progress)
    except ForecastError as error:
        fail(str(error))
    finally:
        ws.close()
    show_forecast(console, run)
    if chart is not None:
        drawn = next((s for s in run.series if s.forecast is not None), None)
        if drawn is not None:
            from steward.rendering.charts import save_chart  # altair costs every command 0.15 s at start-up

            console.print(f"chart: {save_chart(_chart(run, drawn), chart)}")


def show_forecast(console: Console, run: ForecastRun) -> None:
    """A table per series (model, WAPE, bias, Poisson floor, chosen), then what was stored."""
    options = run.options
    console.print(
        f"Forecast from {run.first_day} ({run.start:%Y-%m-%d %H:%M} UTC), {options.horizon_days} days of "
        f"{options.interval_minutes}-minute intervals on the {run.timezone} clock; backtest: {options.origins} "
        f"weeks, training on {options.history_weeks} weeks"
    )
    for series in run.series:
        if series.forecast is None:
            console.print(f"[yellow]{series.label}: skipped[/] ({series.skipped})")
            continue
        console.print(_series_table(series))
        for model, why in series.forecast.failed:
            console.print(f"  [yellow]{model} left out:[/] {why}")
    if run.run_id is None:
        console.print("nothing stored")
    else:
        console.print(
            f"{run.rows_stored:,} rows in forecasts (made_by steward, import run {run.run_id}; "
            f"{run.rows_unchanged:,} unchanged)"
        )


def _series_table(series: SeriesResult) -> Table:
    forecast = series.forecast
    assert forecast is not None  # noqa: S101 - callers pass forecast series only
    holiday = forecast.holiday
    note = f"holiday factor {holiday.factor:.2f} from {holiday.intervals} past holiday intervals"
    calendar = f"calendar {series.calendar}" if series.calendar else "no calendar"
    table = Table(title=f"{series.label} ({calendar})", caption=note, title_justify="left", caption_justify="left")
    for heading in ("model", "WAPE %", "bias %", "Poisson floor %", "chosen"):
        table.add_column(heading, justify="left" if heading == "model" else "right")
    for score in forecast.scores:
        chosen = score.model == forecast.chosen
        style = "bold green" if chosen else None
        table.add_row(
            score.model,
            _percent(score.wape),
            _percent(score.bias),
            _percent(forecast.floor),
            "✓" if chosen else "",
            style=style,
        )
    return table


def _percent(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{100 * value:.1f}"


def _chart(run: ForecastRun, series: SeriesResult) -> ChartSpec:
    """The first week of the forecast next to the same local slots one week earlier, on the reporting
    time zone's wall clock like the other wfm charts."""
    from steward.rendering.charts import intraday_chart

    zone = ZoneInfo(run.timezone)
    assert series.forecast is not None  # noqa: S101 - the caller picks a forecast series
    week = run.options.per_week
    before = week - len(series.last_week)  # intervals of the week before that precede the series' history
    rows = [
        {
            "interval_start": moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None),
            "forecast": float(series.forecast.volume[i]),
            "last week": float(series.last_week[i - before]) if i >= before else None,
        }
        for i, moment in run.slot_instants()
        if i < week
    ]
    title = f"{series.label}: forecast vs the week before (contacts per {run.options.interval_minutes} min)"
    title = chart_title(title, run.timezone, rows, x="interval_start")
    return intraday_chart(rows, x="interval_start", series=["forecast", "last week"], title=title, y_title="Contacts")
