"""`steward wfm accuracy`: each partner's own forecasts against what arrived, and its agents' time.

WAPE and bias come from the `forecast_wape` and `forecast_bias` metrics (a partner's forecast is
the one with made_by = its own name), so they are the numbers every other report shows. What the
metrics do not know is added here: the Poisson floor (the WAPE a perfect forecast would still
have at these volumes, research/wfm.md §4.3), a volume-aware verdict against it, the WAPE of daily
totals (the figure planners quote for "daily accuracy"), and per-interval forecast and actual
pooled over queues for the intraday chart. Adherence, conformance, shrinkage and occupancy are the
metrics of those names.

The floor is taken over the same cells as the WAPE, each forecast row at its own length, at the
volumes that arrived (λ = the row's actual): a floor at the forecast's own volumes would give a
partner that under-forecasts a larger allowance, and one on `--interval` cells would move the verdict
with a display setting (60-minute cells hold more contacts, so their floor is lower).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from steward.domain.forecast_accuracy import poisson_mean_absolute_deviation
from steward.domain.forecast_verdict import DEFAULT_TOLERANCE, ForecastVerdict, judge
from steward.engine.periods import Periods
from steward.services.metrics import metric_number
from steward.services.scorecard import ScorecardError, resolve_period
from steward.services.wfm_intervals import (
    VENDOR,
    IntervalRange,
    arrivals,
    epoch_of,
    forecast,
    grid,
    interval_range,
    own_forecast_rows,
    pooled_curve,
)
from steward.workspace import Workspace

ACCURACY = ("forecast_wape", "forecast_bias")
AGENT_TIME = ("adherence", "conformance", "shrinkage", "shrinkage_planned", "shrinkage_unplanned", "occupancy")


class AccuracyRequestError(ValueError):
    """An accuracy request the user has to correct."""


@dataclass(frozen=True)
class Accuracy:
    """Forecast against actual over some intervals; WAPE, bias and floor in percent."""

    wape: float | None
    bias: float | None
    floor: float | None
    forecast: float
    actual: float
    verdict: ForecastVerdict


@dataclass(frozen=True)
class PartnerAccuracy:
    vendor: str
    overall: Accuracy
    daily_total_wape: float | None
    """WAPE of the day totals, in percent: errors within a day offset each other."""
    days: list[tuple[date, Accuracy]]
    intervals: list[dict[str, object]]
    """Per interval (reporting time zone), forecast and actual summed over queues, for charts."""
    agent_time: dict[str, float | None]
    """adherence, conformance, shrinkage (+ planned, unplanned) and occupancy, in percent."""


@dataclass(frozen=True)
class AccuracyReport:
    period: str
    interval_minutes: int
    """Length of the intervals of the intraday curves (charts); WAPE, bias and floor use each row's own."""
    tolerance: float
    """Verdict tolerance k in points: good when WAPE ≤ floor + k."""
    partners: list[PartnerAccuracy]
    timezone: str
    """The reporting time zone: days and the intraday curves' times are its wall-clock times."""


def partner_accuracy(
    workspace: Workspace,
    period_text: str,
    vendor: str | None = None,
    interval_minutes: int = 30,
    tolerance_points: float = 100 * DEFAULT_TOLERANCE,
) -> AccuracyReport:
    """Each partner's forecast accuracy and agent-time metrics for a month or quarter."""
    if tolerance_points <= 0:
        raise AccuracyRequestError(f"--tolerance {tolerance_points}: use a positive number of points")
    try:
        period, _ = resolve_period(period_text, workspace)
        span = interval_range(workspace, period.first, period.last_day, interval_minutes)
    except (ScorecardError, ValueError) as error:
        raise AccuracyRequestError(str(error)) from None
    own, by_day, people = _metric_rows(workspace, period.first, period.last_day, vendor)
    floors = _Floors(workspace, period.first, period.last_day, sorted(people))
    curves = _intraday(workspace, span, sorted(people))
    k = tolerance_points / 100
    partners = []
    for row in sorted(own, key=lambda r: str(r["vendor"])):
        name = str(row["vendor"])
        days = sorted(by_day[name], key=lambda pair: pair[0])
        partners.append(
            PartnerAccuracy(
                name,
                _accuracy(row, floors.of(name), k),
                _daily_total_wape([r for _, r in days]),
                [(day, _accuracy(r, floors.of(name, day), k)) for day, r in days],
                curves[name],
                {m: metric_number(people.get(name, {}).get(m)) for m in AGENT_TIME},
            )
        )
    return AccuracyReport(period.label, interval_minutes, tolerance_points, partners, span.timezone)


