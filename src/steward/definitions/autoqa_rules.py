"""AutoQA rulesets (definitions/autoqa/*.yaml): deterministic checks run over stored transcripts.

    ruleset: chat-basics
    name: Chat and e-mail basics
    applies_to: {channels: [chat, email]}      # optional: channels, vendors, queues
    rules:
      - {id: greeting, kind: required, phrases: [hello, hi, good morning], where: first_agent_turn}
      - {id: no_blame, kind: prohibited, phrases: [not my problem, calm down]}
      - {id: card_numbers, kind: card_numbers}
      - {id: reply_within_2_min, kind: response_time, max_seconds: 120}

Rule kinds and what passes: steward.domain.autoqa and docs/qa.md. A result keeps the ruleset's
version (its id and the first 12 hex digits of the file's SHA-256), so an edited file is visible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from steward.definitions.located_yaml import (
    DefinitionError,
    DefinitionIssue,
    load_located,
    load_model,
    only_comments,
    sorted_issues,
)
from steward.domain.autoqa import Rule
from steward.domain.canonical import CHANNELS

RuleKind = Literal["required", "prohibited", "card_numbers", "personal_data", "response_time"]
PHRASE_KINDS = ("required", "prohibited")
COMPLIANCE_KINDS = ("card_numbers", "personal_data")
"""Rules whose failure exposes customer data: a critical failure of the whole evaluation."""


def _known_channel(value: str) -> str:
    if value not in CHANNELS:
        raise ValueError(f"unknown channel {value!r} (one of {', '.join(CHANNELS)})")
    return value


Channel = Annotated[str, AfterValidator(_known_channel)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AppliesTo(Strict):
    """Which interactions the ruleset checks; an empty list means every value."""

    channels: tuple[Channel, ...] = ()
    vendors: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()

    def matches(self, vendor: str | None, queue: str | None, channel: str | None) -> bool:
        return all(
            not allowed or value in allowed
            for allowed, value in ((self.channels, channel), (self.vendors, vendor), (self.queues, queue))
        )


class RuleSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: RuleKind
    phrases: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    where: Literal["anywhere", "first_agent_turn", "last_agent_turn"] = "anywhere"
    max_seconds: float | None = Field(default=None, gt=0)
    description: str | None = None

    @model_validator(mode="after")
    def _settings_fit_the_kind(self) -> RuleSpec:
        problems = []
        if self.kind in PHRASE_KINDS and not self.phrases:
            problems.append(f"a {self.kind} rule needs `phrases`")
        if self.kind not in PHRASE_KINDS and self.phrases:
            problems.append(f"`phrases` are for required and prohibited rules, not {self.kind}")
        if self.kind != "required" and self.where != "anywhere":
            problems.append("`where` is for required rules only")
        if self.kind == "response_time" and self.max_seconds is None:
            problems.append("a response_time rule needs `max_seconds`")
        if self.kind != "response_time" and self.max_seconds is not None:
            problems.append("`max_seconds` is for response_time rules only")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def rule(self) -> Rule:
        return Rule(self.id, self.kind, self.phrases, self.where, self.max_seconds)


class RulesetFile(Strict):
    ruleset: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str | None = None
    applies_to: AppliesTo = AppliesTo()
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Ruleset:
    """A loaded ruleset with the domain rules it runs and the version its results carry."""

    definition: RulesetFile
    file: Path
    digest: str

    @property
    def id(self) -> str:
        return self.definition.ruleset

    @property
    def version(self) -> str:
        return f"{self.id}@{self.digest[:12]}"

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(spec.rule() for spec in self.definition.rules)

    def applies(self, vendor: str | None, queue: str | None, channel: str | None) -> bool:
        return self.definition.applies_to.matches(vendor, queue, channel)


@dataclass(frozen=True)
class AutoQaRulesets:
    rulesets: dict[str, Ruleset]
    issues: tuple[DefinitionIssue, ...] = ()


def load_autoqa_rulesets(folder: Path) -> AutoQaRulesets:
    """Every definitions/autoqa/*.yaml; comment-only files are skipped, problems kept with file:line."""
    found: dict[str, Ruleset] = {}
    issues: list[DefinitionIssue] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        loaded = load_model(path, RulesetFile)
        if isinstance(loaded, list) and only_comments(path):
            continue
        problems = [*(loaded if isinstance(loaded, list) else []), *_repeated_rule_ids(path)]
        if isinstance(loaded, RulesetFile) and loaded.ruleset in found:
            message = f"ruleset {loaded.ruleset!r} is defined twice (also in {found[loaded.ruleset].file.name})"
            problems.append(DefinitionIssue(path, load_located(path).line_of(("ruleset",)), "ruleset", message))
        issues.extend(sorted_issues(problems))
        if isinstance(loaded, RulesetFile) and not problems:
            found[loaded.ruleset] = Ruleset(loaded, path, hashlib.sha256(path.read_bytes()).hexdigest())
    return AutoQaRulesets(found, tuple(issues))


def _repeated_rule_ids(path: Path) -> list[DefinitionIssue]:
    """Rule ids written twice, found in the file as written (so they are reported with its other problems)."""
    try:
        located = load_located(path)
    except DefinitionError:  # reported by load_model
        return []
    rules = located.data.get("rules") if isinstance(located.data, dict) else None
    seen: dict[str, int] = {}
    issues = []
    for index, item in enumerate(rules if isinstance(rules, list) else []):
        rule_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(rule_id, str):
            continue
        if rule_id in seen:
            message = f"rule id {rule_id!r} is used twice (first in rules[{seen[rule_id]}])"
            issues.append(DefinitionIssue(path, located.line_of(("rules", index, "id")), f"rules[{index}].id", message))
        seen.setdefault(rule_id, index)
    return issues
