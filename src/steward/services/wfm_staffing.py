"""`steward wfm staff`: required vs scheduled vs staffed agents per vendor and interval (docs/wfm.md).

Required comes from a volume basis: Steward's forecast, the partner's own forecast, or the
contacts that actually arrived (what the partner should have staffed for, with hindsight). A
vendor's queues are pooled, as its agents serve them together: the volumes add up and the handle
time is the volume-weighted mean. Scheduled counts agents on `work`; staffed counts agents in the
productive states of the `conformance` metric (a workspace that redefines them changes both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from steward.domain.staffing import (
    Flags,
    Floats,
    GapSummary,
    Ints,
    StaffingGoal,
    gaps,
    required_agents,
    required_fte,
    summarise,
)
from steward.services.wfm_intervals import (
    STEWARD,
    IntervalRange,
    agents_present,
    arrivals,
    epoch_of,
    forecast,
    forecast_reach,
    grid,
    interval_range,
)
from steward.workspace import Workspace

BASES = (STEWARD, "vendor", "actual")
WORK = "work"
PRODUCTIVE_FROM = "conformance"


class StaffingRequestError(ValueError):
    """A staffing request the user has to correct."""


@dataclass(frozen=True)
class StaffingRequest:
    """What to staff: a range of local dates, which vendors (and queue), interval length, basis, goal."""

    start: date
    end: date
    vendors: tuple[str, ...] = ()
    queue: str | None = None
    interval_minutes: int = 30
    basis: str | None = None
    """steward, vendor or actual; None: Steward's forecast where it covers the range, else the vendor's."""
    plan: StaffingGoal = field(default_factory=StaffingGoal)


@dataclass(frozen=True)
class VendorStaffing:
    """One vendor's intervals: demand, required, scheduled and staffed agents, and the summary."""

    vendor: str
    basis: str
    local_starts: list[datetime]
    volume: Floats
    aht_seconds: Floats
    required: Ints
    required_fte: Ints
    scheduled: Floats
    staffed: Floats
    """NaN where not observed: intervals not over yet, or a vendor without agent states."""
    summary: GapSummary
    notes: tuple[str, ...] = ()

    def worst(self, count: int) -> list[int]:
        """Positions of the `count` intervals furthest below requirement (staffed, else scheduled)."""
        found = gaps(self.required, self.scheduled, self.staffed)
        gap = np.where(np.isfinite(found.staffed), found.staffed, found.scheduled)
        order = [int(i) for i in np.argsort(gap, kind="stable") if gap[i] < 0]
        return order[:count]

    def below(self) -> Flags:
        """Intervals below requirement: staffed where observed, else scheduled (the future)."""
        found = gaps(self.required, self.scheduled, self.staffed)
        return np.where(np.isfinite(found.staffed), found.understaffed, found.underscheduled)

    def rows(self) -> list[dict[str, object]]:
        """One dict per interval (for tables, CSV and charts); times in the reporting time zone."""
        return [
            {
                "interval": self.local_starts[i].replace(tzinfo=None),
                "vendor": self.vendor,
                "volume": round(float(self.volume[i]), 2),
                "aht_seconds": round(float(self.aht_seconds[i]), 1) if np.isfinite(self.aht_seconds[i]) else None,
                "required": int(self.required[i]),
                "required_fte": int(self.required_fte[i]),
                "scheduled": round(float(self.scheduled[i]), 2),
                "staffed": round(float(self.staffed[i]), 2) if np.isfinite(self.staffed[i]) else None,
            }
            for i in range(len(self.local_starts))
        ]


@dataclass(frozen=True)
class StaffingReport:
    request: StaffingRequest
    timezone: str
    vendors: list[VendorStaffing]


def staffing(workspace: Workspace, request: StaffingRequest) -> StaffingReport:
    """Required, scheduled and staffed agents of every vendor (or those asked for) over the range."""
    if request.basis is not None and request.basis not in BASES:
        raise StaffingRequestError(f"--basis {request.basis}: use one of {', '.join(BASES)}")
    try:
        span = interval_range(workspace, request.start, request.end, request.interval_minutes)
    except ValueError as error:
        raise StaffingRequestError(str(error)) from None
    queues = (request.queue,) if request.queue else ()
    found = staffing_over(
        workspace, span, vendors=request.vendors, queues=queues, basis=request.basis, plan=request.plan
    )
    return StaffingReport(request, workspace.settings.reporting_timezone, found)


def staffing_gap_summary(workspace: Workspace, vendor: str, start: date, end: date) -> VendorStaffing:
    """One partner's staffing over [start, end] with the defaults of `steward wfm staff` (for the demo)."""
    report = staffing(workspace, StaffingRequest(start, end, vendors=(vendor,)))
    if not report.vendors:
        raise StaffingRequestError(f"no forecasts, contacts or schedules for vendor {vendor!r} from {start} to {end}")
    return report.vendors[0]


