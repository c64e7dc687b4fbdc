"""`steward qa import`: a QA tool's per-question export into evaluation records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from steward.interfaces.cli.progress import bar
from steward.interfaces.cli.workspace_option import WorkspaceOption, fail, open_workspace
from steward.services.ingest import EXIT_NOTHING_IMPORTABLE, EXIT_OK, EXIT_SOME_REJECTED
from steward.services.qa_evaluations import EvaluationError
from steward.services.qa_import import QaImportError, QaImportSummary, import_evaluations

console = Console()
errors = Console(stderr=True)
SHOWN_REJECTS = 20


def import_command(
    export: Annotated[Path, typer.Argument(help="CSV, one row per answer (docs/qa.md#importing-evaluations).")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="YAML naming the export's columns and values.")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="Zone of times without an offset (default: the mapping's).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Import scored evaluations from a QA tool's export into the records, scored with Steward's scorecards.

    A bad row rejects its evaluation, named with row, field and reason; the others are stored in one
    transaction and reach quality_score. Exit 0: all stored; 3: some rejected; 2: nothing importable.
    """
    ws = open_workspace(workspace)
    try:
        with bar(errors) as progress:
            task = progress.add_task(f"scoring {export.name}", total=None)
            summary = import_evaluations(
                ws,
                export,
                mapping=mapping,
                timezone=timezone,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except (QaImportError, EvaluationError) as error:
        fail(str(error))
    finally:
        ws.close()
    show_import(summary)
    raise typer.Exit(_exit_code(summary))


def show_import(summary: QaImportSummary) -> None:
    console.print(
        f"{summary.file.name}: {summary.rows_read:,} rows, {summary.evaluations_read:,} evaluations read; "
        f"[bold]{summary.stored:,} stored[/], {summary.unchanged:,} already recorded unchanged, "
        f"{summary.rejected_evaluations:,} rejected ({summary.rejected_rows:,} rows)"
    )
    for evaluation, rejection in summary.rejected[:SHOWN_REJECTS]:
        rows = ", ".join(map(str, rejection.rows))
        errors.print(
            f"  {summary.file}: row {rows}: {rejection.field}: {rejection.reason} (evaluation {evaluation})",
            highlight=False,
        )
    if len(summary.rejected) > SHOWN_REJECTS:
        errors.print(f"  ... and {len(summary.rejected) - SHOWN_REJECTS:,} more")
    if summary.reject_report:
        console.print(f"every rejected evaluation: [bold]{summary.reject_report}[/]")
    if summary.mirror_error:
        errors.print(f"[red]stored in the records, but qa_results was not updated:[/] {summary.mirror_error}")
    elif summary.mirrored is not None and summary.mirrored.total("rejected"):
        report = summary.mirrored.reject_report
        errors.print(f"[red]{summary.mirrored.total('rejected'):,} evaluations did not reach qa_results[/] ({report})")


def _exit_code(summary: QaImportSummary) -> int:
    if summary.mirror_error:
        return EXIT_SOME_REJECTED
    if summary.rejected_evaluations == 0:
        return EXIT_OK
    if summary.stored + summary.unchanged == 0:
        return EXIT_NOTHING_IMPORTABLE
    return EXIT_SOME_REJECTED
