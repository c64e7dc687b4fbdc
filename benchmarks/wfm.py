"""Staffing benchmark (issue 6): required agents for a year of 15-minute intervals against pyworkforce,
and Erlang A time per interval.

    .venv/bin/python -m pip install -e '.[bench]'    # pyworkforce (0.5.1 on Python 3.11)
    .venv/bin/python benchmarks/wfm.py [--repeat 3]

Targets: required agents at least 25x faster than pyworkforce with identical raw agent counts (any
difference reported with its cause); Erlang A at most 1 ms per interval. The forecasting target has
its own script, benchmarks/wfm_forecast.py.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np

from steward.domain.erlang import ServiceGoal, fte, required_agents_erlang_a, required_agents_erlang_c

INTERVALS = 35_040  # a year of 15-minute intervals
INTERVAL_SECONDS = 900
AHT_SECONDS = 300.0
SHRINKAGE = 0.30
GOAL = ServiceGoal(service_level=0.8, answer_seconds=20, max_occupancy=0.85)


def year_of_volumes(seed: int = 1) -> np.ndarray:
    """Poisson volumes around a double-hump day, weekends at 45%, a +-15% yearly swing, 0..400."""
    rng = np.random.default_rng(seed)
    index = np.arange(INTERVALS)
    hour = (index % 96) / 4
    day = index // 96
    hump = np.exp(-(((hour - 10.5) / 2.2) ** 2)) + 0.8 * np.exp(-(((hour - 15) / 2.0) ** 2))
    weekly = np.where(day % 7 >= 5, 0.45, 1.0)
    yearly = 1 + 0.15 * np.sin(2 * np.pi * day / 365)
    return np.clip(rng.poisson(260 * hump * weekly * yearly), 0, 400).astype(np.float64)


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def pyworkforce_positions(volumes: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyworkforce.queuing import ErlangC

    raw, positions = np.zeros(len(volumes), dtype=np.int64), np.zeros(len(volumes), dtype=np.int64)
    for i, (volume, seconds) in enumerate(zip(volumes, aht, strict=True)):
        if volume <= 0:
            continue  # pyworkforce raises on zero volume: the caller has to guard it
        erlang = ErlangC(transactions=volume, aht=seconds / 60, asa=GOAL.answer_seconds / 60, interval=15,
                         shrinkage=SHRINKAGE)  # fmt: skip
        found = erlang.required_positions(service_level=GOAL.service_level, max_occupancy=GOAL.max_occupancy)
        raw[i], positions[i] = found["raw_positions"], found["positions"]
    return raw, positions


def _their_intensity(volume: float, aht_seconds: float) -> float:
    from pyworkforce.queuing import ErlangC

    erlang = ErlangC(transactions=volume, aht=aht_seconds / 60, asa=GOAL.answer_seconds / 60, interval=15)
    return float(erlang.intensity)


def steward_positions(volumes: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    raw = required_agents_erlang_c(volumes, aht, INTERVAL_SECONDS, GOAL)
    return raw, fte(raw, SHRINKAGE)


def compare(label: str, volumes: np.ndarray, aht: np.ndarray, repeat: int) -> None:
    theirs_time, theirs = best_of(1, lambda: pyworkforce_positions(volumes, aht))
    ours_time, ours = best_of(repeat, lambda: steward_positions(volumes, aht))
    assert isinstance(theirs, tuple) and isinstance(ours, tuple)
    raw_differ = theirs[0] != ours[0]
    fte_differ = (ours[1] != theirs[1]) & ~raw_differ
    print(f"{label}: pyworkforce {theirs_time:.3f} s, Steward {ours_time * 1000:.1f} ms "
          f"-> {theirs_time / ours_time:.0f}x faster (target >= 25x)")  # fmt: skip
    print(f"  raw agents differ in {int(raw_differ.sum())} of {len(volumes):,} intervals (target 0)")
    for i in np.nonzero(raw_differ)[0][:4]:
        theirs_needed = _their_intensity(float(volumes[i]), float(aht[i])) / GOAL.max_occupancy
        print(f"    {volumes[i]:.0f} calls, AHT {aht[i]} s: the occupancy cap needs A / {GOAL.max_occupancy}; "
              f"pyworkforce computes {theirs_needed!r} in floating point and ceils it to {theirs[0][i]}, "
              f"Steward takes {ours[0][i]} (occupancy exactly {GOAL.max_occupancy:.0%})")  # fmt: skip
    if fte_differ.any():
        examples = sorted({int(r) for r in ours[0][fte_differ]})[:6]
        float_ceil = [math.ceil(r / (1 - SHRINKAGE)) for r in examples]
        print(f"  after {SHRINKAGE:.0%} shrinkage {int(fte_differ.sum())} more intervals differ, pyworkforce +1: "
              f"raw {examples} -> Steward {fte(examples, SHRINKAGE).tolist()}, ceil(raw / 0.7) in floating point "
              f"{float_ceil} (21 / 0.7 = {21 / 0.7!r})")  # fmt: skip
    print(f"  agent-intervals: Steward {int(ours[1].sum()):,}, pyworkforce {int(theirs[1].sum()):,}")


def erlang_a_per_interval(repeat: int) -> None:
    """Distinct (volume, AHT) in every interval, so no interval reuses another's answer."""
    rng = np.random.default_rng(2)
    count = 2_000
    volumes = rng.integers(1, 401, count).astype(np.float64)
    aht = AHT_SECONDS + rng.uniform(-0.5, 0.5, count)  # distinct AHTs defeat the per-value cache
    goal = ServiceGoal(service_level=0.8, answer_seconds=20, max_occupancy=0.85)
    seconds, agents = best_of(repeat, lambda: required_agents_erlang_a(volumes, aht, 120, INTERVAL_SECONDS, goal))
    print(f"Erlang A, required agents for {count:,} distinct intervals (1-400 calls per 15 min, AHT 5 min, "
          f"patience 2 min, 80/20, occupancy <= 85%): {seconds:.3f} s = {seconds / count * 1000:.3f} ms per "
          f"interval (target <= 1 ms)")  # fmt: skip
    try:
        from pyworkforce.queuing import ErlangA  # noqa: F401 - only present from 0.5.3, which needs Python 3.12
    except ImportError:
        print("  pyworkforce's ErlangA needs 0.5.3+ (Python >= 3.12); not installable on this Python 3.11, so the "
              "comparison is against its published measurement (docs/wfm.md): about 650 ms per interval")  # fmt: skip
    assert isinstance(agents, np.ndarray)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of Steward's side; the best counts")
    args = parser.parse_args()
    volumes = year_of_volumes()
    zero = int((volumes == 0).sum())
    print(
        f"{INTERVALS:,} intervals, mean volume {volumes.mean():.1f}, max {volumes.max():.0f}, {zero:,} with no volume"
    )
    compare("Erlang C, constant AHT", volumes, np.full(INTERVALS, AHT_SECONDS), args.repeat)
    varying = np.random.default_rng(3).uniform(240, 360, INTERVALS).round(1)
    compare("Erlang C, AHT varying per interval", volumes, varying, args.repeat)
    erlang_a_per_interval(args.repeat)


if __name__ == "__main__":
    main()
