"""Workspace set-up, settings, status, and the records store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import write_csv
from tests.test_ingest_native import HEADER, good_row
from typer.testing import CliRunner

from steward.interfaces.cli.app import app
from steward.services.ingest import import_file
from steward.services.status import workspace_status
from steward.storage.records import ImportRun, Records
from steward.storage.settings import Settings, SettingsError
from steward.workspace import Workspace


def test_init_creates_the_documented_layout(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "acme")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "acme"
    for name in (
        "steward.toml",
        "definitions/vendors.yaml",
        "definitions/calendars/example.yaml",
        "warehouse.duckdb",
        "records.db",
        ".steward/pseudonym.key",
        ".gitignore",
        "reports",
    ):
        assert (root / name).exists(), name
    settings = Settings.load(root)
    assert settings.warehouse_url == f"duckdb:///{root / 'warehouse.duckdb'}"
    assert settings.records_url == f"sqlite:///{root / 'records.db'}"
    key = (root / ".steward/pseudonym.key").read_bytes()
    Workspace.init(root).close()  # running init again keeps what is there
    assert (root / ".steward/pseudonym.key").read_bytes() == key


def test_opening_a_folder_that_is_not_a_workspace_says_so(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not a Steward workspace"):
        Workspace.open(tmp_path)
    result = CliRunner().invoke(app, ["status", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "steward init" in result.output


def test_status_reports_tables_vendors_range_and_imports(workspace: Workspace, tmp_path: Path) -> None:
    (workspace.root / "definitions" / "vendors.yaml").write_text(
        "vendors:\n  - name: northwind\n    kind: bpo\n    timezone: Asia/Manila\n  - name: bluecrest\n"
    )
    import_file(workspace, write_csv(tmp_path / "a.csv", [HEADER, *(good_row(i) for i in range(30))]))
    status = workspace_status(workspace)
    assert status.tables["interactions"] == 30
    assert [(v.name, v.declared, v.interactions) for v in status.vendors] == [
        ("northwind", True, 30),
        ("bluecrest", True, 0),
    ]
    assert status.first_interaction == datetime(2026, 1, 1, 10, 0)
    assert status.last_interaction == datetime(2026, 1, 28, 10, 0)
    assert status.imports[0].status == "completed" and status.imports[0].rows_inserted == 30
    result = CliRunner().invoke(app, ["status", "--json", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"]["interactions"] == 30
    table = CliRunner().invoke(app, ["status", "-w", str(workspace.root)], env={"COLUMNS": "160"})
    assert "northwind" in table.output and "2026-01-01 to 2026-01-28" in table.output


def test_broken_vendor_list_is_reported_with_its_line(workspace: Workspace) -> None:
    (workspace.root / "definitions" / "vendors.yaml").write_text(
        "vendors:\n  - name: northwind\n    kind: outsourcer\n    timezone: Mars/Olympus\n"
    )
    issues = workspace_status(workspace).definition_issues
    assert any("vendors.yaml:3" in issue and "kind" in issue for issue in issues), issues
    assert any("vendors.yaml:4" in issue and "Mars/Olympus" in issue for issue in issues), issues


def test_import_runs_record_hash_and_counts(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, *(good_row(i) for i in range(3))])
    summary = import_file(workspace, path)
    run = workspace.records.import_runs(1)[0]
    import hashlib

    assert run.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == summary.sha256
    assert (run.rows_read, run.rows_inserted, run.rows_rejected, run.status) == (3, 3, 0, "completed")
    assert run.tables == {"interactions": {"read": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0}}


@pytest.mark.postgres
def test_records_store_on_postgresql(postgres_records: Records) -> None:
    postgres_records.migrate()
    postgres_records.migrate()  # idempotent
    postgres_records.add(
        ImportRun(
            started_at=datetime(2026, 1, 1),
            status="completed",
            importer="steward",
            path="/x.csv",
            rows_read=5,
            tables={"interactions": {"read": 5}},
        )
    )
    runs = postgres_records.import_runs()
    assert [(r.importer, r.rows_read, r.tables) for r in runs] == [("steward", 5, {"interactions": {"read": 5}})]


@pytest.mark.postgres
def test_workspace_with_postgresql_records_imports_end_to_end(postgres_records: Records, tmp_path: Path) -> None:
    root = tmp_path / "pg"
    Workspace.init(root).close()
    settings = (
        (root / "steward.toml").read_text().replace('url = "sqlite:///records.db"', f'url = "{postgres_records.url}"')
    )
    (root / "steward.toml").write_text(settings)
    workspace = Workspace.open(root)
    try:
        summary = import_file(workspace, write_csv(tmp_path / "a.csv", [HEADER, *(good_row(i) for i in range(4))]))
        assert summary.exit_code == 0
        assert workspace.records.import_runs(1)[0].rows_inserted == 4
    finally:
        workspace.close()


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    schema = f"steward_wh_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield schema
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.mark.postgres
def test_warehouse_url_selects_another_ibis_backend(postgres_schema: str, tmp_path: Path) -> None:
    root = tmp_path / "pgwh"
    Workspace.init(root).close()
    url = f"postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{postgres_schema}"
    text = (root / "steward.toml").read_text().replace('url = "duckdb:///warehouse.duckdb"', f'url = "{url}"')
    (root / "steward.toml").write_text(text)
    workspace = Workspace.open(root)
    try:
        assert not workspace.warehouse.is_duckdb
        status = workspace_status(workspace)
        assert status.tables == dict.fromkeys(status.tables, 0)
        assert set(status.tables) >= {"interactions", "agent_states", "orders"}
    finally:
        workspace.close()


def test_warehouse_memory_limit_comes_from_settings(workspace: Workspace) -> None:
    assert workspace.settings.warehouse_memory_limit == "2GB"
    limit = workspace.warehouse.sql_connection.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit == ("1.8 GiB",)


def test_columns_added_to_the_schema_appear_in_existing_warehouses(tmp_path: Path) -> None:
    import duckdb

    workspace = Workspace.init(tmp_path / "old")
    workspace.close()
    with duckdb.connect(str(tmp_path / "old" / "warehouse.duckdb")) as con:
        con.execute('ALTER TABLE orders DROP COLUMN "referred_by"')  # as made before the column existed
    reopened = Workspace.open(tmp_path / "old")
    try:
        assert "referred_by" in reopened.warehouse.table("orders").columns
    finally:
        reopened.close()
