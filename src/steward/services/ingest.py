"""Import one export file: pick the importer, stage, validate, store in one transaction, record the run.

Nothing is lost: every bad record is kept in `import_rejects` (and a CSV report) with
file, row, field and reason; nothing is half-written: the warehouse changes in one
transaction, so an error or Ctrl-C leaves it exactly as before.
"""

from __future__ import annotations

import csv
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from duckdb import DuckDBPyConnection

from steward.domain.canonical import TABLES
from steward.importers.base import ImportContext, ImportOptions, StagedTable, UnreadableFile
from steward.importers.native import header_columns
from steward.importers.registry import choose_importer
from steward.storage.records import ImportRun
from steward.storage.staging import Problem, Staging, StagingError, TableOutcome
from steward.storage.warehouse import REJECTS_TABLE
from steward.workspace import Workspace

EXIT_OK, EXIT_NOTHING_IMPORTABLE, EXIT_SOME_REJECTED = 0, 2, 3
COUNTS = ("read", "inserted", "updated", "unchanged", "rejected")

StepListener = Callable[[str], None]
Preparation = Callable[[DuckDBPyConnection], None]
"""Work that must commit or roll back with the import, run first inside its transaction."""


@dataclass
class ImportSummary:
    """What one import did; the counts reconcile: read = inserted + updated + unchanged + rejected."""

    run_id: int
    importer: str
    file: Path
    sha256: str | None = None
    tables: list[TableOutcome] = field(default_factory=list)
    rejects: list[Problem] = field(default_factory=list)
    reject_report: Path | None = None

    def total(self, name: str) -> int:
        return sum(int(getattr(t, name)) for t in self.tables)

    @property
    def exit_code(self) -> int:
        if self.total("stored") == 0:
            return EXIT_NOTHING_IMPORTABLE
        return EXIT_SOME_REJECTED if self.total("rejected") else EXIT_OK

    def per_table(self) -> dict[str, dict[str, int]]:
        """Counts per canonical table, added up over the files of the import (a Zendesk folder has several)."""
        counts: dict[str, dict[str, int]] = {}
        for outcome in self.tables:
            table = counts.setdefault(outcome.table, dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                table[name] += int(getattr(outcome, name))
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "importer": self.importer,
            "file": str(self.file),
            "sha256": self.sha256,
            **{name: self.total(name) for name in COUNTS},
            "tables": self.per_table(),
            "reject_report": str(self.reject_report) if self.reject_report else None,
            "rejects": [{"row": p.row, "field": p.field, "reason": p.reason} for p in self.rejects],
            "exit_code": self.exit_code,
        }


