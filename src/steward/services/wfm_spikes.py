"""`steward wfm spikes`: demand spikes that happened, and risky intervals ahead (docs/wfm.md).

A spike is judged per vendor, queue and interval against the forecast for that cell (Steward's, or
the partner's own): the Poisson tail and relative excess of domain/demand_spikes.py. Consecutive
spike intervals of one queue merge into one run, since a campaign e-mail or an outage floods a
queue for an hour, not for thirty minutes. Cells without a forecast row are never tested: no
forecast is no claim to compare with.

Risky intervals look forward from "now" (the workspace clock unless given): the forecast's
required agents against the agents scheduled on work, as `wfm staff` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from steward.domain.clock import naive_utc
from steward.domain.demand_spikes import SpikeRule, runs, spike_mask, tail_probability
from steward.domain.staffing import StaffingGoal
from steward.services.wfm_intervals import (
    STEWARD,
    IntervalRange,
    IntervalWindow,
    arrivals,
    epoch_of,
    forecast,
    forecast_reach,
    grid,
    instants_range,
    interval_range,
)
from steward.services.wfm_staffing import forecast_basis, staffing_over
from steward.workspace import Workspace

FORECAST_BASES = (STEWARD, "vendor")


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


def spikes(workspace: Workspace, request: SpikeRequest) -> SpikeReport:
    """Spikes in [start, end] and risky intervals in the `ahead_days` after now."""
    if request.basis is not None and request.basis not in FORECAST_BASES:
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
    return SpikeReport(request, span.timezone, now, found, _risky(workspace, ahead, request, now), curves)


def _detect(
    workspace: Workspace, span: IntervalRange, request: SpikeRequest
) -> tuple[list[Spike], dict[str, list[dict[str, object]]]]:
    keys = ["vendor", "queue"]
    queues = (request.queue,) if request.queue else ()
    reach = forecast_reach(workspace, request.vendors)
    actual = grid(arrivals(workspace, span, request.vendors, queues, keys), keys, ["contacts"], span)
    forecasts = {
        basis: grid(
            forecast(workspace, span, basis, vendors=request.vendors, queues=queues, keys=keys),
            keys,
            ["volume", "rows"],
            span,
        )
        for basis in FORECAST_BASES
    }
    starts = span.local_starts()
    size = len(starts)
    found: list[Spike] = []
    totals: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for vendor in sorted({v for v, _ in reach}):
        basis = request.basis or forecast_basis(reach, vendor, span)
        for key, arrays in sorted(forecasts.get(basis, {}).items()):
            if key[0] != vendor:
                continue
            expected = arrays["volume"]
            seen = np.where(arrays["rows"] > 0, actual.get(key, {}).get("contacts", np.zeros(size)), 0.0)
            mask = spike_mask(seen, expected, request.rule) & (arrays["rows"] > 0)
            tails = tail_probability(seen, expected)
            pieces = runs(mask) if request.merge else [(int(i), int(i)) for i in np.flatnonzero(mask)]
            for first, last in pieces:
                found.append(
                    Spike(
                        vendor, key[1], basis, starts[first], starts[last] + timedelta(minutes=span.minutes),
                        last - first + 1, float(seen[first : last + 1].sum()), float(expected[first : last + 1].sum()),
                        float(tails[first : last + 1].min()),
                    )
                )  # fmt: skip
            fc, ac, flags = totals.setdefault(vendor, (np.zeros(size), np.zeros(size), np.zeros(size, dtype=bool)))
            fc += expected
            ac += seen
            flags |= mask
    curves = {
        vendor: [
            {"interval": starts[i].replace(tzinfo=None), "forecast": round(float(fc[i]), 2), "actual": float(ac[i]),
             "spike": bool(flags[i])}
            for i in range(size)
        ]
        for vendor, (fc, ac, flags) in totals.items()
    }  # fmt: skip
    found.sort(key=lambda s: (s.p_value, s.start))
    return found, curves


def _risky(workspace: Workspace, ahead: IntervalRange, request: SpikeRequest, now: datetime) -> list[RiskyInterval]:
    if len(ahead.epochs) == 0:
        return []
    queues = (request.queue,) if request.queue else ()
    found = []
    for vendor in staffing_over(
        workspace, ahead, vendors=request.vendors, queues=queues, basis=request.basis, plan=request.plan,
        now=epoch_of(now),
    ):  # fmt: skip
        if vendor.basis not in FORECAST_BASES:
            continue  # no forecast reaches ahead for this vendor: nothing to be risky about
        for i in np.flatnonzero(vendor.required - vendor.scheduled > 1e-9):
            found.append(
                RiskyInterval(
                    vendor.vendor, vendor.basis, vendor.local_starts[i], float(vendor.volume[i]),
                    int(vendor.required[i]), float(vendor.scheduled[i]),
                )
            )  # fmt: skip
    found.sort(key=lambda r: (r.start, r.vendor))
    return found
