"""Importers only reshape: staged text columns, row numbers, raw records, pseudonyms and problems.

Validation and storage are the ingest service's job and are not exercised here; these tests
look at the staged Arrow tables the importers hand over, built from hand-made exports in each
product's real shape under tests/fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steward.importers.base import (
    ImportContext,
    ImportOptions,
    RecordProblem,
    StagedTable,
    UnreadableFile,
    hmac_pseudonymiser,
)
from steward.importers.calls import CallsImporter
from steward.importers.freshdesk import FreshdeskImporter
from steward.importers.mapped import MappedImporter
from steward.importers.native import NativeImporter
from steward.importers.zendesk import ZendeskImporter

FIXTURES = Path(__file__).parent / "fixtures"
ZENDESK = FIXTURES / "zendesk"
FRESHDESK = FIXTURES / "freshdesk"
CALLS = FIXTURES / "calls"
MAPPED = FIXTURES / "mapped"
PSEUDONYMISE = hmac_pseudonymiser(b"reshape-test-secret")


def stage(importer: Any, path: Path, **options: Any) -> list[StagedTable]:
    return list(importer.stage(path, ImportContext(ImportOptions(**options), PSEUDONYMISE)))


def records(staged: StagedTable) -> list[dict[str, Any]]:
    assert staged.arrow is not None
    return staged.arrow.to_pylist()


def by_key(staged: StagedTable, key: str = "interaction_id") -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in records(staged)}


def zendesk_export(**options: Any) -> dict[str, StagedTable]:
    return {t.file.name: t for t in stage(ZendeskImporter(), ZENDESK / "export", **options)}


# -- Zendesk -------------------------------------------------------------------------------------


def test_zendesk_folder_stages_one_table_per_file_it_reshapes() -> None:
    staged = stage(ZendeskImporter(), ZENDESK / "export", vendor="northwind")
    assert [(t.table, t.file.name) for t in staged] == [
        ("interactions", "incremental_tickets.json"),
        ("interaction_events", "ticket_audits.json"),
        ("interaction_events", "ticket_metric_events.json"),
    ]
    assert all(t.default_source == "zendesk" and not t.problems for t in staged)


def test_zendesk_ticket_is_reshaped_into_canonical_text_columns() -> None:
    tickets = zendesk_export(vendor="northwind")["incremental_tickets.json"]
    assert by_key(tickets)["48201"] == {
        "interaction_id": "48201",
        "vendor": "northwind",
        "queue": "360001118213",
        "channel": "email",
        "priority": "normal",
        "status": "solved",
        "agent_id": "381000000101",
        "customer_id": PSEUDONYMISE("390000000501"),
        "contact_reason": "question",
        "created_at": "2026-03-02T09:14:05Z",
        "first_response_at": "2026-03-02T09:41:10Z",
        "resolved_at": "2026-03-02T13:05:05Z",
        "closed_at": None,
        "reopens": "1",
        "replies": "3",
        "csat": "5",
        "_row": 1,
        "_raw": by_key(tickets)["48201"]["_raw"],
    }
    assert [row["_row"] for row in records(tickets)] == list(range(1, 13))


def test_zendesk_channels_statuses_and_queues_use_the_canonical_vocabulary() -> None:
    tickets = by_key(zendesk_export()["incremental_tickets.json"])
    channels = {ticket_id: row["channel"] for ticket_id, row in tickets.items()}
    assert channels == {
        "48201": "email",  # email
        "48202": "email",  # web
        "48203": "chat",  # chat
        "48204": "chat",  # native_messaging
        "48205": "phone",  # voice
        "48206": "messaging",  # whatsapp
        "48207": "social",  # twitter
        "48208": "other",  # api
        "48209": "social",  # facebook
        "48210": "other",  # mobile_sdk
        "48211": "messaging",  # sms
        "48212": "messaging",  # instagram_dm
    }
    assert tickets["48206"]["status"] == "on_hold"
    assert {row["status"] for row in tickets.values()} == {"new", "open", "pending", "on_hold", "solved", "closed"}
    assert tickets["48204"]["queue"] == "unassigned"
    assert tickets["48204"]["priority"] is None
    assert tickets["48208"]["agent_id"] is None


def test_zendesk_first_response_prefers_audits_then_metric_events_then_reply_time() -> None:
    tickets = by_key(zendesk_export()["incremental_tickets.json"])
    first = {ticket_id: row["first_response_at"] for ticket_id, row in tickets.items()}
    assert first["48201"] == "2026-03-02T09:41:10Z"  # audit comment; reply_time of 27 minutes would say 09:41:05
    assert first["48203"] == "2026-03-02T10:34:49Z"  # metric event; 4 minutes would say 10:34:12
    assert first["48204"] == "2026-03-02T11:06:35Z"  # messaging: reply_time_in_seconds 95
    assert first["48207"] == "2026-03-02T14:27:58Z"  # created + 16 calendar minutes
    assert first["48210"] == "2026-03-03T08:17:17Z"  # metrics from ticket_metrics.json, not the page
    assert first["48208"] is None  # no reply yet


def test_zendesk_audit_reply_wins_over_a_metric_event_that_disagrees(tmp_path: Path) -> None:
    for name in ("incremental_tickets.json", "ticket_audits.json"):
        (tmp_path / name).write_bytes((ZENDESK / "export" / name).read_bytes())
    late = {"id": 1, "ticket_id": 48201, "metric": "reply_time", "instance_id": 1, "type": "fulfill"}
    events = {"ticket_metric_events": [{**late, "time": "2026-03-02T09:45:00Z"}], "next_page": None}
    (tmp_path / "ticket_metric_events.json").write_text(json.dumps(events))
    tickets = {t.file.name: t for t in stage(ZendeskImporter(), tmp_path)}["incremental_tickets.json"]
    assert by_key(tickets)["48201"]["first_response_at"] == "2026-03-02T09:41:10Z"


def test_zendesk_the_comment_that_opens_an_agent_created_ticket_is_not_its_first_response(tmp_path: Path) -> None:
    agent, customer = 381000000101, 390000000777
    ticket = {"id": 50001, "via": {"channel": "web"}, "requester_id": customer, "created_at": "2026-03-04T08:00:00Z"}
    opening = {"type": "Comment", "author_id": agent, "public": True, "body": "We noticed a failed payment."}
    follow_up = {"type": "Comment", "author_id": agent, "public": True, "body": "Any news?"}
    audits = [
        {"ticket_id": 50001, "created_at": "2026-03-04T08:00:00Z", "author_id": agent, "events": [
            opening, {"type": "Create", "field_name": "status", "value": "pending"}]},
        {"ticket_id": 50001, "created_at": "2026-03-05T09:30:00Z", "author_id": agent, "events": [follow_up]},
    ]  # fmt: skip
    (tmp_path / "tickets.json").write_text(json.dumps({"tickets": [ticket], "end_of_stream": True}))
    (tmp_path / "audits.json").write_text(json.dumps({"audits": audits}))
    staged = {t.file.name: t for t in stage(ZendeskImporter(), tmp_path)}
    assert by_key(staged["tickets.json"])["50001"]["first_response_at"] == "2026-03-05T09:30:00Z"
    events = records(staged["audits.json"])
    assert [(e["at"][:10], e["kind"], e["actor_type"]) for e in events] == [
        ("2026-03-04", "agent_reply", "agent"),
        ("2026-03-04", "status", "agent"),
        ("2026-03-05", "agent_reply", "agent"),
    ]


def test_zendesk_resolved_closed_and_counts_come_from_metrics_and_audits() -> None:
    tickets = by_key(zendesk_export()["incremental_tickets.json"])
    assert tickets["48202"]["resolved_at"] == "2026-03-02T15:02:44Z"
    assert tickets["48202"]["closed_at"] == "2026-03-06T11:20:00Z"  # the automation that closed it
    assert tickets["48205"]["closed_at"] is None  # no audits: never guessed
    assert (tickets["48211"]["replies"], tickets["48211"]["reopens"]) == ("1", "0")


def test_zendesk_binary_satisfaction_maps_to_the_ends_of_the_scale() -> None:
    tickets = by_key(zendesk_export()["incremental_tickets.json"])
    assert {ticket_id: tickets[ticket_id]["csat"] for ticket_id in ("48201", "48202", "48203", "48204", "48205")} == {
        "48201": "5",  # good
        "48202": "1",  # bad
        "48203": None,  # offered
        "48204": None,  # unoffered
        "48205": None,  # no rating
    }


def test_zendesk_customers_are_pseudonymised_and_absent_from_raw_records() -> None:
    export = zendesk_export()
    tickets = records(export["incremental_tickets.json"])
    requesters = {f"3900000005{n:02d}" for n in range(1, 13)}
    assert {row["customer_id"] for row in tickets} == {PSEUDONYMISE(r) for r in requesters}
    assert not {row["customer_id"] for row in tickets} & requesters
    raws = [row["_raw"] for table in export.values() for row in records(table)]
    for secret in ("390000000501", "maria.gonzalez@example.net", "+14155550134", "Maria Gonzalez", "203.0.113.7"):
        assert not any(secret in raw for raw in raws), secret
    assert json.loads(tickets[0]["_raw"])["requester_id"] == PSEUDONYMISE("390000000501")


def test_zendesk_audits_become_status_reply_assignment_and_priority_events() -> None:
    events = records(zendesk_export()["ticket_audits.json"])
    first_ticket = [
        (e["at"][11:19], e["kind"], e["value"], e["actor_type"], e["_row"])
        for e in events
        if e["interaction_id"] == "48201"
    ]
    assert first_ticket == [
        ("09:14:05", "customer_message", None, "customer", 1),
        ("09:14:05", "status", "new", "customer", 1),
        ("09:14:05", "priority", "normal", "customer", 1),
        ("09:16:00", "assignment", "381000000101", "system", 2),
        ("09:16:00", "status", "open", "system", 2),
        ("09:41:10", "agent_reply", None, "agent", 3),
        ("09:41:10", "status", "pending", "agent", 3),
        ("10:05:42", "customer_message", None, "customer", 4),
        ("10:05:42", "status", "open", "customer", 4),
        # row 5 is an internal note: not an event
        ("10:31:55", "agent_reply", None, "agent", 6),
        ("10:31:55", "status", "solved", "agent", 6),
        ("11:10:00", "priority", "high", "agent", 7),
    ]
    closing = [e for e in events if e["interaction_id"] == "48202" and e["value"] == "closed"]
    assert [(e["actor_type"], e["_row"]) for e in closing] == [("system", 10)]
    assert [e["value"] for e in events if e["interaction_id"] == "48206" and e["kind"] == "status"] == [
        "new",
        "on_hold",
    ]
    raw = json.loads(events[0]["_raw"])
    assert raw["ticket_id"] == 48201 and [e["type"] for e in raw["events"]] == ["Comment"]


def test_zendesk_metric_events_give_replies_only_for_tickets_without_audits() -> None:
    replies = records(zendesk_export()["ticket_metric_events.json"])
    assert [(r["interaction_id"], r["at"], r["kind"], r["actor_type"], r["_row"]) for r in replies] == [
        ("48203", "2026-03-02T10:34:49Z", "agent_reply", "agent", 10),
        ("48205", "2026-03-02T11:47:52Z", "agent_reply", "agent", 15),
        ("48209", "2026-03-02T18:57:40Z", "agent_reply", "agent", 20),
        ("48209", "2026-03-02T20:55:23Z", "agent_reply", "agent", 22),
    ]


def test_zendesk_options_set_vendor_and_source_but_nothing_is_invented() -> None:
    plain = records(zendesk_export()["incremental_tickets.json"])
    assert {row["vendor"] for row in plain} == {None}
    named = zendesk_export(vendor="northwind", source="zendesk-eu", timezone="Europe/Berlin")
    assert {row["vendor"] for row in records(named["incremental_tickets.json"])} == {"northwind"}
    assert {t.default_source for t in named.values()} == {"zendesk-eu"}


def test_zendesk_json_lines_rows_are_line_numbers_and_raw_is_the_compact_record() -> None:
    (tickets,) = stage(ZendeskImporter(), ZENDESK / "tickets.jsonl")
    rows = records(tickets)
    assert [(r["interaction_id"], r["_row"]) for r in rows] == [("48201", 1), ("48202", 2), ("48203", 3)]
    assert json.loads(rows[1]["_raw"])["id"] == 48202
    assert "\n" not in rows[1]["_raw"] and ": " not in rows[1]["_raw"][:20]


def triples(problems: tuple[RecordProblem, ...]) -> list[tuple[int, str, str]]:
    return [(p.row, p.field, p.reason) for p in problems]


def test_zendesk_records_that_are_not_objects_become_problems_and_odd_values_pass_through() -> None:
    (tickets,) = stage(ZendeskImporter(), ZENDESK / "bad" / "tickets_with_bad_records.json")
    assert [(p.row, p.field) for p in tickets.problems] == [(2, ""), (3, ""), (5, "")]
    assert "not a JSON object" in tickets.problems[0].reason
    assert all(p.raw for p in tickets.problems)  # the record's text is kept for the quarantine
    rows = by_key(tickets)
    assert [r["_row"] for r in rows.values()] == [1, 4, 6, 7]
    assert rows["48202"]["status"] == "deleted"  # unknown status: the validator names it
    assert rows["48203"]["channel"] == "other"  # via channel carrier_pigeon
    assert rows["48204"]["created_at"] == "last Tuesday"  # not validated here


def test_zendesk_json_lines_that_do_not_parse_become_problems() -> None:
    (tickets,) = stage(ZendeskImporter(), ZENDESK / "bad" / "tickets_bad_lines.jsonl")
    assert all(p.raw for p in tickets.problems)
    assert [(p.row, p.reason.split(":")[0]) for p in tickets.problems] == [
        (2, "not valid JSON"),
        (3, "record 3 of tickets is a list, not a JSON object"),
    ]
    assert [r["_row"] for r in records(tickets)] == [1, 4]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad/not_zendesk.json", "found orders"),
        ("bad/truncated.json", "is not valid JSON"),
        ("export/ticket_metrics.json", "holds only ticket metrics"),
    ],
)
def test_zendesk_files_that_are_not_an_export_are_refused_by_name(name: str, message: str) -> None:
    with pytest.raises(UnreadableFile) as refused:
        stage(ZendeskImporter(), ZENDESK / name)
    assert str(ZENDESK / name) in str(refused.value) and message in str(refused.value)


def test_zendesk_sniffing_reads_only_the_head() -> None:
    # The head of a cut-off page still says "tickets": sniffing never parses the whole file.
    assert ZendeskImporter().sniff(ZENDESK / "bad" / "truncated.json") >= 0.9


# -- Freshdesk -----------------------------------------------------------------------------------


def test_freshdesk_row_is_reshaped_and_times_stay_local_with_the_timezone() -> None:
    (tickets,) = stage(FreshdeskImporter(), FRESHDESK / "tickets.csv", vendor="northwind", timezone="Europe/Madrid")
    assert tickets.timezone == "Europe/Madrid" and tickets.default_source == "freshdesk"
    row = by_key(tickets)["1201"]
    assert {k: v for k, v in row.items() if k != "_raw"} == {
        "interaction_id": "1201",
        "agent_id": "Ana Ruiz",
        "contact_reason": "Question",
        "created_at": "2026-03-02 09:14:05",
        "first_response_at": "2026-03-02 09:41:10",
        "resolved_at": "2026-03-02 13:05:00",
        "closed_at": None,
        "replies": "2",
        "vendor": "northwind",
        "queue": "Billing",
        "channel": "email",
        "direction": "inbound",
        "priority": "normal",
        "status": "solved",
        "customer_id": PSEUDONYMISE("80012345601"),
        "_row": 2,
    }


def test_freshdesk_rows_count_records_not_lines() -> None:
    (tickets,) = stage(FreshdeskImporter(), FRESHDESK / "tickets.csv")
    # Ticket 1201's description spans three lines; the next record is still row 3.
    assert [(r["interaction_id"], r["_row"]) for r in records(tickets)][:3] == [("1201", 2), ("1202", 3), ("1203", 4)]
    assert len(records(tickets)) == 12


def test_freshdesk_status_source_and_priority_map_to_the_canonical_vocabulary() -> None:
    rows = by_key(stage(FreshdeskImporter(), FRESHDESK / "tickets.csv")[0])
    assert {k: (r["status"], r["channel"], r["priority"]) for k, r in rows.items()} == {
        "1201": ("solved", "email", "normal"),  # Resolved, Email, Medium
        "1202": ("closed", "email", "high"),  # Closed, Portal
        "1203": ("open", "chat", "low"),
        "1204": ("pending", "phone", "urgent"),
        "1205": ("on_hold", "messaging", "low"),  # Waiting on Third Party, WhatsApp
        "1206": ("pending", "email", "normal"),  # Waiting on Customer, Feedback Widget
        "1207": ("solved", "email", "low"),  # Outbound Email
        "1208": ("solved", "social", "normal"),  # Facebook
        "1209": ("open", "social", "normal"),  # Twitter
        "1210": ("closed", "email", "low"),
        "1211": ("open", "email", "high"),
        "1212": ("solved", "email", "normal"),
    }
    assert rows["1207"]["direction"] == "outbound"
    assert rows["1210"]["queue"] == "unassigned"
    assert rows["1209"]["agent_id"] is None


def test_freshdesk_customer_is_pseudonymised_and_contact_details_are_blanked_in_raw() -> None:
    rows = by_key(stage(FreshdeskImporter(), FRESHDESK / "tickets.csv")[0])
    assert rows["1210"]["customer_id"] == PSEUDONYMISE("noor.aziz@example.com")  # no Contact ID: the e-mail
    assert rows["1201"]["customer_id"] not in ("80012345601", "maria.gonzalez@example.net")
    raws = "\n".join(r["_raw"] for r in rows.values())
    for secret in ("@example", "+34 612 345 678", "Maria Gonzalez", "80012345601"):
        assert secret not in raws
    assert rows["1201"]["_raw"].startswith("1201,Charged twice for my March invoice,")


def test_freshdesk_latin1_semicolon_export_reads_accents() -> None:
    (tickets,) = stage(FreshdeskImporter(), FRESHDESK / "tickets_latin1.csv")
    rows = by_key(tickets)
    assert (rows["1301"]["agent_id"], rows["1301"]["queue"]) == ("Amélie Durand", "Facturación")
    assert rows["1303"]["agent_id"] == "Jürgen Weiß"
    assert "Rücksendung" in rows["1303"]["_raw"]


def test_freshdesk_rows_with_wrong_field_counts_are_problems_and_odd_values_pass_through() -> None:
    (tickets,) = stage(FreshdeskImporter(), FRESHDESK / "tickets_bad_rows.csv")
    assert triples(tickets.problems) == [
        (3, "", "has 10 fields but the header has 29"),
        (4, "", "has 31 fields but the header has 29"),
    ]
    assert all(p.raw and "@" not in p.raw for p in tickets.problems)  # kept, with e-mail addresses removed
    odd = by_key(tickets)["1404"]
    assert (odd["status"], odd["priority"], odd["channel"], odd["created_at"]) == (
        "Escalated",
        "Critical",
        "Carrier pigeon",
        "31/02/2026 10:00",
    )
    assert odd["direction"] is None
    assert [r["_row"] for r in records(tickets)] == [2, 5, 6]


def test_freshdesk_optional_columns_may_be_missing(tmp_path: Path) -> None:
    export = tmp_path / "minimal.csv"
    export.write_text("Ticket ID,Status,Priority,Source,Created time\n77,Open,Low,Chat,2026-03-02 10:00:00\n")
    (row,) = records(stage(FreshdeskImporter(), export)[0])
    assert (row["interaction_id"], row["status"], row["channel"]) == ("77", "open", "chat")
    assert row["queue"] is None and row["customer_id"] is None


def test_blank_lines_count_as_rows_but_are_not_records(tmp_path: Path) -> None:
    export = tmp_path / "gaps.csv"
    export.write_text("Ticket ID,Status,Source\n77,Open,Chat\n\n78,Closed,Email\n")
    (tickets,) = stage(FreshdeskImporter(), export)
    assert [(r["interaction_id"], r["_row"]) for r in records(tickets)] == [("77", 2), ("78", 4)]
    assert tickets.problems == ()


def test_freshdesk_refuses_a_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "tickets.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(UnreadableFile, match="binary"):
        stage(FreshdeskImporter(), binary)


# -- Calls ---------------------------------------------------------------------------------------


def test_calls_record_is_reshaped_and_handle_time_is_summed() -> None:
    (calls,) = stage(CallsImporter(), CALLS / "cdr.csv", vendor="acme-inhouse")
    row = by_key(calls)["c-20260302-0001"]
    assert {k: v for k, v in row.items() if k != "_raw"} == {
        "interaction_id": "c-20260302-0001",
        "queue": "billing",
        "agent_id": "ag-0193",
        "created_at": "2026-03-02T09:00:04+01:00",
        "first_response_at": "2026-03-02T09:00:22+01:00",
        "resolved_at": "2026-03-02T09:06:10+01:00",
        "talk_seconds": "301",
        "hold_seconds": "45",
        "wrap_seconds": "66",
        "queue_wait_seconds": None,
        "transfers": "0",
        "site": "manila-1",
        "language": "en",
        "contact_reason": "refund",
        "channel": "phone",
        "direction": "inbound",
        "abandoned": "false",
        "handle_seconds": "412",
        "status": "solved",
        "vendor": "northwind",
        "customer_id": PSEUDONYMISE("+14155550134"),
        "_row": 2,
    }
    assert calls.default_source == "calls"


def test_calls_flags_status_vendor_and_withheld_callers() -> None:
    rows = by_key(stage(CallsImporter(), CALLS / "cdr.csv", vendor="acme-inhouse")[0])
    assert [rows[f"c-20260302-{n:04d}"]["abandoned"] for n in (1, 2, 3, 4, 5, 6, 10, 11)] == [
        "false", "true", "false", "false", "false", "true", "true", "true",
    ]  # fmt: skip
    assert rows["c-20260302-0003"]["handle_seconds"] == "447.5"
    assert rows["c-20260302-0002"]["status"] is None  # abandoned: never answered
    assert rows["c-20260302-0002"]["handle_seconds"] is None
    assert rows["c-20260302-0005"]["vendor"] == "acme-inhouse"  # empty vendor cell
    assert rows["c-20260302-0006"]["vendor"] == "contoso"
    assert rows["c-20260302-0005"]["customer_id"] is None  # caller id "anonymous"
    assert rows["c-20260302-0001"]["customer_id"] == rows["c-20260302-0007"]["customer_id"]  # same caller
    assert not any("+1415555" in row["_raw"] for row in rows.values())


def test_calls_synonym_headers_and_semicolons_are_understood() -> None:
    (calls,) = stage(CallsImporter(), CALLS / "cdr_synonyms.csv", vendor="northwind")
    rows = by_key(calls)
    assert rows["9f1c2a"]["created_at"] == "2026-03-03T08:00:01Z"
    assert rows["9f1c2a"]["queue_wait_seconds"] == "30"
    assert rows["9f1c2a"]["handle_seconds"] == "269"  # 240 + 9 + 20, ACW Seconds as wrap
    assert (rows["9f1c2b"]["abandoned"], rows["9f1c2c"]["direction"]) == ("true", "outbound")
    assert {row["vendor"] for row in rows.values()} == {"northwind"}
    assert rows["9f1c2a"]["customer_id"] == PSEUDONYMISE("+34612345678")


def test_calls_keep_unparseable_components_and_report_short_rows() -> None:
    (calls,) = stage(CallsImporter(), CALLS / "cdr_bad.csv")
    rows = by_key(calls)
    assert (rows["c-20260302-0102"]["hold_seconds"], rows["c-20260302-0102"]["handle_seconds"]) == ("00:01:10", None)
    assert rows["c-20260302-0103"]["abandoned"] == "maybe"
    assert triples(calls.problems) == [(5, "", "has 4 fields but the header has 17")]
    assert calls.problems[0].raw


# -- Mapped --------------------------------------------------------------------------------------


def test_mapped_renames_maps_values_and_converts_timestamps() -> None:
    (tickets,) = stage(MappedImporter(), MAPPED / "acmedesk.csv", mapping=MAPPED / "acmedesk.yaml")
    assert (tickets.default_source, tickets.timezone) == ("acmedesk", "America/New_York")
    rows = by_key(tickets)
    assert {k: v for k, v in rows["AC-1001"].items() if k != "_raw"} == {
        "interaction_id": "AC-1001",
        "created_at": "2026-03-02T09:14:00",
        "first_response_at": "2026-03-02T09:41:00",
        "resolved_at": "2026-03-02T13:05:00",
        "queue": "Billing",
        "channel": "email",
        "customer_id": PSEUDONYMISE("maria.gonzalez@example.net"),
        "agent_id": "Ana Ruiz",
        "priority": "normal",
        "csat": "5",
        "vendor": "northwind",
        "direction": "inbound",
        "_row": 2,
    }
    assert rows["AC-1004"]["channel"] == "phone"  # "phone CALL": case and spacing ignored
    assert rows["AC-1006"]["channel"] == "Fax"  # unmapped: passes through for the validator
    assert rows["AC-1008"]["customer_id"] is None
    assert not any("@" in row["_raw"] for row in rows.values())


def test_mapped_command_line_options_override_the_mapping() -> None:
    (tickets,) = stage(
        MappedImporter(),
        MAPPED / "acmedesk.csv",
        mapping=MAPPED / "acmedesk.yaml",
        timezone="Europe/London",
        vendor="contoso",
        source="acme-eu",
    )
    assert (tickets.timezone, tickets.default_source) == ("Europe/London", "acme-eu")
    assert {row["vendor"] for row in records(tickets)} == {"contoso"}


def test_mapped_values_that_do_not_match_the_format_are_problems_and_not_staged() -> None:
    (tickets,) = stage(MappedImporter(), MAPPED / "acmedesk_bad_dates.csv", mapping=MAPPED / "acmedesk.yaml")
    assert triples(tickets.problems) == [
        (3, "created_at", "'2026-03-02 10:02' does not match format '%m/%d/%Y %I:%M %p'"),
        (4, "first_response_at", "'13/45/2026 10:34 AM' does not match format '%m/%d/%Y %I:%M %p'"),
        (4, "resolved_at", "'yesterday' does not match format '%m/%d/%Y %I:%M %p'"),
    ]
    assert all(p.raw for p in tickets.problems)
    assert [(r["interaction_id"], r["_row"]) for r in records(tickets)] == [("AC-1001", 2), ("AC-1003", 5)]


def test_mapped_needs_a_mapping() -> None:
    with pytest.raises(UnreadableFile, match="--mapping"):
        stage(MappedImporter(), MAPPED / "acmedesk.csv")


def test_mapped_lists_every_problem_of_an_invalid_mapping_with_its_line(tmp_path: Path) -> None:
    mapping = tmp_path / "broken.yaml"
    mapping.write_text(
        "table: interactions\ntimezone: Mars/Olympus\ncolumns:\n  interaction_id: Ticket Number\n  queu: Team\n"
    )
    with pytest.raises(UnreadableFile) as refused:
        stage(MappedImporter(), MAPPED / "acmedesk.csv", mapping=mapping)
    message = str(refused.value)
    assert f"{mapping}:2: timezone: unknown time zone 'Mars/Olympus'" in message
    assert f"{mapping}:3: columns: required column(s)" in message
    assert f"{mapping}:5: columns.queu: 'queu' is not a column of interactions (did you mean 'queue'?)" in message


def test_mapped_refuses_a_file_without_the_mapped_columns(tmp_path: Path) -> None:
    export = tmp_path / "other.csv"
    export.write_text("Ticket Number,Opened\nAC-1,03/02/2026 09:14 AM\n")
    with pytest.raises(UnreadableFile, match=r"'First Reply' \(for first_response_at\)"):
        stage(MappedImporter(), export, mapping=MAPPED / "acmedesk.yaml")


def test_mapped_refuses_a_table_other_than_the_mappings() -> None:
    with pytest.raises(UnreadableFile, match="for table 'interactions'"):
        stage(MappedImporter(), MAPPED / "acmedesk.csv", mapping=MAPPED / "acmedesk.yaml", table="orders")


# -- Sniffing ------------------------------------------------------------------------------------

IMPORTERS = [ZendeskImporter(), FreshdeskImporter(), CallsImporter(), MappedImporter(), NativeImporter()]


@pytest.mark.parametrize(
    ("fixture", "owner"),
    [
        ("zendesk/export", "zendesk"),
        ("zendesk/export/incremental_tickets.json", "zendesk"),
        ("zendesk/export/ticket_audits.json", "zendesk"),
        ("zendesk/export/ticket_metric_events.json", "zendesk"),
        ("zendesk/tickets.jsonl", "zendesk"),
        ("freshdesk/tickets.csv", "freshdesk"),
        ("freshdesk/tickets_latin1.csv", "freshdesk"),
        ("calls/cdr.csv", "calls"),
        ("calls/cdr_synonyms.csv", "calls"),
    ],
)
def test_each_export_is_sniffed_by_its_own_importer_above_the_others(fixture: str, owner: str) -> None:
    scores = {importer.name: importer.sniff(FIXTURES / fixture) for importer in IMPORTERS}
    assert scores[owner] >= 0.8
    assert all(score == 0 for name, score in scores.items() if name != owner), scores


def test_a_csv_only_a_mapping_can_read_is_claimed_by_no_importer() -> None:
    assert {importer.name: importer.sniff(MAPPED / "acmedesk.csv") for importer in IMPORTERS} == {
        "zendesk": 0.0,
        "freshdesk": 0.0,
        "calls": 0.0,
        "mapped": 0.0,
        "steward": 0.0,
    }
