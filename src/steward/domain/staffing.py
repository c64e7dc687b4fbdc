"""Required against scheduled against staffed agents per interval, and what the gaps add up to.

Required agents are the agents who must be on the line (available, on a contact or wrapping up)
in the interval to meet the service goal: Erlang C by default, Erlang A when callers' patience is
known. Scheduled and staffed agents are already net of breaks and absence (they count only `work`
activity and productive states), so they compare with *required*, not with the FTE: the FTE
(required after shrinkage) is the headcount a partner must roster to have them (docs/wfm.md).

>>> plan = StaffingGoal()
>>> required_agents(np.array([100.0]), np.array([180.0]), 1800, plan).tolist()
[14]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from steward.domain.erlang import ServiceGoal, fte, required_agents_erlang_a, required_agents_erlang_c

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
SHORT = -1e-9
"""A gap below this is a shortfall: scheduled minutes are sums of floats, so 14 agents may add up to
13.999999999999998, which is not short."""


@dataclass(frozen=True)
class StaffingGoal:
    """How required agents are computed: the service goal, callers' patience (Erlang A when set) and
    the shrinkage that turns agents into rostered FTE."""

    goal: ServiceGoal = field(default_factory=ServiceGoal)
    patience_seconds: float | None = None
    shrinkage: float = 0.3
    """Share of paid time lost (breaks, absence): Assembled's BPO benchmark is 20-30% (research/wfm.md §1.4)."""

    @property
    def model(self) -> str:
        return "Erlang C" if self.patience_seconds is None else f"Erlang A (patience {self.patience_seconds:g} s)"


def required_agents(volume: Floats, aht_seconds: Floats, interval_seconds: int, plan: StaffingGoal) -> Ints:
    """Agents needed on the line in each interval (0 where nothing is expected)."""
    # An interval with volume but no known handle time cannot be staffed by formula: it needs 0 here
    # and the caller reports the missing handle time rather than inventing one.
    known = np.where(np.isfinite(aht_seconds) & (aht_seconds > 0), aht_seconds, 0.0)
    usable = np.where(known > 0, volume, 0.0)
    if plan.patience_seconds is None:
        return required_agents_erlang_c(usable, known, interval_seconds, plan.goal)
    return required_agents_erlang_a(usable, known, plan.patience_seconds, interval_seconds, plan.goal)


def required_fte(agents: Ints, plan: StaffingGoal) -> Ints:
    """Headcount to roster so that `agents` remain after shrinkage."""
    return fte(agents, plan.shrinkage)


OPEN_SHARE = 0.5
"""An interval counts as open when at least this share of it lies inside the business hours."""


def open_intervals(starts: Ints, seconds: int, windows: Sequence[tuple[int, int]]) -> Flags:
    """Which intervals (epoch-second starts, `seconds` long) lie at least half inside the open windows
    ([opens, closes) in epoch seconds, not overlapping one another).

    >>> open_intervals(np.array([0, 1800, 3600]), 1800, [(900, 4500)]).tolist()
    [True, True, True]
    >>> open_intervals(np.array([0, 1800, 3600]), 1800, [(1000, 4400)]).tolist()
    [False, True, False]
    """
    inside = np.zeros(len(starts))
    for opens, closes in windows:
        inside += np.clip(np.minimum(starts + seconds, closes) - np.maximum(starts, opens), 0, None)
    return np.asarray(inside >= OPEN_SHARE * seconds)


@dataclass(frozen=True)
class Gaps:
    """Per interval: scheduled − required and staffed − required (NaN where nothing was observed)."""

    scheduled: Floats
    staffed: Floats

    @property
    def underscheduled(self) -> Flags:
        return self.scheduled < SHORT

    @property
    def understaffed(self) -> Flags:
        return np.nan_to_num(self.staffed, nan=0.0) < SHORT


def gaps(required: Ints, scheduled: Floats, staffed: Floats) -> Gaps:
    """Scheduled and staffed agents minus required agents, interval by interval."""
    need = required.astype(np.float64)
    return Gaps(scheduled - need, staffed - need)


@dataclass(frozen=True)
class GapSummary:
    """One vendor's staffing over a range: how often, how badly and how long it fell short, counted over
    the intervals that count (its open hours, or all of them)."""

    intervals: int
    counted: int
    """Intervals the figures below count: those inside the vendor's business hours, unless all count."""
    understaffed: int
    """Past intervals with fewer agents in productive states than required."""
    underscheduled: int
    """Intervals with fewer agents scheduled on work than required."""
    worst_gap: float | None
    """The most negative staffed − required (agents), None when no interval was observed."""
    worst_at: datetime | None
    """Start of that interval, as the caller gave the starts (local time for display)."""
    required_hours: float
    staffed_hours_short: float
    """Σ max(required − staffed, 0) × interval hours, over observed intervals."""
    scheduled_hours_short: float
    covered_share: float | None
    """Σ min(staffed, required) / Σ required over observed intervals: required hours actually delivered
    in the intervals that needed them (line adherence); None when nothing was required."""


def summarise(
    starts: list[datetime],
    required: Ints,
    scheduled: Floats,
    staffed: Floats,
    interval_minutes: int,
    *,
    counted: Flags | None = None,
) -> GapSummary:
    """Count and size the shortfalls over the `counted` intervals (default all); `staffed` is NaN for
    intervals not observed yet (the future)."""
    hours = interval_minutes / 60
    if counted is None:
        counted = np.ones(len(starts), dtype=np.bool_)
    # An interval that does not count is treated as needing nobody and seeing nobody.
    required = np.where(counted, required, 0)
    scheduled = np.where(counted, scheduled, 0.0)
    staffed = np.where(counted, staffed, np.nan)
    found = gaps(required, scheduled, staffed)
    need = required.astype(np.float64)
    seen = np.isfinite(staffed)
    worst_gap: float | None = None
    worst_at: datetime | None = None
    if seen.any():
        observed = np.where(seen, found.staffed, np.inf)
        index = int(np.argmin(observed))
        worst_gap, worst_at = float(observed[index]), starts[index]
    need_seen = float(need[seen].sum())
    delivered = float(np.minimum(staffed[seen], need[seen]).sum())
    return GapSummary(
        intervals=len(starts),
        counted=int(counted.sum()),
        understaffed=int(found.understaffed.sum()),
        underscheduled=int(found.underscheduled.sum()),
        worst_gap=worst_gap,
        worst_at=worst_at,
        required_hours=float(need.sum()) * hours,
        staffed_hours_short=float(np.maximum(-found.staffed[seen], 0.0).sum()) * hours,
        scheduled_hours_short=float(np.maximum(-found.scheduled, 0.0).sum()) * hours,
        covered_share=delivered / need_seen if need_seen > 0 else None,
    )
