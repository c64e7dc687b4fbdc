"""Native-format imports end to end on a real DuckDB warehouse and SQLite records store."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from tests.conftest import write_csv
from typer.testing import CliRunner

from steward.importers.base import ImportOptions
from steward.interfaces.cli.app import app
from steward.services.ingest import import_file
from steward.workspace import Workspace

HEADER = [
    "interaction_id",
    "vendor",
    "queue",
    "channel",
    "created_at",
    "first_response_at",
    "resolved_at",
    "csat",
    "nps",
    "abandoned",
    "handle_seconds",
    "transfers",
]

# Each way a row can be bad, with the field the report must name.
BREAKAGES = [
    ("channel", lambda r: r.__setitem__(3, "fax")),
    ("queue", lambda r: r.__setitem__(2, "")),
    ("created_at", lambda r: r.__setitem__(4, "2026-02-30T10:00:00Z")),
    ("created_at", lambda r: r.__setitem__(4, "2026-01-05 10:00:00")),
    ("first_response_at", lambda r: r.__setitem__(5, "2025-12-31T23:00:00Z")),
    ("csat", lambda r: r.__setitem__(7, "6")),
    ("nps", lambda r: r.__setitem__(8, "eleven")),
    ("abandoned", lambda r: r.__setitem__(9, "perhaps")),
    ("handle_seconds", lambda r: r.__setitem__(10, "-5")),
    ("transfers", lambda r: r.__setitem__(11, "1.5x")),
]


def good_row(number: int) -> list[str]:
    day = 1 + number % 28
    return [
        f"T{number:05d}",
        "northwind",
        "billing",
        "email",
        f"2026-01-{day:02d}T10:00:00Z",
        f"2026-01-{day:02d}T10:30:00+00:00",
        f"2026-01-{day:02d}T12:00:00Z",
        str(1 + number % 5),
        str(number % 11),
        "false",
        "300",
        "0",
    ]


def file_with_bad_rows(path: Path, rows: int, bad: int, seed: int = 1) -> dict[int, str]:
    """A file of `rows` rows of which `bad` are broken; returns {row number: field} of the broken ones."""
    chooser = random.Random(seed)
    broken = sorted(chooser.sample(range(rows), bad))
    body, expected = [], {}
    for index in range(rows):
        row = good_row(index)
        if index in broken:
            field, breaks = BREAKAGES[len(expected) % len(BREAKAGES)]
            breaks(row)
            expected[index + 2] = field  # the header is row 1
        body.append(row)
    write_csv(path, [HEADER, *body])
    return expected


def test_thousand_rows_with_37_bad_stores_963_and_reports_each(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    expected = file_with_bad_rows(path, 1000, 37)
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(path), "--json", "-w", str(workspace.root)])
    assert result.exit_code == 3, result.output
    summary = json.loads(result.stdout)
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (1000, 963, 37)
    reported = {(r["row"], r["field"]) for r in summary["rejects"]}
    assert reported == set(expected.items())
    assert all(r["reason"] for r in summary["rejects"])
    with Path(summary["reject_report"]).open(encoding="utf-8") as handle:
        report = list(csv.DictReader(handle))
    assert {(int(r["row"]), r["field"]) for r in report} == set(expected.items())
    assert all(r["file"] == str(path) and r["record"] for r in report)

    again = runner.invoke(app, ["import", str(path), "--json", "-w", str(workspace.root)])
    assert again.exit_code == 3
    second = json.loads(again.stdout)
    assert (second["inserted"], second["updated"], second["unchanged"], second["rejected"]) == (0, 0, 963, 37)
    assert workspace.warehouse.row_counts()["interactions"] == 963


def test_reasons_name_the_problem(workspace: Workspace, tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(len(BREAKAGES))]
    for row, (_, breaks) in zip(rows, BREAKAGES, strict=True):
        breaks(row)
    summary = import_file(workspace, write_csv(tmp_path / "bad.csv", [HEADER, *rows]))
    reasons = {p.field: p.reason for p in summary.rejects}
    assert reasons["channel"] == "'fax' is not one of: email, chat, phone, messaging, social, other"
    assert reasons["queue"] == "required value is missing"
    assert "is not a valid timestamp" in reasons["created_at"] or "no time zone" in reasons["created_at"]
    assert reasons["csat"] == "6 is above the maximum 5"
    assert reasons["nps"] == "'eleven' is not a whole number"
    assert reasons["abandoned"] == "'perhaps' is not true or false"
    assert reasons["handle_seconds"] == "-5 is below the minimum 0"
    assert reasons["first_response_at"].startswith("first_response_at 2025-12-31T23:00:00Z is before created_at")
    assert summary.exit_code == 2  # every row rejected: nothing importable


def test_newer_export_updates_changed_rows_only(workspace: Workspace, tmp_path: Path) -> None:
    first = [good_row(i) for i in range(10)]
    import_file(workspace, write_csv(tmp_path / "a.csv", [HEADER, *first]))
    newer = [row[:] for row in first] + [good_row(10)]
    newer[3][7] = "1"  # csat changed
    newer[4][6] = ""  # reopened: no longer resolved
    summary = import_file(workspace, write_csv(tmp_path / "b.csv", [HEADER, *newer]))
    assert (summary.total("inserted"), summary.total("updated"), summary.total("unchanged")) == (1, 2, 8)
    con = workspace.warehouse.sql_connection
    assert con.execute("SELECT csat FROM interactions WHERE interaction_id = 'T00003'").fetchall() == [(1,)]
    assert con.execute("SELECT resolved_at FROM interactions WHERE interaction_id = 'T00004'").fetchall() == [(None,)]
    assert con.execute("SELECT count(*) FROM interactions").fetchone() == (11,)


def test_duplicate_ids_in_one_file_keep_the_last(workspace: Workspace, tmp_path: Path) -> None:
    rows = [good_row(1), good_row(2), good_row(1)]
    rows[2][7] = "2"
    summary = import_file(workspace, write_csv(tmp_path / "dup.csv", [HEADER, *rows]))
    assert (summary.total("inserted"), summary.total("rejected")) == (2, 1)
    assert summary.rejects[0].row == 2
    assert summary.rejects[0].reason == "duplicate key in this file: superseded by row 4"
    con = workspace.warehouse.sql_connection
    assert con.execute("SELECT csat FROM interactions WHERE interaction_id = 'T00001'").fetchall() == [(2,)]


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2026-03-29 00:30:00", "2026-03-29 00:30:00"),  # London winter time = UTC
        ("2026-03-29 02:30:00", "2026-03-29 01:30:00"),  # after the spring change: BST
        ("2026-07-01 09:00:00", "2026-07-01 08:00:00"),
        ("2026-07-01T09:00:00-04:00", "2026-07-01 13:00:00"),  # an explicit offset wins over --timezone
    ],
)
def test_declared_timezone_converts_to_utc(workspace: Workspace, tmp_path: Path, local: str, utc: str) -> None:
    rows = [HEADER[:5], ["1", "v", "q", "chat", local]]
    summary = import_file(
        workspace, write_csv(tmp_path / "tz.csv", rows), options=ImportOptions(timezone="Europe/London")
    )
    assert summary.exit_code == 0, summary.rejects
    stored = workspace.warehouse.sql_connection.execute(
        "SELECT strftime(created_at, '%Y-%m-%d %H:%M:%S') FROM interactions"
    ).fetchone()
    assert stored == (utc,)


@pytest.mark.parametrize(
    ("local", "reason"),
    [
        ("2026-03-29 01:30:00", "does not exist in Europe/London"),
        ("2026-10-25 01:30:00", "is ambiguous in Europe/London"),
    ],
)
def test_dst_gaps_and_repeats_are_rejected_not_guessed(
    workspace: Workspace, tmp_path: Path, local: str, reason: str
) -> None:
    rows = [HEADER[:5], ["1", "v", "q", "chat", local]]
    summary = import_file(
        workspace, write_csv(tmp_path / "dst.csv", rows), options=ImportOptions(timezone="Europe/London")
    )
    assert summary.total("rejected") == 1
    assert reason in summary.rejects[0].reason


def test_missing_required_column_is_nothing_importable(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "x.csv",
        [["interaction_id", "channel", "created_at", "vendor"], ["1", "chat", "2026-01-01T00:00:00Z", "v"]],
    )
    result = CliRunner().invoke(app, ["import", str(path), "-w", str(workspace.root)])
    assert result.exit_code == 2
    assert "required column(s) missing for table interactions: queue" in result.output
    assert workspace.warehouse.row_counts()["interactions"] == 0
    assert workspace.records.import_runs(1)[0].status == "failed"


def test_malformed_lines_are_rejected_with_their_row_and_the_rest_kept(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [HEADER, good_row(1), good_row(2)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("T9,northwind,billing,email,2026-01-02T10:00:00Z,,,,,,,,surplus\n")
        handle.write(",".join(good_row(3)) + "\n")
        handle.write("T8,northwind\n")
        handle.write(",".join(good_row(4)) + "\n")
    summary = import_file(workspace, path)
    assert (summary.total("read"), summary.total("inserted"), summary.total("rejected")) == (6, 4, 2)
    assert [(p.row, p.reason.split(":")[0]) for p in summary.rejects] == [
        (4, "TOO MANY COLUMNS"),
        (6, "MISSING COLUMNS"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_encodings(workspace: Workspace, tmp_path: Path, encoding: str) -> None:
    rows = [[*HEADER[:5], "contact_reason"], ["1", "café-bpo", "q", "chat", "2026-01-01T00:00:00Z", "réclamation"]]
    summary = import_file(workspace, write_csv(tmp_path / "e.csv", rows, encoding=encoding))
    assert summary.exit_code == 0
    stored = workspace.warehouse.sql_connection.execute("SELECT vendor, contact_reason FROM interactions").fetchall()
    assert stored == [("café-bpo", "réclamation")]


def test_a_short_latin1_file_whose_only_accent_is_at_the_end(workspace: Workspace, tmp_path: Path) -> None:
    """The last bytes of a whole file are not a character cut by the read (hypothesis found this)."""
    rows = [[*HEADER[:5], "contact_reason"], ["1", "v", "q", "chat", "2026-01-01T00:00:00Z", "ß"]]
    summary = import_file(workspace, write_csv(tmp_path / "e.csv", rows, encoding="latin-1"))
    assert summary.exit_code == 0
    assert workspace.warehouse.sql_connection.execute("SELECT contact_reason FROM interactions").fetchall() == [("ß",)]


def test_parquet_and_json_lines(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    created = pa.array([1767261600000000, 1767265200000000], type=pa.timestamp("us", tz="UTC"))
    pq.write_table(
        pa.table(
            {
                "interaction_id": ["p1", "p2"],
                "vendor": ["v", "v"],
                "queue": ["q", "q"],
                "channel": ["chat", "phone"],
                "created_at": created,
                "csat": [5, 9],
            }
        ),
        tmp_path / "i.parquet",
    )
    summary = import_file(workspace, tmp_path / "i.parquet")
    assert (summary.total("inserted"), summary.total("rejected")) == (1, 1)
    assert (summary.rejects[0].row, summary.rejects[0].field) == (2, "csat")
    lines = [
        {
            "interaction_id": "j1",
            "vendor": "v",
            "queue": "q",
            "channel": "email",
            "created_at": "2026-01-01T10:00:00Z",
            "abandoned": False,
        },
        "not an object",
    ]
    (tmp_path / "i.jsonl").write_text(json.dumps(lines[0]) + "\n" + json.dumps(lines[1]) + "\n{broken\n")
    summary = import_file(workspace, tmp_path / "i.jsonl")
    assert (summary.total("read"), summary.total("inserted"), summary.total("rejected")) == (3, 1, 2)


def test_other_tables_are_recognised_from_their_columns(workspace: Workspace, tmp_path: Path) -> None:
    states = [
        ["vendor", "agent_id", "state", "start_at", "end_at"],
        ["v", "a1", "available", "2026-01-01T09:00:00Z", "2026-01-01T09:30:00Z"],
        ["v", "a1", "break", "2026-01-01T09:30:00Z", "2026-01-01T09:15:00Z"],
    ]
    summary = import_file(workspace, write_csv(tmp_path / "states.csv", states))
    assert summary.tables[0].table == "agent_states"
    assert (summary.total("inserted"), summary.rejects[0].field) == (1, "end_at")


def test_workspace_default_timezone_applies_when_nothing_else_says(tmp_path: Path) -> None:
    root = tmp_path / "berlin"
    Workspace.init(root).close()
    settings = (
        (root / "steward.toml").read_text().replace('default_timezone = ""', 'default_timezone = "Europe/Berlin"')
    )
    (root / "steward.toml").write_text(settings)
    workspace = Workspace.open(root)
    try:
        rows = [HEADER[:5], ["1", "v", "q", "chat", "2026-07-01 12:00:00"]]
        path = write_csv(tmp_path / "naive.csv", rows)
        assert import_file(workspace, path).exit_code == 0
        import_file(workspace, path, options=ImportOptions(timezone="UTC", source="again"))
        stored = workspace.warehouse.sql_connection.execute(
            "SELECT source, strftime(created_at, '%H:%M') FROM interactions ORDER BY source"
        ).fetchall()
        assert stored == [("again", "12:00"), ("steward", "10:00")]
    finally:
        workspace.close()
