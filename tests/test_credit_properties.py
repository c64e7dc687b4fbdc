"""Property tests for the service-level money (steward.domain.credits): credits stay within the caps,
never fall when performance worsens, earnback never returns more than was credited, and share_out
keeps every cent. Runs of months fold evaluate_period, each month with its own charges."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from steward.domain.contract_terms import (
    CENT,
    Better,
    Bonus,
    BonusSettlement,
    CreditRule,
    LevelTerms,
    Measurement,
    PeriodOutcome,
    PeriodTerms,
    Ratchet,
    Status,
    cents,
    percent_of,
)
from steward.domain.credits import evaluate_period, share_out

D = Decimal
ZERO = D(0)
Month = tuple[Decimal, dict[str, Measurement]]
Case = tuple[PeriodTerms, list[Month]]
SETTINGS = settings(max_examples=100, deadline=None)


def two_decimals(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 100, high * 100).map(lambda hundredths: D(hundredths).scaleb(-2))


def is_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


CHARGES = st.one_of(two_decimals(0, 100), two_decimals(0, 1_000_000))
PERCENT = st.one_of(st.integers(0, 100).map(D), two_decimals(0, 100))
VALUE = st.one_of(st.integers(0, 100).map(float), st.floats(0, 100))
IDS = ("l0", "l1", "l2", "l3")
BONUS = st.none() | st.builds(Bonus, VALUE, two_decimals(0, 5_000), PERCENT)
RATCHET = st.none() | st.builds(Ratchet, st.integers(1, 3), st.floats(0.1, 1), st.none() | VALUE)
MINIMUM, OPTIONAL_PERCENT = st.none() | VALUE, st.none() | PERCENT
CATEGORY = st.one_of(PERCENT, two_decimals(0, 300))  # a category pool may exceed 100%
BETTER: st.SearchStrategy[Better] = st.sampled_from(["higher", "lower"])
CRITICAL, RULE = st.sampled_from([True, True, True, False]), st.sampled_from(CreditRule)
EARNBACK = st.none() | st.integers(1, 3)
SAMPLE = st.one_of(st.integers(0, 60), st.just(1000))


@st.composite
def levels(draw: st.DrawFn) -> LevelTerms:
    better = draw(BETTER)
    expected = draw(VALUE)
    minimum = draw(MINIMUM)
    if minimum is not None:  # the minimum is the less demanding target
        minimum = min(minimum, expected) if better == "higher" else max(minimum, expected)
    return LevelTerms(
        id="",
        better=better,
        expected=expected,
        minimum=minimum,
        min_sample=draw(st.sampled_from([0, 0, 10, 30])),
        critical=draw(CRITICAL),
        category_percent=draw(CATEGORY),
        allocation_percent=draw(PERCENT),
        rule=draw(RULE),
        fixed_amount=draw(two_decimals(0, 50_000)),
        bonus=draw(BONUS),
        earnback_periods=draw(EARNBACK),
        ratchet=draw(RATCHET),
    )


LEVELS = st.lists(levels(), min_size=1, max_size=len(IDS))


@st.composite
def contracts(draw: st.DrawFn, rolling: bool) -> PeriodTerms:
    return PeriodTerms(
        version="v1",
        charges=ZERO,  # each month brings its own
        at_risk_percent=draw(PERCENT),
        levels=tuple(replace(level, id=IDS[index]) for index, level in enumerate(draw(LEVELS))),
        rolling_cap_percent=draw(PERCENT if rolling else OPTIONAL_PERCENT),
        rolling_cap_periods=draw(st.integers(2, 6)),
        expected_misses_before_credit=draw(st.sampled_from([1, 1, 2, 3])),
        expected_misses_window=draw(st.integers(1, 6)),
        bonus_cap_percent=draw(OPTIONAL_PERCENT),
        bonus_settlement=draw(st.sampled_from(BonusSettlement)),
    )


@st.composite
def measurements(draw: st.DrawFn) -> Measurement | None:
    """Mostly a value with a sample (sometimes below min_sample); now and then excluded, not due,
    without a value, or absent (None: the level was not measured at all)."""
    kind = draw(st.integers(0, 15))
    value, sample = draw(VALUE), draw(SAMPLE)
    if kind == 0:
        return Measurement(value, sample, excluded=True)
    if kind == 1:
        return Measurement(value, sample, due=False)
    if kind == 2:
        return Measurement(None, 0)
    return None if kind == 3 else Measurement(value, sample)


def measured_only(found: dict[str, Measurement | None]) -> dict[str, Measurement]:
    return {level_id: measurement for level_id, measurement in found.items() if measurement is not None}


MONTH = st.tuples(CHARGES, st.fixed_dictionaries(dict.fromkeys(IDS, measurements())).map(measured_only))
CONTRACTS, ROLLING_CONTRACTS = contracts(rolling=False), contracts(rolling=True)


@st.composite
def runs(draw: st.DrawFn, rolling: bool = False, max_months: int = 8) -> Case:
    contract = draw(ROLLING_CONTRACTS if rolling else CONTRACTS)
    return contract, draw(st.lists(MONTH, min_size=1, max_size=max_months))


def run(contract: PeriodTerms, period_months: list[Month]) -> list[PeriodOutcome]:
    history: list[PeriodOutcome] = []
    for index, (charges, measured) in enumerate(period_months):
        terms = replace(contract, charges=charges)
        history.append(evaluate_period(terms, f"2026-{index + 1:02d}", measured, history))
    return history


@SETTINGS
@given(runs())
def test_each_period_credits_stay_within_the_caps(case: Case) -> None:
    contract, period_months = case
    for outcome in run(contract, period_months):
        room = outcome.rolling_cap_room
        assert (room is None) == (contract.rolling_cap_percent is None)
        caps = [outcome.at_risk_amount] if room is None else [outcome.at_risk_amount, room]
        assert outcome.credits_after_caps <= outcome.at_risk_amount
        assert room is None or outcome.credits_after_caps <= room
        assert outcome.credits_after_caps == min(outcome.credits_before_caps, *caps)
        assert outcome.credits_after_monthly_cap == min(outcome.credits_before_caps, outcome.at_risk_amount)
        assert sum((level.credit_before_cap for level in outcome.levels), ZERO) == outcome.credits_before_caps
        assert sum((level.credit for level in outcome.levels), ZERO) == outcome.credits_after_caps
        amounts = [outcome.at_risk_amount, outcome.credits_before_caps, outcome.credits_after_monthly_cap]
        amounts += [outcome.credits_after_caps, outcome.bonus_earned, outcome.bonus_applied, outcome.earnback]
        amounts += [outcome.bonus_paid_separately, *([] if room is None else [room])]
        for level in outcome.levels:
            assert level.credit <= level.credit_before_cap
            assert level.credit_before_cap == ZERO or (level.critical and level.status.is_miss)
            amounts += [level.credit_before_cap, level.credit, level.bonus, level.earnback]
        assert all(amount >= 0 and is_cents(amount) for amount in amounts), amounts
        assert is_cents(outcome.net_adjustment)


ROLLING_EXAMPLE = (
    PeriodTerms(
        version="v1",
        charges=ZERO,
        at_risk_percent=D(100),
        levels=(LevelTerms("l0", "higher", 80.0, critical=True, category_percent=D(100), allocation_percent=D(100)),),
        rolling_cap_percent=D(10),
        rolling_cap_periods=2,
    ),
    [(D(1000), {"l0": Measurement(90.0, 1000)}), (D(100), {"l0": Measurement(50.0, 1000)}), (D(100), {})],
)


@SETTINGS
@given(runs(rolling=True))
@example(ROLLING_EXAMPLE)
def test_no_month_takes_its_rolling_window_over_the_cap(case: Case) -> None:
    """The rolling cap as the Accord Project's SLA logic applies it: a month's credit may take the
    `rolling_cap_periods` months ending with it (fewer at the start) up to the cap % of their charges
    (rounded half-up to the cent) and no further. Credits already given are never clawed back, so a
    window can end above the cap only through earlier months' credits, with nothing added this month
    (ROLLING_EXAMPLE: charges 1000/100/100 -> month 2 keeps its 100.00, month 3 adds 0)."""
    contract, period_months = case
    outcomes = run(contract, period_months)
    percent, periods = contract.rolling_cap_percent, contract.rolling_cap_periods
    assert percent is not None
    for end, outcome in enumerate(outcomes):
        window = outcomes[max(0, end - periods + 1) : end + 1]
        earlier = sum((o.credits_after_caps for o in window[:-1]), ZERO)
        cap = cents(percent_of(percent, sum((o.charges for o in window), ZERO)))
        assert outcome.credits_after_caps <= max(cap - earlier, ZERO), (end, [o.period for o in window], cap, earlier)
        if outcome.credits_after_caps > 0:
            assert earlier + outcome.credits_after_caps <= cap


@SETTINGS
@given(st.data())
def test_worse_performance_never_lowers_credits(data: st.DataObject) -> None:
    contract, period_months = data.draw(runs())
    history = run(contract, period_months[:-1])
    charges, measured = period_months[-1]
    level = data.draw(st.sampled_from(contract.levels))
    found = measured.get(level.id, Measurement(None, 1000))
    value = found.value if found.value is not None else data.draw(VALUE)
    worse = data.draw(st.floats(0, value) if level.better == "higher" else st.floats(value, 100))
    terms = replace(contract, charges=charges)
    good = evaluate_period(terms, "now", {**measured, level.id: replace(found, value=value)}, history)
    bad = evaluate_period(terms, "now", {**measured, level.id: replace(found, value=worse)}, history)
    assert bad.credits_before_caps >= good.credits_before_caps
    assert bad.credits_after_caps >= good.credits_after_caps
    before, after = good.level(level.id), bad.level(level.id)
    assert before is not None and after is not None
    assert after.credit_before_cap >= before.credit_before_cap, (before, after)


@SETTINGS
@given(runs(max_months=10))
def test_earnback_never_returns_more_than_was_credited(case: Case) -> None:
    contract, period_months = case
    outcomes = run(contract, period_months)
    for level in contract.levels:
        credited: dict[str, Decimal] = {}
        returned: list[str] = []
        total_credit = total_earnback = ZERO
        for outcome in outcomes:
            row = outcome.level(level.id)
            assert row is not None
            if row.earnback > 0 or row.earned_back_from:
                assert row.status is Status.MET
            assert all(credited.get(period, ZERO) > 0 for period in row.earned_back_from)  # earlier credits only
            assert row.earnback == sum((credited[period] for period in row.earned_back_from), ZERO)
            returned += row.earned_back_from
            credited[outcome.period] = row.credit
            total_credit += row.credit
            total_earnback += row.earnback
        assert len(returned) == len(set(returned)), returned
        assert total_earnback <= total_credit


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(two_decimals(0, 100), two_decimals(0, 2_000_000)),
    st.dictionaries(st.text("abcdef", min_size=1, max_size=2), CHARGES, max_size=6),
)
def test_share_out_keeps_every_cent_and_no_key_gets_more_than_its_weight(
    total: Decimal, weights: dict[str, Decimal]
) -> None:
    shares = share_out(total, weights)
    assert shares.keys() == weights.keys()
    assert sum(shares.values(), ZERO) == min(total, sum(weights.values(), ZERO))
    for key, weight in weights.items():
        assert ZERO <= shares[key] <= weight
        assert is_cents(shares[key])
