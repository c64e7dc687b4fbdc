"""`steward wfm spikes`: demand spikes that happened, and risky intervals ahead (docs/wfm.md).

A spike is judged per vendor, queue and interval against the forecast for that cell (Steward's, or
the partner's own): the Poisson tail and relative excess of domain/demand_spikes.py. Consecutive
spike intervals of one queue merge into one run, since a campaign e-mail or an outage floods a
queue for an hour, not for thirty minutes. Cells without a forecast row are never tested: no
forecast is no claim to compare with.

Risky intervals look forward from "now" (the workspace clock unless given): the forecast's
required agents against the agents scheduled on work, as `wfm staff` computes them, in the intervals
`wfm staff` counts (the vendor's business hours). A vendor without schedules ahead is not checked
but noted: rosters are often published a week at a time, and every interval would look short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from steward.domain.clock import naive_utc
from steward.domain.demand_spikes import Flags, Floats, SpikeRule, runs, spike_mask, tail_probability
from steward.domain.staffing import StaffingGoal
from steward.services.wfm_intervals import (
    FORECASTERS,
    IntervalRange,
    IntervalWindow,
    arrivals,
    epoch_of,
    forecast,
    forecast_reaches,
    grid,
    instants_range,
    interval_range,
    observed,
    pooled_curve,
)
from steward.services.wfm_staffing import NO_SCHEDULES, coverage, forecast_basis, staffing_over
from steward.workspace import Workspace


class SpikeRequestError(ValueError):
    """A spikes request the user has to correct."""


@dataclass(frozen=True)
class SpikeRequest(IntervalWindow):
    """basis: steward or vendor; None: Steward's forecast where it covers the range, else the vendor's."""

    rule: SpikeRule = field(default_factory=SpikeRule)
    merge: bool = True
    now: datetime | None = None
    """Where "ahead" starts (aware, or naive UTC); None: the workspace clock."""
    ahead_days: int = 7
    plan: StaffingGoal = field(default_factory=StaffingGoal)


@dataclass(frozen=True)
class Spike:
    """A run of consecutive spike intervals of one queue (local times; `end` is exclusive)."""

    vendor: str
    queue: str
    basis: str
    start: datetime
    end: datetime
    intervals: int
    actual: float
    forecast: float
    p_value: float
    """The smallest interval tail P(X ≥ actual | forecast) in the run."""

    @property
    def excess(self) -> float | None:
        """Actual over forecast − 1 across the run (None when nothing was forecast)."""
        return self.actual / self.forecast - 1 if self.forecast > 0 else None


@dataclass(frozen=True)
class RiskyInterval:
    """A future interval whose forecast needs more agents than are scheduled (local time)."""

    vendor: str
    basis: str
    start: datetime
    volume: float
    required: int
    scheduled: float

    @property
    def short(self) -> float:
        return self.required - self.scheduled


@dataclass(frozen=True)
class SpikeReport:
    request: SpikeRequest
    timezone: str
    now: datetime
    """Naive UTC."""
    spikes: list[Spike]
    risky: list[RiskyInterval]
    curves: dict[str, list[dict[str, object]]]
    """Per vendor: forecast and actual per interval summed over queues, `spike` where any queue spiked."""
    risk_notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per vendor, what qualifies its risky intervals: no forecast or no schedules ahead (so not checked),
    no calendar, a forecast that covers only part of the days ahead."""


def days_ahead(days: int) -> str:
    """'the day ahead', 'the 7 days ahead'."""
    return "the day ahead" if days == 1 else f"the {days} days ahead"


def spikes(workspace: Workspace, request: SpikeRequest) -> SpikeReport:
    """Spikes in [start, end] and risky intervals in the `ahead_days` after now."""
    if request.basis is not None and request.basis not in FORECASTERS:
        raise SpikeRequestError(f"--basis {request.basis}: spikes compare with a forecast (steward or vendor)")
    if request.ahead_days < 0:
        raise SpikeRequestError("--ahead-days must be 0 or more")
    try:
        span = interval_range(workspace, request.start, request.end, request.interval_minutes)
    except ValueError as error:
        raise SpikeRequestError(str(error)) from None
    now = naive_utc(request.now) if request.now else workspace.now_naive_utc()
    ahead = instants_range(now, now + timedelta(days=request.ahead_days), request.interval_minutes, span.timezone)
    found, curves = _detect(workspace, span, request)
    risky, notes = _risky(workspace, ahead, request, now)
    return SpikeReport(request, span.timezone, now, found, risky, curves, notes)


