"""Erlang C and A against published examples (docs/wfm.md) and an independent Markov-chain oracle."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from steward.domain.erlang import (
    ServiceGoal,
    erlang_a,
    erlang_b,
    erlang_c,
    fte,
    required_agents_erlang_a,
    required_agents_erlang_c,
)

HALF_HOUR = 1800
GOAL_80_20 = ServiceGoal(service_level=0.8, answer_seconds=20)


def test_call_centre_helper_worked_example() -> None:
    """100 calls per 30 minutes, AHT 180 s, 80% in 20 s (callcentrehelper.com; pyworkforce's tests)."""
    m = erlang_c(100, 180, HALF_HOUR, [11, 12, 13, 14], 20)
    assert m.traffic[0] == pytest.approx(10.0)
    assert m.p_wait[3] == pytest.approx(0.1741319335950498, abs=1e-12)
    assert m.service_level[3] == pytest.approx(0.8883500191794669, abs=1e-12)
    assert m.asa_seconds[3] == pytest.approx(7.83593701177724, abs=1e-9)
    assert m.occupancy[3] == pytest.approx(0.7142857, abs=1e-7)
    assert m.p_wait[0] == pytest.approx(0.6821182, abs=1e-7) and m.service_level[0] == pytest.approx(
        0.3896138, abs=1e-7
    )
    assert m.service_level[1] == pytest.approx(0.6402, abs=1e-4) and m.asa_seconds[1] == pytest.approx(40.44, abs=0.01)
    assert m.service_level[2] == pytest.approx(0.7956, abs=1e-4) and m.asa_seconds[2] == pytest.approx(17.12, abs=0.01)
    raw = required_agents_erlang_c([100], [180], HALF_HOUR, GOAL_80_20)
    assert raw.tolist() == [14] and fte(raw, 0.3).tolist() == [20]


def test_occupancy_cap_and_other_published_cases() -> None:
    capped = ServiceGoal(0.8, 0.33 * 60, max_occupancy=0.70)  # pyworkforce test_over_occupancy_erlangc
    raw = required_agents_erlang_c([100], [180], HALF_HOUR, capped)
    assert raw.tolist() == [15] and fte(raw, 0.3).tolist() == [22]
    assert erlang_c(100, 180, HALF_HOUR, 15, 19.8).service_level[()] == pytest.approx(0.941, abs=5e-4)
    assert required_agents_erlang_c([25], [752], 900, ServiceGoal(0.9, 20)).tolist() == [28]
    assert erlang_c(35, 752, 900, 37, 20).service_level[()] == pytest.approx(0.90422, abs=1e-5)
    phubers = required_agents_erlang_c([200, 200], [180, 180], HALF_HOUR, ServiceGoal(0.8, 60))
    assert phubers.tolist() == [23, 23]
    assert required_agents_erlang_c([200], [180], HALF_HOUR, ServiceGoal(0.0, 60, max_asa_seconds=120)).tolist() == [22]
    at_25 = erlang_c(200, 180, HALF_HOUR, 25, 60)
    assert at_25.service_level[()] == pytest.approx(0.9605, abs=1e-4) and at_25.asa_seconds[()] == pytest.approx(
        7.53, abs=0.01
    )


def test_raw_erlang_values_and_edges() -> None:
    assert erlang_b(123, 132)[()] == pytest.approx(0.0312428, abs=1e-7)  # a library docstring says 0.0346: wrong
    assert erlang_b(20, 25)[()] == pytest.approx(0.05022, abs=1e-5)
    n, a = 132, 123.0
    b = erlang_b(a, n)[()]
    assert n * b / (n - a * (1 - b)) == pytest.approx(0.3211161792617074, abs=1e-12)
    assert required_agents_erlang_c([0, 0, 5], [300, 300, 300], 900, GOAL_80_20).tolist()[:2] == [0, 0]
    long_wait = ServiceGoal(0.8, 3600, max_occupancy=1.0)  # 80% in an hour: 11, not pyworkforce's 12
    assert required_agents_erlang_c([32], [300], 900, long_wait).tolist() == [11]
    assert fte([21, 42, 84, 161, 0], 0.3).tolist() == [30, 60, 120, 230, 0]
    with pytest.raises(ValueError, match="below 1"):
        fte([1], 1)


def test_erlang_a_published_regression() -> None:
    """pyworkforce 0.5.4's ErlangA regression: 100 per 30 min, AHT 3 min, patience 5 min, 20 s, 14 agents."""
    m = erlang_a(100, 180, 300, HALF_HOUR, 14, answer_seconds=20)
    assert m.p_wait[()] == pytest.approx(0.145260, abs=1e-6)
    assert m.p_abandon[()] == pytest.approx(0.013984, abs=1e-6)
    assert m.occupancy[()] == pytest.approx(0.704297, abs=1e-6)
    assert m.asa_seconds[()] == pytest.approx(0.069919 * 60, abs=1e-4)
    assert m.service_level[()] == pytest.approx(0.916792, abs=1e-6)


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    for agents in (15, 20, 25):
        a, c = (
            erlang_a(100, 180, 1e6 * 60, HALF_HOUR, agents, answer_seconds=20),
            erlang_c(100, 180, HALF_HOUR, agents, 20),
        )
        assert a.p_wait[()] == pytest.approx(c.p_wait[()], abs=1e-4)
        assert a.service_level[()] == pytest.approx(c.service_level[()], abs=1e-3)


def test_erlang_a_staffs_below_the_traffic_when_callers_leave() -> None:
    """400 calls per 15 min, AHT 5 min, patience 2 min, 80/20: 129 agents (A = 133.3); Erlang C needs 142."""
    assert required_agents_erlang_a([400], [300], 120, 900, GOAL_80_20).tolist() == [129]
    m = erlang_a(400, 300, 120, 900, 129, answer_seconds=20)
    assert m.service_level[()] == pytest.approx(0.8150, abs=1e-4) and m.p_abandon[()] == pytest.approx(0.0612, abs=1e-4)
    assert required_agents_erlang_c([400], [300], 900, GOAL_80_20).tolist() == [142]
    volumes = [20, 50, 100, 200, 400]  # research table: Erlang C vs A with patience 2 and 5 minutes
    assert required_agents_erlang_c(volumes, [300] * 5, 900, GOAL_80_20).tolist() == [10, 21, 39, 74, 142]
    assert required_agents_erlang_a(volumes, [300] * 5, 120, 900, GOAL_80_20).tolist() == [9, 19, 35, 67, 129]
    assert required_agents_erlang_a(volumes, [300] * 5, 300, 900, GOAL_80_20).tolist() == [9, 20, 37, 70, 135]
    assert required_agents_erlang_a([0, 0], [300, 300], 120, 900, GOAL_80_20).tolist() == [0, 0]


def chain_oracle(lam: float, mu: float, theta: float, n: int, t: float) -> tuple[float, float, float]:
    """P(wait), P(abandon) and SL(t) by brute force: a truncated birth-death distribution, and for SL
    the tagged caller's chain (positions ahead, own patience) solved with a matrix exponential."""
    size = 400
    weights = [1.0]
    for k in range(1, size):
        rate_out = min(k, n) * mu + max(k - n, 0) * theta
        weights.append(weights[-1] * lam / rate_out)
    pi = np.array(weights) / sum(weights)
    p_wait = pi[n:].sum()
    p_abandon = theta * sum((k - n) * pi[k] for k in range(n, size)) / lam
    answered = 0.0
    for ahead in range(0, size - n):
        if pi[n + ahead] < 1e-14:
            continue
        states = ahead + 1  # positions ahead 0..ahead, then answered, then gone
        q = np.zeros((states + 2, states + 2))
        for k in range(states):
            leave = (n * mu + k * theta) if k > 0 else n * mu
            target = k - 1 if k > 0 else states
            q[k, target] += leave
            q[k, states + 1] += theta
            q[k, k] -= leave + theta
        start = np.zeros(states + 2)
        start[ahead] = 1.0
        answered += pi[n + ahead] * (start @ expm(q * t))[states]
    return p_wait, p_abandon, (1 - p_wait) + answered


@settings(max_examples=12, deadline=None)
@given(
    volume=st.integers(1, 120),
    aht=st.integers(60, 600),
    patience=st.integers(10, 900),
    extra=st.integers(-5, 8),
    answer=st.integers(0, 120),
)
def test_erlang_a_matches_the_markov_chain(volume: int, aht: int, patience: int, extra: int, answer: int) -> None:
    traffic = volume * aht / 900
    agents = max(1, int(traffic) + extra)
    m = erlang_a(volume, aht, patience, 900, agents, answer_seconds=answer)
    p_wait, p_abandon, sl = chain_oracle(volume / 900, 1 / aht, 1 / patience, agents, answer)
    assert m.p_wait[()] == pytest.approx(p_wait, abs=1e-9)
    assert m.p_abandon[()] == pytest.approx(p_abandon, abs=1e-9)
    assert m.service_level[()] == pytest.approx(sl, abs=1e-7)


def test_long_patience_is_bounded_and_close_to_erlang_c() -> None:
    """400 distinct fractional volumes with patience 1e5 s: each block of intervals sums only the queue
    positions it needs (this took 7.6 s and 1.2 GB when every interval carried the longest tail)."""
    volumes = np.arange(1, 401) + 0.37
    tracemalloc.start()
    started = time.perf_counter()
    try:
        erlang_a_agents = required_agents_erlang_a(volumes, 300, 1e5, 900, GOAL_80_20)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.5 and peak < 150e6, (seconds, peak)
    erlang_c_agents = required_agents_erlang_c(volumes, 300, 900, GOAL_80_20)
    fewer = erlang_c_agents - erlang_a_agents
    assert set(fewer.tolist()) <= {0, 1} and (fewer == 0).mean() > 0.95  # a caller may leave, rarely
    a, c = (
        erlang_a(volumes, 300, 1e5, 900, erlang_c_agents, answer_seconds=20),
        erlang_c(volumes, 300, 900, erlang_c_agents, 20),
    )
    assert np.abs(a.service_level - c.service_level).max() < 2e-3
    assert np.abs(a.p_wait - c.p_wait).max() < 2e-3


def test_a_tail_beyond_the_cap_is_refused_not_truncated() -> None:
    with pytest.raises(ValueError, match="use Erlang C"):
        erlang_a(400, 300, 1e7, 900, 10, answer_seconds=20)
