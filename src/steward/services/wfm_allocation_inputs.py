"""What `steward wfm allocate` reads from the warehouse: the forecast to split, partners' scheduled
work, and their recent handle time, QA score and service level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import ibis
import numpy as np
import numpy.typing as npt

from steward.services.metrics import metric_number
from steward.workspace import Workspace

STEWARD = "steward"
WORK = "work"


class AllocationInputError(ValueError):
    """The workspace lacks what the allocation needs (no forecast for the period, mixed intervals)."""


@dataclass(frozen=True)
class ForecastVolume:
    """Forecast volume per interval of the period, summed over queues, and where it came from."""

    source: str
    interval_minutes: int
    volumes: npt.NDArray[np.float64]
    aht_seconds: float | None
    """Volume-weighted forecast AHT; None when the forecast carries none."""

    @property
    def total(self) -> float:
        return float(self.volumes.sum())


def forecast_volume(
    workspace: Workspace, start: datetime, end: datetime, partners: Sequence[str], queue: str | None
) -> ForecastVolume:
    """Steward's own forecast when there is one for the period, else the sum of the partners' forecasts."""
    t = workspace.warehouse.table("forecasts")
    rows = t.filter(t.interval_start >= ibis.timestamp(start), t.interval_start < ibis.timestamp(end))
    if queue is not None:
        rows = rows.filter(rows.queue == queue)
    own = rows.filter(rows.made_by == STEWARD)
    if own.count().to_pyarrow().as_py() > 0:
        chosen, source = own, "steward forecast"
    else:
        # A partner's own forecast covers its part of the volume, so theirs add up to the client's.
        chosen = rows.filter(rows.made_by.isin(list(partners)), rows.made_by == rows.vendor)
        source = "sum of the partners' own forecasts"
    grouped = chosen.group_by(["interval_start", "interval_minutes"]).aggregate(
        volume=chosen.volume.sum(),
        handled_seconds=(chosen.volume * chosen.aht_seconds).sum(),
        with_aht=chosen.aht_seconds.notnull().cast("int64").sum(),
    )
    found = grouped.order_by("interval_start").to_pyarrow().to_pylist()
    where = f" on queue {queue!r}" if queue else ""
    if not found:
        raise AllocationInputError(f"no forecast{where} between {start:%Y-%m-%d} and {end:%Y-%m-%d} (UTC)")
    minutes = {int(row["interval_minutes"]) for row in found}
    if len(minutes) > 1:
        raise AllocationInputError(f"the {source}{where} mixes interval lengths {sorted(minutes)}; use one")
    volumes = np.array([float(row["volume"]) for row in found], dtype=np.float64)
    handled = sum(float(row["handled_seconds"] or 0) for row in found)
    has_aht = all(row["with_aht"] for row in found)
    aht = handled / volumes.sum() if has_aht and volumes.sum() > 0 else None
    return ForecastVolume(source, minutes.pop(), volumes, aht)


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
