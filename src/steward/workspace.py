"""The composition root: settings -> warehouse, records, importers and clock, built explicitly."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from steward.definitions.autoqa_rules import AutoQaRulesets, load_autoqa_rulesets
from steward.definitions.calendars import CalendarSet, load_calendars
from steward.definitions.contract_models import contract_schema
from steward.definitions.contracts import ContractBook, load_contracts
from steward.definitions.costs import COSTS_FILE, CostBook, load_costs
from steward.definitions.examples import (
    AUTOQA_EXAMPLE,
    CALENDAR_EXAMPLE,
    CONTRACT_EXAMPLE,
    COSTS_EXAMPLE,
    VENDORS_EXAMPLE,
)
from steward.definitions.metrics import Catalogue, load_catalogue
from steward.definitions.qa_scorecards import QaScorecards, load_qa_scorecards
from steward.definitions.vendors import load_vendors
from steward.domain.clock import Clock, naive_utc
from steward.engine.query import MetricsEngine
from steward.importers.base import Importer, Pseudonymise, hmac_pseudonymiser
from steward.importers.registry import available_importers
from steward.storage.records import Records
from steward.storage.settings import DEFAULT_SETTINGS, SETTINGS_FILE, Settings, SettingsError
from steward.storage.warehouse import Warehouse

WORKSPACE_ENV = "STEWARD_WORKSPACE"
GITIGNORE = """\
# Data and secrets stay out of version control; definitions/ is meant to be committed.
warehouse.duckdb*
records.db
reports/
.steward/
"""


class SystemClock:
    """The real clock; the only place Steward reads the time of day."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Workspace:
    """A company's Steward folder: settings, definitions, warehouse and records."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    def now_naive_utc(self) -> datetime:
        """Now, as records and the warehouse store instants."""
        return naive_utc(self.clock.now())

    def today(self) -> date:
        """Today's date in the reporting time zone (due dates and periods are local days)."""
        return self.clock.now().astimezone(ZoneInfo(self.settings.reporting_timezone)).date()

    @classmethod
    def init(cls, root: Path, name: str | None = None, clock: Clock | None = None) -> Workspace:
        """Create a workspace folder (keeping anything already there) and open it."""
        root = root.resolve()
        (root / "definitions" / "calendars").mkdir(parents=True, exist_ok=True)
        (root / "definitions" / "contracts").mkdir(exist_ok=True)
        (root / "definitions" / "autoqa").mkdir(exist_ok=True)
        (root / "reports").mkdir(exist_ok=True)
        _write_once(root / SETTINGS_FILE, DEFAULT_SETTINGS.format(name=name or root.name))
        _write_once(root / "definitions" / "vendors.yaml", VENDORS_EXAMPLE)
        _write_once(root / "definitions" / "calendars" / "example.yaml", CALENDAR_EXAMPLE)
        _write_once(root / "definitions" / COSTS_FILE, COSTS_EXAMPLE)
        _write_once(root / "definitions" / "contracts" / "example.yaml", CONTRACT_EXAMPLE)
        _write_once(root / "definitions" / "autoqa" / "example.yaml", AUTOQA_EXAMPLE)
        schema = root / "definitions" / "contracts" / "contract.schema.json"
        schema.write_text(contract_schema() + "\n", encoding="utf-8")  # for editors; always this version's
        _write_once(root / ".gitignore", GITIGNORE)
        workspace = cls.open(root, clock)
        key = workspace.settings.pseudonym_key_file
        if not key.exists():
            key.parent.mkdir(parents=True, exist_ok=True)
            key.write_bytes(secrets.token_bytes(32))
            key.chmod(0o600)
        return workspace

    @classmethod
    def open(cls, root: Path | None = None, clock: Clock | None = None) -> Workspace:
        """Open the workspace at `root`, $STEWARD_WORKSPACE, or the nearest folder up holding steward.toml."""
        settings = Settings.load(find_root(root))
        workspace = cls(settings, clock or SystemClock())
        workspace.records.migrate()
        workspace.warehouse.ensure_schema()
        return workspace

    @property
    def root(self) -> Path:
        return self.settings.root

    @cached_property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.settings.warehouse_url, self.settings.warehouse_memory_limit)

    @cached_property
    def records(self) -> Records:
        return Records(self.settings.records_url)

    @cached_property
    def catalogue(self) -> Catalogue:
        """Built-in metrics plus definitions/metrics/*.yaml."""
        return load_catalogue(self.root / "definitions" / "metrics")

    @cached_property
    def calendars(self) -> CalendarSet:
        """Business calendars from definitions/calendars/, with vendors' own calendar choices."""
        vendors = load_vendors(self.root / "definitions" / "vendors.yaml").vendors
        chosen = tuple((v.name, v.calendar) for v in vendors if v.calendar)
        return load_calendars(self.root / "definitions" / "calendars", chosen)

    @cached_property
    def contracts(self) -> ContractBook:
        """Contracts from definitions/contracts/, checked against the metrics and vendors they name."""
        vendors = load_vendors(self.root / "definitions" / "vendors.yaml").vendors
        folder = self.root / "definitions" / "contracts"
        return load_contracts(folder, self.catalogue, [v.name for v in vendors])

    @cached_property
    def qa_scorecards(self) -> QaScorecards:
        """QA scorecards from definitions/scorecards/ (docs/qa.md)."""
        return load_qa_scorecards(self.root / "definitions" / "scorecards")

    @cached_property
    def autoqa_rulesets(self) -> AutoQaRulesets:
        """AutoQA rulesets from definitions/autoqa/ (docs/qa.md#autoqa)."""
        return load_autoqa_rulesets(self.root / "definitions" / "autoqa")

    @cached_property
    def metrics(self) -> MetricsEngine:
        """Metric queries over the warehouse (see docs/metrics.md)."""
        return MetricsEngine(
            self.warehouse.backend, self.catalogue, self.calendars, self.settings.reporting_timezone, self.costs
        )

    @cached_property
    def costs(self) -> CostBook:
        """Monthly retention and acquisition spend from definitions/costs.yaml (none when it is missing)."""
        return load_costs(self.root / "definitions" / COSTS_FILE)

    @cached_property
    def importers(self) -> dict[str, Importer]:
        return available_importers()

    @cached_property
    def pseudonymise(self) -> Pseudonymise:
        key = self.settings.pseudonym_key_file
        if not key.exists():
            raise SettingsError(f"{key}: pseudonym key missing (run `steward init {self.root}` to create one)")
        return hmac_pseudonymiser(key.read_bytes())

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def close(self) -> None:
        self.warehouse.close()
        self.records.close()


def find_root(root: Path | None) -> Path:
    if root is not None:
        return root.resolve()
    if os.environ.get(WORKSPACE_ENV):
        return Path(os.environ[WORKSPACE_ENV]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).exists():
            return folder
    raise SettingsError(f"no {SETTINGS_FILE} in {here} or above; run `steward init DIR` or pass --workspace")


def _write_once(path: Path, text: str) -> None:
    if not path.exists():
        path.write_text(text, encoding="utf-8")
