"""Scorecards end to end: demo data in a real warehouse, contracts as YAML, records in SQLite."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from tests.native_rows import write_table
from typer.testing import CliRunner

from steward.domain.clock import FixedClock
from steward.importers.base import ImportOptions
from steward.interfaces.cli.app import app
from steward.services.demo import build_demo
from steward.services.demo_contracts import DEMO_CONTRACTS
from steward.services.ingest import import_file
from steward.services.scorecard import ScorecardError, scorecards
from steward.storage.records import Records, ScorecardRecord
from steward.workspace import Workspace

# A year of demo data and a few dozen evaluated contract months: about a minute, so in the slow suite
# (`make test-slow`, run by .ci/run). The default suite keeps the worked examples, the properties,
# contract validation and the demo printing its three scorecards.
pytestmark = pytest.mark.slow

DECEMBER = FixedClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
SMALL_SAMPLES = re.compile(r"min_sample: \d+")


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year of demo data (30k interactions) with the demo contracts at samples this size can meet."""
    folder = tmp_path_factory.mktemp("scorecards") / "demo"
    result = build_demo(folder, interactions=30_000)
    result.workspace.close()
    for vendor, text in DEMO_CONTRACTS.items():
        (folder / "definitions" / "contracts" / f"{vendor}.yaml").write_text(SMALL_SAMPLES.sub("min_sample: 20", text))
    workspace = Workspace.open(folder, DECEMBER)
    with workspace.records.session() as session, session.begin():
        session.execute(delete(ScorecardRecord))
    scorecards(workspace, "2026-09")  # the months before October, stored once for every test
    workspace.close()
    return folder


@pytest.fixture
def demo(demo_folder: Path, tmp_path: Path) -> Iterator[Workspace]:
    copy = tmp_path / "demo"
    shutil.copytree(demo_folder, copy)
    workspace = Workspace.open(copy, DECEMBER)
    yield workspace
    workspace.close()


def card_of(cards: list[dict[str, object]], vendor: str) -> dict[str, object]:
    return next(card for card in cards if card["vendor"] == vendor)


def levels(card: dict[str, object]) -> dict[str, dict[str, object]]:
    return {level["id"]: level for level in card["levels"]}  # type: ignore[attr-defined,index]


def test_last_month_evaluates_every_month_once_and_matches_the_metrics(demo: Workspace) -> None:
    report = scorecards(demo, "last")
    assert report.period.label == "2026-10"
    assert [card["vendor"] for card in report.cards] == ["bluecrest", "northwind", "sunrise"]
    with demo.records.session() as session:
        stored = session.scalars(select(ScorecardRecord)).all()
    assert len(stored) == 36 and {r.revision for r in stored} == {1}
    sunrise = card_of(report.cards, "sunrise")
    phone = levels(sunrise)["phone_service_level"]
    email = levels(sunrise)["email_first_response"]
    reference = demo.metrics.query(
        ["frt_business_p90"],
        where={"vendor": ["sunrise"], "channel": ["email"]},
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
    ).to_pylist()[0]
    assert email["value"] == pytest.approx(reference["frt_business_p90"])
    assert email["sample"] == reference["frt_business_p90__count"]
    assert phone["status"] == "missed minimum" and email["status"] == "missed minimum"
    assert "force majeure 2026-10-27 to 2026-10-28" in phone["exclusions"][0]  # type: ignore[index]


