"""AutoQA rulesets (definitions/autoqa/*.yaml): every problem with file:line; the demo data they run on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from tests.native_rows import write_table

from steward.definitions.autoqa_rules import load_autoqa_rulesets
from steward.definitions.examples import AUTOQA_EXAMPLE
from steward.domain.autoqa import card_numbers
from steward.importers.base import ImportOptions
from steward.services.generation.transcripts import DEMO_AUTOQA_RULESET, write_demo_transcripts
from steward.services.ingest import import_file
from steward.services.qa_autoqa import run_autoqa
from steward.workspace import Workspace

BROKEN = """\
ruleset: broken
applies_to: {channels: [chat, fax]}
rules:
  - {id: greeting, kind: required}
  - {id: shout, kind: shouting}
  - {id: slow, kind: response_time}
  - {id: greeting, kind: prohibited, phrases: [calm down]}
  - {id: leak, kind: card_numbers, phrases: [visa]}
"""


def test_every_problem_of_a_ruleset_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    issues = [str(issue).removeprefix(str(tmp_path) + "/") for issue in load_autoqa_rulesets(tmp_path).issues]
    assert issues[0] == "broken.yaml:2: applies_to.channels[1]: unknown channel 'fax' (one of email, chat, phone, " \
        "messaging, social, other)"  # fmt: skip
    assert issues[1] == "broken.yaml:4: rules[0]: a required rule needs `phrases`"
    assert issues[2].startswith("broken.yaml:5: rules[1].kind: Input should be 'required', 'prohibited'")
    assert issues[3] == "broken.yaml:6: rules[2]: a response_time rule needs `max_seconds`"
    assert issues[4] == "broken.yaml:7: rules[3].id: rule id 'greeting' is used twice (first in rules[0])"
    assert issues[5] == "broken.yaml:8: rules[4]: `phrases` are for required and prohibited rules, not card_numbers"
    assert len(issues) == 6


def test_the_demo_ruleset_and_the_init_example_load_cleanly(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(DEMO_AUTOQA_RULESET, encoding="utf-8")
    (tmp_path / "commented.yaml").write_text(AUTOQA_EXAMPLE, encoding="utf-8")  # comments only: skipped
    loaded = load_autoqa_rulesets(tmp_path)
    assert loaded.issues == ()
    ruleset = loaded.rulesets["chat-basics"]
    assert [rule.id for rule in ruleset.rules][:2] == ["greeting", "closing"]
    assert ruleset.applies("anyone", "billing", "chat") and not ruleset.applies("anyone", "billing", "phone")
    uncommented = "\n".join(line.removeprefix("# ") for line in AUTOQA_EXAMPLE.splitlines()[2:])
    (tmp_path / "demo.yaml").write_text(uncommented, encoding="utf-8")
    assert load_autoqa_rulesets(tmp_path).issues == ()
    (tmp_path / "again.yaml").write_text(DEMO_AUTOQA_RULESET, encoding="utf-8")
    assert "ruleset 'chat-basics' is defined twice" in str(load_autoqa_rulesets(tmp_path).issues[0])


def test_demo_transcripts_are_realistic_deterministic_and_checkable(tmp_path: Path) -> None:
    workspace = Workspace.init(tmp_path / "ws")
    (workspace.root / "definitions" / "autoqa" / "chat-basics.yaml").write_text(DEMO_AUTOQA_RULESET)
    vendors = ("northwind", "southwind", "eastwind")
    rows = [
        {"interaction_id": str(n), "vendor": vendors[n % 3], "queue": "billing",
         "channel": ("chat", "email", "phone")[n // 3 % 3], "created_at": datetime(2026, 10, 1 + n % 28, 9, n % 60)}
        for n in range(900)
    ]  # fmt: skip
    import_file(workspace, write_table(tmp_path / "i.csv", "interactions", rows))
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    first = write_demo_transcripts(workspace, start, end, tmp_path / "a.parquet", limit=400)
    again = write_demo_transcripts(workspace, start, end, tmp_path / "b.parquet", limit=400)
    table = pq.read_table(first)
    assert table.equals(pq.read_table(again))
    assert len(set(table.column("interaction_id").to_pylist())) == 400
    texts = table.column("text").to_pylist()
    assert any(card_numbers(text) for text in texts)  # customers do type card numbers
    summary = import_file(workspace, first, options=ImportOptions(table="transcripts"))
    assert summary.total("rejected") == 0
    result = run_autoqa(workspace, None)
    assert result.interactions == 400
    assert result.rules["chat-basics", "card_numbers"].failed > 0
    scores = sorted(tally.mean_score for tally in result.vendors.values())
    assert scores[0] < scores[-1] - 2  # one vendor is visibly worse
