"""An import is one transaction: an error or Ctrl-C part way leaves the warehouse exactly as before."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from tests.conftest import write_csv
from tests.test_ingest_native import HEADER, good_row

from steward.services.ingest import import_file
from steward.storage.staging import Staging
from steward.workspace import Workspace


def snapshot(workspace: Workspace) -> list[tuple[object, ...]]:
    con = workspace.warehouse.sql_connection
    rows = con.execute("SELECT * FROM interactions ORDER BY interaction_id").fetchall()
    rejects = con.execute('SELECT * FROM import_rejects ORDER BY import_run_id, "row", field').fetchall()
    return rows + rejects


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_failure_after_rows_were_written_rolls_everything_back(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException]
) -> None:
    import_file(workspace, write_csv(tmp_path / "first.csv", [HEADER, *(good_row(i) for i in range(20))]))
    before = snapshot(workspace)
    newer = [good_row(i) for i in range(15, 40)] + [["bad"] * len(HEADER)]
    newer[0][7] = "2"

    original_store = Staging.store

    def store_then_fail(self: Staging) -> None:
        original_store(self)
        raise failure("stopped after storing")

    monkeypatch.setattr(Staging, "store", store_then_fail)
    with pytest.raises(failure):
        import_file(workspace, write_csv(tmp_path / "second.csv", [HEADER, *newer]))
    assert snapshot(workspace) == before
    run = workspace.records.import_runs(1)[0]
    assert run.status == ("interrupted" if failure is KeyboardInterrupt else "failed")
    assert "stopped after storing" in (run.error or "")


def big_export(path: Path, rows: int) -> Path:
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'I' || i AS interaction_id, 'northwind' AS vendor, 'billing' AS queue, 'email' AS channel, "
        "strftime(TIMESTAMP '2026-01-01' + to_seconds(i), '%Y-%m-%dT%H:%M:%SZ') AS created_at, "
        "CASE WHEN i % 1000 = 0 THEN 'fax' ELSE 'chat' END AS contact_reason FROM range(?) t(i)) "
        f"TO '{path}' (HEADER)",
        [rows],
    )
    return path


@pytest.mark.slow
def test_ctrl_c_during_a_real_import_leaves_the_warehouse_unchanged(workspace: Workspace, tmp_path: Path) -> None:
    import_file(workspace, write_csv(tmp_path / "first.csv", [HEADER, *(good_row(i) for i in range(5))]))
    before = snapshot(workspace)
    workspace.close()
    export = big_export(tmp_path / "big.csv", 3_000_000)
    steward = Path(sys.executable).with_name("steward")
    process = subprocess.Popen(
        [str(steward), "import", str(export), "-w", str(workspace.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _running(workspace):
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the import, which takes several seconds
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "nothing was stored" in stderr
    reopened = Workspace.open(workspace.root)
    try:
        assert snapshot(reopened) == before
        assert reopened.records.import_runs(1)[0].status == "interrupted"
    finally:
        reopened.close()


def _running(workspace: Workspace) -> bool:
    runs = workspace.records.import_runs(1)
    return bool(runs) and runs[0].status == "running"
