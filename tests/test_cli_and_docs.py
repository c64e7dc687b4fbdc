"""The CLI's promises and the generated documentation."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from steward.interfaces.cli.app import app
from steward.interfaces.docs import generated
from steward.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_are_current() -> None:
    for name, text in generated().items():
        assert (ROOT / "docs" / name).read_text(encoding="utf-8") == text, f"docs/{name} is stale: run `make docs`"


def test_import_help_explains_exit_codes_and_options() -> None:
    result = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for text in (
        "Exit codes",
        "0 every row stored",
        "3 some rows rejected",
        "2 nothing importable",
        "--importer",
        "--mapping",
        "--vendor",
        "--timezone",
        "--json",
    ):
        assert text in result.output, text


def test_every_builtin_importer_is_registered() -> None:
    result = CliRunner().invoke(app, ["importers"])
    assert result.exit_code == 0
    for name in ("steward", "zendesk", "freshdesk", "calls", "mapped"):
        assert name in result.output


def test_unknown_format_is_nothing_importable_with_a_clear_error(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    result = CliRunner().invoke(app, ["import", str(path), "--json", "-w", str(workspace.root)])
    assert result.exit_code == 2
    assert "no importer recognises this file" in json.loads(result.stdout)["error"]


def test_unknown_timezone_is_refused_before_anything_is_read(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("interaction_id,vendor,queue,channel,created_at\n1,v,q,chat,2026-01-01 10:00\n")
    result = CliRunner().invoke(app, ["import", str(path), "--timezone", "Mars/Olympus", "-w", str(workspace.root)])
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in result.output
