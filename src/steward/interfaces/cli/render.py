"""Rich rendering of service results; no data access here."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from steward.services.ingest import ImportSummary
from steward.services.status import WorkspaceStatus

REJECTS_SHOWN = 20


def import_summary(console: Console, summary: ImportSummary) -> None:
    table = Table(title=f"Import run {summary.run_id}: {summary.file.name} ({summary.importer})")
    for heading in ("table", "read", "inserted", "updated", "unchanged", "rejected"):
        table.add_column(heading, justify="left" if heading == "table" else "right")
    for name, counts in summary.per_table().items():
        rejected = counts["rejected"]
        table.add_row(
            name,
            *(f"{counts[n]:,}" for n in ("read", "inserted", "updated", "unchanged")),
            f"[red]{rejected:,}[/]" if rejected else "0",
        )
    console.print(table)
    for outcome in summary.tables:
        if outcome.ignored_columns:
            console.print(
                f"[yellow]{outcome.table}: ignored columns not in the canonical schema:[/] "
                + ", ".join(outcome.ignored_columns)
            )
    if summary.rejects:
        shown = summary.rejects[:REJECTS_SHOWN]
        title = f"Why rows were rejected (first {len(shown)} problems; {summary.total('rejected'):,} rows rejected)"
        rejects = Table(title=title)
        for heading in ("row", "field", "reason"):
            rejects.add_column(heading)
        for problem in shown:
            rejects.add_row(str(problem.row or ""), problem.field or "", problem.reason)
        console.print(rejects)
        console.print(f"Every rejected row, with its original record: [bold]{summary.reject_report}[/]")


def workspace_status(console: Console, status: WorkspaceStatus) -> None:
    console.print(f"[bold]Workspace[/] {status.root}")
    console.print(f"  warehouse {status.warehouse_url}\n  records   {status.records_url}")
    span = "no interactions yet"
    if status.first_interaction is not None and status.last_interaction is not None:
        span = f"{status.first_interaction:%Y-%m-%d} to {status.last_interaction:%Y-%m-%d} (UTC)"
    console.print(f"  data      {span}")
    tables = Table(title="Rows per table")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for name, rows in status.tables.items():
        tables.add_row(name, f"{rows:,}")
    console.print(tables)
    vendors = Table(title="Vendors")
    for heading in ("vendor", "declared in definitions/vendors.yaml", "interactions"):
        vendors.add_column(heading, justify="right" if heading == "interactions" else "left")
    for vendor in status.vendors:
        vendors.add_row(vendor.name, "yes" if vendor.declared else "[yellow]no[/]", f"{vendor.interactions:,}")
    console.print(vendors)
    imports = Table(title="Latest imports")
    for heading in ("run", "finished", "status", "importer", "file", "read", "stored", "rejected"):
        imports.add_column(heading)
    for run in status.imports:
        stored = (run.rows_inserted or 0) + (run.rows_updated or 0) + (run.rows_unchanged or 0)
        imports.add_row(
            str(run.id),
            f"{run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else "-",
            run.status,
            run.importer,
            run.path.rsplit("/", 1)[-1],
            f"{run.rows_read or 0:,}",
            f"{stored:,}",
            f"{run.rows_rejected or 0:,}",
        )
    console.print(imports)
    for issue in status.definition_issues:
        console.print(f"[red]{issue}[/]")
