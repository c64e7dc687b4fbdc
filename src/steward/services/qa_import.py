"""`steward qa import`: a QA tool's per-question export (one row per answer) into evaluation records.

Rows are grouped by evaluation id; an evaluation is scored with the scorecard version in force on
its day, exactly as `steward qa evaluate` scores one. A bad row rejects its whole evaluation (a
half evaluation would score wrong) and is named with its file, row, field and reason; the good
evaluations are stored in one transaction and mirrored into qa_results once. Re-importing the same
export changes nothing; an evaluation already recorded with other answers is rejected, because
answers change through a dispute, with an audit record, not by overwriting.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from steward.definitions.qa_export_mapping import (
    FIELDS,
    REQUIRED_FIELDS,
    QaExportMapping,
    load_qa_export_mapping,
)
from steward.services.ingest import ImportSummary
from steward.services.qa_evaluations import (
    EvaluationError,
    EvaluationInput,
    check_scorecards,
    interactions_by_id,
    mirror,
    one_interaction,
    scored_record,
)
from steward.storage.records import QaEvaluation
from steward.workspace import Workspace

HEADER_FIELDS = ("interaction", "evaluator", "scorecard", "evaluated_at", "sample", "source")
"""Fields every row of one evaluation repeats; they must agree."""
Progress = Callable[[int, int], None]


class QaImportError(ValueError):
    """Nothing can be imported: an unreadable file, a broken mapping, missing columns."""


@dataclass(frozen=True)
class Rejection:
    rows: tuple[int, ...]
    field: str
    reason: str


@dataclass
class _Evaluation:
    evaluation_id: str
    rows: list[int] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    problems: list[Rejection] = field(default_factory=list)


@dataclass
class QaImportSummary:
    file: Path
    rows_read: int = 0
    evaluations_read: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, Rejection]] = field(default_factory=list)
    rejected_rows: int = 0
    reject_report: Path | None = None
    mirrored: ImportSummary | None = None

    @property
    def rejected_evaluations(self) -> int:
        return len({evaluation for evaluation, _ in self.rejected})

    def reconciles(self) -> bool:
        return self.stored + self.unchanged + self.rejected_evaluations == self.evaluations_read


def import_evaluations(
    workspace: Workspace,
    path: Path,
    *,
    mapping: Path | None = None,
    timezone: str | None = None,
    progress: Progress | None = None,
) -> QaImportSummary:
    check_scorecards(workspace)
    rules = _mapping(mapping)
    zone = _zone(timezone or rules.timezone or workspace.settings.default_timezone or "UTC")
    summary = QaImportSummary(path)
    evaluations = _read(path, rules, zone, summary)
    found = interactions_by_id(workspace, [e.header.get("interaction", "") for e in evaluations])
    existing = _existing(workspace, [e.evaluation_id for e in evaluations])
    accepted: list[QaEvaluation] = []
    for done, evaluation in enumerate(evaluations, start=1):
        record = _record(workspace, evaluation, found, zone, existing.get(evaluation.evaluation_id))
        if evaluation.problems:
            summary.rejected += [(evaluation.evaluation_id, p) for p in evaluation.problems]
            summary.rejected_rows += len(evaluation.rows)
        elif record is None:
            summary.unchanged += 1
        else:
            accepted.append(record)
        if progress:
            progress(done, len(evaluations))
    if accepted:
        with workspace.records.session() as session, session.begin():
            session.add_all(accepted)
        summary.stored = len(accepted)
        summary.mirrored = mirror(workspace)
    if summary.rejected:
        summary.reject_report = _write_rejects(workspace, summary)
    return summary


def _mapping(path: Path | None) -> QaExportMapping:
    if path is None:
        return QaExportMapping()
    loaded = load_qa_export_mapping(path)
    if isinstance(loaded, list):
        raise QaImportError("the mapping file has problems:\n" + "\n".join(map(str, loaded)))
    return loaded


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as error:
        raise QaImportError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from error


def _read(path: Path, rules: QaExportMapping, zone: ZoneInfo, summary: QaImportSummary) -> list[_Evaluation]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise QaImportError(f"{path}: cannot be read ({error})") from None
    reader = csv.DictReader(text.splitlines())
    headers = set(reader.fieldnames or [])
    missing = [f for f in REQUIRED_FIELDS if rules.header_for(f) not in headers and f not in rules.constants]
    if missing:
        named = ", ".join(f"{rules.header_for(f)!r} ({f})" for f in missing)
        raise QaImportError(f"{path}: row 1: missing column(s) {named}; map them with --mapping (docs/qa.md)")
    grouped: dict[str, _Evaluation] = {}
    for number, row in enumerate(reader, start=2):
        summary.rows_read += 1
        values = _values(row, rules)
        evaluation = grouped.setdefault(values["evaluation"], _Evaluation(values["evaluation"]))
        _add_row(evaluation, number, values, rules, zone)
    summary.evaluations_read = len(grouped)
    return list(grouped.values())


def _values(row: dict[str, str | None], rules: QaExportMapping) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in FIELDS:
        raw = (row.get(rules.header_for(name)) or "").strip() or rules.constants.get(name, "")
        values[name] = rules.values.get(name, {}).get(raw, raw)
    return values


def _add_row(
    evaluation: _Evaluation, number: int, values: dict[str, str], rules: QaExportMapping, zone: ZoneInfo
) -> None:
    evaluation.rows.append(number)
    for name in REQUIRED_FIELDS:
        if not values[name]:
            evaluation.problems.append(Rejection((number,), name, f"{rules.header_for(name)!r} is empty"))
    at = _time(values["evaluated_at"], rules, zone, evaluation, number)
    if at is not None:
        values["evaluated_at"] = at
    for name in HEADER_FIELDS if at is not None else (f for f in HEADER_FIELDS if f != "evaluated_at"):
        first = evaluation.header.setdefault(name, values[name])
        if values[name] != first:
            reason = f"{values[name]!r} differs from {first!r} on row {evaluation.rows[0]} of the same evaluation"
            evaluation.problems.append(Rejection((number,), name, reason))
    question = values["question"]
    if question in evaluation.answers:
        evaluation.problems.append(Rejection((number,), "question", f"{question!r} answered twice"))
    evaluation.answers[question] = values["answer"]
    if values["comment"]:
        evaluation.comments[question] = values["comment"]


def _time(text: str, rules: QaExportMapping, zone: ZoneInfo, evaluation: _Evaluation, number: int) -> str | None:
    """The time as ISO 8601 with its offset; None (and a problem) when it is not a time."""
    if not text:
        return text
    try:
        at = datetime.strptime(text, rules.timestamp_format) if rules.timestamp_format else datetime.fromisoformat(text)
    except ValueError:
        wanted = rules.timestamp_format or "ISO 8601, e.g. 2026-10-05T14:30:00+02:00"
        evaluation.problems.append(Rejection((number,), "evaluated_at", f"{text!r} is not a time ({wanted})"))
        return None
    return (at if at.tzinfo else at.replace(tzinfo=zone)).isoformat()


def _existing(workspace: Workspace, ids: list[str]) -> dict[str, QaEvaluation]:
    found: dict[str, QaEvaluation] = {}
    with workspace.records.session() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for record in session.scalars(select(QaEvaluation).where(QaEvaluation.evaluation_id.in_(chunk))):
                found[record.evaluation_id] = record
    return found


def _record(
    workspace: Workspace,
    evaluation: _Evaluation,
    found: dict[str, list[dict[str, str | None]]],
    zone: ZoneInfo,
    stored: QaEvaluation | None,
) -> QaEvaluation | None:
    """The record to store; None when the same evaluation is already recorded unchanged."""
    rows = tuple(evaluation.rows)
    if evaluation.problems:
        return None
    if stored is not None:
        if stored.answers != evaluation.answers:
            reason = "already recorded with other answers; answers change through `steward qa dispute`"
            evaluation.problems.append(Rejection(rows, "answer", reason))
        return None
    header = evaluation.header
    given = EvaluationInput(
        scorecard=header["scorecard"],
        interaction_id=header["interaction"],
        evaluator=header["evaluator"],
        answers=evaluation.answers,
        comments=evaluation.comments,
        sample=header["sample"] or "random",
        interaction_source=header["source"] or None,
        evaluated_at=datetime.fromisoformat(header["evaluated_at"]).astimezone(zone),
        evaluation_id=evaluation.evaluation_id,
    )
    try:
        candidates = [i for i in found.get(given.interaction_id, []) if header["source"] in ("", i["source"])]
        record, _ = scored_record(workspace, given, one_interaction(given.interaction_id, candidates))
    except EvaluationError as error:
        evaluation.problems.append(Rejection(rows, _field_of(str(error)), str(error)))
        return None
    return record


def _field_of(message: str) -> str:
    """The field an EvaluationError is about, from the words it starts with."""
    for start, name in (("interaction", "interaction"), ("sample", "sample"), ("unknown scorecard", "scorecard")):
        if message.startswith(start):
            return name
    return "scorecard" if " has no version in force" in message else "answer"


def _write_rejects(workspace: Workspace, summary: QaImportSummary) -> Path:
    folder = workspace.reports / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = workspace.clock.now().strftime("%Y%m%dT%H%M%S")
    report = folder / f"qa-import-{stamp}-rejects.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "rows", "evaluation", "field", "reason"])
        writer.writerows(_reject_lines(summary.file, summary.rejected))
    return report


def _reject_lines(file: Path, rejected: Iterable[tuple[str, Rejection]]) -> Iterable[list[str]]:
    for evaluation, rejection in rejected:
        yield [str(file), _rows(rejection.rows), evaluation, rejection.field, rejection.reason]


def _rows(rows: tuple[int, ...]) -> str:
    if len(rows) > 1 and rows == tuple(range(rows[0], rows[-1] + 1)):
        return f"{rows[0]}-{rows[-1]}"
    return ",".join(map(str, rows))