def test_the_money_follows_the_contract_by_hand(demo: Workspace) -> None:
    """Recompute sunrise's October from the card's own values and the contract's numbers."""
    card = card_of(scorecards(demo, "2026-10").cards, "sunrise")
    lines = card["charge_lines"]
    hours = Decimal(lines[1]["quantity"])  # type: ignore[index]
    states = demo.warehouse.table("agent_states")
    october = states.filter(
        states.vendor == "sunrise",
        states.state.isin(["available", "on_contact", "wrap"]),
        states.start_at >= datetime(2026, 9, 30, 22),  # Berlin midnight in UTC
        states.start_at < datetime(2026, 10, 31, 23),
    )
    seconds = (october.end_at.epoch_seconds() - october.start_at.epoch_seconds()).sum().execute()
    assert hours == (Decimal(int(seconds)) / 3600).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    charges = Decimal("8000") + (hours * Decimal("17.50")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(card["charges"]) == charges  # type: ignore[arg-type]
    at_risk = (charges * Decimal("0.12")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(card["at_risk_amount"]) == at_risk  # type: ignore[arg-type]
    by_id = levels(card)
    pool = (at_risk * Decimal("1.00") * Decimal("0.50")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    shortfall = Decimal(repr(round(80 - by_id["csat"]["value"], 9)))  # type: ignore[operator]
    proportional = (shortfall * charges / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expected_before = pool + pool + proportional
    assert Decimal(card["credits_before_caps"]) == expected_before  # type: ignore[arg-type]
    room = Decimal(card["rolling_cap_room"])  # type: ignore[arg-type]
    assert Decimal(card["credits_after_caps"]) == min(expected_before, at_risk, room)  # type: ignore[arg-type]
    assert Decimal(card["net_adjustment"]) == -Decimal(card["credits_after_caps"])  # type: ignore[arg-type]
    assert any("chronic failure" in flag for flag in card["flags"])  # type: ignore[attr-defined]


def test_a_closed_month_reproduces_exactly_and_is_never_silently_overwritten(demo: Workspace, tmp_path: Path) -> None:
    first = scorecards(demo, "2026-10", vendor="sunrise")
    again = scorecards(demo, "2026-10", vendor="sunrise")
    assert again.cards == first.cards and again.warnings == []
    rows = [
        {
            "interaction_id": f"late-{n}",
            "vendor": "sunrise",
            "queue": "billing",
            "channel": "email",
            "created_at": datetime(2026, 10, 20, 9, n),
            "csat": 1,
        }
        for n in range(40)
    ]
    late = write_table(tmp_path / "late.csv", "interactions", rows)
    import_file(demo, late, importer_name="steward", options=ImportOptions(table="interactions"))
    changed = scorecards(demo, "2026-10", vendor="sunrise")
    stands = {key: value for key, value in changed.cards[0].items() if key != "warnings"}
    assert stands == first.cards[0]  # the stored revision stands
    assert "revision 1 stands" in changed.warnings[0] and "--revise" in changed.warnings[0]
    revised = scorecards(demo, "2026-10", vendor="sunrise", revise="late import of October surveys")
    card = revised.cards[0]
    assert card["revision"] == 2 and card["reason"] == "late import of October surveys"
    assert levels(card)["csat"]["sample"] > levels(first.cards[0])["csat"]["sample"]  # type: ignore[operator]
    assert len(card["data"]["import_runs"]) == 2  # type: ignore[index,arg-type]
    assert scorecards(demo, "2026-10", vendor="sunrise").warnings == []
    with pytest.raises(ScorecardError, match="--revise re-evaluates one closed month"):
        scorecards(demo, "2026-Q3", revise="why")


def test_the_running_month_is_projected_and_not_stored(demo: Workspace) -> None:
    mid_october = Workspace.open(demo.root, FixedClock(datetime(2026, 10, 16, 10, 0, tzinfo=UTC)))
    try:
        report = scorecards(mid_october, "current")
    finally:
        mid_october.close()
    assert report.period.label == "2026-10"
    sunrise = card_of(report.cards, "sunrise")
    assert str(sunrise["state"]).startswith("running: 2026-10-01 to 2026-10-16")
    csat = levels(sunrise)["csat"]
    assert csat["projection"]["outlook"] == "likely miss"  # type: ignore[index]
    assert csat["value"] == csat["so_far"]["value"]  # type: ignore[index]
    assert csat["projection"]["sample"] > csat["so_far"]["sample"]  # type: ignore[index,operator]
    with demo.records.session() as session:
        periods = set(session.scalars(select(ScorecardRecord.period)))
    assert "2026-10" not in periods and "2026-09" in periods


def test_a_quarter_sums_its_months(demo: Workspace) -> None:
    stored = demo.records.scorecards("bluecrest-premium")
    months = {m: stored[m].scorecard for m in ("2026-07", "2026-08", "2026-09")}
    quarter = scorecards(demo, "2026-Q3", vendor="bluecrest").cards[0]
    for key in ("charges", "credits_after_caps", "bonus_earned", "net_adjustment"):
        assert Decimal(quarter[key]) == sum(Decimal(card[key]) for card in months.values())  # type: ignore[arg-type,misc]
    fcr = levels(quarter)["fcr_quarter"]
    reference = demo.metrics.query(
        ["fcr"], where={"vendor": ["bluecrest"]}, start=date(2026, 7, 1), end=date(2026, 9, 30)
    )
    assert fcr["value"] == pytest.approx(reference.to_pylist()[0]["fcr"])
    assert fcr["monthly"] == {
        "2026-07": "measured at quarter end",
        "2026-08": "measured at quarter end",
        "2026-09": fcr["status"],
    }


def test_exclusions_take_time_out_of_measurement(demo: Workspace) -> None:
    contract = demo.root / "definitions" / "contracts" / "northwind.yaml"
    contract.write_text(
        contract.read_text()
        + "exclusions:\n"
        + "  - {from: 2026-10-01, to: 2026-10-31, kind: client_caused, reason: CRM migration, levels: [csat]}\n"
        + "  - {from: '2026-10-05 00:00', to: '2026-10-12 00:00', kind: force_majeure, reason: typhoon}\n"
    )
    fresh = Workspace.open(demo.root, DECEMBER)
    try:
        card = card_of(scorecards(fresh, "2026-10").cards, "northwind")
        by_id = levels(card)
        assert by_id["csat"]["status"] == "excluded" and by_id["csat"]["credit"] == "0"
        whole = fresh.metrics.query(
            ["fcr"], where={"vendor": ["northwind"]}, start=date(2026, 10, 1), end=date(2026, 10, 31)
        )
        assert by_id["fcr"]["sample"] < whole.to_pylist()[0]["fcr__denominator"]  # type: ignore[operator]
        window = (datetime(2026, 10, 4, 22), datetime(2026, 10, 11, 22))  # Berlin midnights in UTC (CEST)
        october = {"where": {"vendor": ["northwind"]}, "start": date(2026, 10, 1), "end": date(2026, 10, 31)}
        every = fresh.metrics.query(["volume"], **october).to_pylist()[0]["volume"]  # type: ignore[arg-type]
        kept = fresh.metrics.query(["volume"], **october, excluded=[window]).to_pylist()[0]["volume"]  # type: ignore[arg-type]
        t = fresh.warehouse.table("interactions")
        inside = t.filter(t.vendor == "northwind", t.created_at >= window[0], t.created_at < window[1]).count()
        assert 0 < kept < every and kept == every - inside.execute()
    finally:
        fresh.close()


def test_last_never_stores_a_month_still_running(demo: Workspace) -> None:
    """The data reaches 31 October; on that day October is still running, so `last` is September."""
    halloween = Workspace.open(demo.root, FixedClock(datetime(2026, 10, 31, 12, 0, tzinfo=UTC)))
    try:
        assert scorecards(halloween, "last", vendor="sunrise").period.label == "2026-09"
    finally:
        halloween.close()


def test_a_comment_in_the_contract_changes_no_figures(demo: Workspace) -> None:
    first = scorecards(demo, "2026-10", vendor="northwind").cards[0]
    contract = demo.root / "definitions" / "contracts" / "northwind.yaml"
    contract.write_text("# reviewed with finance\n" + contract.read_text())
    edited = Workspace.open(demo.root, DECEMBER)
    try:
        again = scorecards(edited, "2026-10", vendor="northwind")
        revised = scorecards(edited, "2026-09", vendor="northwind", revise="nothing changed")
    finally:
        edited.close()
    assert again.warnings == [] and again.cards[0]["contract_sha256"] == first["contract_sha256"]
    assert "reproduces revision 1 exactly" in revised.warnings[0]
    assert "2026-10 stay as stored" in revised.warnings[1]


def test_period_words(demo: Workspace) -> None:
    with pytest.raises(ScorecardError, match="YYYY-MM"):
        scorecards(demo, "October")
    with pytest.raises(ScorecardError, match="has not ended yet"):
        scorecards(demo, "2027-Q1")
    with pytest.raises(ScorecardError, match="no contract for vendor 'acme-inhouse'"):
        scorecards(demo, "last", vendor="acme-inhouse")


def test_cli_formats_and_exit_codes(demo: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    root = str(demo.root)
    as_json = runner.invoke(
        app, ["scorecard", "--period", "2026-10", "--vendor", "bluecrest", "--format", "json", "-w", root]
    )
    assert as_json.exit_code == 0, as_json.output
    assert [card["vendor"] for card in json.loads(as_json.stdout)] == ["bluecrest"]
    as_csv = runner.invoke(
        app, ["scorecard", "--period", "2026-10", "--vendor", "sunrise", "--format", "csv", "-w", root]
    )
    assert as_csv.stdout.splitlines()[0].startswith("contract,vendor,period,version,level")
    assert len(as_csv.stdout.splitlines()) == 1 + 4
    table = runner.invoke(
        app, ["scorecard", "--period", "2026-10", "--vendor", "sunrise", "-w", root], env={"COLUMNS": "160"}
    )
    assert "missed minimum" in table.stdout and "net adjustment" in table.stdout
    page = tmp_path / "cards.html"
    html = runner.invoke(
        app,
        ["scorecard", "--period", "2026-10", "--vendor", "sunrise", "--format", "html", "-o", str(page), "-w", root],
    )
    assert html.exit_code == 0 and page.exists()
    text = _visible_text(page.read_text())
    for words in (
        "sunrise — 2026-10",
        "Net adjustment to the invoice",
        "Protects: Callers reach a person",
        "grid outage",
    ):
        assert words.lower() in text.lower(), words
    bad = runner.invoke(app, ["scorecard", "--period", "soon", "-w", root])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_contract_check_and_schema(demo: Workspace) -> None:
    runner = CliRunner()
    root = str(demo.root)
    good = runner.invoke(app, ["contract", "check", "-w", root])
    assert good.exit_code == 0 and "sunrise-overflow for sunrise" in good.output
    (demo.root / "definitions" / "contracts" / "broken.yaml").write_text("contract: x\nvendor: nobody\nversions: []\n")
    broken = runner.invoke(app, ["contract", "check", "-w", root])
    assert broken.exit_code == 2
    assert "broken.yaml:3: versions" in broken.output and "broken.yaml:2: vendor" not in broken.output
    schema = runner.invoke(app, ["contract", "schema"])
    assert json.loads(schema.stdout)["title"] == "Steward contract"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.postgres
def test_scorecards_store_on_postgresql_records(demo: Workspace, postgres_records: Records) -> None:
    """The same month evaluated with PostgreSQL records gives the same stored scorecard as SQLite."""
    on_sqlite = scorecards(demo, "2026-10", vendor="northwind").cards[0]
    settings = demo.root / "steward.toml"
    settings.write_text(settings.read_text().replace('url = "sqlite:///records.db"', f'url = "{postgres_records.url}"'))
    on_postgres = Workspace.open(demo.root, DECEMBER)
    try:
        card = scorecards(on_postgres, "2026-10", vendor="northwind").cards[0]
        again = scorecards(on_postgres, "2026-10", vendor="northwind")
        stored = on_postgres.records.scorecards("northwind-main")
    finally:
        on_postgres.close()
    assert again.warnings == [] and again.cards[0] == card
    assert {k: v for k, v in card.items() if k != "evaluated_at"} == {
        k: v for k, v in on_sqlite.items() if k != "evaluated_at"
    }
    assert len(stored) == 12 and stored["2026-10"].net_adjustment == card["net_adjustment"]


def test_a_month_without_data_is_shown_but_not_stored(tmp_path: Path) -> None:
    """Scoring before the first import must not freeze empty months that later data would fill."""
    root = tmp_path / "fresh"
    Workspace.init(root).close()
    (root / "definitions" / "vendors.yaml").write_text("vendors: [{name: sunrise}]\n")
    (root / "definitions" / "contracts" / "sunrise.yaml").write_text(DEMO_CONTRACTS["sunrise"])
    workspace = Workspace.open(root, DECEMBER)
    try:
        report = scorecards(workspace, "2026-10")
        card = report.cards[0]
        assert card["state"].startswith("not stored") and card["charges"] == "8000.00"
        assert {level["status"] for level in card["levels"]} == {"insufficient sample"}
        assert workspace.records.scorecards("sunrise-overflow") == {}
    finally:
        workspace.close()
