"""The demo's workforce picture: Steward's forecast of the week after the data, and the staffing
gaps of the understaffed partner over the last month, through the same services `steward wfm` uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from steward.services.wfm_forecast import ForecastRequest, ForecastRun, run_forecast
from steward.services.wfm_forecast_models import ForecastOptions
from steward.services.wfm_staffing import VendorStaffing, staffing_gap_summary
from steward.workspace import Workspace

UNDERSTAFFED_PARTNER = "sunrise"
FORECAST_OPTIONS = ForecastOptions(interval_minutes=60, horizon_days=7, history_weeks=8, origins=3)
"""Hourly series keep the demo quick; `steward wfm forecast --interval 15` does the same at 15 minutes."""


@dataclass(frozen=True)
class DemoWorkforce:
    forecast: ForecastRun
    first_day: date
    """The forecast's first day in the reporting time zone."""
    staffing: VendorStaffing


def build_demo_workforce(workspace: Workspace, month: date, partners: tuple[str, ...]) -> DemoWorkforce:
    """Forecast the partners' queues for the week after the data; the staffing gaps of `sunrise` in `month`."""
    forecast = run_forecast(workspace, ForecastRequest(options=FORECAST_OPTIONS, vendors=partners))
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    first_day = naive_utc_to_local(forecast.start, workspace.settings.reporting_timezone).date()
    return DemoWorkforce(forecast, first_day, staffing_gap_summary(workspace, UNDERSTAFFED_PARTNER, month, last_day))


def naive_utc_to_local(moment: datetime, zone: str) -> datetime:
    """A naive-UTC (or aware) instant in the named zone; a naive value is never read as machine time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))
