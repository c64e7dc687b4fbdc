"""Service-level money against published worked examples (shared/research: DIR, CCS, Accord, Sears)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from steward.domain.contract_terms import (
    Bonus,
    BonusSettlement,
    ChronicRule,
    CreditRule,
    LevelTerms,
    Measurement,
    PeriodOutcome,
    PeriodTerms,
    Ratchet,
    Status,
)
from steward.domain.credits import evaluate_period, share_out

D = Decimal


def critical(level_id: str, category: str, allocation: str, **extra: object) -> LevelTerms:
    return LevelTerms(
        id=level_id,
        better="higher",
        expected=80.0,
        minimum=70.0,
        critical=True,
        category_percent=D(category),
        allocation_percent=D(allocation),
        **extra,  # type: ignore[arg-type]
    )


def terms(*levels: LevelTerms, charges: str = "100000", at_risk: str = "10", **extra: object) -> PeriodTerms:
    return PeriodTerms(version="v1", charges=D(charges), at_risk_percent=D(at_risk), levels=levels, **extra)  # type: ignore[arg-type]


def at(value: float, sample: int = 1000) -> Measurement:
    return Measurement(value=value, sample=sample)


def run(period_terms: PeriodTerms, months: list[dict[str, Measurement]]) -> list[PeriodOutcome]:
    history: list[PeriodOutcome] = []
    for index, measured in enumerate(months):
        history.append(evaluate_period(period_terms, f"2026-{index + 1:02d}", measured, history))
    return history


def test_dir_pool_allocation_example() -> None:
    """Texas DIR: $100,000 invoice, 10% at risk, category pool 50%, level allocation 40% -> $2,000."""
    outcome = evaluate_period(terms(critical("frt", "50", "40")), "2026-10", {"frt": at(75.0)})
    assert outcome.at_risk_amount == D("10000.00")
    assert outcome.levels[0].status is Status.MISSED
    assert outcome.credits_after_caps == D("2000.00")
    assert outcome.net_adjustment == D("-2000.00")


def test_four_misses_are_capped_at_the_at_risk_amount() -> None:
    """$2,000 + $3,000 + $5,000 + $4,000 = $14,000 -> capped at the $10,000 at-risk amount."""
    levels = (
        critical("a", "50", "40"),
        critical("b", "50", "60"),
        critical("c", "100", "50"),
        critical("d", "100", "40"),
    )
    outcome = evaluate_period(terms(*levels), "2026-10", {name: at(60.0) for name in "abcd"})
    assert [level.credit_before_cap for level in outcome.levels] == [D(2000), D(3000), D(5000), D(4000)]
    assert outcome.credits_before_caps == D("14000")
    assert outcome.credits_after_caps == D("10000.00")
    assert sum(level.credit for level in outcome.levels) == D("10000.00")
    assert outcome.at_cap


def test_proportional_rule_credits_the_shortfall_in_points() -> None:
    """UK CCS: target 98%, actual 75% -> 23% of the period's charges (GBP 50,000 -> 11,500)."""
    level = LevelTerms("sl", "higher", 98.0, critical=True, rule=CreditRule.PROPORTIONAL)
    outcome = evaluate_period(terms(level, charges="50000", at_risk="100"), "2026-10", {"sl": at(75.0)})
    assert outcome.credits_before_caps == D("11500.00")
    capped = evaluate_period(terms(level, charges="50000", at_risk="10"), "2026-10", {"sl": at(75.0)})
    assert capped.credits_after_caps == D("5000.00")


