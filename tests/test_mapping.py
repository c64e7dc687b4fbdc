"""Mapping files for the generic importer: valid ones load, broken ones list every problem by line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from pydantic import ValidationError

from steward.definitions.located_yaml import DefinitionIssue
from steward.definitions.mapping import Mapping, load_mapping

ACMEDESK = Path(__file__).parent / "fixtures" / "mapped" / "acmedesk.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def issues_of(path: Path) -> list[tuple[int | None, str]]:
    loaded = load_mapping(path)
    assert isinstance(loaded, list), loaded
    return [(issue.line, issue.path) for issue in loaded]


def test_the_example_mapping_loads() -> None:
    mapping = load_mapping(ACMEDESK)
    assert isinstance(mapping, Mapping)
    assert (mapping.table, mapping.source, mapping.timezone, mapping.delimiter) == (
        "interactions",
        "acmedesk",
        "America/New_York",
        ",",
    )
    assert mapping.columns["queue"] == "Team"
    assert mapping.values["channel"] == {"E-mail": "email", "Phone call": "phone", "Web chat": "chat"}
    assert mapping.constants == {"vendor": "northwind", "direction": "inbound"}
    assert mapping.pseudonymise == ("customer_id",)
    assert mapping.timestamp_format("created_at") == "%m/%d/%Y %I:%M %p"
    assert mapping.timestamp_format("queue") is None


def test_defaults_and_a_table_without_customers(tmp_path: Path) -> None:
    minimal = load_mapping(
        write(
            tmp_path,
            """\
            columns: {interaction_id: Id, created_at: Created, queue: Team, channel: Medium}
            constants: {vendor: northwind}
            """,
        )
    )
    assert isinstance(minimal, Mapping)
    assert (minimal.table, minimal.pseudonymise, minimal.timezone) == ("interactions", ("customer_id",), None)
    forecasts = load_mapping(
        write(
            tmp_path,
            """\
            table: forecasts
            columns: {queue: Queue, interval_start: Start, interval_minutes: Minutes, volume: Calls}
            constants: {vendor: northwind, made_by: northwind}
            """,
        )
    )
    assert isinstance(forecasts, Mapping) and forecasts.pseudonymise == ()


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        # a mapping with one mistake per line
        table: interactions
        source: acmedesk
        timezone: Europe/Paaris
        delimiter: ";;"
        colour: blue
        columns:
          interaction_id: Ticket Number
          created_at: Opened
          queue: Team
          agent: Agent Name
          vendor: Partner
        timestamp_formats:
          "*": "%m/%d/%Y %I:%M %p"
          queue: "%Y"
          first_response_at: "no directives"
        values:
          channel: {E-mail: email, Fax: fax}
          mood: {Happy: good}
        constants:
          vendor: northwind
          site: manila-1
          colour: blue
        pseudonymise: [customer_id, phone]
        """,
    )
    assert issues_of(path) == [
        (4, "timezone"),
        (5, "delimiter"),
        (6, "colour"),
        (7, "columns"),  # channel is neither mapped nor a constant
        (11, "columns.agent"),
        (12, "columns.vendor"),  # both mapped and constant
        (15, "timestamp_formats.queue"),
        (16, "timestamp_formats.first_response_at"),
        (18, "values.channel.Fax"),
        (19, "values.mood"),
        (23, "constants.colour"),
        (24, "pseudonymise[1]"),
    ]


def test_messages_say_what_is_wrong(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        timezone: Europe/Paaris
        columns: {interaction_id: Id, created_at: Created, queue: Team, channel: Medium, agentid: Agent}
        constants: {vendor: northwind}
        values: {channel: {Fax: fax}}
        timestamp_formats: {created_at: "%d.%m.%Y %Q"}
        """,
    )
    loaded = load_mapping(path)
    assert isinstance(loaded, list)
    messages = {issue.path: issue.message for issue in loaded}
    assert messages["timezone"].startswith("unknown time zone 'Europe/Paaris'")
    assert messages["columns.agentid"].startswith(
        "'agentid' is not a column of interactions (did you mean 'agent_id'?)"
    )
    assert messages["values.channel.Fax"] == "'fax' is not one of: email, chat, phone, messaging, social, other"
    assert messages["timestamp_formats.created_at"] == "'%d.%m.%Y %Q' is not a strptime format that can be read back"
    assert str(loaded[0]) == f"{path}:1: timezone: {messages['timezone']}"


def test_an_unknown_table_does_not_cascade_into_column_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "table: tickets\ncolumns: {interaction_id: Id}\n")
    loaded = load_mapping(path)
    assert isinstance(loaded, list)
    assert [(i.line, i.path) for i in loaded] == [(1, "table")]
    assert "choose one of: interactions, interaction_events" in loaded[0].message


def test_required_columns_may_come_from_constants(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        columns: {interaction_id: Call, created_at: Start}
        constants: {vendor: northwind, queue: hotline, channel: phone}
        """,
    )
    assert isinstance(load_mapping(path), Mapping)


def test_missing_columns_are_reported_even_without_a_columns_key(tmp_path: Path) -> None:
    loaded = load_mapping(write(tmp_path, "source: acmedesk\n"))
    assert isinstance(loaded, list)
    assert [(i.line, i.path) for i in loaded] == [(1, "columns")]
    assert loaded[0].message.endswith("interaction_id, vendor, queue, channel, created_at")


def test_malformed_yaml_is_one_issue_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, 'table: interactions\ncolumns:\n  queue: "Team\n  channel: Medium\n')
    loaded = load_mapping(path)
    assert isinstance(loaded, list) and len(loaded) == 1
    assert loaded[0].line == 5 and loaded[0].message.startswith("invalid YAML")
    assert "starts on line 3" in loaded[0].message


def test_a_missing_mapping_file_is_an_issue(tmp_path: Path) -> None:
    assert load_mapping(tmp_path / "nope.yaml") == [DefinitionIssue(tmp_path / "nope.yaml", None, "", "no such file")]


def test_a_mapping_is_frozen() -> None:
    mapping = load_mapping(ACMEDESK)
    assert isinstance(mapping, Mapping)
    with pytest.raises(ValidationError):
        mapping.source = "other"  # type: ignore[misc]
