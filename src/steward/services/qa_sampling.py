"""`steward qa sample`: the month's review assignments from the warehouse's interactions."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from steward.domain.sampling import TARGETS, Assignment, Candidate, quotas, stratified, targeted
from steward.engine.periods import Periods
from steward.services.scorecard import ScorecardError, resolve_period
from steward.workspace import Workspace

COLUMNS = ("interaction", "vendor", "agent_id", "frame", "reason")


class SamplingError(ValueError):
    """A sampling request the user has to correct."""


@dataclass(frozen=True)
class SamplePlan:
    """What to review, and how many came from each frame."""

    period: str
    seed: int
    assignments: list[Assignment]
    candidates: int
    file: Path | None = None
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass(frozen=True)
class SampleRequest:
    period: str
    total: int = 0
    per_agent: int = 0
    targets: Sequence[str] = ()
    per_queue: int = 0
    seed: int = 1
    vendors: Sequence[str] = ()


def sample(workspace: Workspace, request: SampleRequest, out: Path | None = None) -> SamplePlan:
    """Draw the three frames for the month and write the assignment list as CSV."""
    unknown = [name for name in request.targets if name not in TARGETS]
    if unknown:
        raise SamplingError(f"unknown targeted queue {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    try:
        period, _ = resolve_period(request.period, workspace)
    except ScorecardError as error:
        raise SamplingError(str(error)) from None
    if period.grain != "month":
        raise SamplingError("sample one month at a time, e.g. --period 2026-10")
    periods = Periods(workspace.settings.reporting_timezone)
    start, end = periods.bounds(period.first, period.last_day)
    assert start is not None and end is not None  # noqa: S101 - both days given
    candidates = _candidates(workspace, start, end, request.vendors)
    picked = stratified(candidates, request.total, request.seed) if request.total else []
    if request.per_agent:
        chosen = {a.key for a in picked}
        picked += [a for a in quotas(candidates, request.per_agent, start, end, request.seed) if a.key not in chosen]
    if request.targets and request.per_queue:
        picked += targeted(candidates, request.targets, request.per_queue, request.seed, [a.key for a in picked])
    target = out or workspace.reports / "qa" / f"sample-{period.label}-seed{request.seed}.csv"
    _write(target, picked)
    counts = Counter((str(a.frame), a.vendor) for a in picked)
    return SamplePlan(period.label, request.seed, picked, len(candidates), target, counts)


def _candidates(workspace: Workspace, start: object, end: object, vendors: Sequence[str]) -> list[Candidate]:
    t = workspace.warehouse.table("interactions")
    conditions = [t.created_at >= ibis.timestamp(start), t.created_at < ibis.timestamp(end)]
    if vendors:
        conditions.append(t.vendor.isin(list(vendors)))
    rows = (
        t.filter(*conditions)
        .select("source", "interaction_id", "vendor", "queue", "channel", "agent_id", "created_at", "csat",
                "handle_seconds", "reopens", "transfers")
        .to_pyarrow()
        .to_pylist()
    )  # fmt: skip
    return [
        Candidate(
            key=f"{row['source']}:{row['interaction_id']}",
            vendor=row["vendor"],
            queue=row["queue"],
            channel=row["channel"],
            agent_id=row["agent_id"],
            created_at=row["created_at"],
            csat=row["csat"],
            handle_seconds=row["handle_seconds"],
            reopens=row["reopens"] or 0,
            transfers=row["transfers"] or 0,
        )
        for row in rows
    ]


def _write(path: Path, assignments: Sequence[Assignment]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for a in assignments:
            writer.writerow([a.key, a.vendor, a.agent_id or "", a.frame, a.reason])
