"""`steward wfm staff`: required vs scheduled vs staffed agents per vendor and interval (docs/wfm.md).

Required comes from a volume basis: Steward's forecast, the partner's own forecast, or the
contacts that actually arrived (what the partner should have staffed for, with hindsight); by
default the one that covers the intervals that count (`default_basis`). A
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
from steward.engine.agent_time import WORK
from steward.services.wfm_history import calendar_for
from steward.services.wfm_intervals import (
    FORECASTERS,
    STEWARD,
    VENDOR,
    Grid,
    IntervalRange,
    IntervalWindow,
    agents_present,
    arrivals,
    epoch_of,
    forecast,
    forecast_reaches,
    grid,
    interval_range,
)
from steward.workspace import Workspace

ACTUAL = "actual"
NO_SCHEDULES = "no schedules in the range"
BASES = (*FORECASTERS, ACTUAL)
PRODUCTIVE_FROM = "conformance"
MOSTLY = 0.9
"""A vendor's own forecast is the default basis when it reaches at least this share of the counted intervals."""


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
    has_schedules: bool = True
    """Whether the range holds any of the vendor's schedule rows (on work or not)."""
    nothing_to_show: str | None = None
    """Why the vendor has no demand, nobody scheduled and nobody staffed in the range; None when it has some."""

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
    nothing_to_show: dict[str, str] = field(default_factory=dict)
    """Vendors asked for or seen in the range that have nothing to show, and why."""


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
    shown = [v for v in found if v.nothing_to_show is None]
    empty = {v.vendor: v.nothing_to_show for v in found if v.nothing_to_show is not None}
    return StaffingReport(request, workspace.settings.reporting_timezone, shown, empty)


def staffing_gap_summary(workspace: Workspace, vendor: str, start: date, end: date) -> VendorStaffing:
    """One partner's staffing over [start, end] with the defaults of `steward wfm staff` (for the demo)."""
    report = staffing(workspace, StaffingRequest(start, end, vendors=(vendor,)))
    if not report.vendors:
        why = report.nothing_to_show.get(vendor, "")
        raise StaffingRequestError(f"nothing to show for vendor {vendor!r} from {start} to {end}: {why}")
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
    """Per vendor over the range's intervals (shared with the risky-interval check of `wfm spikes`): the
    vendors asked for, else every vendor with a forecast, contacts, schedules or agent states in the range,
    those with nothing to show included (`nothing_to_show` says why); `now` (epoch seconds, default the
    workspace's clock) ends what has been observed."""
    moment = epoch_of(workspace.now_naive_utc()) if now is None else now
    found = _Staffing(workspace, span, queues=queues, plan=plan, all_hours=all_hours, now=moment, vendors=vendors)
    return [found.of(vendor, basis) for vendor in found.names()]


class _Staffing:
    """The range's demand, schedules and states read once, then staffed vendor by vendor."""

    def __init__(
        self, workspace: Workspace, span: IntervalRange, *, queues: Sequence[str], plan: StaffingGoal,
        all_hours: bool, now: int, vendors: Sequence[str],
    ) -> None:  # fmt: skip
        self.workspace, self.span, self.queues, self.asked = workspace, span, queues, vendors
        self.plan, self.all_hours, self.now = plan, all_hours, now
        self.demand = _Demand(workspace, span, vendors, queues)
        self.scheduled = grid(agents_present(workspace, span, "schedules", [WORK], vendors), ["vendor"], ["agents"],
                              span)  # fmt: skip
        self.staffed = grid(agents_present(workspace, span, "agent_states", _productive(workspace), vendors),
                            ["vendor"], ["agents"], span)  # fmt: skip

    def names(self) -> list[str]:
        present = {key[0] for key in self.scheduled} | {key[0] for key in self.staffed}
        return sorted(set(self.asked) or (self.demand.vendors() | present))

    def of(self, vendor: str, basis: str | None) -> VendorStaffing:
        span, now = self.span, self.now
        calendar, open_now = business_hours(self.workspace, vendor, self.queues, span)
        counted = np.ones_like(open_now) if self.all_hours else open_now
        shares = {kind: self.demand.coverage(vendor, kind, counted) for kind in FORECASTERS}
        chosen = basis or default_basis(shares[STEWARD], shares[VENDOR], started=span.first < now)
        volume, aht, notes = self.demand.of(vendor, chosen)
        some_closed = bool(counted.any() and not counted.all())
        notes.extend(_basis_notes(chosen, shares.get(chosen, 1.0), span, now, some_closed))
        if calendar is None and not self.all_hours:
            notes.append("no business calendar: every interval counts as open")
        planned = self.scheduled.get((vendor,), {}).get("agents", np.zeros(len(span.epochs)))
        present = self.staffed.get((vendor,), {}).get("agents")
        if present is None:
            present = np.full(len(span.epochs), np.nan)
            if span.first < now:  # a range wholly ahead has no states yet: nothing worth a note
                notes.append("no agent states in the range: staffed is unknown")
        present = np.where(span.epochs + span.size <= now, present, np.nan)
        has_schedules = (vendor,) in self.scheduled
        if not has_schedules:
            notes.append(NO_SCHEDULES)
        if self.queues:
            notes.append("scheduled and staffed are the vendor's whole team (schedules have no queue)")
        need = required_agents(volume, aht, span.size, self.plan)
        starts = span.local_starts()
        summary = summarise(starts, need, planned, present, span.minutes, counted=counted)
        empty = None
        if not (volume.any() or planned.any() or np.nan_to_num(present).any()):
            empty = self._nothing_because(vendor, chosen, has_schedules, (vendor,) in self.staffed)
        return VendorStaffing(
            vendor, chosen, starts, volume, aht, need, required_fte(need, self.plan), planned, present, open_now,
            summary, tuple(notes), calendar, self.all_hours, has_schedules, empty,
        )  # fmt: skip

    def _nothing_because(self, vendor: str, basis: str, schedules: bool, states: bool) -> str:
        """Why a vendor has no demand, nobody scheduled and nobody staffed in the range."""
        where = f" for queue {self.queues[0]}" if len(self.queues) == 1 else ""
        if basis == ACTUAL:
            demand = f"no contacts arrived{where}" + (" (the range has not begun)" if self.span.first >= self.now
                                                      else "")  # fmt: skip
        elif self.demand.reaches(vendor, basis).any():
            demand = f"the {basis} forecast{where} expects no contacts"
        else:
            demand = f"no {basis} forecast{where} in the range"
        team = "nobody scheduled on work" if schedules else "no schedules"
        return f"{demand}; {team}; " + ("nobody in productive states" if states else "no agent states")


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


