"""Reading a QA tool's per-question export: rows grouped into evaluations, each problem kept with
its row and field (steward.services.qa_import decides what is stored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from steward.definitions.qa_export_mapping import FIELDS, REQUIRED_FIELDS, QaExportMapping
from steward.services.csv_rows import read_csv_rows

HEADER_FIELDS = ("interaction", "evaluator", "scorecard", "evaluated_at", "sample", "source")
"""Fields every row of one evaluation repeats; they must agree."""
LONGEST = {"evaluation": 40, "evaluator": 100, "interaction": 200, "source": 50}
"""The records' column widths: a longer value is rejected by name instead of failing the import."""


class QaImportError(ValueError):
    """Nothing can be imported: an unreadable file, a broken mapping, missing columns."""


@dataclass(frozen=True)
class Rejection:
    rows: tuple[int, ...]
    field: str
    reason: str


@dataclass
class ExportedEvaluation:
    """One evaluation's rows of the export."""

    evaluation_id: str
    rows: list[int] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)
    """question -> the row that answers it."""
    problems: list[Rejection] = field(default_factory=list)

    def content(self) -> dict[str, Any]:
        """What the export says about the evaluation; a re-import is compared with this."""
        return {"header": dict(sorted(self.header.items())), "answers": self.answers, "comments": self.comments}

    def reject(self, field_name: str, reason: str, question: str | None = None) -> None:
        row = self.row_of.get(question or "")
        self.problems.append(Rejection((row,) if row else tuple(self.rows), field_name, reason))


def read_export(path: Path, rules: QaExportMapping, zone: ZoneInfo) -> tuple[int, list[ExportedEvaluation]]:
    """Rows read, and the evaluations they hold in file order."""
    header, rows = read_csv_rows(path, QaImportError)
    missing = [f for f in REQUIRED_FIELDS if rules.header_for(f) not in header and f not in rules.constants]
    if missing:
        named = ", ".join(f"{rules.header_for(f)!r} ({f})" for f in missing)
        raise QaImportError(f"{path}: row 1: missing column(s) {named}; map them with --mapping (docs/qa.md)")
    grouped: dict[str, ExportedEvaluation] = {}
    for number, row in rows:
        values = _values(row, rules)
        evaluation = grouped.setdefault(values["evaluation"], ExportedEvaluation(values["evaluation"]))
        _add_row(evaluation, number, values, rules, zone)
    return len(rows), list(grouped.values())


def _values(row: dict[str, str], rules: QaExportMapping) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in FIELDS:
        raw = row.get(rules.header_for(name), "").strip() or rules.constants.get(name, "")
        values[name] = rules.values.get(name, {}).get(raw, raw)
    return values


def _add_row(
    evaluation: ExportedEvaluation, number: int, values: dict[str, str], rules: QaExportMapping, zone: ZoneInfo
) -> None:
    evaluation.rows.append(number)
    for name in REQUIRED_FIELDS:
        if not values[name]:
            evaluation.problems.append(Rejection((number,), name, f"{rules.header_for(name)!r} is empty"))
    for name, longest in LONGEST.items():
        if len(values[name]) > longest:
            evaluation.problems.append(Rejection((number,), name, f"longer than {longest} characters"))
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
        reason = f"{question!r} answered twice (first on row {evaluation.row_of[question]})"
        evaluation.problems.append(Rejection((number,), "question", reason))
        return
    evaluation.answers[question], evaluation.row_of[question] = values["answer"], number
    if values["comment"]:
        evaluation.comments[question] = values["comment"]


def _time(text: str, rules: QaExportMapping, zone: ZoneInfo, evaluation: ExportedEvaluation, number: int) -> str | None:
    """The time as ISO 8601 with its offset; None (and a problem) when it is not one instant."""
    if not text:
        return text
    try:
        at = datetime.strptime(text, rules.timestamp_format) if rules.timestamp_format else datetime.fromisoformat(text)
    except ValueError:
        wanted = rules.timestamp_format or "ISO 8601, e.g. 2026-10-05T14:30:00+02:00"
        evaluation.problems.append(Rejection((number,), "evaluated_at", f"{text!r} is not a time ({wanted})"))
        return None
    if at.tzinfo is None:
        # The two folds differ in the hour the clocks repeat and in the hour they skip.
        earlier, later = at.replace(tzinfo=zone, fold=0), at.replace(tzinfo=zone, fold=1)
        if earlier.utcoffset() != later.utcoffset():
            reason = f"{text!r} does not name one instant in {zone.key} (a clock change); give an offset"
            evaluation.problems.append(Rejection((number,), "evaluated_at", reason))
            return None
        at = earlier
    return at.isoformat()