def test_fixed_amount_per_miss_and_key_measurements_cost_nothing() -> None:
    fixed = LevelTerms("qa", "higher", 85.0, critical=True, rule=CreditRule.FIXED, fixed_amount=D("750"))
    key = LevelTerms("nps", "higher", 30.0)
    outcome = evaluate_period(terms(fixed, key), "2026-10", {"qa": at(80.0), "nps": at(10.0)})
    assert outcome.level("qa").credit == D("750")  # type: ignore[union-attr]
    assert outcome.level("nps").status is Status.MISSED  # type: ignore[union-attr]
    assert outcome.level("nps").credit == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sl", "last_charges", "last_credits", "expected"),
    [
        (100.0, "0", "0", "0"),
        (99.7, "0", "0", "0.2"),
        (97.0, "0", "0", "0.3"),
        (97.0, "110", "11.9", "0.1"),
        (99.8, "0", "0", "0"),
    ],
)
def test_accord_project_sla_scenarios(sl: float, last_charges: str, last_credits: str, expected: str) -> None:
    """Accord Project's servicelevelagreement template: < 99.8% -> 2%, < 98% -> 3%, 10% monthly and
    10% rolling-12 caps, monthly charge 10. Its two steps are two fixed-credit levels here."""
    step1 = LevelTerms("sl_998", "higher", 99.8, critical=True, rule=CreditRule.FIXED, fixed_amount=D("0.2"))
    step2 = LevelTerms("sl_980", "higher", 98.0, critical=True, rule=CreditRule.FIXED, fixed_amount=D("0.1"))
    contract = terms(step1, step2, charges="10", at_risk="10", rolling_cap_percent=D(10))
    earlier = [
        evaluate_period(contract, "2025-01", {"sl_998": at(100.0), "sl_980": at(100.0)})
    ]  # a neutral month to carry the last 11 months' totals
    earlier = [
        PeriodOutcome(**{**earlier[0].__dict__, "charges": D(last_charges), "credits_after_caps": D(last_credits)})
    ]
    outcome = evaluate_period(contract, "2026-10", {"sl_998": at(sl), "sl_980": at(sl)}, earlier)
    assert outcome.credits_after_caps == D(expected)


def test_minimum_sample_is_never_a_miss() -> None:
    level = critical("csat", "100", "100", min_sample=30)
    outcome = evaluate_period(terms(level), "2026-10", {"csat": at(10.0, sample=29)})
    assert outcome.levels[0].status is Status.INSUFFICIENT_SAMPLE
    assert outcome.credits_after_caps == 0


def test_expected_misses_become_defaults_only_when_repeated_but_minimum_misses_at_once() -> None:
    """DIR: missing the expected level (not the minimum) is a default from the 4th time in 12 months."""
    contract = terms(critical("sl", "100", "10"), expected_misses_before_credit=4)
    months = [{"sl": at(v)} for v in (76, 79, 77, 90, 78, 65)]
    outcomes = run(contract, months)
    assert [o.credits_after_caps for o in outcomes] == [0, 0, 0, 0, D("1000.00"), D("1000.00")]
    assert outcomes[5].levels[0].status is Status.MISSED_MINIMUM


def test_earnback_returns_the_credit_after_n_met_periods() -> None:
    level = critical("sl", "100", "20", earnback_periods=2)
    months = [{"sl": at(v)} for v in (75, 85, 86, 70, 90)]
    months.insert(4, {"sl": Measurement(value=None, sample=0)})  # not measured: neither counts nor breaks
    outcomes = run(terms(level), months)
    assert outcomes[0].credits_after_caps == D("2000.00")
    assert outcomes[1].earnback == 0
    assert outcomes[2].earnback == D("2000.00")
    assert outcomes[2].levels[0].earned_back_from == ("2026-01",)
    assert outcomes[3].credits_after_caps == D("2000.00")
    assert outcomes[5].earnback == 0  # only one measured period met after the April miss


def test_chronic_failure_flags() -> None:
    contract = terms(critical("sl", "100", "100"), chronic=ChronicRule(within=6, misses=3, at_cap=2))
    outcomes = run(contract, [{"sl": at(v)} for v in (70, 90, 60, 90, 50)])
    assert outcomes[3].flags == ("chronic failure: credits at the cap in 2 of the last 4 periods",)
    assert "chronic failure: sl missed in 3 of the last 5 periods" in outcomes[4].flags


def test_ratchet_moves_the_target_halfway_and_limits_the_step() -> None:
    """Sears/CSC: 12 months above an 80% level averaging 90% -> 85%; with a step limit of 20% of
    the headroom to 100 -> 84%."""
    halfway = LevelTerms("sl", "higher", 80.0, ratchet=Ratchet(after_periods=12))
    limited = LevelTerms("sl2", "higher", 80.0, ratchet=Ratchet(after_periods=12, max_step_percent=20))
    months = [{"sl": at(v), "sl2": at(v)} for v in [88.0, 92.0] * 6]
    outcomes = run(terms(halfway, limited), [*months, {"sl": at(84.0), "sl2": at(84.0)}])
    assert outcomes[10].next_targets == {}
    assert outcomes[11].next_targets == {"sl": 85.0, "sl2": 84.0}
    assert outcomes[12].level("sl").expected == 85.0  # type: ignore[union-attr]
    assert outcomes[12].level("sl").status is Status.MISSED  # type: ignore[union-attr]
    assert outcomes[12].level("sl2").status is Status.MET  # type: ignore[union-attr]


