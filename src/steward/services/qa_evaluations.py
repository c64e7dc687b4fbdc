"""QA evaluations as records: score an interaction with a scorecard, keep every answer, mirror the
scores into the warehouse's qa_results so quality_score slices by vendor, queue, agent and month."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from steward.domain.canonical import QA_RESULTS, QA_SAMPLES
from steward.domain.qa_scoring import AnswerProblem, EvaluationScore, Form, answer_problems, score
from steward.services.derived_rows import DerivedRows
from steward.services.ingest import ImportSummary
from steward.storage.records import QaEvaluation
from steward.workspace import Workspace

MIRROR_SOURCE = "steward-qa"
INTERACTION_FIELDS = ("vendor", "queue", "channel", "language", "agent_id")


class EvaluationError(ValueError):
    """An evaluation that cannot be recorded as given; the message lists every problem, `field`
    names the input it is about and `answers` the questions whose answers are wrong."""

    def __init__(self, message: str, field: str = "answer", answers: tuple[AnswerProblem, ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.answers = answers


@dataclass(frozen=True)
class EvaluationInput:
    scorecard: str
    interaction_id: str
    evaluator: str
    answers: Mapping[str, str]
    comments: Mapping[str, str] = field(default_factory=dict)
    sample: str = "random"
    interaction_source: str | None = None
    evaluated_at: datetime | None = None
    evaluation_id: str | None = None
    """Kept from a QA tool's export; Steward makes one up otherwise."""


@dataclass(frozen=True)
class RecordedEvaluation:
    record: QaEvaluation
    result: EvaluationScore
    mirrored: ImportSummary


def record_evaluation(workspace: Workspace, given: EvaluationInput) -> RecordedEvaluation:
    """Score and store one evaluation, then bring qa_results up to date."""
    check_scorecards(workspace)
    record, result = scored_record(workspace, given, _interaction(workspace, given))
    workspace.records.add(record)
    return RecordedEvaluation(record, result, mirror(workspace))


def check_scorecards(workspace: Workspace) -> None:
    """Refuse to score anything while a scorecard file has problems."""
    if workspace.qa_scorecards.issues:
        raise EvaluationError("fix the scorecards first:\n" + "\n".join(map(str, workspace.qa_scorecards.issues)))


def scored_record(
    workspace: Workspace,
    given: EvaluationInput,
    interaction: Mapping[str, str | None],
    *,
    planned_shop: bool = False,
) -> tuple[QaEvaluation, EvaluationScore]:
    """The evaluation record the answers give with the scorecard version in force on its day, or
    EvaluationError naming every problem; nothing is stored. Sample mystery_shop only comes from
    a planned shop (`planned_shop`), so every shop result is in the plan's report."""
    if given.sample not in QA_SAMPLES:
        raise EvaluationError(f"sample {given.sample!r}: one of {', '.join(QA_SAMPLES)}", "sample")
    if given.sample == "mystery_shop" and not planned_shop:
        raise EvaluationError("mystery shops are scored against their plan: `steward qa shop score`", "sample")
    card = workspace.qa_scorecards.scorecards.get(given.scorecard)
    if card is None:
        known = ", ".join(workspace.qa_scorecards.scorecards) or "none in definitions/scorecards/"
        raise EvaluationError(f"unknown scorecard {given.scorecard!r} (known: {known})", "scorecard")
    if card.purpose == "mystery_shop" and given.sample != "mystery_shop":
        message = f"{given.scorecard} is a mystery-shopping scorecard: it scores only planned shops"
        raise EvaluationError(message, "scorecard")
    at = (given.evaluated_at or workspace.clock.now()).astimezone(UTC)
    local_day = at.astimezone(ZoneInfo(workspace.settings.reporting_timezone)).date()
    version = card.version_for(local_day)
    if version is None:
        raise EvaluationError(f"{given.scorecard} has no version in force on {local_day}", "evaluated_at")
    form = version.form()
    problems = answer_problems(form, given.answers)
    if problems:
        raise EvaluationError("; ".join(map(str, problems)), "answer", tuple(problems))
    result = score(form, given.answers)
    if result.score is None:
        raise EvaluationError("every question is N/A: there is nothing to score")
    unknown = sorted(set(given.comments) - set(given.answers))
    if unknown:
        raise EvaluationError(f"comments on questions not in the scorecard: {', '.join(unknown)}", "comment")
    record = QaEvaluation(
        evaluation_id=given.evaluation_id or f"ev-{secrets.token_hex(6)}",
        interaction_source=interaction["source"],
        interaction_id=given.interaction_id,
        **{name: interaction[name] for name in INTERACTION_FIELDS},
        evaluator=given.evaluator,
        scorecard=given.scorecard,
        scorecard_version=card.version_label(version),
        sample=given.sample,
        evaluated_at=at.replace(tzinfo=None),
        answers=dict(given.answers),
        comments=dict(given.comments),
        score=result.score,
        raw_score=result.raw,
        failed=result.failed or "none",
        passed=result.passed,
    )
    return record, result