def default_basis(steward: float, vendor: float, *, started: bool) -> str:
    """Steward's forecast when it covers every counted interval; else the vendor's own when it covers at
    least `MOSTLY` of them; else, once the range has begun, the contacts that arrived. A range wholly in
    the future has no arrivals: there the forecast covering more of it, if any, is used. `steward` and
    `vendor` are the shares of the counted intervals each forecast reaches (`coverage`)."""
    if steward >= 1:
        return STEWARD
    if vendor >= MOSTLY:
        return VENDOR
    if started or max(steward, vendor) <= 0:
        return ACTUAL
    return STEWARD if steward >= vendor else VENDOR


def forecast_basis(steward: float, vendor: float) -> str:
    """The forecast to compare arrivals with (`wfm spikes`): Steward's when it covers the whole range,
    else the vendor's own when it has any, else Steward's partial one."""
    return STEWARD if steward >= 1 or vendor <= 0 else VENDOR


def coverage(reached: Flags, counted: Flags) -> float:
    """Share of the counted intervals a forecast reaches (of all intervals when none is counted).

    >>> coverage(np.array([True, True, False]), np.array([True, True, False]))
    1.0
    """
    among = counted if counted.any() else np.ones_like(counted)
    return float(reached[among].mean()) if among.any() else 0.0


def _basis_notes(basis: str, share: float, span: IntervalRange, now: int, some_closed: bool) -> list[str]:
    """Say where the chosen basis leaves intervals without demand."""
    if basis == ACTUAL:
        return ["actual arrivals: intervals not over yet need 0 agents"] if span.until > now else []
    if share < 1:
        which = "open intervals" if some_closed else "intervals"
        return [f"the {basis} forecast reaches {share:.0%} of the {which}: the rest need 0 agents"]
    return []


class _Demand:
    """Volumes and handle times per vendor and basis, each basis read once and only when needed."""

    def __init__(
        self, workspace: Workspace, span: IntervalRange, vendors: Sequence[str], queues: Sequence[str]
    ) -> None:
        self.workspace, self.span, self.vendors_asked, self.queues = workspace, span, vendors, queues
        self._cache: dict[str, Grid] = {}

    def _read(self, basis: str) -> Grid:
        if basis not in self._cache:
            ws, span, vendors, queues = self.workspace, self.span, self.vendors_asked, self.queues
            if basis == ACTUAL:
                found = arrivals(ws, span, vendors, queues, ["vendor"])
                self._cache[basis] = grid(found, ["vendor"], ["contacts", "handle_sum", "handled"], span)
            else:
                found = forecast(ws, span, basis, vendors=vendors, queues=queues, keys=["vendor"])
                self._cache[basis] = grid(found, ["vendor"], ["volume", "workload", "timed", "rows"], span)
        return self._cache[basis]

    def vendors(self) -> set[str]:
        """Vendors with contacts or a forecast of either kind in the range."""
        return {key[0] for basis in BASES for key in self._read(basis)}

    def reaches(self, vendor: str, basis: str) -> Flags:
        """The intervals the vendor's `basis` forecast reaches (the same queues as the demand)."""
        return forecast_reaches(self._read(basis), vendor, len(self.span.epochs))

    def coverage(self, vendor: str, basis: str, counted: Flags) -> float:
        """Share of the counted intervals the vendor's `basis` forecast reaches."""
        return coverage(self.reaches(vendor, basis), counted)

    def of(self, vendor: str, basis: str) -> tuple[Floats, Floats, list[str]]:
        """Volume and AHT per interval; an interval without a handle time takes the range's mean."""
        empty = np.zeros(len(self.span.epochs))
        arrays = self._read(basis).get((vendor,), {})
        if basis == ACTUAL:
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