def staffing_over(
    workspace: Workspace,
    span: IntervalRange,
    *,
    vendors: Sequence[str],
    queues: Sequence[str],
    basis: str | None,
    plan: StaffingGoal,
) -> list[VendorStaffing]:
    """Per vendor over the range's intervals (shared with the risky-interval check of `wfm spikes`)."""
    reach = forecast_reach(workspace, vendors)
    demand = _Demand(workspace, span, vendors, queues)
    scheduled = grid(agents_present(workspace, span, "schedules", [WORK], vendors), ["vendor"], ["agents"], span)
    staffed = grid(agents_present(workspace, span, "agent_states", _productive(workspace), vendors), ["vendor"],
                   ["agents"], span)  # fmt: skip
    names = sorted(set(vendors) or ({v for v, _ in reach} | demand.vendors() | {k[0] for k in scheduled}))
    now = epoch_of(workspace.now_naive_utc())
    out = []
    for vendor in names:
        chosen = basis or default_basis(reach, vendor, span)
        volume, aht, notes = demand.of(vendor, chosen)
        planned = scheduled.get((vendor,), {}).get("agents", np.zeros(len(span.epochs)))
        present = staffed.get((vendor,), {}).get("agents")
        if present is None:
            present = np.full(len(span.epochs), np.nan)
            notes.append("no agent states in the range: staffed is unknown")
        present = np.where(span.epochs + span.size <= now, present, np.nan)
        if (vendor,) not in scheduled:
            notes.append("no schedules in the range")
        if queues:
            notes.append("scheduled and staffed are the vendor's whole team (schedules have no queue)")
        need = required_agents(volume, aht, span.size, plan)
        starts = span.local_starts()
        out.append(
            VendorStaffing(
                vendor, chosen, starts, volume, aht, need, required_fte(need, plan), planned, present,
                summarise(starts, need, planned, present, span.minutes), tuple(notes),
            )
        )  # fmt: skip
    return [v for v in out if v.volume.any() or v.scheduled.any() or np.nan_to_num(v.staffed).any()]


def _productive(workspace: Workspace) -> tuple[str, ...]:
    states = workspace.catalogue.get(PRODUCTIVE_FROM).params["productive_states"]
    return tuple(states) if isinstance(states, tuple) else (str(states),)


def default_basis(reach: dict[tuple[str, str], tuple[int, int]], vendor: str, span: IntervalRange) -> str:
    """Steward's forecast when it covers the whole range, else the vendor's, else what arrived."""
    own = reach.get((vendor, STEWARD))
    if own is not None and own[0] <= span.first and own[1] >= span.until:
        return STEWARD
    if (vendor, "vendor") in reach:
        return "vendor"
    return STEWARD if own is not None else "actual"


class _Demand:
    """Volumes and handle times per vendor and basis, each basis read once and only when needed."""

    def __init__(
        self, workspace: Workspace, span: IntervalRange, vendors: Sequence[str], queues: Sequence[str]
    ) -> None:
        self.workspace, self.span, self.vendors_asked, self.queues = workspace, span, vendors, queues
        self._cache: dict[str, dict[tuple[str, ...], dict[str, Floats]]] = {}

    def _read(self, basis: str) -> dict[tuple[str, ...], dict[str, Floats]]:
        if basis not in self._cache:
            ws, span, vendors, queues = self.workspace, self.span, self.vendors_asked, self.queues
            if basis == "actual":
                found = arrivals(ws, span, vendors, queues, ["vendor"])
                self._cache[basis] = grid(found, ["vendor"], ["contacts", "handle_sum", "handled"], span)
            else:
                found = forecast(ws, span, basis, vendors=vendors, queues=queues, keys=["vendor"])
                self._cache[basis] = grid(found, ["vendor"], ["volume", "workload", "timed"], span)
        return self._cache[basis]

    def vendors(self) -> set[str]:
        return {key[0] for key in self._read("actual")}

    def of(self, vendor: str, basis: str) -> tuple[Floats, Floats, list[str]]:
        """Volume and AHT per interval; an interval without a handle time takes the range's mean."""
        empty = np.zeros(len(self.span.epochs))
        arrays = self._read(basis).get((vendor,), {})
        if basis == "actual":
            volume, work, timed = (arrays.get(c, empty) for c in ("contacts", "handle_sum", "handled"))
        else:
            volume, timed = arrays.get("volume", empty), arrays.get("timed", empty)
            work = arrays.get("workload", empty)
        with np.errstate(divide="ignore", invalid="ignore"):
            aht = np.where(timed > 0, work / timed, np.nan)
            mean = float(work.sum() / timed.sum()) if timed.sum() > 0 else np.nan
        aht = np.where(np.isnan(aht), mean, aht)
        notes = []
        untimed = int(((volume > 0) & ~np.isfinite(aht)).sum())
        if untimed:
            notes.append(f"{untimed} intervals with contacts but no handle time: required left at 0")
        return volume, aht, notes
