"""QA sampling frames: proportional strata, quotas spread over the period, targeted queues apart."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.domain.sampling import Candidate, quotas, stratified, targeted

START, END = datetime(2026, 10, 1), datetime(2026, 11, 1)


def population(size: int, seed: int = 3) -> list[Candidate]:
    rng = random.Random(seed)
    return [
        Candidate(
            key=f"i{n}",
            vendor=rng.choice(["northwind", "northwind", "northwind", "sunrise"]),
            queue=rng.choice(["billing", "orders"]),
            channel=rng.choice(["email", "chat"]),
            agent_id=f"ag-{rng.randint(1, 5)}",
            created_at=START + timedelta(minutes=rng.randint(0, 31 * 24 * 60 - 1)),
            csat=rng.choice([None, 1, 2, 3, 4, 5]),
            handle_seconds=rng.uniform(60, 900),
            reopens=int(rng.random() < 0.1),
            transfers=int(rng.random() < 0.1),
            escalated=rng.random() < 0.05,
        )
        for n in range(size)
    ]


def test_strata_get_their_share_of_the_volume() -> None:
    people = population(2000)
    picked = stratified(people, total=200, seed=7)
    assert len(picked) == 200 and len({a.key for a in picked}) == 200
    volume = Counter((c.vendor, c.queue, c.channel) for c in people)
    got = Counter(tuple(a.reason.removeprefix("stratum ").split("/")) for a in picked)
    for stratum, count in volume.items():
        assert abs(got[stratum] - 200 * count / 2000) < 1  # largest remainders: never a whole review off
    assert picked == stratified(list(reversed(people)), total=200, seed=7)  # same seed, same sample
    assert picked != stratified(people, total=200, seed=8)


def test_quotas_spread_each_agents_reviews_over_the_period() -> None:
    picked = quotas(population(2000), per_agent=4, start=START, end=END, seed=1)
    per_agent = Counter(a.agent_id for a in picked)
    assert set(per_agent.values()) == {4} and len(per_agent) == 5
    slices = Counter((a.agent_id, a.reason.split(", ")[1]) for a in picked)
    assert set(slices.values()) == {1}  # one per quarter of the month


def test_an_empty_slice_lends_its_pick_to_the_next() -> None:
    early = [Candidate(f"k{n}", "v", "q", "email", "ag-1", START + timedelta(days=20, hours=n)) for n in range(5)]
    picked = quotas(early, per_agent=4, start=START, end=END, seed=2)
    assert len(picked) == 4  # all five fall in slice 3: it gives three (its own and two lent), then a spare
    assert [a.reason for a in picked].count("agent ag-1, slice 3 of 4 (spare)") == 1


def test_targeted_queues_are_labelled_and_never_repeat_a_random_pick() -> None:
    people = population(2000)
    random_frame = stratified(people, total=100, seed=4)
    picked = targeted(
        people,
        ["low_csat", "long_handle_time", "reopened"],
        per_queue=10,
        seed=4,
        exclude=[a.key for a in random_frame],
    )
    assert {a.frame for a in picked} == {"targeted"} and len(picked) == 30
    assert not {a.key for a in picked} & {a.key for a in random_frame}
    by_key = {c.key: c for c in people}
    assert all(by_key[a.key].csat in (1, 2) for a in picked if a.reason == "low csat")
    with pytest.raises(ValueError, match="unknown targeted queue"):
        targeted(people, ["angry"], per_queue=1, seed=1)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(0, 300), total=st.integers(0, 400), seed=st.integers(0, 10))
def test_a_sample_never_exceeds_what_exists_or_what_was_asked(size: int, total: int, seed: int) -> None:
    picked = stratified(population(size, seed), total=total, seed=seed)
    assert len(picked) == min(size, total) and len({a.key for a in picked}) == len(picked)
