"""QA evaluation scores: one documented formula, every rule of a scorecard explicit.

Each answered question scores s = (points - lowest) / (highest - lowest), 0 to 1 (a binary yes is 1,
a 4 on a 1-5 scale is 0.75, a custom option its points over the range). N/A removes the question
from numerator and denominator. A section's score and the evaluation's score are weighted means:

    score = 100 x sum(weight x s, regular questions answered) / sum(weight, regular questions answered)

Bonus questions add 100 x sum(weight x s) / sum(weight of the regular questions answered), so they
can lift the score above 100 when the scorecard allows it (else it stops at 100). A failing answer
(an option marked `fails`, a binary no, otherwise s < 0.5) to a critical question zeroes its section
(critical: section) or the whole evaluation (critical: evaluation). The raw score, before critical
failures, is kept next to the final one: a critical failure is a compliance event to count on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Critical = Literal["none", "section", "evaluation"]
NA = "n/a"


@dataclass(frozen=True)
class Option:
    label: str
    points: float
    fails: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    options: tuple[Option, ...]
    """Every answer the question takes, with its points (a 1-5 scale is five options)."""
    weight: float = 1.0
    critical: Critical = "none"
    bonus: bool = False
    na_allowed: bool = False

    @property
    def lowest(self) -> float:
        return min(option.points for option in self.options)

    @property
    def highest(self) -> float:
        return max(option.points for option in self.options)

    def option(self, label: str) -> Option:
        for option in self.options:
            if option.label == label:
                return option
        allowed = ", ".join(o.label for o in self.options) + (f", {NA}" if self.na_allowed else "")
        raise ValueError(f"{self.id}: {label!r} is not an answer (allowed: {allowed})")

    def share(self, option: Option) -> float:
        span = self.highest - self.lowest
        return (option.points - self.lowest) / span if span else 1.0

    def failing(self, option: Option) -> bool:
        if any(o.fails for o in self.options):
            return option.fails
        return self.share(option) < 0.5


@dataclass(frozen=True)
class Section:
    id: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Form:
    """A scorecard version as the scoring needs it."""

    sections: tuple[Section, ...]
    bonus_above_100: bool = False
    pass_mark: float | None = None

    def questions(self) -> list[tuple[Section, Question]]:
        return [(section, question) for section in self.sections for question in section.questions]


@dataclass(frozen=True)
class SectionScore:
    score: float | None
    raw: float | None
    failed: bool


@dataclass(frozen=True)
class EvaluationScore:
    score: float | None
    """Final score, 0-100 (above 100 only with bonus_above_100); None when every question is N/A."""
    raw: float | None
    """Before critical failures."""
    failed: Literal["section", "evaluation"] | None
    sections: dict[str, SectionScore]
    failed_questions: tuple[str, ...]
    passed: bool | None


def score(form: Form, answers: Mapping[str, str]) -> EvaluationScore:
    """Score one evaluation: `answers` maps question id to an option label or "n/a"."""
    problems = answer_problems(form, answers)
    if problems:
        raise ValueError("; ".join(map(str, problems)))
    chosen = {q.id: (None if answers[q.id] == NA else q.option(answers[q.id])) for _, q in form.questions()}
    failed = tuple(
        q.id for _, q in form.questions() if q.critical != "none" and (o := chosen[q.id]) is not None and q.failing(o)
    )
    whole = any(q.critical == "evaluation" for _, q in form.questions() if q.id in failed)
    zeroed = {s.id for s, q in form.questions() if q.id in failed and q.critical == "section"}
    sections = {s.id: _section_score(s, chosen, s.id in zeroed or whole) for s in form.sections}
    raw = _weighted(form.questions(), chosen, set(), form.bonus_above_100)
    final = 0.0 if whole else _weighted(form.questions(), chosen, zeroed, form.bonus_above_100)
    if raw is None:
        final = None
    passed = None if form.pass_mark is None or final is None else final >= form.pass_mark
    status: Literal["section", "evaluation"] | None = "evaluation" if whole else ("section" if zeroed else None)
    return EvaluationScore(final, raw, status, sections, failed, passed)


def _weighted(
    pairs: Sequence[tuple[Section, Question]], chosen: Mapping[str, Option | None], zeroed: set[str], above: bool
) -> float | None:
    regular = [(s, q) for s, q in pairs if not q.bonus and chosen[q.id] is not None]
    weight = sum(q.weight for _, q in regular)
    if weight == 0:
        return None
    earned = sum(q.weight * _share(s, q, chosen, zeroed) for s, q in regular)
    bonus = sum(q.weight * _share(s, q, chosen, zeroed) for s, q in pairs if q.bonus and chosen[q.id] is not None)
    value = 100 * (earned + bonus) / weight
    return value if above else min(value, 100.0)


def _share(section: Section, question: Question, chosen: Mapping[str, Option | None], zeroed: set[str]) -> float:
    option = chosen[question.id]
    if option is None or section.id in zeroed:
        return 0.0
    return question.share(option)


def _section_score(section: Section, chosen: Mapping[str, Option | None], zero: bool) -> SectionScore:
    pairs = [(section, q) for q in section.questions]
    raw = _weighted(pairs, chosen, set(), above=True)
    final = 0.0 if zero and raw is not None else raw
    return SectionScore(final, raw, zero)


@dataclass(frozen=True)
class AnswerProblem:
    """Why one question's answer cannot be scored."""

    question: str
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


def answer_problems(form: Form, answers: Mapping[str, str]) -> list[AnswerProblem]:
    """Every answer the form cannot score: unknown questions, unanswered ones, N/A where not allowed,
    labels the question does not take."""
    known = {q.id: q for _, q in form.questions()}
    problems = [AnswerProblem(qid, "no such question") for qid in answers if qid not in known]
    for qid, question in known.items():
        given = answers.get(qid)
        if given is None:
            problems.append(AnswerProblem(qid, f"not answered (answer {NA} where it does not apply)"))
        elif given == NA and not question.na_allowed:
            problems.append(AnswerProblem(qid, "N/A is not allowed for this question"))
        elif given != NA and given not in {o.label for o in question.options}:
            labels = ", ".join(o.label for o in question.options)
            problems.append(AnswerProblem(qid, f"{given!r} is not an answer ({labels})"))
    return problems
