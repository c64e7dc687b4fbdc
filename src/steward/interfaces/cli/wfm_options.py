"""What the `steward wfm` staff, accuracy and spikes commands share: their options, the reading of
dates and goals, refusing a bad request, and where and how their charts are written (docs/wfm.md#charts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from steward.domain.erlang import ServiceGoal
from steward.domain.staffing import StaffingGoal
from steward.interfaces.cli.workspace_option import fail

CHART_SUFFIXES = (".svg", ".png")

FromOption = Annotated[str, typer.Option("--from", help="First local day, e.g. 2026-10-01.")]
ToOption = Annotated[str, typer.Option("--to", help="Last local day (inclusive), e.g. 2026-10-07.")]
VendorsOption = Annotated[list[str] | None, typer.Option("--vendor", help="Only these vendors (repeat).")]
QueueOption = Annotated[str | None, typer.Option("--queue", help="Only this queue's demand.")]
IntervalOption = Annotated[int, typer.Option("--interval", help="Interval length in minutes: 15, 30 or 60.")]
ServiceLevelOption = Annotated[
    float, typer.Option("--service-level", min=0.1, max=100, help="Percent answered within --answer-seconds.")
]
AnswerOption = Annotated[float, typer.Option("--answer-seconds", min=0, help="Service-level threshold in seconds.")]
OccupancyOption = Annotated[
    float | None, typer.Option("--max-occupancy", min=1, max=100, help="Highest occupancy allowed, percent.")
]
PatienceOption = Annotated[
    float | None,
    typer.Option("--patience", min=1, help="Callers' mean patience in seconds: Erlang A instead of Erlang C."),
]
ChartOption = Annotated[Path | None, typer.Option("--chart", help="Intraday chart, .svg or .png (one per vendor).")]


def parse_day(text: str, option: str) -> date:
    """A local day given as 2026-10-01, or a refusal naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r}: use a date like 2026-10-01")


def staffing_goal(
    service_level: float, answer_seconds: float, max_occupancy: float | None, patience: float | None, shrinkage: float
) -> StaffingGoal:
    """Command-line percentages -> the goal the domain computes with."""
    occupancy = None if max_occupancy is None else max_occupancy / 100
    goal = ServiceGoal(service_level=service_level / 100, answer_seconds=answer_seconds, max_occupancy=occupancy)
    return StaffingGoal(goal, patience, shrinkage / 100)


def check_chart(chart: Path | None) -> None:
    """Refuse a --chart that is neither .svg nor .png before anything is computed."""
    if chart is not None and chart.suffix.lower() not in CHART_SUFFIXES:
        fail(f"--chart must name an .svg or .png file, not {chart.name!r}")


def chart_path(path: Path, vendor: str, vendors: int) -> Path:
    """The --chart path itself for one vendor; `name-vendor.svg` beside it for several."""
    return path if vendors == 1 else path.with_name(f"{path.stem}-{vendor}{path.suffix}")


def chart_title(title: str, timezone: str, rows: Sequence[Mapping[str, object]], x: str = "interval") -> str:
    """A chart's title naming the time zone its times are wall-clock times of, and the nights clocks
    went back: their repeated hour has the same wall-clock times twice, so it is drawn over itself.

    >>> chart_title("v1: agents", "Europe/Berlin", [{"interval": datetime(2026, 10, 25, 2)}] * 2)
    'v1: agents (Europe/Berlin time; clocks went back on 2026-10-25: the repeated hour is drawn over itself)'
    """
    seen: set[object] = set()
    repeated: set[date] = set()
    for row in rows:
        moment = row[x]
        if moment in seen and isinstance(moment, datetime):
            repeated.add(moment.date())
        seen.add(moment)
    if not repeated:
        return f"{title} ({timezone} time)"
    nights = ", ".join(str(day) for day in sorted(repeated))
    return f"{title} ({timezone} time; clocks went back on {nights}: the repeated hour is drawn over itself)"
