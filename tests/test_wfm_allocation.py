"""Allocation across partners: the rule on hand-computed cases, infeasibility, a property, the pooling
penalty against research/wfm.md §3.3, and `steward wfm allocate` on a small workspace."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.workforce_support import load
from typer.testing import CliRunner

from steward.domain.allocation import (
    AllocationInfeasible,
    NothingToAllocate,
    PartnerTerms,
    allocate,
    cost_per_contact,
    pooling_penalty,
)
from steward.domain.erlang import ServiceGoal, required_agents_erlang_c
from steward.domain.fees import FeeTerms
from steward.interfaces.cli.app import app
from steward.services.wfm_allocation import AllocationError, AllocationOptions, parse_month, plan_allocation
from steward.workspace import Workspace

GOAL = ServiceGoal(service_level=0.8, answer_seconds=20)


def partner(name: str, cost: str, performance: float = 1.0, **kw: float | None) -> PartnerTerms:
    return PartnerTerms(name, Decimal(cost), performance, **kw)  # type: ignore[arg-type]


# --- the rule ----------------------------------------------------------------------------------


def test_mins_first_then_cheapest_effective_cost_up_to_its_ceiling() -> None:
    # Effective costs: a 2.00/1.0 = 2.00, b 1.80/0.8 = 2.25, c 3.00/1.0 = 3.00 -> order a, b, c.
    shares = allocate(
        1000,
        [
            partner("c", "3.00", min_share=10),
            partner("b", "1.80", 0.8, min_share=20, max_share=50),
            partner("a", "2.00", max_share=40, capacity=350),
        ],
    )
    got = {s.name: (round(s.share, 6), round(s.volume, 6), s.reason) for s in shares}
    # Floors c 100, b 200; rest 700: a takes min(400, 350) = 350 (capacity), b 300 more to its 500, c the last 50.
    assert got == {
        "c": (15.0, 150.0, "takes the rest"),
        "b": (50.0, 500.0, "max share"),
        "a": (35.0, 350.0, "capacity"),
    }
    assert [s.name for s in shares] == ["c", "b", "a"]  # the caller's order


def test_ties_go_by_name_and_unneeded_partners_get_nothing() -> None:
    shares = allocate(100, [partner("zeta", "2"), partner("alpha", "2"), partner("mid", "5", min_share=5)])
    assert [(s.name, s.share, s.reason) for s in shares] == [
        ("zeta", 0.0, "not needed"),
        ("alpha", 95.0, "takes the rest"),
        ("mid", 5.0, "min share"),
    ]


def test_performance_zero_ranks_last_but_still_takes_what_is_left() -> None:
    shares = allocate(10, [partner("cheap", "0.5", 0.0), partner("dear", "9", max_share=70)])
    assert [(s.name, round(s.share, 9)) for s in shares] == [("cheap", 30.0), ("dear", 70.0)]


def test_every_broken_constraint_is_named_at_once() -> None:
    with pytest.raises(AllocationInfeasible) as caught:
        allocate(
            1000,
            [partner("a", "1", min_share=70, capacity=500), partner("b", "1", min_share=40, max_share=40)],
        )
    message = str(caught.value)
    assert "minimum shares add up to 110%, more than 100%" in message
    assert "a: min share 70% is 700 contacts, above its capacity of 500" in message
    assert "take at most 900 of 1,000 contacts" in message  # a's capacity 500 + b's max 400
    assert len(caught.value.problems) == 3


def test_too_little_room_says_how_much_fits() -> None:
    with pytest.raises(AllocationInfeasible, match=r"take at most 700 of 1,000 contacts \(70.0%\)"):
        allocate(1000, [partner("a", "1", max_share=30), partner("b", "1", capacity=400)])
    with pytest.raises(AllocationInfeasible, match="no partners"):
        allocate(10, [])
    with pytest.raises(NothingToAllocate, match="forecast volume is 0"):
        allocate(0, [partner("a", "1")])


def test_partner_terms_are_checked() -> None:
    with pytest.raises(ValueError, match="performance must be between 0 and 1"):
        partner("a", "1", 1.5)
    with pytest.raises(ValueError, match="min share <= max share"):
        partner("a", "1", min_share=60, max_share=40)


@st.composite
def requests(draw: st.DrawFn) -> tuple[float, list[PartnerTerms]]:
    count = draw(st.integers(1, 5))
    volume = draw(st.floats(1, 1e6))
    partners = []
    for i in range(count):
        low = draw(st.floats(0, 60))
        high = draw(st.floats(low, 100))
        capacity = draw(st.none() | st.floats(0, 2e6))
        cost = Decimal(draw(st.integers(0, 1000))) / 100
        partners.append(PartnerTerms(f"p{i}", cost, draw(st.floats(0, 1)), capacity, low, high))
    return volume, partners


@settings(max_examples=300, deadline=None)
@given(requests())
def test_shares_sum_to_100_within_bounds_or_a_constraint_is_really_broken(
    request: tuple[float, list[PartnerTerms]],
) -> None:
    volume, partners = request
    ceilings = [min(p.max_share / 100 * volume, p.capacity if p.capacity is not None else volume) for p in partners]
    tol = 1e-6 * volume
    feasible = (
        sum(p.min_share for p in partners) <= 100 + 1e-6
        and all(p.capacity is None or p.min_share / 100 * volume <= p.capacity + tol for p in partners)
        and sum(ceilings) >= volume - tol
    )
    try:
        shares = allocate(volume, partners)
    except AllocationInfeasible:
        # Only a clearly broken constraint may be refused; borderline cases within rounding may go either way.
        loose = (
            sum(p.min_share for p in partners) <= 100 - 1e-6
            and all(p.capacity is None or p.min_share / 100 * volume <= p.capacity - tol for p in partners)
            and sum(ceilings) >= volume + tol
        )
        assert not loose
        return
    assert feasible or sum(ceilings) >= volume - 2 * tol
    assert sum(s.share for s in shares) == pytest.approx(100, abs=1e-6)
    for p, s, ceiling in zip(partners, shares, ceilings, strict=True):
        assert s.volume >= p.min_share / 100 * volume - tol
        assert s.volume <= ceiling + tol


# --- cost per contact and the pooling penalty --------------------------------------------------


def test_cost_per_contact_spreads_fixed_fees_and_adds_hours() -> None:
    fees = FeeTerms(monthly_fixed=Decimal(1000), per_handled_contact=Decimal("2.10"), per_productive_hour=Decimal(20))
    # (1000 + 500 × 2.10 + 40 h × 20) / 500 = 2850 / 500
    assert cost_per_contact(fees, 500, Decimal(40)) == Decimal("5.7000")
    tiered = FeeTerms(tiers=((100, Decimal(3)), (None, Decimal(2))))
    assert cost_per_contact(tiered, 200, Decimal(0)) == Decimal("2.5000")  # graduated: (300 + 200) / 200


@pytest.mark.parametrize(
    ("volume", "split", "pooled", "agents"),
    [
        (100, (50, 50), 39, 42),
        (100, (70, 30), 39, 42),
        (100, (50, 30, 20), 39, 45),
        (100, (25, 25, 25, 25), 39, 48),
        (40, (50, 30, 20), 18, 22),
        (400, (70, 30), 142, 147),
    ],
)
def test_pooling_penalty_matches_the_research_table(
    volume: int, split: tuple[int, ...], pooled: int, agents: int
) -> None:
    shares = {f"p{i}": float(s) for i, s in enumerate(split)}
    penalty = pooling_penalty([volume, volume], 300, 900, shares, GOAL)
    assert penalty.pooled_agents.tolist() == [pooled, pooled]
    assert sum(int(a[0]) for a in penalty.partner_agents.values()) == agents
    assert penalty.pooled_agent_hours == pytest.approx(2 * pooled * 0.25)
    assert penalty.split_agent_hours == pytest.approx(2 * agents * 0.25)
    assert penalty.extra_percent == pytest.approx((agents - pooled) / pooled * 100)


# --- a workspace end to end --------------------------------------------------------------------

VENDORS = """\
vendors:
  - {name: alpha, kind: bpo}
  - {name: beta, kind: bpo}
  - {name: home, kind: in_house}
