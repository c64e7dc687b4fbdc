"""The demo's QA program for its last month, run through the same services the commands use:
a sample drawn, the QA tool's review export imported, coaching opened, a calibration session
scored blind, mystery shops planned and scored, transcripts imported (redacted) and checked by
AutoQA, and the month's QA report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import ibis

from steward.engine.periods import Periods
from steward.importers.base import ImportOptions
from steward.services.demo_qa_data import (
    EXPORT_MAPPING,
    SCORECARD,
    SHOP_SCORECARD,
    VENDOR_QUALITY,
    Review,
    calibration_answers,
    shop_answers,
    write_export,
)
from steward.services.generation.transcripts import DEMO_AUTOQA_RULESET, write_demo_transcripts
from steward.services.ingest import import_file
from steward.services.qa_autoqa import AutoQaSummary, run_autoqa
from steward.services.qa_calibration import CalibrationReport
from steward.services.qa_calibration_sessions import close, open_session, submit_many
from steward.services.qa_coaching import open_items
from steward.services.qa_import import QaImportSummary, import_evaluations
from steward.services.qa_mystery import ShopPlan, plan_shops, score_shop
from steward.services.qa_report import QaReport, qa_report
from steward.services.qa_sampling import SampleRequest, sample
from steward.workspace import Workspace

PARTNERS = ("northwind", "bluecrest", "sunrise")
SHOP_SCENARIOS = (("refund after 30 days", "email"), ("cancel a subscription", "chat"))
CALIBRATION_SIZE = 8


@dataclass(frozen=True)
class DemoQa:
    month: str
    sample_file: Path
    imported: QaImportSummary
    coaching_opened: int
    calibration: CalibrationReport
    autoqa: AutoQaSummary
    report: QaReport


def build_demo_qa(
    workspace: Workspace, month: date, *, seed: int = 7, on_step: Callable[[str], None] | None = None
) -> DemoQa:
    step = on_step or (lambda _: None)
    write_definitions(workspace.root)
    label = month.strftime("%Y-%m")
    start, end = _bounds(workspace, month)
    step("drawing the QA sample")
    plan = sample(workspace, SampleRequest(label, total=240, targets=("low_csat",), per_queue=6, seed=seed))
    reviews = _reviews(workspace, [(a.key, a.vendor, a.agent_id, a.frame) for a in plan.assignments])
    step("importing the QA tool's review export")
    export = write_export(workspace.root / "data" / "qa-reviews.csv", reviews, end, seed)
    imported = import_evaluations(workspace, export, mapping=workspace.root / "definitions" / "qa-export-mapping.yaml")
    coaching = open_items(workspace, owner="team-lead")
    step("running a calibration session")
    calibration = _calibration(workspace, _calibration_contacts(reviews), label, seed)
    _mystery_shops(workspace, month, start, end)
    step("importing transcripts and running AutoQA")
    transcripts = workspace.root / "data" / "transcripts.parquet"
    sloppiness = {vendor: (1 - level) * 10 for vendor, level in VENDOR_QUALITY.items()}
    write_demo_transcripts(workspace, start, end, transcripts, seed=seed, sloppiness=sloppiness)
    import_file(workspace, transcripts, importer_name="steward", options=ImportOptions(table="transcripts"))
    autoqa = run_autoqa(workspace, label)
    step("writing the QA report")
    return DemoQa(label, plan.file or export, imported, len(coaching), calibration, autoqa, qa_report(workspace, label))


def write_definitions(root: Path) -> None:
    folder = root / "definitions"
    (folder / "scorecards").mkdir(exist_ok=True)
    (folder / "scorecards" / "support-quality.yaml").write_text(SCORECARD, encoding="utf-8")
    (folder / "scorecards" / "mystery-contact.yaml").write_text(SHOP_SCORECARD, encoding="utf-8")
    (folder / "autoqa").mkdir(exist_ok=True)
    (folder / "autoqa" / "chat-basics.yaml").write_text(DEMO_AUTOQA_RULESET, encoding="utf-8")
    (folder / "qa-export-mapping.yaml").write_text(EXPORT_MAPPING, encoding="utf-8")


def _bounds(workspace: Workspace, month: date) -> tuple[datetime, datetime]:
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start, end = Periods(workspace.settings.reporting_timezone).bounds(month, last)
    assert start is not None and end is not None  # noqa: S101 - both days given
    return start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)


def _reviews(workspace: Workspace, picked: list[tuple[str, str, str | None, str]]) -> list[Review]:
    """The sampled interactions with their creation time (reviews follow the contact)."""
    ids = [key.split(":", 1)[1] for key, *_ in picked]
    t = workspace.warehouse.table("interactions")
    rows = t.filter(t.interaction_id.isin(ids)).select("interaction_id", "created_at").to_pyarrow().to_pylist()
    created = {row["interaction_id"]: row["created_at"].replace(tzinfo=UTC) for row in rows}
    return [
        Review(key.split(":", 1)[1], vendor, agent, frame, created[key.split(":", 1)[1]])
        for key, vendor, agent, frame in picked
        if frame in ("random", "targeted")
    ]


def _calibration_contacts(reviews: list[Review]) -> list[Review]:
    """Two random-sample contacts of each vendor: every team's work is in the session."""
    per_vendor: dict[str, list[Review]] = {}
    for review in reviews:
        chosen = per_vendor.setdefault(review.vendor, [])
        if review.frame == "random" and len(chosen) < CALIBRATION_SIZE // 4:
            chosen.append(review)
    return [review for vendor in sorted(per_vendor) for review in per_vendor[vendor]]


def _calibration(workspace: Workspace, reviews: list[Review], label: str, seed: int) -> CalibrationReport:
    session = open_session(
        workspace,
        name=f"{label} calibration",
        scorecard="support-quality",
        interactions=[r.interaction for r in reviews],
        evaluators=["qa-lead", "qa-lena", "qa-tom", "qa-ana"],
        expert="qa-lead",
        tolerance=5.0,
        opened_by="qa-lead",
    )
    submit_many(
        workspace, session.id, calibration_answers([(r.interaction, r.vendor, r.agent_id) for r in reviews], seed)
    )
    return close(workspace, session.id)


def _mystery_shops(workspace: Workspace, month: date, start: datetime, end: datetime) -> None:
    """Two scenarios per partner, due mid-month; every partner's last shop is left overdue."""
    t = workspace.warehouse.table("interactions")
    due = month.replace(day=15)
    for vendor in PARTNERS:
        for number, (scenario, channel) in enumerate(SHOP_SCENARIOS):
            shops = plan_shops(workspace, ShopPlan(vendor, scenario, channel, "mystery-contact", due, 2, "agency-x"))
            contacts = t.filter(t.vendor == vendor, t.channel == channel, t.created_at >= ibis.timestamp(start))
            ids = contacts.order_by("created_at").select("interaction_id").limit(2).to_pyarrow().to_pylist()
            scored = shops[:1] if number == len(SHOP_SCENARIOS) - 1 else shops
            for contact, (shop, row) in enumerate(zip(scored, ids, strict=False)):
                score_shop(
                    workspace,
                    shop.id,
                    interaction_id=row["interaction_id"],
                    evaluator="shopper-1",
                    answers=shop_answers(vendor, number, contact),
                    evaluated_at=end - timedelta(days=10),
                )