class PinnedScorecard(Protocol):
    """A record scored with one scorecard version: an evaluation, a calibration session."""

    scorecard: str
    scorecard_version: str


def form_of(workspace: Workspace, pinned: PinnedScorecard) -> Form:
    """The scorecard version the record was scored with (never the current one)."""
    card = workspace.qa_scorecards.scorecards.get(pinned.scorecard)
    for version in card.versions if card else ():
        if card is not None and card.version_label(version) == pinned.scorecard_version:
            return version.form()
    raise EvaluationError(f"{pinned.scorecard_version} is no longer in definitions/scorecards/; restore that version")


def mirror(workspace: Workspace) -> ImportSummary:
    """Write every recorded evaluation into qa_results (source steward-qa) through the normal
    importer: validated, one transaction, unchanged rows left alone."""
    with DerivedRows(workspace, QA_RESULTS, "qa_results") as derived:
        derived.write([_row(record) for record in workspace.records.qa_evaluations()])
        return derived.store()


def _row(record: QaEvaluation) -> dict[str, object]:
    return {
        "source": MIRROR_SOURCE,
        "evaluation_id": record.evaluation_id,
        "interaction_id": record.interaction_id,
        **{name: getattr(record, name) for name in INTERACTION_FIELDS},
        "evaluator": record.evaluator,
        "scorecard": record.scorecard,
        "scorecard_version": record.scorecard_version,
        "evaluated_at": record.evaluated_at.replace(tzinfo=UTC),
        "sample": record.sample,
        "score": record.score,
        "raw_score": record.raw_score,
        "failed": record.failed,
        "passed": record.passed,
    }


def _interaction(workspace: Workspace, given: EvaluationInput) -> dict[str, str | None]:
    found = interactions_by_id(workspace, [given.interaction_id], given.interaction_source)
    return one_interaction(given.interaction_id, found.get(given.interaction_id, []))


def one_interaction(interaction_id: str, found: list[dict[str, str | None]]) -> dict[str, str | None]:
    if not found:
        message = f"interaction {interaction_id!r} is not in the warehouse (import it first)"
        raise EvaluationError(message, "interaction")
    if len(found) > 1:
        message = f"interaction {interaction_id!r} exists in several sources; name one with --source"
        raise EvaluationError(message, "interaction")
    return found[0]


def interactions_by_id(
    workspace: Workspace, ids: list[str], source: str | None = None
) -> dict[str, list[dict[str, str | None]]]:
    """The source, vendor, queue, channel, language and agent of each interaction id (one query)."""
    t = workspace.warehouse.table("interactions")
    rows = t.filter(t.interaction_id.isin(sorted(set(ids))))
    if source:
        rows = rows.filter(rows.source == source)
    found: dict[str, list[dict[str, str | None]]] = {}
    for row in rows.select("interaction_id", "source", *INTERACTION_FIELDS).to_pyarrow().to_pylist():
        found.setdefault(row.pop("interaction_id"), []).append(row)
    return found
