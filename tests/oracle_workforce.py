"""A slow, obviously correct reference for the agent-time, forecast and customer measures.

The companion of tests/oracle.py (same conventions: plain rows as dicts of canonical columns with
naive-UTC datetimes, results as {group key: Parts}, keys = values of `by` then the period start).
It follows docs/metrics.md ("Agent time", "Forecasts", "Customers") sentence by sentence and
shares nothing with `steward.engine`: no minute tables, no day cutting, no joins, just loops.

Entry point: `compute_parts(metric, data, ...)` with `data` holding `agent_states`, `schedules`,
`forecasts`, `interactions` and `orders` rows, and `costs` the months of definitions/costs.yaml
as dicts ({month: "2026-01", retention_spend, acquisition_spend}).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.oracle import Key, Parts, Row, local_date, local_midnight, next_period_start, period_start

from steward.definitions.metrics import MetricDefinition
from steward.domain.measures import Source


@dataclass(frozen=True)
class Scope:
    by: tuple[str, ...]
    grain: str | None
    start: date | None
    end: date | None
    zone: ZoneInfo
    where: dict[str, list[str]]


def compute_parts(
    metric: MetricDefinition,
    data: dict[str, list[Row]],
    *,
    by: Sequence[str] = (),
    grain: str | None = None,
    start: date | None = None,
    end: date | None = None,
    reporting_tz: str = "UTC",
    where: dict[str, list[str]] | None = None,
    costs: Sequence[dict[str, Any]] = (),
) -> dict[Key, Parts]:
    scope = Scope(tuple(by), grain, start, end, ZoneInfo(reporting_tz), dict(where or {}))
    source = metric.spec.source
    if source is Source.AGENT_TIME:
        return agent_time(metric, data, scope)
    if source is Source.FORECASTS:
        return forecasts(metric, data, scope)
    if source is Source.CUSTOMERS:
        return customers(metric, data, scope, costs)
    raise NotImplementedError(f"{metric.measure} is in tests/oracle.py")


def ratio(numerator: float | None, denominator: float | None, scale: float) -> Parts:
    value = None
    if numerator is not None and denominator:
        value = scale * numerator / denominator
    return Parts(value, numerator=numerator, denominator=denominator)


def minutes(start: datetime, stop: datetime) -> float:
    return (stop - start).total_seconds() / 60


def overlap_minutes(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> float:
    return max(0.0, minutes(max(a[0], b[0]), min(a[1], b[1])))


# --------------------------------------------------------------------------------------------
# Scope shared by agent time and forecasts: filters, range and group of a row by one instant
# --------------------------------------------------------------------------------------------


def in_scope(metric: MetricDefinition, row: Row, at: str, scope: Scope) -> bool:
    conditions = [*metric.filters.items(), *scope.where.items()]
    if not all(row.get(column) in values for column, values in conditions):
        return False
    day = local_date(row[at], scope.zone)
    return (scope.start is None or day >= scope.start) and (scope.end is None or day <= scope.end)


def key_of(row: Row, at: str, scope: Scope) -> Key:
    key = tuple(row.get(column) for column in scope.by)
    if scope.grain is None:
        return key
    return (*key, period_start(local_date(row[at], scope.zone), scope.grain))


class Sums:
    """Numerator and denominator per group."""

    def __init__(self) -> None:
        self.parts: dict[Key, list[float]] = {}

    def add(self, key: Key, numerator: float = 0.0, denominator: float = 0.0) -> None:
        pair = self.parts.setdefault(key, [0.0, 0.0])
        pair[0] += numerator
        pair[1] += denominator

    def result(self, scale: float) -> dict[Key, Parts]:
        return {key: ratio(n, d, scale) for key, (n, d) in self.parts.items()}


# --------------------------------------------------------------------------------------------
# Agent time
# --------------------------------------------------------------------------------------------


def agent_time(metric: MetricDefinition, data: dict[str, list[Row]], scope: Scope) -> dict[Key, Parts]:
    states = data.get("agent_states", [])
    schedules = data.get("schedules", [])
    sums = Sums()
    params = metric.params
    for state in (s for s in states if in_scope(metric, s, "start_at", scope)):
        key, length = key_of(state, "start_at", scope), minutes(state["start_at"], state["end_at"])
        if metric.measure == "occupancy":
            busy = state["state"] in params["busy_states"]
            sums.add(key, length if busy else 0, length if busy or state["state"] in params["available_states"] else 0)
        elif metric.measure == "conformance" and state["state"] in params["productive_states"]:
            sums.add(key, numerator=length)
    for planned in (s for s in schedules if in_scope(metric, s, "start_at", scope)):
        key, length = key_of(planned, "start_at", scope), minutes(planned["start_at"], planned["end_at"])
        theirs = [s for s in states if (s["vendor"], s["agent_id"]) == (planned["vendor"], planned["agent_id"])]
        if metric.measure == "conformance" and planned["activity"] == "work":
            sums.add(key, denominator=length)
        elif metric.measure == "adherence" and planned["activity"] != "off":
            sums.add(key, adhered_minutes(metric, planned, theirs), length)
        elif metric.measure == "shrinkage" and planned["activity"] != "off":
            sums.add(key, shrinkage_minutes(metric, planned, theirs), length)
    return sums.result(100.0)


def state_matches(activity: str, state: str, pairs: Sequence[str]) -> bool:
    return state == activity or f"{activity}:{state}" in pairs


def adhered_minutes(metric: MetricDefinition, planned: Row, states: list[Row]) -> float:
    """The grace minutes at the start, then the minutes after them in a matching state."""
    grace = timedelta(minutes=int(metric.params["grace_minutes"]))
    start, stop = planned["start_at"], planned["end_at"]
    credited = min(grace, stop - start).total_seconds() / 60
    after = (start + grace, stop)
    matched = sum(
        overlap_minutes(after, (s["start_at"], s["end_at"]))
        for s in states
        if state_matches(planned["activity"], s["state"], metric.params["activity_states"])
    )
    return credited + matched


def shrinkage_minutes(metric: MetricDefinition, planned: Row, states: list[Row]) -> float:
    planned_part = 0.0
    if metric.variant in ("planned", "total") and planned["activity"] in metric.params["planned_activities"]:
        planned_part = minutes(planned["start_at"], planned["end_at"])
    unplanned_part = 0.0
    if metric.variant in ("unplanned", "total") and planned["activity"] == "work":
        span = (planned["start_at"], planned["end_at"])
        worked = sum(
            overlap_minutes(span, (s["start_at"], s["end_at"]))
            for s in states
            if s["state"] in metric.params["productive_states"]
        )
        unplanned_part = minutes(*span) - worked
    return planned_part + unplanned_part


# --------------------------------------------------------------------------------------------
# Forecasts
# --------------------------------------------------------------------------------------------


def forecasts(metric: MetricDefinition, data: dict[str, list[Row]], scope: Scope) -> dict[Key, Parts]:
    sums = Sums()
    interactions = data.get("interactions", [])
    for forecast in (f for f in data.get("forecasts", []) if in_scope(metric, f, "interval_start", scope)):
        begin = forecast["interval_start"]
        stop = begin + timedelta(minutes=int(forecast["interval_minutes"]))
        actual = sum(
            1
            for i in interactions
            if i["vendor"] == forecast["vendor"] and i["queue"] == forecast["queue"] and begin <= i["created_at"] < stop
        )
        error = float(forecast["volume"]) - actual
        key = key_of(forecast, "interval_start", scope)
        if metric.variant == "wape":
            sums.add(key, abs(error), actual)
        elif metric.variant == "bias":
            sums.add(key, error, actual)
        elif actual > 0:  # mape
            sums.add(key, abs(error) / actual, 1)
        else:
            sums.add(key)
    return sums.result(100.0)


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


def customer_periods(orders: list[Row], scope: Scope) -> list[tuple[date, date]]:
    """Local dates [first, end) of each period, clipped to the query's range or the orders' days."""
    days = [local_date(o["ordered_at"], scope.zone) for o in orders]
    first = scope.start or min(days)
    last = scope.end or max(days)
    if last < first:  # e.g. --from after the last order: an empty range
        return []
    if scope.grain is None:
        return [(first, last + timedelta(days=1))]
    periods = []
    begin = period_start(first, scope.grain)
    while begin <= last:
        following = next_period_start(begin, scope.grain)
        periods.append((max(begin, first), min(following, last + timedelta(days=1))))
        begin = following
    return periods


def customers(
    metric: MetricDefinition, data: dict[str, list[Row]], scope: Scope, costs: Sequence[dict[str, Any]]
) -> dict[Key, Parts]:
    orders = data.get("orders", [])
    if not orders:
        return {}
    result: dict[Key, Parts] = {}
    for first, end in customer_periods(orders, scope):
        a, b = local_midnight(first, scope.zone), local_midnight(end, scope.zone)
        key: Key = () if scope.grain is None else (period_start(first, scope.grain),)
        result[key] = CUSTOMER_MEASURES[metric.measure](metric, orders, a, b, spend(costs, first, end))
    return result


def orders_by_customer(orders: list[Row]) -> dict[str, list[datetime]]:
    by_customer: dict[str, list[datetime]] = {}
    for order in orders:
        by_customer.setdefault(order["customer_id"], []).append(order["ordered_at"])
    return {customer: sorted(times) for customer, times in by_customer.items()}


def first_orders(orders: list[Row]) -> dict[str, datetime]:
    return {customer: times[0] for customer, times in orders_by_customer(orders).items()}


Spend = tuple[float, float] | None


def repeat_purchase(metric: MetricDefinition, orders: list[Row], a: datetime, b: datetime, _s: Spend) -> Parts:
    counts = [sum(1 for t in times if a <= t < b) for times in orders_by_customer(orders).values()]
    return ratio(sum(1 for c in counts if c >= 2), sum(1 for c in counts if c >= 1), 100.0)


def churn(metric: MetricDefinition, orders: list[Row], a: datetime, b: datetime, _s: Spend) -> Parts:
    window = timedelta(days=int(metric.params["inactive_days"]))
    latest = max(o["ordered_at"] for o in orders)
    active = lost = 0
    for times in orders_by_customer(orders).values():
        if not any(a - window <= t < a for t in times):
            continue
        active += 1
        moments = [t + window for t in times if not any(t < u <= t + window for u in times)]
        if any(a <= m < b and m <= latest for m in moments):
            lost += 1
    return ratio(lost, active, 100.0)


def lifetime_value(metric: MetricDefinition, orders: list[Row], a: datetime, b: datetime, _s: Spend) -> Parts:
    buyers = {o["customer_id"] for o in orders if a <= o["ordered_at"] < b}
    spent = sum(float(o["amount"]) for o in orders if o["customer_id"] in buyers and o["ordered_at"] < b)
    return ratio(spent, len(buyers), 1.0)


def referral(metric: MetricDefinition, orders: list[Row], a: datetime, b: datetime, _s: Spend) -> Parts:
    first = first_orders(orders)
    new = [c for c, f in first.items() if a <= f < b]

    def referred(customer: str) -> bool:
        for order in orders:
            referrer = order.get("referred_by")
            if order["customer_id"] != customer or order["ordered_at"] != first[customer] or referrer is None:
                continue
            if referrer != customer and referrer in first and first[referrer] < first[customer]:
                return True
        return False

    return ratio(sum(1 for c in new if referred(c)), len(new), 100.0)


def retention_cost_ratio(metric: MetricDefinition, orders: list[Row], a: datetime, b: datetime, s: Spend) -> Parts:
    first = first_orders(orders)
    buyers = {o["customer_id"] for o in orders if a <= o["ordered_at"] < b}
    returning = sum(1 for c in buyers if first[c] < a)
    new = sum(1 for f in first.values() if a <= f < b)
    if s is None:
        return Parts(None, None, None)
    retention, acquisition = s
    numerator = retention / returning if returning else None
    denominator = acquisition / new if new else None
    value = numerator / denominator if numerator is not None and denominator else None
    return Parts(value, numerator, denominator)


def spend(costs: Sequence[dict[str, Any]], first: date, end: date) -> Spend:
    """Each local date gets its month's spend / days in the month; None if a month has no entry."""
    months = {str(c["month"]): c for c in costs}
    retention = acquisition = 0.0
    day = first
    while day < end:
        cost = months.get(day.strftime("%Y-%m"))
        if cost is None:
            return None
        days_in_month = (next_period_start(day.replace(day=1), "month") - day.replace(day=1)).days
        retention += float(cost["retention_spend"]) / days_in_month
        acquisition += float(cost["acquisition_spend"]) / days_in_month
        day += timedelta(days=1)
    return retention, acquisition


CUSTOMER_MEASURES: dict[str, Callable[[MetricDefinition, list[Row], datetime, datetime, Spend], Parts]] = {
    "repeat_purchase": repeat_purchase,
    "churn": churn,
    "lifetime_value": lifetime_value,
    "referral": referral,
    "retention_cost_ratio": retention_cost_ratio,
}
