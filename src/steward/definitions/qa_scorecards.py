"""QA scorecards (definitions/scorecards/*.yaml): sections, questions, answer scales, weights, N/A,
critical questions, bonus questions, categories and the competency each question trains.

    scorecard: email-support
    name: E-mail support
    versions:
      - effective_from: 2026-01-01
        pass_mark: 80
        sections:
          - id: opening
            questions:
              - {id: greeting, text: Greets by name, scale: binary, weight: 10, competency: rapport}
              - {id: tone, text: Tone fits, scale: 1-5, weight: 20, na_allowed: true}
              - id: resolution
                text: Solves the problem
                weight: 40
                critical: evaluation
                category: customer
                options: [{label: solved, points: 10}, {label: partly, points: 5, fails: true},
                          {label: not solved, points: 0, fails: true}]

Scores follow steward.domain.qa_scoring (docs/qa.md). An evaluation keeps the version it was scored
with, so editing a scorecard never changes a stored score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from steward.definitions.located_yaml import DefinitionIssue, load_located, load_model, only_comments
from steward.domain.qa_scoring import NA, Form, Option, Question, Section

_RANGE = re.compile(r"^(\d+)-(\d+)$")
_ID = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AnswerOption(Strict):
    label: str = Field(min_length=1)
    points: float
    fails: bool = False


class QuestionSpec(Strict):
    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    scale: str | None = Field(default=None, description="binary, or a range such as 1-5; or give options.")
    options: tuple[AnswerOption, ...] = ()
    weight: float = Field(default=1.0, gt=0)
    na_allowed: bool = False
    critical: Literal["none", "section", "evaluation"] = "none"
    bonus: bool = False
    category: Literal["customer", "business", "compliance"] | None = None
    competency: str | None = None

    @model_validator(mode="after")
    def _one_scale(self) -> QuestionSpec:
        if (self.scale is None) == (not self.options):
            raise ValueError("give either `scale` (binary or a range such as 1-5) or `options`, not both")
        if self.scale is not None and self.scale != "binary" and not _RANGE.match(self.scale):
            raise ValueError(f"scale {self.scale!r}: write binary or a range such as 1-5")
        if self.scale and (match := _RANGE.match(self.scale)) and int(match[1]) >= int(match[2]):
            raise ValueError(f"scale {self.scale!r}: the range must rise, e.g. 1-5")
        labels = [option.label for option in self.options]
        if len(labels) != len(set(labels)) or NA in labels:
            raise ValueError(f"option labels must differ from each other and from {NA!r}")
        if self.options and len(self.options) < 2:
            raise ValueError("a question needs at least two options")
        if self.bonus and self.critical != "none":
            raise ValueError("a bonus question cannot be critical")
        return self

    def answer_options(self) -> tuple[Option, ...]:
        if self.options:
            return tuple(Option(o.label, o.points, o.fails) for o in self.options)
        if self.scale == "binary":
            return (Option("yes", 1.0), Option("no", 0.0))
        match = _RANGE.match(self.scale or "")
        assert match is not None  # noqa: S101 - checked by the validator
        return tuple(Option(str(n), float(n)) for n in range(int(match[1]), int(match[2]) + 1))


class SectionSpec(Strict):
    id: str = Field(pattern=_ID)
    name: str | None = None
    questions: tuple[QuestionSpec, ...] = Field(min_length=1)


class ScorecardVersion(Strict):
    effective_from: date
    pass_mark: float | None = Field(default=None, ge=0, le=100)
    bonus_above_100: bool = False
    sections: tuple[SectionSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ScorecardVersion:
        ids = [q.id for s in self.sections for q in s.questions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        sections = [s.id for s in self.sections]
        problems = []
        if repeated:
            problems.append(f"question ids used twice: {', '.join(repeated)}")
        if len(sections) != len(set(sections)):
            problems.append("section ids must differ")
        if all(q.bonus for s in self.sections for q in s.questions):
            problems.append("a scorecard needs at least one question that is not a bonus")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def form(self) -> Form:
        sections = tuple(
            Section(
                s.id,
                tuple(
                    Question(q.id, q.answer_options(), q.weight, q.critical, q.bonus, q.na_allowed) for q in s.questions
                ),
            )
            for s in self.sections
        )
        return Form(sections, self.bonus_above_100, self.pass_mark)


class ScorecardFile(Strict):
    scorecard: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str | None = None
    purpose: Literal["evaluation", "mystery_shop"] = Field(
        default="evaluation", description="mystery_shop: only planned test contacts are scored on it."
    )
    versions: tuple[ScorecardVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ScorecardFile:
        dates = [v.effective_from for v in self.versions]
        if dates != sorted(set(dates)):
            raise ValueError("versions must be in order of effective_from, each date once")
        return self

    def version_for(self, day: date) -> ScorecardVersion | None:
        found = [v for v in self.versions if v.effective_from <= day]
        return found[-1] if found else None

    def version_label(self, version: ScorecardVersion) -> str:
        return f"{self.scorecard}@{version.effective_from.isoformat()}"


@dataclass(frozen=True)
class QaScorecards:
    scorecards: dict[str, ScorecardFile]
    issues: tuple[DefinitionIssue, ...] = ()


def load_qa_scorecards(folder: Path) -> QaScorecards:
    """Every definitions/scorecards/*.yaml; comment-only files are skipped, problems kept with file:line."""
    found: dict[str, ScorecardFile] = {}
    issues: list[DefinitionIssue] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        loaded = load_model(path, ScorecardFile)
        if isinstance(loaded, list):
            if not only_comments(path):
                issues.extend(loaded)
            continue
        if loaded.scorecard in found:
            message = f"scorecard {loaded.scorecard!r} is defined twice"
            issues.append(DefinitionIssue(path, load_located(path).line_of(("scorecard",)), "scorecard", message))
            continue
        found[loaded.scorecard] = loaded
    return QaScorecards(found, tuple(issues))
