"""Every built-in importer end to end: sniffed, reshaped, validated and stored, counts reconciled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from steward.interfaces.cli.app import app
from steward.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(workspace: Workspace, *arguments: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["import", *arguments, "--json", "-w", str(workspace.root)])
    summary = json.loads(result.stdout)
    if "error" in summary:
        return result.exit_code, summary
    assert summary["read"] == summary["inserted"] + summary["updated"] + summary["unchanged"] + summary["rejected"]
    return result.exit_code, summary


@pytest.mark.parametrize(
    ("path", "options", "importer", "tables"),
    [
        ("zendesk/export", ["--vendor", "northwind"], "zendesk", {"interactions": 12, "interaction_events": 28}),
        ("zendesk/tickets.jsonl", ["--vendor", "northwind"], "zendesk", None),
        ("freshdesk/tickets.csv", ["--vendor", "bluecrest", "--timezone", "Europe/Lisbon"], "freshdesk", None),
        ("freshdesk/tickets_latin1.csv", ["--vendor", "bluecrest", "--timezone", "Europe/Lisbon"], "freshdesk", None),
        ("calls/cdr.csv", ["--vendor", "sunrise"], "calls", None),
        ("calls/cdr_synonyms.csv", ["--vendor", "sunrise"], "calls", None),
        ("mapped/acmedesk.csv", ["--mapping", str(FIXTURES / "mapped/acmedesk.yaml")], "mapped", None),
    ],
)
def test_clean_exports_import_whole_and_reimport_unchanged(
    workspace: Workspace, path: str, options: list[str], importer: str, tables: dict[str, int] | None
) -> None:
    code, summary = run_import(workspace, str(FIXTURES / path), *options)
    assert summary["importer"] == importer
    if importer == "mapped":  # the mapping's sample export has two rows whose dates break its own format
        assert (code, summary["rejected"]) == (3, 2)
    else:
        assert (code, summary["rejected"]) == (0, 0), summary["rejects"]
    if tables:
        assert {name: counts["inserted"] for name, counts in summary["tables"].items()} == tables
    again_code, again = run_import(workspace, str(FIXTURES / path), *options)
    assert again_code == code
    assert (again["inserted"], again["updated"]) == (0, 0)
    assert again["unchanged"] == summary["inserted"]


def test_zendesk_customers_are_pseudonymised_and_events_stored(workspace: Workspace) -> None:
    run_import(workspace, str(FIXTURES / "zendesk/export"), "--vendor", "northwind")
    con = workspace.warehouse.sql_connection
    customers = [row[0] for row in con.execute("SELECT DISTINCT customer_id FROM interactions").fetchall()]
    assert customers and all(c is None or c.startswith("c-") for c in customers)
    kinds = {row[0] for row in con.execute("SELECT DISTINCT kind FROM interaction_events").fetchall()}
    assert kinds <= {"status", "agent_reply", "customer_message", "assignment", "priority"} and kinds
    late = con.execute("SELECT count(*) FROM interactions WHERE first_response_at < created_at").fetchone()
    assert late == (0,)


def test_freshdesk_without_a_time_zone_rejects_every_row_and_says_why(workspace: Workspace) -> None:
    code, summary = run_import(workspace, str(FIXTURES / "freshdesk/tickets.csv"), "--vendor", "bluecrest")
    assert code == 2
    assert summary["inserted"] == 0
    reasons = {r["reason"] for r in summary["rejects"] if r["field"] == "created_at"}
    assert any("no time zone" in reason and "--timezone" in reason for reason in reasons)


def test_freshdesk_local_times_become_utc(workspace: Workspace) -> None:
    # Ticket 1201 was created at 2026-03-02 09:14:05 in the account's zone (New York, UTC-5 in March).
    run_import(workspace, str(FIXTURES / "freshdesk/tickets.csv"), "--vendor", "b", "--timezone", "America/New_York")
    stored = workspace.warehouse.sql_connection.execute(
        "SELECT strftime(created_at, '%Y-%m-%d %H:%M:%S') FROM interactions WHERE interaction_id = '1201'"
    ).fetchone()
    assert stored == ("2026-03-02 14:14:05",)


@pytest.mark.parametrize(
    ("path", "options", "expected"),
    [
        ("freshdesk/tickets_bad_rows.csv", ["--vendor", "b", "--timezone", "UTC"], {3: None, 4: None, 5: "channel"}),
        ("calls/cdr_bad.csv", ["--vendor", "s"], {3: "hold_seconds", 4: "abandoned", 5: None}),
        ("zendesk/bad/tickets_with_bad_records.json", ["--vendor", "n"], {2: None, 3: None, 5: None}),
    ],
)
def test_bad_records_are_reported_with_row_and_field(
    workspace: Workspace, path: str, options: list[str], expected: dict[int, str | None]
) -> None:
    code, summary = run_import(workspace, str(FIXTURES / path), *options)
    assert code == 3
    rejects = summary["rejects"]
    assert isinstance(rejects, list)
    for row, field in expected.items():
        assert any(r["row"] == row and (field is None or r["field"] == field) for r in rejects), (row, field, rejects)
    report = Path(str(summary["reject_report"])).read_text(encoding="utf-8")
    assert "record" in report.splitlines()[0]


def test_a_file_that_is_not_an_export_is_refused(workspace: Workspace) -> None:
    code, summary = run_import(workspace, str(FIXTURES / "zendesk/bad/not_zendesk.json"), "--importer", "zendesk")
    assert code == 2
    assert "not_zendesk.json" in str(summary["error"])
