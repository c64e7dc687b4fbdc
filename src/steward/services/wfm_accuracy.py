"""`steward wfm accuracy`: each partner's own forecasts against what arrived, and its agents' time.

WAPE and bias come from the `forecast_wape` and `forecast_bias` metrics (a partner's forecast is
the one with made_by = its own name), so they are the numbers every other report shows. What the
metrics do not know is added here: the Poisson floor (the WAPE a perfect forecast would still
have at these volumes, research/wfm.md §4.3), a volume-aware verdict against it, the WAPE of daily
totals (the figure planners quote for "daily accuracy"), and per-interval forecast and actual
pooled over queues for the intraday chart. Adherence, conformance, shrinkage and occupancy are the
metrics of those names.

The floor is taken at the volumes that arrived (λ = actual per queue and interval): a floor at the
forecast's own volumes would give a partner that under-forecasts a larger allowance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from steward.domain.forecast_accuracy import poisson_mean_absolute_deviation
from steward.domain.forecast_verdict import DEFAULT_TOLERANCE, ForecastVerdict, judge
from steward.services.metrics import metric_number
from steward.services.scorecard import ScorecardError, resolve_period
from steward.services.wfm_intervals import IntervalRange, arrivals, forecast, grid, interval_range
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
    tolerance: float
    """Verdict tolerance k in points: good when WAPE ≤ floor + k."""
    partners: list[PartnerAccuracy]


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
    cells = _Cells(workspace, span, sorted(people))
    k = tolerance_points / 100
    partners = []
    for row in sorted(own, key=lambda r: str(r["vendor"])):
        name = str(row["vendor"])
        days = sorted(by_day[name], key=lambda pair: pair[0])
        partners.append(
            PartnerAccuracy(
                name,
                _accuracy(row, cells.floor(name), k),
                _daily_total_wape([r for _, r in days]),
                [(day, _accuracy(r, cells.floor(name, day), k)) for day, r in days],
                cells.pooled(name),
                {m: metric_number(people.get(name, {}).get(m)) for m in AGENT_TIME},
            )
        )
    return AccuracyReport(period.label, interval_minutes, tolerance_points, partners)


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


class _Cells:
    """Forecast and actual per vendor, queue and interval (the metric's rows when the forecast has the
    report's interval length), for the Poisson floor and the intraday curves."""

    def __init__(self, workspace: Workspace, span: IntervalRange, vendors: list[str]) -> None:
        self.span = span
        keys = ["vendor", "queue"]
        self.forecast = grid(
            forecast(workspace, span, "vendor", vendors=vendors, queues=(), keys=keys), keys, ["volume", "rows"], span
        )
        self.actual = grid(arrivals(workspace, span, vendors, (), keys), keys, ["contacts"], span)
        self.days = np.array([s.date() for s in span.local_starts()])

    def floor(self, vendor: str, day: date | None = None) -> float | None:
        """Σ E|X − A| / Σ A over the vendor's forecast cells (of one local day), in percent."""
        deviation = total = 0.0
        for key, arrays in self.forecast.items():
            if key[0] != vendor:
                continue
            mask = arrays["rows"] > 0
            if day is not None:
                mask &= self.days == day
            lam = self.actual.get(key, {}).get("contacts", np.zeros(len(mask)))[mask]
            deviation += float(poisson_mean_absolute_deviation(lam).sum())
            total += float(lam.sum())
        return 100 * deviation / total if total > 0 else None

    def pooled(self, vendor: str) -> list[dict[str, object]]:
        size = len(self.span.epochs)
        fc, ac = np.zeros(size), np.zeros(size)
        for key, arrays in self.forecast.items():
            if key[0] == vendor:
                fc += arrays["volume"]
                ac += np.where(arrays["rows"] > 0, self.actual.get(key, {}).get("contacts", np.zeros(size)), 0.0)
        starts: list[datetime] = self.span.local_starts()
        return [
            {"interval": starts[i].replace(tzinfo=None), "forecast": round(float(fc[i]), 2), "actual": float(ac[i])}
            for i in range(size)
        ]
