"""`steward qa import`: a QA tool's per-question export (one row per answer) into evaluation records.

Rows are grouped by evaluation id (steward.services.qa_import_rows); an evaluation is scored with
the scorecard version in force on its day, exactly as `steward qa evaluate` scores one. A bad row
rejects its whole evaluation (a half evaluation would score wrong) and is named with its file, row,
field and reason; the good evaluations are stored in one transaction and mirrored into qa_results.
Each record keeps what the export said, so a re-import of the same export changes nothing even
after a dispute changed the answers, and a changed export is rejected naming what changed:
answers change through a dispute, with an audit record, not by overwriting.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from steward.definitions.qa_export_mapping import QaExportMapping, load_qa_export_mapping
from steward.importers.base import UnreadableFile
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
from steward.services.qa_import_rows import ExportedEvaluation, QaImportError, Rejection, read_export
from steward.storage.records import QaEvaluation
from steward.storage.staging import StagingError
from steward.workspace import Workspace

__all__ = ["QaImportError", "QaImportSummary", "Rejection", "import_evaluations"]
Progress = Callable[[int, int], None]


@dataclass
class QaImportSummary:
    file: Path
    rows_read: int = 0
    evaluations_read: int = 0
    stored: int = 0
    unchanged: int = 0
    rows_stored: int = 0
    rows_unchanged: int = 0
    rejected: list[tuple[str, Rejection]] = field(default_factory=list)
    rejected_rows: int = 0
    reject_report: Path | None = None
    mirrored: ImportSummary | None = None
    mirror_error: str | None = None
    """Why qa_results could not be brought up to date (the records are stored all the same)."""

    @property
    def rejected_evaluations(self) -> int:
        return len({evaluation for evaluation, _ in self.rejected})

    def reconciles(self) -> bool:
        """Evaluations and rows read = stored + unchanged + rejected."""
        evaluations = self.stored + self.unchanged + self.rejected_evaluations == self.evaluations_read
        return evaluations and self.rows_stored + self.rows_unchanged + self.rejected_rows == self.rows_read


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
    summary.rows_read, evaluations = read_export(path, rules, zone)
    summary.evaluations_read = len(evaluations)
    found = interactions_by_id(workspace, [e.header.get("interaction", "") for e in evaluations])
    existing = _existing(workspace, [e.evaluation_id for e in evaluations])
    accepted: list[QaEvaluation] = []
    for done, evaluation in enumerate(evaluations, start=1):
        record = _record(workspace, evaluation, found, zone, existing.get(evaluation.evaluation_id))
        _count(summary, evaluation, record, accepted)
        if progress:
            progress(done, len(evaluations))
    if accepted:
        with workspace.records.session() as session, session.begin():
            session.add_all(accepted)
    if summary.rejected:
        summary.reject_report = _write_rejects(workspace, summary)
    if accepted:
        try:
            summary.mirrored = mirror(workspace)
        except (UnreadableFile, StagingError) as error:
            summary.mirror_error = str(error)
    return summary


def _count(
    summary: QaImportSummary, evaluation: ExportedEvaluation, record: QaEvaluation | None, accepted: list[QaEvaluation]
) -> None:
    rows = len(evaluation.rows)
    if evaluation.problems:
        summary.rejected += [(evaluation.evaluation_id, p) for p in evaluation.problems]
        summary.rejected_rows += rows
    elif record is None:
        summary.unchanged, summary.rows_unchanged = summary.unchanged + 1, summary.rows_unchanged + rows
    else:
        accepted.append(record)
        summary.stored, summary.rows_stored = summary.stored + 1, summary.rows_stored + rows


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
    evaluation: ExportedEvaluation,
    found: dict[str, list[dict[str, str | None]]],
    zone: ZoneInfo,
    stored: QaEvaluation | None,
) -> QaEvaluation | None:
    """The record to store; None when it is rejected or already recorded from the same export."""
    if evaluation.problems:
        return None
    if stored is not None:
        _compare(evaluation, stored)
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
        for problem in error.answers:
            evaluation.reject("answer", str(problem), problem.question)
        if not error.answers:
            evaluation.reject(error.field, str(error))
        return None
    record.imported = evaluation.content()
    return record


def _compare(evaluation: ExportedEvaluation, stored: QaEvaluation) -> None:
    """An evaluation recorded before: unchanged when the export says what it said then."""
    before = stored.imported
    if before is None:
        evaluation.reject("evaluation", "already recorded by `steward qa evaluate` under this id")
        return
    now = evaluation.content()
    changed = [name for name in ("header", "answers", "comments") if before.get(name) != now[name]]
    if changed:
        fields = sorted(
            name
            for part in changed
            for name in set(before.get(part, {})) | set(now[part])
            if before.get(part, {}).get(name) != now[part].get(name)
        )
        reason = f"already recorded; the export now differs in {', '.join(fields)} (answers change through a dispute)"
        evaluation.reject("evaluation", reason)


def _write_rejects(workspace: Workspace, summary: QaImportSummary) -> Path:
    folder = workspace.reports / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = workspace.clock.now().strftime("%Y%m%dT%H%M%S")
    report = folder / f"qa-import-{stamp}-rejects.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "rows", "evaluation", "field", "reason"])
        for evaluation, rejection in summary.rejected:
            writer.writerow([summary.file, _rows(rejection.rows), evaluation, rejection.field, rejection.reason])
    return report


def _rows(rows: tuple[int, ...]) -> str:
    if len(rows) > 1 and rows == tuple(range(rows[0], rows[-1] + 1)):
        return f"{rows[0]}-{rows[-1]}"
    return ",".join(map(str, rows))
