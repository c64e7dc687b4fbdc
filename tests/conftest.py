"""Shared fixtures: real workspaces on real DuckDB and SQLite files in a temporary folder."""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from steward.domain.clock import FixedClock
from steward.storage.records import Records
from steward.workspace import Workspace

POSTGRES_URL = os.environ.get("STEWARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path / "ws", clock=FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)))
    yield ws
    ws.close()


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.fixture
def postgres_url() -> str:
    """The local PostgreSQL server; skipped with a reason where none answers, a failure under CI."""
    if not postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no PostgreSQL server answers on 127.0.0.1:5432")
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432 (user postgres, database test)")
    return POSTGRES_URL


@pytest.fixture
def postgres_records(postgres_url: str) -> Iterator[Records]:
    schema = f"steward_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    records = Records(f"{postgres_url}?options=-csearch_path%3D{schema}")
    yield records
    records.close()
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