"""
CONTRACT = """\
contract: {vendor}-1
vendor: {vendor}
versions:
  - effective_from: 2026-01-01
    fees: {fees}
    volume_share: {share}
"""
MONTH_START = datetime(2026, 12, 1)
BUSY = 18
"""The half hour the busy two hours start at: 09:00."""
DECEMBER = MONTH_START + timedelta(minutes=30 * BUSY)


def _workspace(workspace: Workspace) -> Workspace:
    definitions = workspace.root / "definitions"
    (definitions / "vendors.yaml").write_text(VENDORS, encoding="utf-8")
    contracts = {
        "alpha": ("{per_handled_contact: 2.00}", "{min: 20, max: 60}"),
        "beta": ("{monthly_fixed: 1000, per_productive_hour: 20}", "{min: 30, max: 80}"),
        "home": ("{per_handled_contact: 0.5}", "{min: 0, max: 100}"),
    }
    for vendor, (fees, share) in contracts.items():
        text = CONTRACT.format(vendor=vendor, fees=fees, share=share)
        (definitions / "contracts" / f"{vendor}.yaml").write_text(text, encoding="utf-8")
    recent = datetime(2026, 11, 10, 10, 0)
    interactions = [
        {"interaction_id": f"{v}-{i}", "vendor": v, "queue": "billing", "channel": "chat",
         "created_at": recent + timedelta(minutes=i), "handle_seconds": 300.0}
        for v in ("alpha", "beta") for i in range(4)
    ]  # fmt: skip
    qa = [
        {"evaluation_id": "e1", "vendor": "beta", "scorecard": "chat", "evaluated_at": recent, "sample": "random",
         "score": 80.0},
    ]  # fmt: skip
    # Steward's forecast covers December for every vendor, 100 contacts per half hour in the first two
    # hours (alpha 50 + beta 50), none after; the in-house team's forecast is not the partners' volume.
    forecasts = [
        {"vendor": v, "queue": "billing", "interval_start": MONTH_START + timedelta(minutes=30 * i),
         "interval_minutes": 30, "volume": 50.0 if BUSY <= i < BUSY + 4 else 0.0, "aht_seconds": 300.0,
         "made_by": "steward"}
        for v in ("alpha", "beta", "home") for i in range(31 * 48)
    ]  # fmt: skip
    # The partners' own forecasts reach the first 14 days: alpha per hour, beta per half hour, and beta
    # also per hour (the coarser copy of the same queue must not count twice).
    forecasts += [
        {"vendor": v, "queue": "billing", "interval_start": MONTH_START + timedelta(minutes=minutes * i),
         "interval_minutes": minutes, "volume": volume if i == 0 else 0.0, "aht_seconds": 300.0, "made_by": v}
        for v, minutes, volume in (("alpha", 60, 300.0), ("beta", 30, 100.0), ("beta", 60, 100.0), ("home", 30, 50.0))
        for i in range(14 * 24 * 60 // minutes)
    ]  # fmt: skip
    schedules = [
        {"vendor": "beta", "agent_id": f"b{i}", "activity": "work", "start_at": DECEMBER,
         "end_at": DECEMBER + timedelta(hours=8)}
        for i in range(2)
    ]  # fmt: skip
    load(workspace, {"interactions": interactions, "qa_results": qa, "forecasts": forecasts, "schedules": schedules})
    return Workspace.open(workspace.root, workspace.clock)  # definitions are read once per workspace


def test_a_workspace_allocation_end_to_end(workspace: Workspace) -> None:
    ws = _workspace(workspace)
    try:
        result = plan_allocation(ws, "next")
        priced = plan_allocation(ws, "2026-12", options=AllocationOptions(hour_cost=Decimal(15)))
    finally:
        ws.close()
    assert (result.period, result.forecast_source, result.volume) == ("2026-12", "steward forecast", 400.0)
    alpha, beta = result.partners  # home is in-house: not a partner to allocate to
    # beta: 2 × 8 h × 0.85 / 300 s = 163.2 contacts; fees at that volume: (1000 + 16 h × 20) / 164 contacts.
    assert beta.capacity == pytest.approx(163.2)
    assert beta.cost_per_contact == Decimal("8.0488")
    assert (beta.performance, beta.performance_source) == (0.8, "QA score")
    assert (alpha.capacity, alpha.cost_per_contact, alpha.performance) == (None, Decimal("2.0000"), 1.0)
    # Floors 80 + 120; alpha (2.00 per contact) fills to its 60% max, beta takes the last 40 to 160.
    assert [(p.vendor, round(p.share, 6), round(p.volume, 6), p.reason) for p in result.partners] == [
        ("alpha", 60.0, 240.0, "max share"),
        ("beta", 40.0, 160.0, "takes the rest"),
    ]
    pooled = required_agents_erlang_c(np.full(4, 100.0), 300, 1800, GOAL)
    split = [required_agents_erlang_c(np.full(4, 100.0 * s), 300, 1800, GOAL) for s in (0.6, 0.4)]
    assert result.pooled_agent_hours == pytest.approx(pooled.sum() / 2)
    assert result.split_agent_hours == pytest.approx(sum(a.sum() for a in split) / 2)
    assert result.split_agent_hours > result.pooled_agent_hours
    assert result.splitting_cost is None
    assert any("--hour-cost" in note for note in result.notes)
    assert any("alpha: no schedules" in note for note in result.notes)
    # alpha priced at the option's 15, beta at its contract's 20 per productive hour.
    extra_alpha = split[0].sum() / 2 - pooled.sum() / 2 * 0.6
    extra_beta = split[1].sum() / 2 - pooled.sum() / 2 * 0.4
    assert priced.splitting_cost is not None
    assert float(priced.splitting_cost) == pytest.approx(15 * extra_alpha + 20 * extra_beta, abs=0.005)


def test_partners_forecasts_are_summed_and_scaled_to_the_month(workspace: Workspace) -> None:
    ws = _workspace(workspace)
    try:
        ws.warehouse.sql_connection.execute("DELETE FROM forecasts WHERE made_by = 'steward'")
        ws.warehouse.sql_connection.execute("DELETE FROM schedules")
        result = plan_allocation(ws, "2026-12", queue="billing")
        with pytest.raises(AllocationError, match="no forecast on queue 'other'"):
            plan_allocation(ws, "2026-12", queue="other")
        with pytest.raises(AllocationError, match="use a month such as 2026-11"):
            plan_allocation(ws, "december")
    finally:
        ws.close()
    # alpha's 300 (60-minute) + beta's 100 (30-minute; its 60-minute copy ignored); home is in-house.
    assert (result.forecast_source, result.forecast_volume, result.interval_minutes) == (
        "sum of the partners' own forecasts",
        400.0,
        30,
    )
    assert result.covered_share == pytest.approx(14 / 31)
    assert result.volume == pytest.approx(400 * 31 / 14)  # scaled to the month: fees and capacity are monthly
    assert sum(p.volume for p in result.partners) == pytest.approx(result.volume)
    assert any("reaches 45% of the month" in note and "scaled to 886" in note for note in result.notes), result.notes
    # Agent-hours scale the same way: the first two weeks' staffing stands for the month's. alpha's hour
    # of 300 is spread over two half hours: 150 + beta's 100, then 150.
    pooled = required_agents_erlang_c(np.array([250.0, 150.0]), 300, 1800, GOAL).sum() / 2
    assert result.pooled_agent_hours == pytest.approx(pooled * 31 / 14)


def test_a_forecast_reaching_less_than_a_week_is_refused(workspace: Workspace) -> None:
    ws = _workspace(workspace)
    try:
        ws.warehouse.sql_connection.execute("DELETE FROM forecasts WHERE interval_start >= TIMESTAMP '2026-12-05'")
        with pytest.raises(AllocationError, match=r"reaches only 4.0 days of the month .* at least 7"):
            plan_allocation(ws, "2026-12")
    finally:
        ws.close()


def test_a_forecast_of_nothing_is_a_clear_error_not_a_crash(workspace: Workspace) -> None:
    ws = _workspace(workspace)
    try:
        ws.warehouse.sql_connection.execute("UPDATE forecasts SET volume = 0")
        with pytest.raises(AllocationError, match="nothing to allocate: the steward forecast for 2026-12 forecasts 0"):
            plan_allocation(ws, "2026-12")
    finally:
        ws.close()
    result = CliRunner().invoke(app, ["wfm", "allocate", "--period", "2026-12", "-w", str(workspace.root)])
    assert result.exit_code == 2 and "nothing to allocate" in result.output and "Traceback" not in result.output


def test_parse_month() -> None:
    today = date(2026, 12, 14)
    assert parse_month("next", today) == date(2027, 1, 1)
    assert parse_month("current", today) == date(2026, 12, 1)
    assert parse_month("2026-03", today) == date(2026, 3, 1)
    with pytest.raises(AllocationError):
        parse_month("2026-13", today)


def test_cli_prints_the_split_and_draws_a_chart(workspace: Workspace, tmp_path: Path) -> None:
    _workspace(workspace).close()
    chart = tmp_path / "shares.svg"
    args = ["wfm", "allocate", "--period", "2026-12", "--hour-cost", "15", "--chart", str(chart)]
    result = CliRunner().invoke(app, [*args, "-w", str(workspace.root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("alpha", "beta", "max share", "takes the rest", "8.05", "0.80 (QA score)", "steward forecast"):
        assert text in result.output, text
    assert "agent-hours: pooled" in result.output and "cost of splitting:" in result.output
    assert "Allocated share" in chart.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["wfm", "allocate", "--chart", "x.pdf", "-w", str(workspace.root)])
    assert bad.exit_code == 2 and ".svg or .png" in bad.output


def test_cli_takes_percents_like_wfm_staff(workspace: Workspace) -> None:
    _workspace(workspace).close()
    base = ["wfm", "allocate", "--period", "2026-12", "-w", str(workspace.root)]
    runner = CliRunner()
    fraction = runner.invoke(app, [*base, "--service-level", "0.8"])
    assert fraction.exit_code == 2 and "80 means 80%" in fraction.output
    assert runner.invoke(app, [*base, "--max-occupancy", "0.85"]).exit_code == 2
    default = runner.invoke(app, base, env={"COLUMNS": "200"})
    loose = runner.invoke(app, [*base, "--service-level", "50", "--answer-seconds", "60", "--max-occupancy", "95"],
                          env={"COLUMNS": "200"})  # fmt: skip
    assert default.exit_code == 0 and loose.exit_code == 0, default.output + loose.output
    assert "163" in default.output and "182" in loose.output  # beta's capacity: 16 h × 85% or 95% / 300 s
    assert _pooled(loose.output) < _pooled(default.output)  # a looser goal needs fewer agents


def _pooled(output: str) -> float:
    return float(output.split("agent-hours: pooled ")[1].split(",")[0])


def test_contract_check_locates_a_bad_volume_share(tmp_path: Path) -> None:
    from steward.definitions.contracts import load_contracts
    from steward.definitions.metrics import load_catalogue

    folder = tmp_path / "contracts"
    folder.mkdir()
    text = CONTRACT.format(vendor="alpha", fees="{}", share="{min: 70, max: 40}")
    (folder / "a.yaml").write_text(text + "  - effective_from: 2026-02-01\n    volume_share: {max: 120}\n")
    issues = [str(issue) for issue in load_contracts(folder, load_catalogue(), ["alpha"]).issues]
    assert any("a.yaml:6: versions[0].volume_share: volume_share min 70% is above max 40%" in i for i in issues)
    assert any("a.yaml:8: versions[1].volume_share.max: Input should be less than or equal to 100" in i for i in issues)
