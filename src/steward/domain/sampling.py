"""Which interactions QA reviews: random strata, per-agent quotas spread over the period, targeted queues.

Three frames, never mixed: the **random** sample (stratified by vendor, queue and channel, each
stratum in proportion to its volume) measures the KPI; **quotas** give every agent the same number of
reviews, one from each equal slice of the period so that nobody is judged on one bad afternoon (a
slice with nothing to review lends its pick to the next slice that has spare); **targeted** queues
(low CSAT, long handle time, reopens, escalations, transfers) find problems on purpose and are
labelled so they never bias the KPI. The same seed and the same candidates give the same sample.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Frame = Literal["random", "quota", "targeted"]


@dataclass(frozen=True)
class Candidate:
    """An interaction that may be reviewed, with what the frames select on."""

    key: str
    vendor: str
    queue: str
    channel: str
    agent_id: str | None
    created_at: datetime
    csat: int | None = None
    handle_seconds: float | None = None
    reopens: int = 0
    transfers: int = 0
    escalated: bool = False


@dataclass(frozen=True)
class Assignment:
    key: str
    vendor: str
    agent_id: str | None
    frame: Frame
    reason: str


def stratified(candidates: Sequence[Candidate], total: int, seed: int) -> list[Assignment]:
    """`total` reviews over vendor x queue x channel strata in proportion to volume (largest
    remainders get the extra ones), drawn at random within each stratum."""
    strata: dict[tuple[str, str, str], list[Candidate]] = defaultdict(list)
    for candidate in _ordered(candidates):
        strata[candidate.vendor, candidate.queue, candidate.channel].append(candidate)
    volume = sum(len(members) for members in strata.values())
    if volume == 0 or total <= 0:
        return []
    share = {key: min(len(m), total * len(m) / volume) for key, m in strata.items()}
    counts = {key: int(value) for key, value in share.items()}
    spare = min(total, volume) - sum(counts.values())
    for key in sorted(share, key=lambda k: (counts[k] - share[k], k)):
        if spare <= 0:
            break
        if counts[key] < len(strata[key]):
            counts[key] += 1
            spare -= 1
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    picked = []
    for key in sorted(strata):
        for candidate in rng.sample(strata[key], counts[key]):
            picked.append(_assign(candidate, "random", f"stratum {'/'.join(key)}"))
    return picked


def quotas(
    candidates: Sequence[Candidate], per_agent: int, start: datetime, end: datetime, seed: int
) -> list[Assignment]:
    """`per_agent` reviews for every agent, one from each of `per_agent` equal slices of [start, end)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    by_agent: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in _ordered(candidates):
        if candidate.agent_id is not None and start <= candidate.created_at < end:
            by_agent[candidate.agent_id].append(candidate)
    picked = []
    span = (end - start) / per_agent if per_agent > 0 else end - start
    for agent in sorted(by_agent):
        slices: list[list[Candidate]] = [[] for _ in range(per_agent)]
        for candidate in by_agent[agent]:
            slices[min(int((candidate.created_at - start) / span), per_agent - 1)].append(candidate)
        picked += _one_per_slice(agent, slices, rng)
    return picked


def _one_per_slice(agent: str, slices: list[list[Candidate]], rng: random.Random) -> list[Assignment]:
    """One pick per slice; a slice short of candidates passes its pick on to the next, and what is
    still owed at the end comes from whatever the agent has left, latest slices first."""
    chosen: list[Assignment] = []
    left: list[tuple[int, list[Candidate]]] = []
    owed = 0
    for index, members in enumerate(slices):
        take = min(len(members), 1 + owed)
        owed = 1 + owed - take
        picks = rng.sample(members, take)
        chosen += [_assign(c, "quota", f"agent {agent}, slice {index + 1} of {len(slices)}") for c in picks]
        left.append((index, [c for c in members if c not in picks]))
    for index, members in reversed(left):
        take = min(len(members), owed)
        owed -= take
        for candidate in rng.sample(members, take):
            chosen.append(_assign(candidate, "quota", f"agent {agent}, slice {index + 1} of {len(slices)} (spare)"))
    return chosen


TARGETS: dict[str, Callable[[Candidate, float], bool]] = {
    "low_csat": lambda c, _: c.csat is not None and c.csat <= 2,
    "long_handle_time": lambda c, p90: c.handle_seconds is not None and c.handle_seconds > p90,
    "reopened": lambda c, _: c.reopens > 0,
    "escalated": lambda c, _: c.escalated,
    "transferred": lambda c, _: c.transfers > 0,
}


def targeted(
    candidates: Sequence[Candidate], queues: Iterable[str], per_queue: int, seed: int, exclude: Iterable[str] = ()
) -> list[Assignment]:
    """Up to `per_queue` reviews from each targeted queue (long handle time: above the candidates'
    90th percentile), never an interaction already in another frame or in an earlier queue."""
    taken = set(exclude)
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    p90 = _p90([c.handle_seconds for c in candidates if c.handle_seconds is not None])
    picked = []
    for queue in queues:
        if queue not in TARGETS:
            raise ValueError(f"unknown targeted queue {queue!r}; known: {', '.join(TARGETS)}")
        members = [c for c in _ordered(candidates) if c.key not in taken and TARGETS[queue](c, p90)]
        for candidate in rng.sample(members, min(per_queue, len(members))):
            picked.append(_assign(candidate, "targeted", queue.replace("_", " ")))
            taken.add(candidate.key)
    return picked


def _p90(values: list[float]) -> float:
    if not values:
        return float("inf")
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ordered(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Candidates in a fixed order, whatever order the warehouse returned them in."""
    return sorted(candidates, key=lambda c: (c.created_at, c.key))


def _assign(candidate: Candidate, frame: Frame, reason: str) -> Assignment:
    return Assignment(candidate.key, candidate.vendor, candidate.agent_id, frame, reason)
