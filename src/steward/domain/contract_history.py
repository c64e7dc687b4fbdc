"""What a period owes to the periods before it: ratcheted targets, repeated misses, earnback,
chronic failure. All of it is derived from the stored outcomes, never kept as separate state,
so re-reading the history always gives the same answer."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from steward.domain.contract_terms import LevelOutcome, LevelTerms, PeriodOutcome, PeriodTerms, Ratchet, Status

ZERO = Decimal(0)


def effective_expected(level: LevelTerms, version: str, history: Sequence[PeriodOutcome]) -> float:
    """The expected target in force: the contract's, or a higher one a ratchet set under the same
    version (a new contract version starts again from its own targets)."""
    if history and history[-1].version == version and level.id in history[-1].next_targets:
        return history[-1].next_targets[level.id]
    return level.expected


def misses_in_window(level_id: str, status: Status, history: Sequence[PeriodOutcome], window: int) -> int:
    """Misses of the expected target (minimum misses included) in the last `window` periods, this one included."""
    earlier = list(history)[-(window - 1) :] if window > 1 else []
    count = sum(1 for outcome in earlier if _status(outcome, level_id).is_miss)
    return count + (1 if status.is_miss else 0)


def earnback_due(
    level: LevelTerms, status: Status, history: Sequence[PeriodOutcome]
) -> tuple[tuple[str, ...], Decimal]:
    """Credits of this level returned now: those whose next N measured periods were all met, the
    Nth being this one. Periods not measured (excluded, too small a sample) neither count nor break
    the run; a credit is returned at most once and never more than was credited."""
    n = level.earnback_periods
    if n is None or status is not Status.MET:
        return (), ZERO
    periods: list[str] = []
    total = ZERO
    for index, earlier in enumerate(history):
        credited = earlier.level(level.id)
        if credited is None or credited.credit <= 0:
            continue
        statuses = [_status(later, level.id) for later in history[index + 1 :]] + [status]
        measured = [s for s in statuses if s.is_measured]
        if len(measured) == n and all(s is Status.MET for s in measured):
            periods.append(earlier.period)
            total += credited.credit
    return tuple(periods), total


def chronic_flags(terms: PeriodTerms, outcome: PeriodOutcome, history: Sequence[PeriodOutcome]) -> tuple[str, ...]:
    """Chronic-failure flags: a critical level missed k times in m periods, or credits at the cap k of m periods."""
    rule = terms.chronic
    if rule is None:
        return ()
    window = [*list(history)[-(rule.within - 1) :], outcome] if rule.within > 1 else [outcome]
    flags = []
    if rule.misses is not None:
        for level in terms.levels:
            if not level.critical:
                continue
            count = sum(1 for o in window if _status(o, level.id).is_miss)
            if count >= rule.misses:
                flags.append(f"chronic failure: {level.id} missed in {count} of the last {len(window)} periods")
    if rule.at_cap is not None:
        count = sum(1 for o in window if o.at_cap)
        if count >= rule.at_cap:
            flags.append(f"chronic failure: credits at the cap in {count} of the last {len(window)} periods")
    return tuple(flags)


def ratcheted_targets(terms: PeriodTerms, outcome: PeriodOutcome, history: Sequence[PeriodOutcome]) -> dict[str, float]:
    """Targets for the next period: those already raised under this version, plus any ratchet
    that fires now because the level beat the same target N periods in a row."""
    carried = dict(history[-1].next_targets) if history and history[-1].version == terms.version else {}
    for level in terms.levels:
        if level.ratchet is None:
            continue
        run = _beating_run(level, terms.version, [*history, outcome])
        if len(run) == level.ratchet.after_periods:
            carried[level.id] = raised_target(level.ratchet, level.better, run[0].expected, achieved_value(run))
    return carried


def raised_target(ratchet: Ratchet, better: str, current: float, achieved: float) -> float:
    """Move `current` towards `achieved` by the ratchet's fraction, limited to the allowed step."""
    step = (achieved - current) * ratchet.fraction
    if ratchet.max_step_percent is not None:
        headroom = 100 - current if better == "higher" else current
        limit = headroom * ratchet.max_step_percent / 100
        step = max(min(step, limit), -limit)
    return round(current + step, 6)


def achieved_value(outcomes: Sequence[LevelOutcome]) -> float:
    """The level's value over several periods: pooled through the denominators when the metric is
    a ratio (never an average of averages), else the mean of the period values (percentiles)."""
    values = [(o.value or 0.0, o.denominator) for o in outcomes]
    denominators = [den for _, den in values if den is not None and den > 0]
    if len(denominators) == len(values):
        return sum(v * (den or 0.0) for v, den in values) / sum(denominators)
    return sum(v for v, _ in values) / len(values)


def _beating_run(level: LevelTerms, version: str, outcomes: Sequence[PeriodOutcome]) -> list[LevelOutcome]:
    """The latest periods in a row, under this contract version, in which the level strictly beat one
    unchanged expected target (a quarterly level's months that are not due are passed over)."""
    run: list[LevelOutcome] = []
    target: float | None = None
    for outcome in reversed(outcomes):
        if outcome.version != version:
            break
        found = outcome.level(level.id)
        if found is not None and found.status is Status.NOT_DUE:
            continue
        if found is None or found.status is not Status.MET or found.value is None:
            break
        if target is not None and found.expected != target:
            break
        target = found.expected
        beats = found.value > target if level.better == "higher" else found.value < target
        if not beats:
            break
        run.append(found)
    return run[::-1]


def _status(outcome: PeriodOutcome, level_id: str) -> Status:
    found = outcome.level(level_id)
    return found.status if found is not None else Status.INSUFFICIENT_SAMPLE
