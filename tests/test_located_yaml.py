"""YAML with line numbers: every problem is reported with file and line, and nothing crashes."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from steward.definitions.located_yaml import (
    DefinitionError,
    DefinitionIssue,
    load_located,
    load_model,
    parse_located,
    validation_issues,
)

FILE = Path("definitions/teams.yaml")


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    hours: int = 40


class Team(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team: str
    active: bool = True
    members: tuple[Member, ...] = ()


TEAMS = dedent(
    """\
    # the support teams
    team: billing
    active: true

    members:
      - name: ana
        hours: 32
      - name: ben
    """
)


def write(tmp_path: Path, text: str, name: str = "teams.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_every_key_and_list_item_has_its_line() -> None:
    located = parse_located(TEAMS, FILE)
    assert located.data == {
        "team": "billing",
        "active": "true",
        "members": [{"name": "ana", "hours": "32"}, {"name": "ben"}],
    }
    assert located.line_of(("team",)) == 2
    assert located.line_of(("members",)) == 5
    assert located.line_of(("members", 0)) == 6
    assert located.line_of(("members", 0, "hours")) == 7
    assert located.line_of(("members", 1, "name")) == 8


def test_a_path_that_is_not_written_is_placed_at_its_nearest_written_ancestor() -> None:
    located = parse_located(TEAMS, FILE)
    assert located.line_of(("members", 1, "hours")) == 8
    assert located.line_of(("nowhere", "at", "all")) == 2  # the document itself starts at its first key


def test_scalars_stay_text_so_value_spellings_survive() -> None:
    located = parse_located("answers: {Yes: y, NO: n, off: o}\nzip: 010\nempty:\ntilde: ~\n", FILE)
    assert located.data == {"answers": {"Yes": "y", "NO": "n", "off": "o"}, "zip": "010", "empty": None, "tilde": None}
    typed = parse_located("answers: {Yes: y}\nzip: 010\n", FILE, text_scalars=False)
    assert typed.data == {"answers": {True: "y"}, "zip": 8}


def test_a_key_written_twice_is_an_issue_on_the_second_line() -> None:
    located = parse_located("team: billing\nmembers: []\nteam: orders\n", FILE)
    assert located.issues == (
        DefinitionIssue(FILE, 3, "team", "key 'team' is written twice (first on line 1); remove one"),
    )


def test_malformed_yaml_raises_one_issue_at_the_line_of_the_error() -> None:
    with pytest.raises(DefinitionError) as failed:
        parse_located("team: billing\nmembers:\n  - name: ana\n   hours: 32\n", FILE)
    (issue,) = failed.value.issues
    assert (issue.file, issue.line, issue.path) == (FILE, 4, "")
    assert issue.message.startswith("invalid YAML:")
    assert str(failed.value) == str(issue)


def test_load_model_returns_issues_for_malformed_yaml_instead_of_raising(tmp_path: Path) -> None:
    path = write(tmp_path, "team: [billing\n")
    issues = load_model(path, Team)
    assert isinstance(issues, list) and len(issues) == 1
    assert issues[0].line == 2 and "invalid YAML" in issues[0].message


def test_validation_issues_report_every_error_with_its_line() -> None:
    located = parse_located(
        dedent(
            """\
            team: billing
            active: perhaps
            members:
              - name: ana
                hours: many
              - hours: 20
              - name: ben
                shift: night
            """
        ),
        FILE,
    )
    with pytest.raises(ValidationError) as invalid:
        Team.model_validate(located.data)
    issues = validation_issues(invalid.value, located, Team)
    assert [(i.line, i.path) for i in issues] == [
        (2, "active"),
        (5, "members[0].hours"),
        (6, "members[1].name"),
        (8, "members[2].shift"),
    ]
    assert issues[1].message.endswith("(got 'many')")
    assert issues[2].message == "required setting is missing"
    assert issues[3].message == "unknown setting (allowed here: name, hours)"


def test_an_unknown_key_names_the_allowed_ones_and_the_likely_typo(tmp_path: Path) -> None:
    issues = load_model(write(tmp_path, "team: billing\nmembrs: []\n"), Team)
    assert issues == [
        DefinitionIssue(
            tmp_path / "teams.yaml",
            2,
            "membrs",
            "unknown setting (allowed here: team, active, members); did you mean 'members'?",
        )
    ]


def test_load_model_returns_the_model_when_all_is_well(tmp_path: Path) -> None:
    team = load_model(write(tmp_path, TEAMS), Team)
    assert team == Team(team="billing", members=(Member(name="ana", hours=32), Member(name="ben")))


def test_duplicate_keys_are_reported_even_when_the_model_accepts_the_file(tmp_path: Path) -> None:
    issues = load_model(write(tmp_path, "team: billing\nteam: orders\n"), Team)
    assert [(i.line, i.path) for i in issues] == [(2, "team")]


def test_an_empty_file_is_an_empty_mapping(tmp_path: Path) -> None:
    issues = load_model(write(tmp_path, "# nothing yet\n"), Team)
    assert [(i.line, i.path, i.message) for i in issues] == [(None, "team", "required setting is missing")]


def test_a_list_where_settings_belong_is_one_issue(tmp_path: Path) -> None:
    issues = load_model(write(tmp_path, "- team: billing\n"), Team)
    assert [(i.line, i.message) for i in issues] == [
        (1, "expected settings written as `key: value` lines, found a list")
    ]


def test_several_documents_in_one_file_are_an_issue(tmp_path: Path) -> None:
    issues = load_model(write(tmp_path, "team: a\n---\nteam: b\n"), Team)
    assert len(issues) == 1 and issues[0].line == 2 and "single document" in issues[0].message


def test_unreadable_files_are_issues_not_crashes(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("team: facturación\n".encode("latin-1"))
    assert [i.message.split(" (")[0] for i in load_model(latin, Team)] == ["not UTF-8 text"]
    assert [i.message for i in load_model(tmp_path / "missing.yaml", Team)] == ["no such file"]
    with pytest.raises(DefinitionError):
        load_located(tmp_path / "missing.yaml")


def test_an_issue_reads_as_file_line_path_message() -> None:
    assert (
        str(DefinitionIssue(FILE, 7, "members[0].hours", "too many"))
        == "definitions/teams.yaml:7: members[0].hours: too many"
    )
    assert str(DefinitionIssue(FILE, None, "", "no such file")) == "definitions/teams.yaml: no such file"
