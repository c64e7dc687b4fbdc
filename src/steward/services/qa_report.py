"""`steward qa report`: each vendor's QA for a month or quarter, with the precision of its score."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import ibis
from sqlalchemy import select

from steward.domain.sample_size import mean_margin
from steward.engine.periods import Periods
from steward.services.metrics import metric_number
from steward.services.qa_mystery import ShopSummary, shop_summaries
from steward.services.scorecard import ScorecardError, resolve_period
from steward.storage.records import QaCoachingItem, QaDispute, QaEvaluation
from steward.workspace import Workspace

METRICS = ("quality_score", "qa_pass_rate", "qa_critical_fail_rate", "mystery_shop_score")


class QaReportError(ValueError):
    """A report request the user has to correct."""


@dataclass
class VendorQa:
    vendor: str
    values: dict[str, float | None] = field(default_factory=dict)
    evaluations: Counter[str] = field(default_factory=Counter)
    """Evaluations per sample (random, targeted, calibration, mystery_shop, autoqa)."""
    margin: float | None = None
    """95% half-width of quality_score (Student's t over the random sample's scores)."""
    open_disputes: int = 0
    open_coaching: int = 0
    shops: ShopSummary | None = None
    """Mystery shops due in the period: done, open, overdue, and the scores by scenario."""


@dataclass(frozen=True)
class QaReport:
    period: str
    vendors: list[VendorQa]


def qa_report(workspace: Workspace, period_text: str, vendor: str | None = None) -> QaReport:
    try:
        period, _ = resolve_period(period_text, workspace)
    except ScorecardError as error:
        raise QaReportError(str(error)) from None
    where = {"vendor": [vendor]} if vendor else {}
    table = workspace.metrics.query(list(METRICS), by=["vendor"], where=where, start=period.first, end=period.last_day)
    found: dict[str, VendorQa] = {}
    for row in table.to_pylist():
        found[row["vendor"]] = VendorQa(row["vendor"], {m: metric_number(row.get(m)) for m in METRICS})
    start, end = Periods(workspace.settings.reporting_timezone).bounds(period.first, period.last_day)
    _samples(workspace, found, start, end, vendor)
    _open_work(workspace, found)
    for name, shops in shop_summaries(workspace, period.first, period.last_day).items():
        if vendor in (None, name):
            found.setdefault(name, VendorQa(name)).shops = shops
    return QaReport(period.label, [found[name] for name in sorted(found)])


def _samples(workspace: Workspace, found: dict[str, VendorQa], start: object, end: object, vendor: str | None) -> None:
    t = workspace.warehouse.table("qa_results")
    rows = t.filter(t.evaluated_at >= ibis.timestamp(start), t.evaluated_at < ibis.timestamp(end))
    if vendor:
        rows = rows.filter(rows.vendor == vendor)
    counted = rows.group_by(["vendor", "sample"]).aggregate(n=rows.count(), sd=rows.score.std())
    for row in counted.to_pyarrow().to_pylist():
        entry = found.setdefault(row["vendor"], VendorQa(row["vendor"]))
        entry.evaluations[row["sample"]] = int(row["n"])
        sd = metric_number(row["sd"])
        if row["sample"] == "random" and sd is not None:
            entry.margin = mean_margin(int(row["n"]), sd)


def _open_work(workspace: Workspace, found: dict[str, VendorQa]) -> None:
    with workspace.records.session() as session:
        vendor_of = {row[0]: row[1] for row in session.execute(select(QaEvaluation.evaluation_id, QaEvaluation.vendor))}
        for dispute in session.scalars(select(QaDispute).where(QaDispute.status == "open")):
            entry = found.get(vendor_of.get(dispute.evaluation_id, ""))
            if entry is not None:
                entry.open_disputes += 1
        for item in session.scalars(select(QaCoachingItem).where(QaCoachingItem.status == "open")):
            if item.vendor in found:
                found[item.vendor].open_coaching += 1
