"""Retention and acquisition spend per month (definitions/costs.yaml), for retention_cost_ratio.

    costs:
      - month: 2026-01           # YYYY-MM, local months of the reporting time zone
        retention_spend: 12000   # spent on keeping existing customers
        acquisition_spend: 30000 # spent on winning new ones
        currency: EUR            # ISO 4217; every month in the same currency

A month's spend is spread evenly over its days, so any period (a week, a quarter, a custom
range) gets the share of the days it covers; a period touching a month without an entry has no
spend and so no value. A missing file means no costs; a broken one lists every problem with its
`file:line`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from steward.definitions.located_yaml import DefinitionError, DefinitionIssue, load_located, load_model

COSTS_FILE = "costs.yaml"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class MonthCost(BaseModel):
    """What was spent in one month on keeping and on winning customers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: str
    retention_spend: float = Field(ge=0)
    acquisition_spend: float = Field(ge=0)
    currency: str

    @field_validator("month")
    @classmethod
    def _month_shape(cls, value: str) -> str:
        found = _MONTH.match(value.strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ValueError(f"{value!r} is not a month; write YYYY-MM, e.g. 2026-01")
        return value.strip()

    @field_validator("currency")
    @classmethod
    def _currency_shape(cls, value: str) -> str:
        if not _CURRENCY.match(value.strip()):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code such as EUR")
        return value.strip()

    @property
    def first_day(self) -> date:
        year, month = self.month.split("-")
        return date(int(year), int(month), 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.first_day.year, self.first_day.month)[1]


class CostFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    costs: tuple[MonthCost, ...] = ()


@dataclass(frozen=True)
class Spend:
    retention: float
    acquisition: float


@dataclass(frozen=True)
class CostBook:
    """The workspace's monthly spend, or the problems that stop costs.yaml from loading."""

    months: tuple[MonthCost, ...] = ()
    issues: tuple[DefinitionIssue, ...] = ()

    def spend(self, first: date, end: date) -> Spend | None:
        """Spend over the local dates [first, end): each month's spend spread evenly over its days.

        None when a month the dates touch has no entry (unknown spend is not zero spend).
        """
        by_month = {cost.first_day: cost for cost in self.months}
        retention = acquisition = 0.0
        for month, days in _days_per_month(first, end).items():
            cost = by_month.get(month)
            if cost is None:
                return None
            retention += cost.retention_spend * days / cost.days
            acquisition += cost.acquisition_spend * days / cost.days
        return Spend(retention, acquisition)


def _days_per_month(first: date, end: date) -> dict[date, int]:
    counts: dict[date, int] = {}
    day = first
    while day < end:
        month = day.replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        stop = min(following, end)
        counts[month] = counts.get(month, 0) + (stop - day).days
        day = stop
    return counts


def load_costs(path: Path) -> CostBook:
    """definitions/costs.yaml; a missing file is no costs, a broken one every problem with its line."""
    if not path.exists():
        return CostBook()
    loaded = load_model(path, CostFile)
    if not isinstance(loaded, CostFile):
        return CostBook(issues=tuple(loaded))
    issues = _consistency_issues(path, loaded)
    return CostBook(issues=issues) if issues else CostBook(loaded.costs)


def _consistency_issues(path: Path, loaded: CostFile) -> tuple[DefinitionIssue, ...]:
    """A month written twice, or months in different currencies (amounts cannot be added up)."""
    try:
        located = load_located(path)
    except DefinitionError as error:  # it parsed a moment ago; only a concurrent edit gets here
        return error.issues
    issues: list[DefinitionIssue] = []
    seen: dict[str, int] = {}
    currency = loaded.costs[0].currency if loaded.costs else None
    for index, cost in enumerate(loaded.costs):
        if cost.month in seen:
            line = located.line_of(("costs", index, "month"))
            message = f"month {cost.month} is already given in costs[{seen[cost.month]}]"
            issues.append(DefinitionIssue(path, line, f"costs[{index}].month", message))
        seen.setdefault(cost.month, index)
        if cost.currency != currency:
            line = located.line_of(("costs", index, "currency"))
            message = f"{cost.currency} differs from {currency} in costs[0]; give every month in one currency"
            issues.append(DefinitionIssue(path, line, f"costs[{index}].currency", message))
    return tuple(issues)
