"""AutoQA on one conversation: its turns, the rulesets that apply, and the rows the results become.

One row per interaction, ruleset and rule goes to `autoqa_results`; one row per interaction and
ruleset goes to `qa_results` (sample `autoqa`). Details name turns and kinds, never the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pyarrow as pa

from steward.definitions.autoqa_rules import COMPLIANCE_KINDS, Ruleset
from steward.domain.autoqa import Rule, RuleResult, Speaker, Turn, check

AUTOQA_SOURCE = "steward-autoqa"
EVALUATOR = "autoqa"
Row = dict[str, object]


@dataclass
class Conversation:
    """The stored turns of one interaction, in turn order, with the interaction's slicing fields.

    `source` is the transcript's, `interaction_source` the interaction's (they differ when the
    transcripts come from another system than the tickets); results name the interaction.
    """

    source: str
    interaction_source: str
    interaction_id: str
    vendor: str
    queue: str | None
    channel: str | None
    language: str | None
    agent_id: str | None
    created_at: datetime
    turns: list[Turn] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, row: dict[str, Any]) -> Conversation:
        return cls(
            row["source"],
            row["interaction_source"],
            row["interaction_id"],
            row["vendor"],
            row["queue"],
            row["channel"],
            row["language"],
            row["agent_id"],
            row["created_at"],
        )

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.interaction_id)

    def add(self, row: dict[str, Any]) -> None:
        self.turns.append(Turn(cast(Speaker, row["speaker"]), row["text"] or "", row["at"]))
        self.numbers.append(int(row["turn"]))


def conversations(batches: Iterable[pa.RecordBatch]) -> Iterator[list[Conversation]]:
    """Turns ordered by source, interaction and turn -> the conversations each batch completes."""
    current: Conversation | None = None
    for batch in batches:
        done: list[Conversation] = []
        for row in batch.to_pylist():
            if current is None or current.key != (row["source"], row["interaction_id"]):
                if current is not None:
                    done.append(current)
                current = Conversation.start(row)
            current.add(row)
        if done:
            yield done
    if current is not None:
        yield [current]


@dataclass(frozen=True)
class PreparedRuleset:
    """A ruleset with its rules compiled once per run."""

    ruleset: Ruleset
    rules: tuple[Rule, ...]

    @classmethod
    def of(cls, ruleset: Ruleset) -> PreparedRuleset:
        return cls(ruleset, ruleset.rules)


@dataclass(frozen=True)
class Checked:
    """One ruleset's results on one conversation and the rows they are stored as."""

    ruleset: str
    results: tuple[RuleResult, ...]
    score: float
    passed: bool
    rule_rows: tuple[Row, ...]
    score_row: Row


def check_conversation(conversation: Conversation, prepared: PreparedRuleset, checked_at: datetime) -> Checked:
    """Every rule of the ruleset on the conversation: the score is the share of rules passed, in percent.

    A failed card_numbers or personal_data rule is a critical failure of the whole evaluation (customer
    data exposed), so `failed` is "evaluation" then and "none" otherwise.
    """
    results = tuple(check(conversation.turns, prepared.rules))
    rules = prepared.rules
    passed_rules = sum(result.passed for result in results)
    score = 100.0 * passed_rules / len(rules)
    critical = any(not r.passed and rule.kind in COMPLIANCE_KINDS for rule, r in zip(rules, results, strict=True))
    ruleset = prepared.ruleset
    common: Row = {
        "interaction_id": conversation.interaction_id,
        "vendor": conversation.vendor,
        "queue": conversation.queue,
        "channel": conversation.channel,
        "agent_id": conversation.agent_id,
    }
    rule_rows = tuple(
        {
            **common,
            "source": AUTOQA_SOURCE,
            "interaction_source": conversation.interaction_source,
            "ruleset": ruleset.id,
            "rule": rule.id,
            "checked_at": checked_at,
            "passed": result.passed,
            "findings": 0 if result.passed else (1 if rule.kind == "required" else len(result.findings)),
            "detail": detail(conversation, rule, result),
        }
        for rule, result in zip(rules, results, strict=True)
    )
    score_row: Row = {
        **common,
        "source": AUTOQA_SOURCE,
        # Unique per interaction (id and source: helpdesks reuse ids) and ruleset, so a re-run replaces it.
        "evaluation_id": evaluation_id(ruleset.id, conversation.interaction_source, conversation.interaction_id),
        "language": conversation.language,
        "evaluator": EVALUATOR,
        "scorecard": ruleset.id,
        "scorecard_version": ruleset.version,
        # The contact's own time: the score belongs to the month of the interaction, and a re-run
        # leaves the row unchanged (autoqa_results.checked_at says when the check ran).
        "evaluated_at": conversation.created_at.replace(tzinfo=UTC),
        "sample": "autoqa",
        "score": score,
        "raw_score": score,
        "failed": "evaluation" if critical else "none",
        "passed": passed_rules == len(rules),
    }
    return Checked(ruleset.id, results, score, passed_rules == len(rules), rule_rows, score_row)


def evaluation_id(ruleset: str, interaction_source: str, interaction_id: str) -> str:
    """The qa_results key of one AutoQA evaluation, e.g. autoqa:chat-basics:zendesk:48213."""
    return f"autoqa:{ruleset}:{interaction_source}:{interaction_id}"


def detail(conversation: Conversation, rule: Rule, result: RuleResult) -> str:
    """Where a rule failed and what kind of thing was found; empty when it passed."""
    if result.passed:
        return ""
    numbers = conversation.numbers
    if rule.kind == "required":
        agent = [n for n, turn in zip(numbers, conversation.turns, strict=True) if turn.speaker == "agent"]
        if not agent:
            return "no agent turn"
        where = {"first_agent_turn": f"turn {agent[0]}", "last_agent_turn": f"turn {agent[-1]}"}
        return f"{where.get(rule.where, 'agent turns')}: {result.detail}"
    kinds: dict[int, list[str]] = {}
    for finding in result.findings:
        found = kinds.setdefault(numbers[finding.turn], [])
        if finding.kind not in found:
            found.append(finding.kind)
    return "; ".join(f"turn {number}: {', '.join(found)}" for number, found in kinds.items())


def applying(prepared: Sequence[PreparedRuleset], conversation: Conversation) -> list[PreparedRuleset]:
    """The rulesets whose applies_to covers the conversation's vendor, queue and channel."""
    return [p for p in prepared if p.ruleset.applies(conversation.vendor, conversation.queue, conversation.channel)]
