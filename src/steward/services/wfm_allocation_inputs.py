"""What `steward wfm allocate` reads from the warehouse: the forecast to split, partners' scheduled
work, and their recent handle time, QA score and service level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt

from steward.engine.agent_time import WORK
from steward.engine.business_time import epoch_seconds
from steward.services.metrics import metric_number
from steward.services.wfm_intervals import STEWARD, VENDOR, epoch_of, forecast, instants_range
from steward.workspace import Workspace


class AllocationInputError(ValueError):
    """The workspace lacks what the allocation needs (no forecast for the period, or too little of it)."""


MIN_REACH_DAYS = 7
"""The least of the month a forecast must reach to be scaled to it: a week carries the weekly pattern
the month repeats; a few days would stand for the whole month with their own weekdays only."""


@dataclass(frozen=True)
class ForecastVolume:
    """Forecast volume per interval of the month, summed over partners and queues, where it came from
    and how much of the month it reaches."""

    source: str
    interval_minutes: int
    volumes: npt.NDArray[np.float64]
    """Per interval of the month (the finest length forecast); 0 where no forecast reaches."""
    aht_seconds: float | None
    """Volume-weighted forecast AHT over the rows that carry one; None when none does."""
    reach: tuple[datetime, datetime]
    """The forecast's first and last instant inside the month (naive UTC)."""
    covered_share: float
    """Share of the month between those instants: 1 when the forecast covers the month."""

    @property
    def total(self) -> float:
        """What the forecast itself says, for the part of the month it reaches."""
        return float(self.volumes.sum())

    @property
    def month_total(self) -> float:
        """The month's volume: the forecast scaled by the share of the month it reaches."""
        return self.total / self.covered_share


def forecast_volume(
    workspace: Workspace, start: datetime, end: datetime, partners: Sequence[str], queue: str | None
) -> ForecastVolume:
    """The partners' volume in [start, end): Steward's own forecast of them when there is one for the
    period, else the sum of the partners' own forecasts; refused when it reaches less than a week."""
    rows = _forecast_rows(workspace, start, end, partners, queue)
    own = rows.filter(rows.made_by == STEWARD)
    if own.count().to_pyarrow().as_py() > 0:
        chosen, made_by, source = own, STEWARD, "steward forecast"
    else:
        # A partner's own forecast covers its part of the volume, so theirs add up to the client's.
        chosen, made_by = rows.filter(rows.made_by == rows.vendor), VENDOR
        source = "sum of the partners' own forecasts"
    extent = chosen.aggregate(minutes=chosen.interval_minutes.min(), low=chosen._start.min(), high=chosen._end.max())
    found = extent.to_pyarrow().to_pylist()[0]
    where = f" on queue {queue!r}" if queue else ""
    if found["minutes"] is None:
        raise AllocationInputError(f"no forecast{where} between {start:%Y-%m-%d} and {end:%Y-%m-%d} (UTC)")
    span = instants_range(start, end, int(found["minutes"]), workspace.settings.reporting_timezone)
    reach = (max(epoch_of(start), int(found["low"])), min(epoch_of(end), int(found["high"])))
    # An hour's slack: a week forecast on a UTC grid may start an hour after a local month begins.
    if reach[1] - reach[0] < MIN_REACH_DAYS * 86_400 - 3_600:
        days = (reach[1] - reach[0]) / 86_400
        raise AllocationInputError(
            f"the {source}{where} reaches only {days:.1f} days of the month ({_day(reach[0])} to {_day(reach[1])} "
            f"UTC); at least {MIN_REACH_DAYS} are needed to scale it to the month: forecast further ahead "
            "(steward wfm forecast --horizon-days)"
        )
    # Several lengths from one forecaster: `forecast` counts only the finest where they overlap, as
    # `wfm staff` does, so no contact is counted twice; longer rows are spread over the grid.
    grid = forecast(workspace, span, made_by, vendors=partners, queues=[queue] if queue else [], keys=[])
    cells = grid.to_pylist()
    volumes = np.zeros(len(span.epochs), dtype=np.float64)
    for cell in cells:
        volumes[(int(cell["bucket"]) - span.first) // span.size] += float(cell["volume"] or 0)
    workload = sum(float(cell["workload"] or 0) for cell in cells)
    timed = sum(float(cell["timed"] or 0) for cell in cells)
    aht = float(workload / timed) if timed > 0 else None
    covered = (reach[1] - reach[0]) / (epoch_of(end) - epoch_of(start))
    return ForecastVolume(source, span.minutes, volumes, aht, (_naive(reach[0]), _naive(reach[1])), covered)


def _forecast_rows(
    workspace: Workspace, start: datetime, end: datetime, partners: Sequence[str], queue: str | None
) -> ir.Table:
    """The partners' forecast rows overlapping [start, end), with `_start` and `_end` in epoch seconds."""
    t = workspace.warehouse.table("forecasts")
    rows = t.filter(t.vendor.isin(list(partners)))
    if queue is not None:
        rows = rows.filter(rows.queue == queue)
    begins = epoch_seconds(rows.interval_start)
    rows = rows.mutate(_start=begins, _end=begins + rows.interval_minutes * 60)
    return rows.filter(rows._start < epoch_of(end), rows._end > epoch_of(start))


def _naive(seconds: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=seconds)


def _day(seconds: int) -> str:
    return f"{_naive(seconds):%Y-%m-%d %H:%M}"


def work_seconds(workspace: Workspace, start: datetime, end: datetime, partners: Sequence[str]) -> dict[str, float]:
    """Seconds of scheduled `work` per partner inside [start, end); partners without schedules are absent."""
    t = workspace.warehouse.table("schedules")
    rows = t.filter(
        t.vendor.isin(list(partners)),
        t.activity == WORK,
        t.start_at < ibis.timestamp(end),
        t.end_at > ibis.timestamp(start),
    )
    # Clip shifts that straddle the period's edges, so only the period's own hours count.
    lo = ibis.timestamp(start).epoch_seconds()
    hi = ibis.timestamp(end).epoch_seconds()
    clipped = ibis.least(rows.end_at.epoch_seconds(), hi) - ibis.greatest(rows.start_at.epoch_seconds(), lo)
    found = rows.group_by("vendor").aggregate(seconds=clipped.sum()).to_pyarrow().to_pylist()
    return {str(row["vendor"]): float(row["seconds"]) for row in found if row["seconds"]}


@dataclass(frozen=True)
class RecentPerformance:
    """A partner's recent measurements (None where there were no rows)."""

    aht_seconds: float | None
    quality_score: float | None
    service_level: float | None


def recent_performance(
    workspace: Workspace, partners: Sequence[str], first: date, last: date, queue: str | None
) -> dict[str, RecentPerformance]:
    """AHT, QA score (percent) and service level (percent) per partner over [first, last]."""
    where: dict[str, list[str]] = {"vendor": list(partners)}
    if queue is not None:
        where["queue"] = [queue]
    metrics = ["aht", "quality_score", "service_level"]
    table = workspace.metrics.query(metrics, by=["vendor"], where=where, start=first, end=last)
    found = {
        str(row["vendor"]): RecentPerformance(*(metric_number(row.get(m)) for m in metrics))
        for row in table.to_pylist()
    }
    return {name: found.get(name, RecentPerformance(None, None, None)) for name in partners}


def history_window(today: date, days: int) -> tuple[date, date]:
    """The `days` complete days before today: recent enough to describe the partner now."""
    return today - timedelta(days=days), today - timedelta(days=1)
