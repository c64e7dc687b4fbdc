"""Loyalty metrics from orders: hand-computed cases through the importer, costs.yaml, engine = oracle.

The arithmetic behind every expected number is in the comments.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests import oracle_workforce
from tests.oracle import Row
from tests.workforce_support import Ask, assert_same, at, empty, engine_parts, load

from steward.definitions.costs import load_costs
from steward.definitions.mapping import Mapping
from steward.domain.clock import FixedClock
from steward.engine.plan import QueryError
from steward.services.generation.arrivals import build_calendar
from steward.services.generation.interactions import Population
from steward.services.generation.orders import REFERRAL_SHARE, orders_table
from steward.workspace import Workspace

LOYALTY = ("repeat_purchase_rate", "churn_30", "customer_lifetime_value", "referral_rate", "retention_cost_ratio")
CHURN_30 = {"id": "churn_30", "label": "Churn, 30 days", "measure": "churn", "params": {"inactive_days": 30}}
EXTRA = ({**CHURN_30, "better": "lower"},)
JANUARY, FEBRUARY, MARCH = (date(2026, 1, 1),), (date(2026, 2, 1),), (date(2026, 3, 1),)


def order(number: int, customer: str, when: str, amount: float, referred_by: str | None = None) -> Row:
    row = {"order_id": f"o{number}", "customer_id": customer, "ordered_at": at(when), "amount": amount}
    return {**row, "referred_by": referred_by} if referred_by else row


ORDERS = [
    order(1, "A", "2025-12-10 12:00", 50),
    order(2, "A", "2026-01-05 12:00", 20),
    order(3, "A", "2026-01-20 12:00", 30),
    order(4, "B", "2026-01-15 12:00", 100, referred_by="A"),  # A ordered first: a referral
    order(5, "C", "2026-02-03 12:00", 40, referred_by="X"),  # X never ordered: not a referral
    order(6, "C", "2026-02-10 12:00", 60),
    order(7, "D", "2026-02-20 12:00", 10, referred_by="B"),  # B ordered first: a referral
    order(8, "A", "2026-02-25 12:00", 15),
    order(9, "E", "2026-03-01 12:00", 25, referred_by="E"),  # referring oneself is not a referral
    order(10, "B", "2026-03-05 12:00", 80),  # the latest order in the warehouse
]
COSTS = [
    {"month": "2026-01", "retention_spend": 300, "acquisition_spend": 1000, "currency": "EUR"},
    {"month": "2026-02", "retention_spend": 200, "acquisition_spend": 600, "currency": "EUR"},
]  # no March: its spend is unknown


def monthly(workspace: Workspace) -> dict[str, dict[tuple[object, ...], float | None]]:
    load(workspace, {"orders": ORDERS}, definitions=EXTRA, costs=COSTS)
    ask = Ask(LOYALTY, grain="month", start=date(2026, 1, 1), end=date(2026, 3, 31))
    return {
        metric: {key: part.value for key, part in found.items()}
        for metric, found in engine_parts(workspace, ask).items()
    }


def test_repeat_purchase_and_lifetime_value(workspace: Workspace) -> None:
    got = monthly(workspace)
    # January: A (Jan 5, Jan 20) twice, B once -> 1 / 2. February: C twice, D once, A once -> 1 / 3.
    # March: E once, B once -> 0 / 2
    assert got["repeat_purchase_rate"] == {
        JANUARY: pytest.approx(50.0),
        FEBRUARY: pytest.approx(100 / 3),
        MARCH: pytest.approx(0.0),
    }
    # January buyers A (50 + 20 + 30, December included) and B (100) -> 200 / 2
    # February buyers C (40 + 60), D (10), A (50 + 20 + 30 + 15 = 115) -> 225 / 3
    # March buyers E (25), B (100 + 80) -> 205 / 2
    assert got["customer_lifetime_value"] == {
        JANUARY: pytest.approx(100.0),
        FEBRUARY: pytest.approx(75.0),
        MARCH: pytest.approx(102.5),
    }


def test_churn(workspace: Workspace) -> None:
    got = monthly(workspace)
    # Churn moments (order + 30 days with no order in between, not after the latest order, Mar 5):
    # A: Dec 10 -> Jan 9 (ordered Jan 5: no), Jan 5 -> Feb 4 (Jan 20: no), Jan 20 -> Feb 19 (next Feb 25: yes),
    #    Feb 25 -> Mar 27 (after Mar 5: not known yet). B: Jan 15 -> Feb 14 (next Mar 5: yes), Mar 5 -> Apr 4 (no).
    #    C: Feb 3 -> Mar 5 (Feb 10: no), Feb 10 -> Mar 12 (no). D: Mar 22 (no). E: Mar 31 (no).
    # Active at Jan 1 (an order Dec 2 - Dec 31): A; churned in January: none -> 0 / 1
    # Active at Feb 1 (Jan 2 - Jan 31): A, B; both churn in February (Feb 19, Feb 14) -> 2 / 2
    # Active at Mar 1 (Jan 30 - Feb 28): C, D, A; no moment in March -> 0 / 3
    assert got["churn_30"] == {JANUARY: pytest.approx(0.0), FEBRUARY: pytest.approx(100.0), MARCH: pytest.approx(0.0)}


def test_referral(workspace: Workspace) -> None:
    got = monthly(workspace)
    # New customers: January B (referred by A) -> 1 / 1; February C (by X, who never ordered) and D (by B) -> 1 / 2;
    # March E (by E) -> 0 / 1
    assert got["referral_rate"] == {
        JANUARY: pytest.approx(100.0),
        FEBRUARY: pytest.approx(50.0),
        MARCH: pytest.approx(0.0),
    }


def test_retention_cost_ratio(workspace: Workspace) -> None:
    got = monthly(workspace)
    # January: returning A (first order in December) 1, new B 1 -> (300 / 1) / (1000 / 1)
    # February: returning A 1, new C and D -> (200 / 1) / (600 / 2); March: no costs given -> no value
    assert got["retention_cost_ratio"] == {
        JANUARY: pytest.approx(0.3),
        FEBRUARY: pytest.approx(200 / 300),
        MARCH: None,
    }


def test_spend_is_spread_over_the_days_of_each_month(workspace: Workspace) -> None:
    load(workspace, {"orders": ORDERS}, costs=COSTS)
    ask = Ask(("retention_cost_ratio",), start=date(2026, 1, 16), end=date(2026, 2, 14))
    part = engine_parts(workspace, ask)["retention_cost_ratio"][()]
    # retention: 16 January days x 300 / 31 + 14 February days x 200 / 28; acquisition likewise with 1000, 600
    retention, acquisition = 16 * 300 / 31 + 14 * 200 / 28, 16 * 1000 / 31 + 14 * 600 / 28
    # buyers Jan 16 - Feb 14: A (returning), C (new; B's first order, Jan 15, is before the range)
    assert part.numerator == pytest.approx(retention / 1)
    assert part.denominator == pytest.approx(acquisition / 1)
    assert part.value == pytest.approx(retention / acquisition)


def test_costs_file_problems_are_reported_with_lines(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text(
        "costs:\n"
        "  - {month: 2026-01, retention_spend: 1, acquisition_spend: 2, currency: EUR}\n"
        "  - {month: 2026-13, retention_spend: 1, acquisition_spend: 2, currency: EUR}\n"
        "  - {month: 2026-01, retention_spend: -1, acquisition_spend: 2, currency: EUR}\n",
        encoding="utf-8",
    )
    issues = [str(issue) for issue in load_costs(path).issues]
    assert any(":3: costs[1].month" in issue and "YYYY-MM" in issue for issue in issues), issues
    assert any(":4: costs[2].retention_spend" in issue for issue in issues), issues
    path.write_text(
        "costs:\n"
        "  - {month: 2026-01, retention_spend: 1, acquisition_spend: 2, currency: EUR}\n"
        "  - {month: 2026-01, retention_spend: 1, acquisition_spend: 2, currency: USD}\n",
        encoding="utf-8",
    )
    issues = [str(issue) for issue in load_costs(path).issues]
    assert any(":3: costs[1].month: month 2026-01 is already given" in issue for issue in issues), issues
    assert any(":3: costs[1].currency" in issue and "one currency" in issue for issue in issues), issues
    assert load_costs(tmp_path / "missing.yaml").months == ()
    # A broken file stops the metric with every problem, rather than giving numbers from half a file.
    (workspace.root / "definitions" / "costs.yaml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    load(workspace, {"orders": ORDERS})
    with pytest.raises(QueryError, match=r"costs\.yaml:3: costs\[1\]\.month"):
        workspace.metrics.query(["retention_cost_ratio"])


def test_customer_metrics_have_no_vendor(workspace: Workspace) -> None:
    load(workspace, {"orders": ORDERS})
    with pytest.raises(QueryError, match=r"churn_rate cannot be grouped or filtered by 'vendor'"):
        workspace.metrics.query(["churn_rate"], by=["vendor"])


def test_referred_by_is_pseudonymised_by_default_in_mappings() -> None:
    columns = {"order_id": "Order", "customer_id": "Buyer", "ordered_at": "Date", "amount": "Total"}
    mapping = Mapping.model_validate({"table": "orders", "columns": columns})
    assert mapping.pseudonymise == ("customer_id", "referred_by")


def test_generated_referrals_name_earlier_customers() -> None:
    calendar = build_calendar(date(2026, 1, 1), 3, seed=3)
    table = orders_table(Population.for_volume(6_000), 6_000, calendar, seed=3).to_pylist()
    first: dict[str, datetime] = {}
    for row in sorted(table, key=lambda r: r["ordered_at"]):
        first.setdefault(row["customer_id"], row["ordered_at"])
    referred = [row for row in table if row["referred_by"] is not None]
    assert all(row["ordered_at"] == first[row["customer_id"]] for row in referred), "only first orders"
    assert all(first[row["referred_by"]] <= row["ordered_at"] for row in referred), "referrers bought before"
    share = len(referred) / len(first)
    assert abs(share - REFERRAL_SHARE) < 0.04, share


# --- engine = oracle ---------------------------------------------------------------------------------------------

# Each example imports files and runs a query (about a second): shrinking a failure could take many minutes,
# and with at most a few dozen rows the failing example is readable as it is.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)

BASE = datetime(2025, 11, 20)
CUSTOMERS = tuple(f"c{n}" for n in range(16))


@st.composite
def order_data(draw: st.DrawFn) -> list[Row]:
    """Six months of orders by up to 16 customers: new ones keep arriving, some come back, some go quiet.

    Drawn from a Random seeded by Hypothesis rather than value by value: Hypothesis' own integers crowd at
    the bounds, which would put most orders on the first day.
    """
    rng = random.Random(draw(st.integers(0, 2**32)))
    rows = []
    moments = sorted(rng.randrange(180 * 86_400) for _ in range(rng.randint(40, 90)))
    for number, moment in enumerate(moments):
        row: Row = {
            "order_id": f"o{number}",
            # every sixth order is by a new customer: first orders spread over the months
            "customer_id": CUSTOMERS[number // 6] if number % 6 == 0 else rng.choice(CUSTOMERS[: 1 + number // 6]),
            "ordered_at": BASE + timedelta(seconds=moment),
            "amount": rng.randrange(20_000) / 100,
        }
        referrer = rng.choice([None, None, None, *CUSTOMERS, "stranger"])
        rows.append({**row, "referred_by": referrer} if referrer else row)
    return rows


@st.composite
def cost_months(draw: st.DrawFn) -> list[dict[str, Any]]:
    missing = draw(st.sampled_from([None, None, "2026-02", "2026-04"]))  # mostly all known, sometimes a gap
    months = [m for m in ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05") if m != missing]
    return [
        {
            "month": month,
            "retention_spend": draw(st.integers(0, 5000)),
            "acquisition_spend": draw(st.integers(1, 5000)),
            "currency": "EUR",
        }
        for month in months
    ]


@st.composite
def loyalty_asks(draw: st.DrawFn) -> Ask:
    grain = draw(st.sampled_from([None, "week", "month", "quarter"]))
    zone = draw(st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Auckland"]))
    start = draw(st.sampled_from([None, date(2026, 1, 14), date(2026, 1, 14), date(2026, 2, 1)]))
    end = draw(st.sampled_from([None, date(2026, 3, 10), date(2026, 5, 31)]))
    return Ask((*LOYALTY, "churn_rate"), grain=grain, start=start, end=end, reporting_tz=zone)


@pytest.fixture(scope="module")
def reused() -> Iterator[Workspace]:
    """One workspace for all examples (emptied before each): creating one costs more than a query."""
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace.init(Path(folder) / "ws", clock=FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)))
        yield workspace
        workspace.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(orders=order_data(), costs=cost_months(), ask=loyalty_asks())
def test_loyalty_engine_matches_oracle(
    reused: Workspace, orders: list[Row], costs: list[dict[str, Any]], ask: Ask
) -> None:
    empty(reused)
    load(reused, {"orders": orders}, definitions=EXTRA, costs=costs)
    got = engine_parts(reused, ask, fresh=True)
    for metric_id in ask.metrics:
        metric = reused.catalogue.get(metric_id)
        expected = oracle_workforce.compute_parts(metric, {"orders": orders}, costs=costs, **ask.oracle_arguments())
        assert_same(expected, got[metric_id], metric_id)
