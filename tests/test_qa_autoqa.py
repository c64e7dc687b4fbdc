"""`steward qa autoqa`: rulesets run over stored transcripts, results per rule and per ruleset, autoqa_score."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from duckdb import DuckDBPyConnection
from tests.native_rows import write_table
from typer.testing import CliRunner

from steward.domain.clock import FixedClock
from steward.importers.base import ImportOptions, StagedTable
from steward.interfaces.cli.app import app
from steward.services import ingest, qa_autoqa
from steward.services.generation.transcripts import DEMO_AUTOQA_RULESET
from steward.services.ingest import import_file
from steward.services.qa_autoqa import AutoQaError, run_autoqa
from steward.services.qa_autoqa_rows import Checked, Conversation, PreparedRuleset, check_conversation
from steward.workspace import Workspace

NOW = datetime(2026, 11, 3, 6, tzinfo=UTC)
OCT = datetime(2026, 10, 2, 9)
INTERACTIONS = [
    ("100", "northwind", "chat", OCT),
    ("101", "northwind", "email", OCT + timedelta(days=1)),
    ("102", "southwind", "chat", OCT + timedelta(days=2)),
    ("200", "northwind", "phone", OCT + timedelta(days=3)),  # no ruleset applies to phone
    ("300", "northwind", "chat", datetime(2026, 9, 20, 9)),  # another month
]
CONVERSATIONS = {
    "100": [  # greeting missing, a card number typed by the customer, the first reply 180 s late
        ("customer", 0, "Hi, I want to pay the invoice, my card is 4111 1111 1111 1111"),
        ("agent", 180, "Thanks for waiting. This conversation is recorded. Let me check."),
        ("customer", 210, "ok thanks"),
        ("agent", 240, "It is paid. Anything else I can do?"),
    ],
    "101": [  # everything right
        ("customer", 0, "Where is my parcel?"),
        ("agent", 60, "Hello! This conversation is recorded. It ships today."),
        ("customer", 120, "Great"),
        ("agent", 150, "Anything else? Have a nice day"),
    ],
    "102": [  # two prohibited phrases, an e-mail address given by the agent
        ("customer", 0, "This is broken!!"),
        ("agent", 30, "Hi, please calm down. This conversation is recorded."),
        ("customer", 60, "Fine."),
        ("agent", 90, "Not my problem, write to help@shop.example. Have a nice day"),
    ],
    "200": [("customer", 0, "hello"), ("agent", 10, "hello")],
    "300": [("customer", 0, "hello"), ("agent", 10, "Hello, this conversation is recorded. Anything else?")],
}


def open_workspace(root: Path) -> Workspace:
    return Workspace.open(root, FixedClock(NOW))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    Workspace.init(root).close()
    (root / "definitions" / "autoqa" / "chat-basics.yaml").write_text(DEMO_AUTOQA_RULESET, encoding="utf-8")
    workspace = open_workspace(root)
    interactions = [
        {"interaction_id": i, "vendor": v, "queue": "billing", "channel": c, "agent_id": f"ag-{i}", "created_at": at}
        for i, v, c, at in INTERACTIONS
    ]
    created = {i: at for i, _, _, at in INTERACTIONS}
    turns = [
        {"interaction_id": i, "turn": n, "speaker": who, "at": created[i] + timedelta(seconds=s), "text": text}
        for i, conversation in CONVERSATIONS.items()
        for n, (who, s, text) in enumerate(conversation, start=1)
    ]
    for table, rows in (("interactions", interactions), ("transcripts", turns)):
        path = write_table(tmp_path / f"{table}.csv", table, rows)
        import_file(workspace, path, options=ImportOptions(table=table))
    return workspace


def results(workspace: Workspace) -> dict[tuple[str, str], tuple[bool, int, str]]:
    rows = workspace.warehouse.sql_connection.execute(
        "SELECT interaction_id, rule, passed, findings, detail FROM autoqa_results"
    ).fetchall()
    return {(i, rule): (passed, findings, detail) for i, rule, passed, findings, detail in rows}


def test_each_rule_result_matches_the_hand_checked_transcripts(workspace: Workspace) -> None:
    summary = run_autoqa(workspace, "2026-10")
    assert (summary.period, summary.interactions, summary.not_covered) == ("2026-10", 3, 1)
    found = results(workspace)
    assert len(found) == 3 * 7
    assert found["100", "greeting"] == (False, 1, "turn 2: none of hello, hi, good morning")
    assert found["100", "card_numbers"] == (False, 1, "turn 1: card number")  # found redacted: "[card number]"
    assert found["100", "reply_within_2_min"] == (False, 1, "turn 2: late reply")  # 180 s > 120 s; 30 s is fine
    assert found["100", "closing"] == found["100", "recording_disclosure"] == (True, 0, "")
    assert all(found["101", rule][0] for rule in ("greeting", "closing", "card_numbers", "reply_within_2_min"))
    assert found["102", "no_blame"] == (False, 2, "turn 2: prohibited phrase; turn 4: prohibited phrase")
    assert found["102", "personal_data"] == (False, 1, "turn 4: email")
    assert summary.rules["chat-basics", "greeting"].checked == 3
    assert summary.rules["chat-basics", "greeting"].failed == 1
    assert summary.rules["chat-basics", "no_blame"].fail_rate == pytest.approx(100 / 3)
    northwind = summary.vendors["northwind"]
    assert (northwind.interactions, northwind.fully_passed) == (2, 1)
    assert northwind.mean_score == pytest.approx((400 / 7 + 100) / 2)  # 4 of 7 rules, then 7 of 7


def test_qa_results_hold_one_autoqa_evaluation_per_interaction_and_ruleset(workspace: Workspace) -> None:
    run_autoqa(workspace, "2026-10")
    rows = workspace.warehouse.sql_connection.execute(
        "SELECT interaction_id, sample, evaluator, scorecard, scorecard_version, score, failed, passed, evaluated_at "
        "FROM qa_results ORDER BY interaction_id"
    ).fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (i, "autoqa", "autoqa", "chat-basics") for i in ("100", "101", "102")
    ]
    assert all(r[4].startswith("chat-basics@") and len(r[4]) == len("chat-basics@") + 12 for r in rows)
    assert [(round(r[5], 4), r[6], r[7]) for r in rows] == [
        (round(400 / 7, 4), "evaluation", False),  # the card number is a critical failure
        (100.0, "none", True),
        (round(500 / 7, 4), "evaluation", False),  # so is an e-mail address from the agent
    ]
    assert rows[0][8] == OCT  # the month of the contact, not of the run
    by_vendor = workspace.metrics.query(["autoqa_score", "quality_score"], by=["vendor"], start=date(2026, 10, 1))
    scores = {row["vendor"]: row for row in by_vendor.to_pylist()}
    assert scores["northwind"]["autoqa_score"] == pytest.approx((400 / 7 + 100) / 2)
    assert scores["southwind"]["autoqa_score"] == pytest.approx(500 / 7)
    assert scores["northwind"]["quality_score"] is None  # AutoQA stays out of the random-sample KPI


def import_counts(workspace: Workspace, run_id: int) -> dict[str, dict[str, int]]:
    """Per-table counts of one import run, as recorded."""
    run = next(run for run in workspace.records.import_runs(limit=100) if run.id == run_id)
    assert run.status == "completed"
    return dict(run.tables or {})


def test_a_rerun_replaces_the_same_rows(workspace: Workspace) -> None:
    first = run_autoqa(workspace, "2026-10")
    counts = workspace.warehouse.row_counts()
    assert first.rows_stored == 3 * 7 + 3
    assert len(first.run_ids) == 1  # both tables in one import run, one transaction
    workspace.close()
    later = Workspace.open(workspace.root, FixedClock(NOW + timedelta(days=1)))
    second = run_autoqa(later, "2026-10")
    assert later.warehouse.row_counts() == counts
    recorded = import_counts(later, second.run_ids[0])
    # Every rule row was stored again with the new checked_at; the scores did not change.
    assert recorded["autoqa_results"]["updated"] == 3 * 7
    assert recorded["qa_results"]["unchanged"] == 3
    checked = later.warehouse.sql_connection.execute("SELECT DISTINCT checked_at FROM autoqa_results").fetchall()
    assert checked == [((NOW + timedelta(days=1)).replace(tzinfo=None),)]
    assert second.rows_removed == 0
    everything = run_autoqa(later, None, vendors=["northwind"])
    assert (everything.period, everything.interactions, everything.not_covered) == ("all", 3, 1)


def test_a_rerun_deletes_results_of_removed_rules_and_uncovered_interactions(workspace: Workspace) -> None:
    run_autoqa(workspace, "2026-10")
    run_autoqa(workspace, "2026-09")  # interaction 300: outside the later runs' scope, kept
    ruleset = workspace.root / "definitions" / "autoqa" / "chat-basics.yaml"
    edited = DEMO_AUTOQA_RULESET.replace(
        "  - {id: no_blame, kind: prohibited, phrases: [not my problem, calm down]}\n", ""
    )
    ruleset.write_text(edited.replace("[chat, email]", "[chat]"), encoding="utf-8")  # 101 is e-mail
    workspace.close()
    again = open_workspace(workspace.root)
    summary = run_autoqa(again, "2026-10")
    con = again.warehouse.sql_connection
    rules = con.execute("SELECT DISTINCT rule FROM autoqa_results WHERE interaction_id <> '300'").fetchall()
    assert "no_blame" not in {rule for (rule,) in rules}
    assert con.execute("SELECT count(*) FROM autoqa_results WHERE rule = 'no_blame'").fetchall() == [(1,)]  # 300
    assert sorted(i for (i,) in con.execute("SELECT DISTINCT interaction_id FROM autoqa_results").fetchall()) == [
        "100",
        "102",
        "300",
    ]
    scored = con.execute("SELECT interaction_id FROM qa_results ORDER BY 1").fetchall()
    assert scored == [("100",), ("102",), ("300",)]
    assert summary.rows_removed == 2 + 7 + 1  # no_blame of 100 and 102; all seven rules of 101 and its score
    by_vendor = again.metrics.query(["autoqa_score"], by=["vendor"], start=date(2026, 10, 1))
    assert {row["vendor"]: row["autoqa_score"] for row in by_vendor.to_pylist()} == {
        "northwind": pytest.approx(300 / 6),  # 100: greeting, card number and late reply fail, 3 of 6
        "southwind": pytest.approx(500 / 6),  # 102: only the e-mail address fails now, 5 of 6
    }


def test_the_same_interaction_id_in_two_sources_keeps_both_results(workspace: Workspace, tmp_path: Path) -> None:
    # Helpdesks number their tickets independently: freshdesk's 100 is another conversation than the first 100.
    created = OCT + timedelta(hours=5)
    interaction = {
        "source": "freshdesk",
        "interaction_id": "100",
        "vendor": "southwind",
        "queue": "billing",
        "channel": "chat",
    }
    path = write_table(tmp_path / "fd-i.csv", "interactions", [{**interaction, "created_at": created}])
    import_file(workspace, path, options=ImportOptions(table="interactions"))
    turns = [
        {"source": "freshdesk", "interaction_id": "100", "turn": n, "speaker": who, "at": created, "text": text}
        for n, (who, text) in enumerate(
            [("customer", "hello"), ("agent", "Hello, this conversation is recorded. Anything else?")], start=1
        )
    ]
    path = write_table(tmp_path / "fd-t.csv", "transcripts", turns)
    import_file(workspace, path, options=ImportOptions(table="transcripts"))
    summary = run_autoqa(workspace, "2026-10")
    assert summary.interactions == 4
    con = workspace.warehouse.sql_connection
    sources = con.execute(
        "SELECT interaction_source, count(*), count(*) FILTER (WHERE passed) FROM autoqa_results "
        "WHERE interaction_id = '100' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert sources == [("freshdesk", 7, 7), ("steward", 7, 4)]
    ids = con.execute("SELECT evaluation_id, score FROM qa_results WHERE interaction_id = '100' ORDER BY 1").fetchall()
    assert [(i, round(score, 4)) for i, score in ids] == [
        ("autoqa:chat-basics:freshdesk:100", 100.0),
        ("autoqa:chat-basics:steward:100", round(400 / 7, 4)),
    ]
    assert summary.vendors["southwind"].interactions == 2


def test_rejected_results_are_an_error_not_a_quietly_smaller_score(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_range(conversation: Conversation, prepared: PreparedRuleset, checked_at: datetime) -> Checked:
        checked = check_conversation(conversation, prepared, checked_at)
        if conversation.interaction_id == "101":
            checked.score_row["score"] = -1.0
        return checked

    monkeypatch.setattr(qa_autoqa, "check_conversation", out_of_range)
    with pytest.raises(AutoQaError, match=r"1 AutoQA result rows were rejected .*run-\d+-rejects.csv"):
        run_autoqa(workspace, "2026-10")


def test_both_tables_are_stored_in_one_transaction(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    run_autoqa(workspace, "2026-10")
    before = workspace.warehouse.sql_connection.execute("SELECT * FROM autoqa_results ORDER BY ALL").fetchall()
    ruleset = workspace.root / "definitions" / "autoqa" / "chat-basics.yaml"
    ruleset.write_text(DEMO_AUTOQA_RULESET.replace("no_blame", "no_blaming"), encoding="utf-8")
    store_table = ingest._store_table

    def failing_on_scores(connection: DuckDBPyConnection, staged: StagedTable, run_id: int, step: Any) -> Any:
        if staged.table == "qa_results":
            raise OSError("disk full")
        return store_table(connection, staged, run_id, step)

    monkeypatch.setattr(ingest, "_store_table", failing_on_scores)
    workspace.close()
    later = Workspace.open(workspace.root, FixedClock(NOW + timedelta(days=1)))
    with pytest.raises(OSError, match="disk full"):
        run_autoqa(later, "2026-10")
    after = later.warehouse.sql_connection.execute("SELECT * FROM autoqa_results ORDER BY ALL").fetchall()
    assert after == before  # neither the new rule rows nor the deletion of no_blame's were kept


def test_clear_errors_for_no_rulesets_broken_rulesets_and_no_transcripts(workspace: Workspace) -> None:
    with pytest.raises(AutoQaError, match="no stored transcripts for interactions in 2026-08"):
        run_autoqa(workspace, "2026-08")
    ruleset = workspace.root / "definitions" / "autoqa" / "chat-basics.yaml"
    ruleset.write_text(DEMO_AUTOQA_RULESET.replace("[chat, email]", "[social]"), encoding="utf-8")
    with pytest.raises(AutoQaError, match="no ruleset applies to the 4 interactions with a transcript in 2026-10"):
        run_autoqa(open_workspace(workspace.root), "2026-10")
    ruleset.write_text(DEMO_AUTOQA_RULESET.replace("max_seconds: 120", "limit: 120"), encoding="utf-8")
    with pytest.raises(AutoQaError, match=r"chat-basics.yaml:\d+: rules\[6\]"):
        run_autoqa(open_workspace(workspace.root), "2026-10")
    ruleset.unlink()
    with pytest.raises(AutoQaError, match="no AutoQA rulesets"):
        run_autoqa(open_workspace(workspace.root), "2026-10")


def test_the_cli_shows_rules_and_vendors(workspace: Workspace) -> None:
    root = str(workspace.root)
    workspace.close()
    result = CliRunner().invoke(app, ["qa", "autoqa", "--period", "2026-10", "-w", root])
    assert result.exit_code == 0, result.output
    for words in ("greeting", "no_blame", "33.3%", "northwind", "78.6", "50.0%", "southwind", "71.4", "24 rows"):
        assert words in result.output, result.output
    missing = CliRunner().invoke(app, ["qa", "autoqa", "--period", "2026-08", "-w", root])
    assert missing.exit_code == 2 and "no stored transcripts" in missing.output


def test_a_second_transcript_of_one_interaction_is_not_checked_twice(workspace: Workspace, tmp_path: Path) -> None:
    # A chat tool's copy of interaction 101 (no such interaction in its own source): its own
    # source's transcript is the one checked, else both would store results under one key.
    turns = [
        {"source": "chatlog", "interaction_id": "101", "turn": 1, "speaker": "agent", "at": OCT, "text": "calm down"}
    ]
    import_file(workspace, write_table(tmp_path / "copy.csv", "transcripts", turns))
    summary = run_autoqa(workspace, "2026-10")
    assert summary.interactions == 3
    rows = workspace.warehouse.sql_connection.execute(
        "SELECT interaction_source, count(*) FILTER (WHERE passed) FROM autoqa_results WHERE interaction_id = '101' "
        "GROUP BY 1"
    ).fetchall()
    assert rows == [("steward", 7)]
