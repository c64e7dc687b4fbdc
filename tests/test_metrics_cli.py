"""`steward metrics list | query | explain` on a small imported workspace."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.conftest import write_csv
from typer.testing import CliRunner

from steward.importers.base import ImportOptions
from steward.interfaces.cli.app import app
from steward.services.ingest import import_file
from steward.workspace import Workspace

HEADER = ["interaction_id", "vendor", "queue", "channel", "created_at", "first_response_at", "csat"]
ROWS = [
    # northwind, January: first responses after 10, 20 and 60 minutes; ratings 5, 3 and none.
    ["1", "northwind", "billing", "email", "2026-01-05T09:00:00Z", "2026-01-05T09:10:00Z", "5"],
    ["2", "northwind", "billing", "email", "2026-01-06T09:00:00Z", "2026-01-06T09:20:00Z", "3"],
    ["3", "northwind", "orders", "chat", "2026-01-07T09:00:00Z", "2026-01-07T10:00:00Z", ""],
    # February: one ticket answered after 30 minutes, rated 4.
    ["4", "northwind", "billing", "email", "2026-02-02T09:00:00Z", "2026-02-02T09:30:00Z", "4"],
    # acme, January: answered after 5 minutes, rated 1.
    ["5", "acme", "billing", "email", "2026-01-08T09:00:00Z", "2026-01-08T09:05:00Z", "1"],
]


@pytest.fixture
def filled(workspace: Workspace, tmp_path: Path) -> Workspace:
    path = write_csv(tmp_path / "interactions.csv", [HEADER, *ROWS])
    summary = import_file(workspace, path, importer_name="steward", options=ImportOptions(table="interactions"))
    assert summary.total("inserted") == len(ROWS)
    return workspace


def run(workspace: Workspace, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["metrics", *args, "-w", str(workspace.root)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_query_json_is_keyed_by_groups_and_metric_ids(filled: Workspace) -> None:
    code, output = run(filled, "query", "frt_mean", "csat_top2", "--by", "vendor,month", "--format", "json")
    assert code == 0, output
    rows = json.loads(output)
    assert rows == [
        {"vendor": "acme", "month": "2026-01-01", "frt_mean": 5.0, "csat_top2": 0.0},
        # (10 + 20 + 60) / 3 = 30 minutes; one of two ratings is 4 or 5.
        {"vendor": "northwind", "month": "2026-01-01", "frt_mean": 30.0, "csat_top2": 50.0},
        {"vendor": "northwind", "month": "2026-02-01", "frt_mean": 30.0, "csat_top2": 100.0},
    ]


def test_query_filters_periods_and_components_in_csv(filled: Workspace) -> None:
    code, output = run(
        filled,
        "query",
        "frt_median,volume",
        "--by",
        "queue",
        "--where",
        "vendor=northwind",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--format",
        "csv",
        "--components",
    )
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [(r["queue"], float(r["frt_median"]), r["volume"], r["frt_median__count"]) for r in rows] == [
        ("billing", 15.0, "2", "2"),
        ("orders", 60.0, "1", "1"),
    ]


def test_table_output_and_list(filled: Workspace) -> None:
    code, output = run(filled, "query", "frt_p90", "--by", "vendor")
    assert code == 0 and "northwind" in output and "frt_p90" in output
    code, output = run(filled, "list")
    assert code == 0
    for text in ("frt_business_p90", "service_level", "answered within T / (answered + abandoned)", "nps"):
        assert text in output, text


def test_explain_prints_the_sql(filled: Workspace) -> None:
    code, output = run(filled, "explain", "frt_p90", "--by", "vendor,month")
    assert code == 0, output
    assert output.lstrip().startswith("SELECT") and "QUANTILE_CONT" in output and "GROUP BY" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "frt_p99"], "did you mean frt_p90"),
        (["query", "occupancy", "--by", "queue"], "cannot be grouped or filtered by 'queue'"),
        (["query", "volume", "--by", "color"], "cannot group or filter by 'color'"),
        (["query", "volume", "--from", "2026-13-01"], "YYYY-MM-DD"),
        (["query", "volume", "--from", "2026-03-01", "--to", "2026-02-01"], "before it starts"),
        (["query", "volume", "--by", "month,week"], "at most one period"),
        (["query", "volume", "--where", "vendor"], "COLUMN=VALUE"),
        (["query", "volume", "--tz", "Mars/Base"], "unknown reporting time zone"),
        (["query", "volume", "--format", "xml"], "--format"),
    ],
)
def test_bad_requests_exit_2_with_a_reason(filled: Workspace, args: list[str], message: str) -> None:
    code, output = run(filled, *args)
    assert code == 2, output
    assert message in " ".join(output.split()), output


def test_broken_definitions_stop_queries_with_file_and_line(filled: Workspace) -> None:
    folder = filled.root / "definitions" / "metrics"
    folder.mkdir()
    (folder / "team.yaml").write_text("metrics:\n  - id: x\n    label: y\n    measure: volume\n    better: up\n")
    code, output = run(filled, "query", "volume")
    assert code == 2
    assert "team.yaml:5" in output and "better" in output
    code, output = run(filled, "list")
    assert code == 2 and "team.yaml:5" in output


def test_a_calendar_named_like_the_fallback_does_not_duplicate_rows(filled: Workspace) -> None:
    calendars = filled.root / "definitions" / "calendars"
    (calendars / "always.yaml").write_text(
        "name: 24x7\ntimezone: UTC\nhours: {mon-sun: ['00:00-24:00']}\napplies_to: {queues: [billing]}\n"
    )
    code, output = run(filled, "query", "volume", "frt_business_mean", "--by", "vendor", "--format", "json")
    assert code == 0, output
    assert {r["vendor"]: r["volume"] for r in json.loads(output)} == {"acme": 1, "northwind": 4}


def test_empty_group_values_stay_one_group_across_sources(filled: Workspace) -> None:
    # No row has a site: volume (interactions) and backlog (snapshots) must meet in one empty group.
    code, output = run(filled, "query", "volume", "backlog", "--by", "site", "--to", "2026-02-28", "--format", "json")
    assert code == 0, output
    assert json.loads(output) == [{"site": None, "volume": 5, "backlog": 5}]
