"""`steward wfm staff`: required vs scheduled vs staffed agents per vendor and interval (docs/wfm.md).

Required comes from a volume basis: Steward's forecast, the partner's own forecast, or the
contacts that actually arrived (what the partner should have staffed for, with hindsight). A
vendor's queues are pooled, as its agents serve them together: the volumes add up and the handle
time is the volume-weighted mean. Scheduled counts agents on `work`; staffed counts agents in the
productive states of the `conformance` metric (a workspace that redefines them changes both). The
summary counts the intervals inside the vendor's business hours (its calendar), unless asked for all.
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
    open_intervals,
    required_agents,
    required_fte,
    summarise,
)
from steward.services.wfm_history import calendar_for
from steward.services.wfm_intervals import (
    STEWARD,
    IntervalRange,
    IntervalWindow,
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
MOSTLY = 0.9
"""A vendor's own forecast is the default basis when it reaches over at least this share of the range."""


class StaffingRequestError(ValueError):
    """A staffing request the user has to correct."""


@dataclass(frozen=True)
class StaffingRequest(IntervalWindow):
    """What to staff and against which goal; basis: steward, vendor or actual, None as `default_basis`
    chooses."""

    plan: StaffingGoal = field(default_factory=StaffingGoal)
    all_hours: bool = False
    """Count every interval in the summary, not only those inside each vendor's business hours."""


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
    open: Flags
    """Intervals at least half inside the vendor's business hours (all of them without a calendar)."""
    summary: GapSummary
    notes: tuple[str, ...] = ()
    calendar: str | None = None
    all_hours: bool = False

    @property
    def counted(self) -> Flags:
        """The intervals the summary, the worst intervals and the shortfall marks count."""
        return np.ones_like(self.open) if self.all_hours else self.open

    def worst(self, count: int) -> list[int]:
        """Positions of the `count` counted intervals furthest below requirement (staffed, else scheduled)."""
        found = gaps(self.required, self.scheduled, self.staffed)
        gap = np.where(np.isfinite(found.staffed), found.staffed, found.scheduled)
        order = [int(i) for i in np.argsort(gap, kind="stable") if gap[i] < 0 and self.counted[i]]
        return order[:count]

    def below(self) -> Flags:
        """Counted intervals below requirement: staffed where observed, else scheduled (the future)."""
        found = gaps(self.required, self.scheduled, self.staffed)
        return np.where(np.isfinite(found.staffed), found.understaffed, found.underscheduled) & self.counted

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
                "open": bool(self.open[i]),
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
        workspace, span, vendors=request.vendors, queues=queues, basis=request.basis, plan=request.plan,
        all_hours=request.all_hours,
    )  # fmt: skip
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
    all_hours: bool = False,
    now: int | None = None,
) -> list[VendorStaffing]:
    """Per vendor over the range's intervals (shared with the risky-interval check of `wfm spikes`);
    `now` (epoch seconds, default the workspace's clock) ends what has been observed."""
    reach = forecast_reach(workspace, vendors)
    demand = _Demand(workspace, span, vendors, queues)
    scheduled = grid(agents_present(workspace, span, "schedules", [WORK], vendors), ["vendor"], ["agents"], span)
    staffed = grid(agents_present(workspace, span, "agent_states", _productive(workspace), vendors), ["vendor"],
                   ["agents"], span)  # fmt: skip
    names = sorted(set(vendors) or ({v for v, _ in reach} | demand.vendors() | {k[0] for k in scheduled}))
    now = epoch_of(workspace.now_naive_utc()) if now is None else now
    out = []
    for vendor in names:
        chosen = basis or default_basis(reach, vendor, span, now)
        volume, aht, notes = demand.of(vendor, chosen)
        notes.extend(_basis_notes(reach, vendor, chosen, span, now))
        calendar, open_now = business_hours(workspace, vendor, queues, span)
        if calendar is None and not all_hours:
            notes.append("no business calendar: every interval counts as open")
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
        counted = np.ones_like(open_now) if all_hours else open_now
        summary = summarise(starts, need, planned, present, span.minutes, counted=counted)
        out.append(
            VendorStaffing(
                vendor, chosen, starts, volume, aht, need, required_fte(need, plan), planned, present, open_now,
                summary, tuple(notes), calendar, all_hours,
            )
        )  # fmt: skip
    return [v for v in out if v.volume.any() or v.scheduled.any() or np.nan_to_num(v.staffed).any()]


def _productive(workspace: Workspace) -> tuple[str, ...]:
    states = workspace.catalogue.get(PRODUCTIVE_FROM).params["productive_states"]
    return tuple(states) if isinstance(states, tuple) else (str(states),)


def business_hours(
    workspace: Workspace, vendor: str, queues: Sequence[str], span: IntervalRange
) -> tuple[str | None, Flags]:
    """The vendor's calendar (its queue's with one --queue) and which intervals are open by it."""
    calendars = workspace.calendars
    name = calendar_for(calendars, vendor, queues[0] if len(queues) == 1 else "")
    if name is None:
        return None, np.ones(len(span.epochs), dtype=np.bool_)
    low, high = span.from_utc, span.until_utc
    built = calendars.named(name).build(range(low.year - 1, high.year + 1))
    windows = [(epoch_of(opens), epoch_of(closes)) for opens, closes in built.open_intervals(low, high)]
    return name, open_intervals(span.epochs, span.size, windows)


Reach = dict[tuple[str, str], tuple[int, int]]


def default_basis(reach: Reach, vendor: str, span: IntervalRange, now: int) -> str:
    """Steward's forecast when it covers the whole range; else the vendor's own when it covers at least
    `MOSTLY` of it; else the contacts that arrived, for the part of the range that has happened. A range
    wholly in the future has no arrivals: there the forecast reaching furthest into it, if any, is used."""
    if _share(reach.get((vendor, STEWARD)), span.first, span.until) >= 1:
        return STEWARD
    if _share(reach.get((vendor, "vendor")), span.first, span.until) >= MOSTLY:
        return "vendor"
    if span.first < now:
        return "actual"
    reaching = {kind: _share(reach.get((vendor, kind)), span.first, span.until) for kind in (STEWARD, "vendor")}
    best = max(reaching, key=lambda kind: reaching[kind])
    return best if reaching[best] > 0 else "actual"


def forecast_basis(reach: Reach, vendor: str, span: IntervalRange) -> str:
    """The forecast to compare arrivals with (`wfm spikes`): Steward's when it covers the whole range,
    else the vendor's own, else Steward's partial one."""
    if _share(reach.get((vendor, STEWARD)), span.first, span.until) >= 1:
        return STEWARD
    return "vendor" if (vendor, "vendor") in reach else STEWARD


def _share(reached: tuple[int, int] | None, first: int, until: int) -> float:
    """Share of [first, until) between a forecast's first and last instant (0 without a forecast)."""
    if reached is None or until <= first:
        return 0.0
    return max(0, min(reached[1], until) - max(reached[0], first)) / (until - first)


def _basis_notes(reach: Reach, vendor: str, basis: str, span: IntervalRange, now: int) -> list[str]:
    """Say where the chosen basis leaves intervals without demand."""
    if basis == "actual":
        return ["actual arrivals: intervals not over yet need 0 agents"] if span.until > now else []
    share = _share(reach.get((vendor, basis)), span.first, span.until)
    if share < 1:
        return [f"the {basis} forecast reaches over {share:.0%} of the range: the rest needs 0 agents"]
    return []


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