class FileHash(threading.Thread):
    """SHA-256 of a file (or of a folder's files in name order), computed while the import runs."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.digest: str | None = None

    def run(self) -> None:
        sha = hashlib.sha256()
        files = sorted(p for p in self.path.rglob("*") if p.is_file()) if self.path.is_dir() else [self.path]
        for file in files:
            with file.open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    sha.update(chunk)
        self.digest = sha.hexdigest()


def import_file(
    workspace: Workspace,
    path: Path,
    *,
    importer_name: str | None = None,
    options: ImportOptions | None = None,
    on_step: StepListener | None = None,
    reject_limit: int | None = 1000,
    prepare: Preparation | None = None,
) -> ImportSummary:
    """Import `path`; raises UnreadableFile or StagingError when nothing in it can be imported.

    `prepare` runs first in the import's transaction (a derived import clears results it replaces).
    """
    options = options or ImportOptions()
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file or folder")
    importer = choose_importer(path, importer_name, workspace.importers, mapping=options.mapping is not None)
    _check_timezone(options.timezone)
    _check_timezone(workspace.settings.default_timezone)
    hasher = FileHash(path)
    hasher.start()
    run = _start_run(workspace, importer.name, path, options)
    summary = ImportSummary(run.id, importer.name, path)
    step = on_step or (lambda _: None)
    try:
        context = ImportContext(options, workspace.pseudonymise)
        with workspace.warehouse.transaction() as connection:
            if prepare is not None:
                prepare(connection)
            for staged in importer.stage(path, context):
                # The workspace default is the last resort: --timezone and a mapping's own zone come first.
                timezone = staged.timezone or workspace.settings.default_timezone
                summary.tables.append(_store_table(connection, replace(staged, timezone=timezone), run.id, step))
        step("writing the reject report")
        summary.rejects = _rejects(workspace, run.id, reject_limit)
        summary.reject_report = _write_reject_report(workspace, run.id) if summary.total("rejected") else None
    except BaseException as error:
        hasher.join()
        _finish_run(workspace, run, summary, hasher.digest, error)
        raise
    hasher.join()
    summary.sha256 = hasher.digest
    _finish_run(workspace, run, summary, hasher.digest, None)
    return summary


def _check_timezone(name: str | None) -> None:
    if name is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnreadableFile(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from error


def _store_table(connection: DuckDBPyConnection, staged: StagedTable, run_id: int, step: StepListener) -> TableOutcome:
    if staged.table not in TABLES:
        raise StagingError(f"{staged.file}: unknown canonical table {staged.table!r}")
    staging = Staging(
        connection,
        TABLES[staged.table],
        run_id=run_id,
        file=staged.file,
        timezone=staged.timezone,
        source=staged.default_source,
    )
    step(f"reading and typing {staged.table}")
    if staged.native_file is not None and staged.native_format == "parquet":
        staging.load_parquet(staged.native_file)
    elif staged.native_file is not None:
        staging.load_csv(staged.native_file, staged.encoding, header_columns(staged.native_file))
    elif staged.arrow is not None:
        staging.load_arrow(staged.arrow)
    else:
        raise StagingError(f"{staged.file}: the importer staged no rows for {staged.table}")
    staging.add_problems([Problem(p.row, p.field or None, p.reason, p.raw) for p in staged.problems])
    step(f"checking {staged.table}")
    staging.validate()
    staging.reject_superseded()
    step(f"storing {staged.table}")
    staging.store()
    staging.drop()
    return staging.outcome


def _start_run(workspace: Workspace, importer: str, path: Path, options: ImportOptions) -> ImportRun:
    run = ImportRun(
        started_at=workspace.clock.now().replace(tzinfo=None),
        status="running",
        importer=importer,
        path=str(path.resolve()),
        file_bytes=sum(p.stat().st_size for p in _files(path)),
        vendor=options.vendor,
        timezone=options.timezone,
    )
    workspace.records.add(run)
    return run


def _files(path: Path) -> Iterator[Path]:
    return (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else iter([path])


def _finish_run(
    workspace: Workspace, run: ImportRun, summary: ImportSummary, digest: str | None, error: BaseException | None
) -> None:
    run.finished_at = workspace.clock.now().replace(tzinfo=None)
    run.file_sha256 = digest
    if error is None:
        run.status = "completed"
        for name in COUNTS:
            setattr(run, f"rows_{name}", summary.total(name))
        run.tables = summary.per_table()
        run.reject_report = str(summary.reject_report) if summary.reject_report else None
    else:
        run.status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        run.error = str(error) or type(error).__name__
    workspace.records.save(run)


def _rejects(workspace: Workspace, run_id: int, limit: int | None) -> list[Problem]:
    """The run's rejects in row order: the first `limit` of them, or all when `limit` is None."""
    rows = workspace.warehouse.sql_connection.execute(
        f'SELECT "row", field, reason FROM {REJECTS_TABLE} WHERE import_run_id = ? ORDER BY "row", field LIMIT ?',
        [run_id, limit],
    ).fetchall()
    return [Problem(row, field, reason) for row, field, reason in rows]


def _write_reject_report(workspace: Workspace, run_id: int) -> Path:
    """CSV of every rejected record: file, row, field, reason and the original record."""
    folder = workspace.reports / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / f"run-{run_id}-rejects.csv"
    cursor = workspace.warehouse.sql_connection.execute(
        f'SELECT file, table_name, "row", field, reason, raw FROM {REJECTS_TABLE} '
        f'WHERE import_run_id = ? ORDER BY "row", field',
        [run_id],
    )
    with report.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "table", "row", "field", "reason", "record"])
        while batch := cursor.fetchmany(10000):
            writer.writerows(batch)
    return report
