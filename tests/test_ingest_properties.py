"""Property tests: whatever rows and encodings an export throws at the native importer, no crash,
every good row kept, every bad row reported with its row number, and the counts reconcile."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.importers.base import ImportOptions
from steward.services.ingest import import_file
from steward.workspace import Workspace

HEADER = [
    "interaction_id",
    "vendor",
    "queue",
    "channel",
    "created_at",
    "first_response_at",
    "csat",
    "handle_seconds",
    "abandoned",
    "contact_reason",
]

GOOD = {
    "channel": ["email", "chat", "Phone", " messaging "],
    "created_at": ["2026-01-05T10:00:00Z", "2026-01-05T11:00:00+01:00", "2026-01-05T10:00:00.250Z"],
    "first_response_at": ["", "2026-01-05T12:00:00Z", "2026-01-05T12:30:00-0100"],
    "csat": ["", "1", "5"],
    "handle_seconds": ["", "0", "12.5", "3600"],
    "abandoned": ["", "true", "no", "0"],
}
BAD = {
    "channel": ["fax", ""],
    "created_at": ["2026-13-01T00:00:00Z", "yesterday", "2026-01-05 10:00:00", ""],
    "first_response_at": ["2026-01-01T00:00:00Z", "soon"],
    "csat": ["9", "0", "good"],
    "handle_seconds": ["-1", "nan", "1,5"],
    "abandoned": ["maybe"],
}
REASON_TEXT = st.text(alphabet="abcdéüß ,\"'\n;xyz", max_size=12)


@st.composite
def export_rows(draw: st.DrawFn) -> tuple[list[list[str]], list[bool]]:
    rows, good = [], []
    for _ in range(draw(st.integers(1, 25))):
        row_is_good = True
        values = {
            "interaction_id": draw(st.sampled_from(["A", "B", "C", "D", "E", "F", "G"])),
            "vendor": "northwind",
            "queue": "billing",
            "contact_reason": draw(REASON_TEXT),
        }
        for field in GOOD:
            broken = draw(st.booleans()) and draw(st.integers(0, 5)) == 0
            values[field] = draw(st.sampled_from(BAD[field] if broken else GOOD[field]))
            row_is_good &= not broken
        rows.append([values[name] for name in HEADER])
        good.append(row_is_good)
    return rows, good


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(export=export_rows(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_any_export_keeps_good_rows_and_reports_bad_ones(
    export: tuple[list[list[str]], list[bool]], encoding: str
) -> None:
    rows, good = export
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "export.csv"
        with path.open("w", newline="", encoding=encoding) as handle:
            csv.writer(handle, lineterminator="\n").writerows([HEADER, *rows])
        workspace = Workspace.init(root / "ws")
        try:
            summary = import_file(workspace, path)
            stored = dict(
                workspace.warehouse.sql_connection.execute(
                    "SELECT interaction_id, coalesce(contact_reason, '') FROM interactions"
                ).fetchall()
            )
        finally:
            workspace.close()
    last_good = {row[0]: index for index, row in enumerate(rows) if good[index]}
    expected = {rows[index][0]: rows[index][-1] for index in last_good.values()}
    superseded = {index for index, row in enumerate(rows) if good[index] and last_good[row[0]] != index}
    rejected_rows = {index + 2 for index, ok in enumerate(good) if not ok} | {index + 2 for index in superseded}

    assert summary.total("read") == len(rows)
    assert summary.total("read") == summary.total("stored") + summary.total("rejected")
    assert summary.total("inserted") == len(expected)
    assert stored == expected
    assert {p.row for p in summary.rejects} == rejected_rows
    assert all(p.reason and p.field for p in summary.rejects)


LOCAL_GOOD = [
    "2026-03-29 00:30:00",
    "2026-03-29 02:30:00",
    "2026-10-25 00:59:59",
    "2026-10-25 02:00:00",
    "2026-07-01T09:00:00+02:00",
    "2026-07-01T07:00:00Z",
]
LOCAL_BAD = ["2026-03-29 01:30:00", "2026-10-25 01:15:00", "2026-10-25 01:59:59", "25/10/2026 01:00"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    created=st.lists(st.tuples(st.booleans(), st.integers(0, 10)), min_size=1, max_size=20),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
)
def test_local_times_around_dst_changes_are_kept_or_rejected_never_guessed(
    created: list[tuple[bool, int]], encoding: str
) -> None:
    rows = []
    for index, (good, pick) in enumerate(created):
        pool = LOCAL_GOOD if good else LOCAL_BAD
        rows.append([f"R{index}", "northwind", "billing", "chat", pool[pick % len(pool)]])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "local.csv"
        with path.open("w", newline="", encoding=encoding) as handle:
            csv.writer(handle, lineterminator="\n").writerows([HEADER[:5], *rows])
        workspace = Workspace.init(root / "ws")
        try:
            summary = import_file(workspace, path, options=ImportOptions(timezone="Europe/London"))
            stored = {
                row[0]
                for row in workspace.warehouse.sql_connection.execute(
                    "SELECT interaction_id FROM interactions"
                ).fetchall()
            }
        finally:
            workspace.close()
    assert stored == {f"R{i}" for i, (good, _) in enumerate(created) if good}
    assert {p.row for p in summary.rejects} == {i + 2 for i, (good, _) in enumerate(created) if not good}
    assert summary.total("read") == summary.total("stored") + summary.total("rejected") == len(rows)


CALL_HEADER = [
    "call_id",
    "queue",
    "agent_id",
    "caller_id",
    "offered_at",
    "answered_at",
    "ended_at",
    "abandoned",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
]


@st.composite
def call_records(draw: st.DrawFn) -> tuple[list[list[str]], list[bool]]:
    rows, good = [], []
    for index in range(draw(st.integers(1, 20))):
        kind = draw(st.sampled_from(["good", "good", "good", "short", "long", "bad_time", "bad_flag"]))
        row = [
            f"C{draw(st.integers(0, 8))}",
            draw(st.sampled_from(["billing", "bétail", "ü"])),
            f"a{index}",
            draw(st.sampled_from(["+44 20 7946 0000", "anonymous", ""])),
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:00:30Z",
            "2026-03-02T09:05:00Z",
            draw(st.sampled_from(["no", "false", "0"])),
            "200",
            "10",
            "60",
        ]
        if kind == "short":
            row = row[: draw(st.integers(1, len(CALL_HEADER) - 1))]
        elif kind == "long":
            row = [*row, "surplus"]
        elif kind == "bad_time":
            row[4] = draw(st.sampled_from(["2026-02-30T09:00:00Z", "09:00", "2026-03-02 09:00:00"]))
        elif kind == "bad_flag":
            row[7] = "perhaps"
        rows.append(row)
        good.append(kind == "good")
    return rows, good


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(export=call_records(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_call_records_with_broken_lines_keep_every_good_call(
    export: tuple[list[list[str]], list[bool]], encoding: str
) -> None:
    rows, good = export
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "cdr.csv"
        with path.open("w", newline="", encoding=encoding) as handle:
            csv.writer(handle, lineterminator="\n").writerows([CALL_HEADER, *rows])
        workspace = Workspace.init(root / "ws")
        try:
            summary = import_file(workspace, path, importer_name="calls", options=ImportOptions(vendor="sunrise"))
            stored = dict(
                workspace.warehouse.sql_connection.execute("SELECT interaction_id, queue FROM interactions").fetchall()
            )
            customers = [
                row[0]
                for row in workspace.warehouse.sql_connection.execute(
                    "SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL"
                ).fetchall()
            ]
        finally:
            workspace.close()
    last_good = {row[0]: index for index, row in enumerate(rows) if good[index]}
    assert stored == {call: rows[index][1] for call, index in last_good.items()}
    assert summary.total("read") == len(rows) == summary.total("stored") + summary.total("rejected")
    assert all(c.startswith("c-") and "7946" not in c for c in customers)
