"""Transcripts are redacted on import: no card number, e-mail or phone reaches a table or a reject report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.domain.autoqa import redact
from steward.domain.canonical import TABLES
from steward.importers.base import ImportOptions
from steward.rendering.data_format import render_data_format
from steward.services.ingest import import_file
from steward.storage.redaction import redact_array
from steward.workspace import Workspace

CARD, EMAIL, PHONE = "4111 1111 1111 1111", "jane.doe@example.com", "+49 30 1234 5678"
SECRETS = (CARD, EMAIL, PHONE, "4111111111111111", "jane.doe")
SAID = f"my card is {CARD}, mail me at {EMAIL} or call {PHONE}"
STORED = "my card is [card number], mail me at [email] or call [phone]"
HEADER = "interaction_id,turn,speaker,at,text\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


def stored_texts(workspace: Workspace) -> list[str]:
    rows = workspace.warehouse.sql_connection.execute("SELECT text FROM transcripts ORDER BY turn").fetchall()
    return [str(text) for (text,) in rows]


def everything_kept(workspace: Workspace, report: Path | None) -> str:
    """The text of every stored transcript, every reject row and the reject report."""
    con = workspace.warehouse.sql_connection
    kept = [str(row) for row in con.execute("SELECT * FROM transcripts").fetchall()]
    kept += [str(row) for row in con.execute("SELECT * FROM import_rejects").fetchall()]
    if report is not None:
        kept.append(report.read_text(encoding="utf-8"))
    return "\n".join(kept)


def test_a_csv_transcript_is_stored_redacted_and_its_rejects_too(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        HEADER
        + '48213,1,agent,2026-10-02T09:00:00Z,"Hello, how can I help?"\n'
        + f'48213,2,customer,2026-10-02T09:01:00Z,"{SAID}"\n'
        + f'48213,0,customer,2026-10-02T09:02:00Z,"{SAID}"\n'  # turn below 1: rejected
        + f'48213,3,martian,not-a-time,"{SAID}"\n'  # refused by the fast reader, rejected after re-typing
        + f'48213,4,agent,2026-10-02T09:03:00Z,"{SAID}",surplus\n',  # malformed line: rejected unread
        encoding="utf-8",
    )
    summary = import_file(workspace, path)
    assert summary.per_table()["transcripts"]["inserted"] == 2
    assert summary.per_table()["transcripts"]["rejected"] == 3
    assert stored_texts(workspace) == ["Hello, how can I help?", STORED]
    kept = everything_kept(workspace, summary.reject_report)
    assert "[card number]" in kept  # the rejected records are in the report, redacted
    for secret in SECRETS:
        assert secret not in kept


def test_a_parquet_transcript_is_stored_redacted(workspace: Workspace, tmp_path: Path) -> None:
    at = datetime(2026, 10, 2, 9, tzinfo=UTC)
    table = pa.table(
        {
            "interaction_id": ["48213", "48213", "48213"],
            "turn": [1, 2, 0],
            "speaker": ["agent", "customer", "customer"],
            "at": [at, at, at],
            "text": ["Hi there", SAID, SAID],
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    summary = import_file(workspace, tmp_path / "t.parquet", options=ImportOptions(table="transcripts"))
    assert stored_texts(workspace) == ["Hi there", STORED]
    assert summary.total("rejected") == 1
    kept = everything_kept(workspace, summary.reject_report)
    for secret in SECRETS:
        assert secret not in kept
    again = import_file(workspace, tmp_path / "t.parquet", options=ImportOptions(table="transcripts"))
    assert again.per_table()["transcripts"]["unchanged"] == 2  # redaction is stable: a re-import changes nothing


def test_json_lines_keep_no_unredacted_original(workspace: Workspace, tmp_path: Path) -> None:
    lines = [
        {"interaction_id": "7", "turn": 1, "speaker": "customer", "text": SAID},
        {"interaction_id": "7", "turn": -1, "speaker": "customer", "text": SAID},
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + f"\nnot json {CARD}\n", encoding="utf-8")
    summary = import_file(workspace, path, options=ImportOptions(table="transcripts"))
    assert stored_texts(workspace) == [STORED]
    kept = everything_kept(workspace, summary.reject_report)
    for secret in SECRETS:
        assert secret not in kept


def test_redaction_touches_only_texts_that_can_hold_a_number_or_address() -> None:
    values = pa.chunked_array([["no digits here", None, f"card {CARD}", "order 12345"]])
    assert redact_array(values).to_pylist() == ["no digits here", None, "card [card number]", "order 12345"]


def test_the_data_format_page_says_which_columns_are_redacted() -> None:
    assert TABLES["transcripts"].column("text").redacted
    assert "redacted before storage" in render_data_format()


def test_text_that_landed_in_a_typed_column_is_redacted_in_the_rejects(workspace: Workspace, tmp_path: Path) -> None:
    # A shifted row puts the customer's words into `at` or `turn`; the reject keeps their original
    # text (not the failed typed value), so it must go through the same redaction as `text`.
    path = tmp_path / "t.csv"
    path.write_text(
        HEADER
        + f'7,2,customer,"call me on {PHONE}",hi\n'
        + f'7,"card {CARD}",customer,2026-10-02T09:00:00Z,hi\n'
        + f'7,3,customer,"{EMAIL}",hi\n',
        encoding="utf-8",
    )
    summary = import_file(workspace, path)
    assert summary.per_table()["transcripts"]["rejected"] == 3
    kept = everything_kept(workspace, summary.reject_report)
    assert "call me on [phone]" in kept
    for secret in SECRETS:
        assert secret not in kept
    records = workspace.warehouse.sql_connection.execute("SELECT raw FROM import_rejects").fetchall()
    for (record,) in records:
        json.loads(str(record))  # the redacted record is still a readable JSON object


def test_a_parquet_transcript_rejects_are_redacted_outside_the_text_column(
    workspace: Workspace, tmp_path: Path
) -> None:
    table = pa.table(
        {
            "interaction_id": ["7", "7"],
            "turn": [f"card {CARD}", "2"],
            "speaker": ["customer", "customer"],
            "at": [f"call me on {PHONE}", EMAIL],
            "text": ["hi", "hi"],
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    summary = import_file(workspace, tmp_path / "t.parquet", options=ImportOptions(table="transcripts"))
    assert summary.total("rejected") == 2
    kept = everything_kept(workspace, summary.reject_report)
    for secret in SECRETS:
        assert secret not in kept


def test_full_width_and_other_unicode_digits_are_redacted_like_ascii_ones() -> None:
    # A chat in Japanese types a card number in full-width digits; `redact` sees Unicode digits, so
    # the engine's prefilter must too, or the value would be stored untouched.
    full_width = "カード ４１１１ １１１１ １１１１ １１１１"
    arabic_indic = "رقمي ٠١٥١ ٢٣٤ ٥٦٧٨"
    values = pa.array([full_width, arabic_indic, "ＡＢＣ"])
    assert redact_array(values).to_pylist() == [redact(full_width), redact(arabic_indic), "ＡＢＣ"]
    assert redact_array(values).to_pylist()[0] == "カード [card number]"


# Digits of any script, and the separators and letters card numbers, phones and addresses are made of.
TEXT_WITH_DIGITS = st.text(alphabet=st.characters(categories=["Nd"]) | st.sampled_from(" -@.+ax"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT_WITH_DIGITS, max_size=5))
def test_the_engine_prefilter_never_skips_a_text_redact_would_change(texts: list[str]) -> None:
    assert redact_array(pa.array(texts, type=pa.string())).to_pylist() == [redact(text) for text in texts]