def _detect(
    workspace: Workspace, span: IntervalRange, request: SpikeRequest
) -> tuple[list[Spike], dict[str, list[dict[str, object]]]]:
    keys = ["vendor", "queue"]
    queues = (request.queue,) if request.queue else ()
    actual = grid(arrivals(workspace, span, request.vendors, queues, keys), keys, ["contacts"], span)
    forecasts = {
        basis: grid(forecast(workspace, span, basis, vendors=request.vendors, queues=queues, keys=keys), keys,
                    ["volume", "rows"], span)
        for basis in FORECASTERS
    }  # fmt: skip
    size, starts = len(span.epochs), span.local_starts()
    everything = np.ones(size, dtype=np.bool_)
    found: list[Spike] = []
    curves: dict[str, list[dict[str, object]]] = {}
    for vendor in sorted({key[0] for kind in forecasts.values() for key in kind}):
        shares = [coverage(forecast_reaches(forecasts[kind], vendor, size), everything) for kind in FORECASTERS]
        basis = request.basis or forecast_basis(*shares)
        mine = {key: arrays for key, arrays in forecasts[basis].items() if key[0] == vendor}
        flags = np.zeros(size, dtype=np.bool_)
        for key, arrays in sorted(mine.items()):
            seen = observed(arrays, actual, key, size)
            mask, spiked = _queue_spikes(starts, span.minutes, request, basis=basis, key=key, arrays=arrays, seen=seen)
            found.extend(spiked)
            flags |= mask
        if mine:
            rows = pooled_curve(mine, actual, vendor, span)
            curves[vendor] = [{**row, "spike": bool(flag)} for row, flag in zip(rows, flags, strict=True)]
    found.sort(key=lambda s: (s.p_value, s.start))
    return found, curves


def _queue_spikes(
    starts: list[datetime], minutes: int, request: SpikeRequest, *, basis: str, key: tuple[str, ...],
    arrays: dict[str, Floats], seen: Floats,
) -> tuple[Flags, list[Spike]]:  # fmt: skip
    """Which intervals of one queue spiked, and its spikes (runs of them, unless `merge` is off)."""
    expected = arrays["volume"]
    mask = spike_mask(seen, expected, request.rule) & (arrays["rows"] > 0)
    tails = tail_probability(seen, expected)
    pieces = runs(mask) if request.merge else [(int(i), int(i)) for i in np.flatnonzero(mask)]
    found = []
    for first, last in pieces:
        found.append(
            Spike(
                key[0], key[1], basis, starts[first], starts[last] + timedelta(minutes=minutes), last - first + 1,
                float(seen[first : last + 1].sum()), float(expected[first : last + 1].sum()),
                float(tails[first : last + 1].min()),
            )
        )  # fmt: skip
    return mask, found


def _risky(
    workspace: Workspace, ahead: IntervalRange, request: SpikeRequest, now: datetime
) -> tuple[list[RiskyInterval], dict[str, tuple[str, ...]]]:
    """Open intervals ahead whose forecast needs more agents than are scheduled, and per vendor the notes
    that qualify them (a vendor without a forecast or without schedules ahead is not checked)."""
    if len(ahead.epochs) == 0:
        return [], {}
    queues = (request.queue,) if request.queue else ()
    found: list[RiskyInterval] = []
    notes: dict[str, tuple[str, ...]] = {}
    days = days_ahead(request.ahead_days)
    for vendor in staffing_over(
        workspace, ahead, vendors=request.vendors, queues=queues, basis=request.basis, plan=request.plan,
        now=epoch_of(now),
    ):  # fmt: skip
        if vendor.basis not in FORECASTERS:
            notes[vendor.vendor] = (f"no forecast in {days}: not checked",)
            continue
        kept = tuple(note for note in vendor.notes if note != NO_SCHEDULES)
        if not vendor.has_schedules:  # rosters are often published a week at a time
            notes[vendor.vendor] = (f"no schedules in {days}: not checked (every interval would be short)", *kept)
            continue
        notes[vendor.vendor] = kept
        short = (vendor.required - vendor.scheduled > 1e-9) & vendor.counted
        for i in np.flatnonzero(short):
            found.append(
                RiskyInterval(
                    vendor.vendor, vendor.basis, vendor.local_starts[i], float(vendor.volume[i]),
                    int(vendor.required[i]), float(vendor.scheduled[i]),
                )
            )  # fmt: skip
    found.sort(key=lambda r: (r.start, r.vendor))
    return found, {vendor: noted for vendor, noted in notes.items() if noted}