Row = dict[str, object]


def _metric_rows(
    workspace: Workspace, first: date, last: date, vendor: str | None
) -> tuple[list[Row], dict[str, list[tuple[date, Row]]], dict[str, Row]]:
    """The partners' own-forecast accuracy over the period and per day, and their agent-time metrics."""
    where = {"vendor": [vendor]} if vendor else {}
    query = workspace.metrics.query
    totals = query(list(ACCURACY), by=["vendor", "made_by"], where=where, start=first, end=last)
    own = [r for r in totals.to_pylist() if r["vendor"] == r["made_by"]]
    by_day: dict[str, list[tuple[date, Row]]] = defaultdict(list)
    for row in query(
        list(ACCURACY), by=["vendor", "made_by"], where=where, start=first, end=last, grain="day"
    ).to_pylist():
        if row["vendor"] == row["made_by"]:
            by_day[row["vendor"]].append((_as_date(row["day"]), row))
    names = sorted(r["vendor"] for r in own)
    people: dict[str, Row] = {name: {} for name in names}
    if names:
        found = query(list(AGENT_TIME), by=["vendor"], where={"vendor": names}, start=first, end=last)
        people.update({r["vendor"]: r for r in found.to_pylist()})
    return own, by_day, people


def _as_date(value: object) -> date:
    """The metric engine's period column (a date, or a midnight timestamp on some backends)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"unexpected period value {value!r}")


def _accuracy(row: dict[str, object], floor: float | None, tolerance: float) -> Accuracy:
    wape, bias = metric_number(row["forecast_wape"]), metric_number(row["forecast_bias"])
    actual = metric_number(row["forecast_bias__denominator"]) or 0.0
    error = metric_number(row["forecast_bias__numerator"]) or 0.0
    fraction = None if floor is None else floor / 100
    verdict = judge(None if wape is None else wape / 100, fraction, None if bias is None else bias / 100, tolerance)
    return Accuracy(wape, bias, floor, actual + error, actual, verdict)


def _daily_total_wape(days: list[dict[str, object]]) -> float | None:
    """Σ_days |Σ(F − A)| / Σ A from the bias metric's components, in percent."""
    errors = [metric_number(r["forecast_bias__numerator"]) or 0.0 for r in days]
    actual = sum(metric_number(r["forecast_bias__denominator"]) or 0.0 for r in days)
    return 100 * sum(abs(e) for e in errors) / actual if actual > 0 else None


class _Floors:
    """The Poisson floor of each partner's own forecast over the same rows its WAPE counts: each forecast
    row is one cell, of the row's own length, with λ = the contacts that arrived in it. So the floor, like
    the WAPE, does not depend on `--interval`."""

    def __init__(self, workspace: Workspace, first: date, last: date, vendors: list[str]) -> None:
        periods = Periods(workspace.settings.reporting_timezone)
        low, high = periods.bounds(first, last)
        if low is None or high is None:  # cannot happen with both dates given; keeps the types honest
            raise AccuracyRequestError("a period needs both dates")
        rows = own_forecast_rows(workspace, low, high, vendors).to_pylist()
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        midnights = np.array([epoch_of(periods.bounds(day, day)[0] or low) for day in self.days])
        self.vendor = np.array([str(r["vendor"]) for r in rows], dtype=object)
        self.actual = np.array([float(r["actual"]) for r in rows])
        starts = np.array([int(r["start"]) for r in rows], dtype=np.int64)
        self.day = np.searchsorted(midnights, starts, side="right") - 1
        self.deviation = poisson_mean_absolute_deviation(self.actual)

    def of(self, vendor: str, day: date | None = None) -> float | None:
        """Σ E|X − λ| / Σ λ over the vendor's forecast rows (of one local day), in percent."""
        mask = self.vendor == vendor
        if day is not None:
            mask &= self.day == self.days.index(day)
        total = float(self.actual[mask].sum())
        return 100 * float(self.deviation[mask].sum()) / total if total > 0 else None


def _intraday(workspace: Workspace, span: IntervalRange, vendors: list[str]) -> dict[str, list[dict[str, object]]]:
    """Per partner, its own forecast and the contacts that arrived per `--interval` interval, queues summed."""
    keys = ["vendor", "queue"]
    own = grid(forecast(workspace, span, VENDOR, vendors=vendors, queues=(), keys=keys), keys, ["volume", "rows"],
               span)  # fmt: skip
    actual = grid(arrivals(workspace, span, vendors, (), keys), keys, ["contacts"], span)
    return {vendor: pooled_curve(own, actual, vendor, span) for vendor in vendors}
