"""The demo: a workspace with a year of realistic data for an in-house team and three BPO partners."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml

from steward.importers.base import ImportOptions
from steward.services.demo_contracts import DEMO_CONTRACTS, SCHEMA_LINE
from steward.services.demo_qa import PARTNERS, DemoQa, build_demo_qa
from steward.services.demo_wfm import DemoWorkforce, build_demo_workforce
from steward.services.generation import DEFAULT_VENDORS, GenerationSummary, VendorProfile, generate
from steward.services.generation.profiles import OPEN_HOURS
from steward.services.ingest import ImportSummary, import_file
from steward.services.metrics import MetricResult, build_request, run_query
from steward.services.scorecard import ScorecardReport, scorecards
from steward.storage.settings import SETTINGS_FILE
from steward.workspace import Workspace

DEMO_MARKER = ".steward/demo"
IMPORT_ORDER = ("interactions", "interaction_events", "agent_states", "schedules", "forecasts", "orders")
HEADLINE_METRICS = (
    "volume",
    "frt_median",
    "frt_business_p90",
    "frt_within_target",
    "aht",
    "service_level",
    "abandon_rate",
    "fcr",
    "csat_top2",
    "nps",
)
REPORTING_TIMEZONE = "Europe/Berlin"


class DemoError(Exception):
    """The demo folder exists and is not a demo workspace, so it is left alone."""


@dataclass
class DemoResult:
    workspace: Workspace
    generation: GenerationSummary
    imports: list[ImportSummary] = field(default_factory=list)
    breakdown: Breakdown | None = None
    headline: MetricResult | None = None
    scorecards: ScorecardReport | None = None
    scorecard_html: Path | None = None
    qa: DemoQa | None = None
    workforce: DemoWorkforce | None = None


def vendors_yaml(vendors: tuple[VendorProfile, ...]) -> str:
    entries = [
        {"name": v.name, "kind": v.kind, "sites": [v.site], "timezone": v.timezone, "languages": list(v.languages)}
        for v in vendors
    ]
    header = "# Vendors of the demo company: an in-house team and three BPO partners.\n"
    return header + yaml.safe_dump({"vendors": entries}, sort_keys=False)


def calendar_yaml(vendor: VendorProfile) -> str:
    """The vendor's business hours in its own time zone, closed on its country's public holidays."""
    hours = OPEN_HOURS[vendor.kind]
    calendar = {
        "name": vendor.name,
        "timezone": vendor.timezone,
        "hours": hours,
        "holidays": {"country": vendor.country},
        "applies_to": {"vendors": [vendor.name]},
    }
    header = f"# Business hours of {vendor.name} ({vendor.site}); business-time metrics run only inside them.\n"
    return header + yaml.safe_dump(calendar, sort_keys=False)


def build_demo(
    root: Path,
    *,
    interactions: int = 500_000,
    seed: int = 7,
    on_generated: Callable[[int, int], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> DemoResult:
    """(Re)create the demo workspace at `root`, generate its data and import it through the normal importer."""
    root = root.resolve()
    if root.exists() and any(root.iterdir()) and not (root / DEMO_MARKER).exists():
        raise DemoError(f"{root} exists and is not a demo workspace; choose another folder")
    if root.exists():
        shutil.rmtree(root)
    Workspace.init(root, name="demo").close()
    settings = root / SETTINGS_FILE
    # The demo company sits in Berlin: its months start at Berlin midnight.
    settings.write_text(settings.read_text().replace('timezone = "UTC"', f'timezone = "{REPORTING_TIMEZONE}"'))
    workspace = Workspace.open(root)
    (root / DEMO_MARKER).write_text("created by `steward demo`; the folder is rebuilt on every run\n")
    (root / "definitions" / "vendors.yaml").write_text(vendors_yaml(DEFAULT_VENDORS), encoding="utf-8")
    for vendor in DEFAULT_VENDORS:
        calendar_file = root / "definitions" / "calendars" / f"{vendor.name}.yaml"
        calendar_file.write_text(calendar_yaml(vendor), encoding="utf-8")
    write_demo_contracts(root)
    generation = generate(root / "data", interactions=interactions, seed=seed, progress=on_generated)
    result = DemoResult(workspace, generation)
    for table in IMPORT_ORDER:
        path = generation.files.get(table)
        if path is not None:
            result.imports.append(
                import_file(
                    workspace, path, importer_name="steward", options=ImportOptions(table=table), on_step=on_step
                )
            )
    result.breakdown = demo_breakdown(workspace)
    if on_step:
        on_step("computing the headline metrics")
    result.headline = run_query(workspace, build_request(HEADLINE_METRICS, by=["vendor", "month"]))
    if on_step:
        on_step("evaluating the contracts month by month")
    result.scorecards = scorecards(workspace, "last")
    last_month = (generation.end - timedelta(days=1)).replace(day=1)
    result.qa = build_demo_qa(workspace, last_month, seed=seed, on_step=on_step)
    if on_step:
        on_step("forecasting the next week and checking staffing")
    result.workforce = build_demo_workforce(workspace, last_month, PARTNERS)
    return result


def write_demo_contracts(root: Path) -> None:
    """The three partners' contracts (init wrote the JSON Schema editors check them against)."""
    folder = root / "definitions" / "contracts"
    (folder / "example.yaml").unlink(missing_ok=True)
    for vendor, text in DEMO_CONTRACTS.items():
        (folder / f"{vendor}.yaml").write_text(SCHEMA_LINE + text, encoding="utf-8")


@dataclass(frozen=True)
class Breakdown:
    """Interaction counts per vendor and channel, and per month and vendor."""

    vendors: list[str]
    channels: list[str]
    months: list[str]
    by_channel: dict[tuple[str, str], int]
    by_month: dict[tuple[str, str], int]


def demo_breakdown(workspace: Workspace) -> Breakdown:
    """Interactions per vendor and channel, and per vendor and month in the reporting time zone."""
    t = workspace.warehouse.table("interactions")
    by_channel = t.group_by(["vendor", "channel"]).aggregate(n=t.count()).to_pyarrow().to_pylist()
    volume = run_query(workspace, build_request(("volume",), by=["vendor", "month"])).table.to_pylist()
    by_month = [{"vendor": r["vendor"], "month": r["month"].strftime("%Y-%m"), "n": r["volume"]} for r in volume]
    return Breakdown(
        vendors=sorted({str(r["vendor"]) for r in by_channel}),
        channels=sorted({str(r["channel"]) for r in by_channel}),
        months=sorted({str(r["month"]) for r in by_month}),
        by_channel={(str(r["vendor"]), str(r["channel"])): int(r["n"]) for r in by_channel},
        by_month={(str(r["month"]), str(r["vendor"])): int(r["n"]) for r in by_month},
    )