def test_bonus_settlements() -> None:
    level = LevelTerms("csat", "higher", 80.0, critical=True, bonus=Bonus(threshold=90.0, percent_of_charges=D(2)))
    miss = critical("frt", "100", "10")
    measured = {"csat": at(95.0), "frt": at(75.0)}
    net = evaluate_period(terms(level, miss), "m", measured)
    assert (net.bonus_earned, net.credits_after_caps, net.net_adjustment) == (D(2000), D(1000), D(1000))
    offset = evaluate_period(terms(level, miss, bonus_settlement=BonusSettlement.OFFSET_ONLY), "m", measured)
    assert (offset.bonus_applied, offset.net_adjustment) == (D(1000), D(0))
    separate = evaluate_period(terms(level, miss, bonus_settlement=BonusSettlement.SEPARATE), "m", measured)
    assert (separate.bonus_paid_separately, separate.net_adjustment) == (D(2000), D(-1000))
    capped = evaluate_period(terms(level, miss, bonus_cap_percent=D("0.5")), "m", measured)
    assert capped.bonus_earned == D("500.00")


def test_share_out_keeps_every_cent() -> None:
    shares = share_out(D("100.00"), {"a": D(50), "b": D(50), "c": D(50)})
    assert sum(shares.values()) == D("100.00")
    assert sorted(shares.values()) == [D("33.33"), D("33.33"), D("33.34")]


def test_volume_tiers_graduated_and_all_units() -> None:
    from steward.domain.fees import FeeTerms, charge_lines

    tiers = ((1000, D("3.00")), (5000, D("2.50")), (None, D("2.00")))
    graduated = charge_lines(FeeTerms(monthly_fixed=D(500), tiers=tiers), 6000, D(0))
    assert [line.amount for line in graduated] == [D(500), D(3000), D(10000), D(2000)]
    all_units = charge_lines(FeeTerms(tiers=tiers, tier_mode="all_units"), 4000, D("10.5"))
    assert [line.amount for line in all_units] == [D(10000)]
    hourly = charge_lines(FeeTerms(per_productive_hour=D("18.40")), 0, D("100.25"))
    assert hourly[0].amount == D("1844.60")


def test_key_measurements_never_earn_a_bonus_and_a_count_of_zero_is_measured() -> None:
    key = LevelTerms("nps", "higher", 30.0, bonus=Bonus(threshold=35.0, amount=D(5000)))
    backlog = LevelTerms("backlog", "lower", 10.0, critical=True, category_percent=D(100), allocation_percent=D(10))
    outcome = evaluate_period(terms(key, backlog), "m", {"nps": at(40.0), "backlog": Measurement(0.0, 0)})
    assert outcome.bonus_earned == 0 and outcome.net_adjustment == 0
    assert outcome.level("backlog").status is Status.MET  # type: ignore[union-attr]


def test_a_binding_rolling_cap_counts_as_at_the_cap() -> None:
    contract = terms(critical("sl", "100", "50"), rolling_cap_percent=D(4), rolling_cap_periods=3)
    outcomes = run(contract, [{"sl": at(v)} for v in (60.0, 90.0, 60.0)])
    assert [o.credits_after_caps for o in outcomes] == [D(4000), D(0), D(5000)]  # at risk: 10,000
    assert [o.at_cap for o in outcomes] == [True, False, False]


def test_a_ratchet_counts_only_months_of_its_own_version_and_passes_over_months_not_due() -> None:
    plain = LevelTerms("sl", "higher", 80.0)
    ratcheted = LevelTerms("sl", "higher", 80.0, ratchet=Ratchet(after_periods=3))
    history = run(terms(plain), [{"sl": at(90.0)}] * 4)
    v2 = PeriodTerms(version="v2", charges=D(1000), at_risk_percent=D(10), levels=(ratcheted,))
    for month in range(3):
        measured = {"sl": at(90.0)} if month != 1 else {"sl": Measurement(None, 0, due=False)}
        history.append(evaluate_period(v2, f"v2-{month}", measured, history))
    assert [o.next_targets for o in history[4:]] == [{}, {}, {}]
    history.append(evaluate_period(v2, "v2-3", {"sl": at(90.0)}, history))
    assert history[-1].next_targets == {"sl": 85.0}
