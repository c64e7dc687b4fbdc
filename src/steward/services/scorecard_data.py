"""What a contract's scorecard reads from the warehouse: each level's value per period, the
volumes that set the charges, and the data behind them (range, import runs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import ibis

from steward.definitions.contract_models import Exclusion, ServiceLevel
from steward.definitions.contracts import SCOPE_COLUMNS, Contract
from steward.domain.contract_terms import Measurement
from steward.engine.periods import next_period
from steward.engine.query import MetricQuery
from steward.services.metrics import metric_number
from steward.workspace import Workspace

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class Period:
    """A month or quarter in the reporting time zone: [first, end) as local dates."""

    label: str
    grain: str
    first: date

    @property
    def end(self) -> date:
        return next_period(self.first, self.grain)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def months(self) -> list[Period]:
        months, day = [], self.first
        while day < self.end:
            months.append(month_of(day))
            day = next_period(day, "month")
        return months


def month_of(day: date) -> Period:
    return Period(f"{day.year}-{day.month:02d}", "month", day.replace(day=1))


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(f"{day.year}-Q{(first.month - 1) // 3 + 1}", "quarter", first)


@dataclass(frozen=True)
class DataBehind:
    """The rows a period's figures came from: first and last interaction, row count, import runs."""

    first: str | None
    last: str | None
    rows: int
    import_runs: tuple[int, ...]


def utc_windows(exclusions: Sequence[Exclusion], timezone: str) -> list[Window]:
    """Exclusions as naive-UTC [from, to) windows; dates are whole local days, `to` included."""
    zone = ZoneInfo(timezone)
    windows = []
    for exclusion in exclusions:
        start, end = exclusion.start, exclusion.end
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0))
            end = datetime.combine(end, time(0)) + timedelta(days=1)
        windows.append((_utc(start, zone), _utc(end, zone)))  # type: ignore[arg-type]
    return windows


def _utc(moment: datetime, zone: ZoneInfo) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def exclusions_for(contract: Contract, level_id: str) -> list[Exclusion]:
    return [e for e in contract.spec.exclusions if not e.levels or level_id in e.levels]


def covers(windows: Sequence[Window], start: datetime, end: datetime) -> bool:
    """Whether the windows together cover all of [start, end)."""
    reached = start
    for first, last in sorted(windows):
        if first > reached:
            return False
        reached = max(reached, last)
        if reached >= end:
            return True
    return reached >= end


def measure_levels(
    workspace: Workspace,
    contract: Contract,
    levels: Sequence[ServiceLevel],
    periods: Sequence[Period],
    until: date | None = None,
) -> dict[str, dict[str, Measurement]]:
    """Each level's value in each period (all of one grain, in order), with its scope, the vendor
    and the contract's exclusions for that level; one query per scope. A period still running is
    measured up to and including `until`."""
    results: dict[str, dict[str, Measurement]] = {period.label: {} for period in periods}
    if not periods or not levels:
        return results
    grain = periods[0].grain
    timezone = workspace.settings.reporting_timezone
    for group in _query_groups(contract, levels):
        windows = utc_windows(exclusions_for(contract, group[0].id), timezone)
        request = MetricQuery(
            tuple(dict.fromkeys(level.metric for level in group)),
            where=_where(contract, group[0]),
            start=periods[0].first,
            end=until or periods[-1].last_day,
            grain=grain,
            excluded=tuple(windows),
        )
        rows = {row[grain]: row for row in workspace.metrics.expression(request).to_pyarrow().to_pylist()}
        for period in periods:
            whole = covers(windows, _instants(workspace, period.first), _instants(workspace, period.end))
            row = rows.get(period.first, {})
            for level in group:
                found = Measurement(None, 0, excluded=True) if whole else measurement(row, level.metric)
                results[period.label][level.id] = found
    return results


def measurement(row: dict[str, object], metric_id: str) -> Measurement:
    """A query row's value for `metric_id` and its sample: the denominator, or the rows behind it."""
    value = metric_number(row.get(metric_id))
    numerator = metric_number(row.get(f"{metric_id}__numerator"))
    denominator = metric_number(row.get(f"{metric_id}__denominator"))
    count = metric_number(row.get(f"{metric_id}__count"))
    sample = denominator if denominator is not None else count if count is not None else value
    return Measurement(value, int(sample or 0), numerator, denominator)


def _query_groups(contract: Contract, levels: Sequence[ServiceLevel]) -> list[list[ServiceLevel]]:
    """Levels that can share one query: same scope and same exclusions."""
    groups: dict[tuple[object, ...], list[ServiceLevel]] = {}
    for level in levels:
        excluded = tuple(id(e) for e in exclusions_for(contract, level.id))
        groups.setdefault((level.scope, excluded), []).append(level)
    return list(groups.values())


def _where(contract: Contract, level: ServiceLevel) -> dict[str, list[str]]:
    where = {"vendor": [contract.vendor]}
    for key, values in level.scope.model_dump().items():
        if values:
            where[SCOPE_COLUMNS[key]] = list(values)
    return where


def _instants(workspace: Workspace, day: date) -> datetime:
    zone = ZoneInfo(workspace.settings.reporting_timezone)
    return _utc(datetime.combine(day, time(0)), zone)


def charge_volumes(workspace: Workspace, vendor: str, months: Sequence[Period]) -> dict[str, tuple[int, Decimal]]:
    """Handled contacts (metric volume_handled) and productive hours (minutes of productive agent
    states, the numerator of conformance) of the vendor in each month."""
    if not months:
        return {}
    request = MetricQuery(
        ("volume_handled", "conformance"),
        where={"vendor": [vendor]},
        start=months[0].first,
        end=months[-1].last_day,
        grain="month",
    )
    rows = {row["month"]: row for row in workspace.metrics.expression(request).to_pyarrow().to_pylist()}
    volumes = {}
    for month in months:
        row = rows.get(month.first, {})
        contacts = int(metric_number(row.get("volume_handled")) or 0)
        minutes = Decimal(repr(metric_number(row.get("conformance__numerator")) or 0.0))
        # Hours to 4 decimals (a third of a second): priced once, on the line, not rounded to cents first.
        volumes[month.label] = (contacts, (minutes / 60).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    return volumes


def data_behind(workspace: Workspace, vendor: str, period: Period) -> DataBehind:
    """First and last interaction of the vendor in the period, how many, and the import runs that stored them."""
    t = workspace.warehouse.table("interactions")
    start, end = _instants(workspace, period.first), _instants(workspace, period.end)
    rows = t.filter(t.vendor == vendor, t.created_at >= ibis.timestamp(start), t.created_at < ibis.timestamp(end))
    found = (
        rows.group_by("import_run_id")
        .aggregate(n=rows.count(), first=rows.created_at.min(), last=rows.created_at.max())
        .to_pyarrow()
        .to_pylist()
    )
    if not found:
        return DataBehind(None, None, 0, ())
    firsts = [r["first"] for r in found]
    lasts = [r["last"] for r in found]
    runs = tuple(sorted(int(r["import_run_id"]) for r in found if r["import_run_id"] is not None))
    return DataBehind(f"{min(firsts).isoformat()}Z", f"{max(lasts).isoformat()}Z", sum(r["n"] for r in found), runs)


def last_data_day(workspace: Workspace) -> date | None:
    """The local day of the latest interaction created."""
    t = workspace.warehouse.table("interactions")
    latest: datetime | None = t.created_at.max().to_pyarrow().as_py()
    if latest is None:
        return None
    zone = ZoneInfo(workspace.settings.reporting_timezone)
    return latest.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
