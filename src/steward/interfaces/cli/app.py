"""The `steward` command: parse, call one service, render. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from steward.importers.base import ImportOptions, UnreadableFile
from steward.interfaces.cli import render
from steward.interfaces.cli.demo import register_demo_commands
from steward.interfaces.cli.metrics import metrics_app
from steward.interfaces.cli.progress import engine_progress
from steward.interfaces.cli.qa import qa_app
from steward.interfaces.cli.render import REJECTS_SHOWN
from steward.interfaces.cli.scorecard import contract_app, scorecard
from steward.interfaces.cli.wfm import wfm_app
from steward.interfaces.cli.workspace_option import WorkspaceOption, open_workspace
from steward.services.ingest import EXIT_NOTHING_IMPORTABLE, import_file
from steward.services.status import workspace_status
from steward.storage.staging import StagingError
from steward.storage.warehouse import WarehouseError
from steward.workspace import Workspace

app = typer.Typer(
    help="Steward: govern outsourced customer support from raw helpdesk and telephony data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


def emit_json(value: object) -> None:
    """Plain JSON on stdout for pipelines (no Rich markup or wrapping)."""
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create (existing files are kept).")],
    name: Annotated[str | None, typer.Option(help="Workspace name (default: the folder's name).")] = None,
) -> None:
    """Create a workspace: steward.toml, definitions/ with examples, the warehouse and the records store."""
    workspace = Workspace.init(directory, name)
    console.print(f"Workspace ready in [bold]{workspace.root}[/]")
    console.print(
        "  steward.toml, definitions/vendors.yaml, definitions/calendars/example.yaml,"
        " definitions/contracts/example.yaml, reports/"
    )
    console.print(f"Next: [bold]steward import FILE -w {directory}[/]")
    workspace.close()


@app.command()
def status(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Show what the workspace holds: rows per table, vendors, date range, latest imports."""
    ws = open_workspace(workspace)
    result = workspace_status(ws)
    if as_json:
        emit_json(result.to_json())
    else:
        render.workspace_status(console, result)
    ws.close()


@app.command("import")
def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="Export file, or a folder: a Zendesk export, or native files as `steward generate` writes them."
        ),
    ],
    importer: Annotated[
        str | None, typer.Option(help="Importer to use (default: recognised from the file). See `steward importers`.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="YAML mapping file for any other CSV (uses the `mapped` importer).")
    ] = None,
    vendor: Annotated[str | None, typer.Option(help="Vendor for every row, when the export does not say.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="IANA time zone of timestamps that carry no offset, e.g. Europe/Berlin.")
    ] = None,
    table: Annotated[
        str | None, typer.Option(help="Canonical table of a native file (default: recognised from the columns).")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Value of the `source` column (default: the importer's name).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON for pipelines.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Import an export file: validate every row, store the good ones, quarantine the bad ones.

    One import is one transaction: an error or Ctrl-C part way leaves the warehouse as it was.
    Re-importing a file changes nothing; a newer export updates changed rows (same source + id).

    Exit codes: 0 every row stored; 3 some rows rejected (the rest stored; see the reject report);
    2 nothing importable (unreadable file, unknown format, or every row rejected).
    """
    ws = open_workspace(workspace)
    options = ImportOptions(vendor=vendor, timezone=timezone, mapping=mapping, table=table, source=source)
    try:
        if as_json:
            summary = import_file(ws, path, importer_name=importer, options=options, reject_limit=None)
        else:
            with ws.warehouse.tracking_progress() as connection, engine_progress(errors, connection) as on_step:
                summary = import_file(
                    ws, path, importer_name=importer, options=options, on_step=on_step, reject_limit=REJECTS_SHOWN
                )
    except (UnreadableFile, StagingError, WarehouseError) as error:
        if as_json:
            emit_json({"file": str(path), "error": str(error), "exit_code": EXIT_NOTHING_IMPORTABLE})
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_NOTHING_IMPORTABLE) from error
    except KeyboardInterrupt:
        errors.print("[yellow]interrupted: nothing was stored; the warehouse is as it was[/]")
        raise typer.Exit(130) from None
    finally:
        ws.close()
    if as_json:
        emit_json(summary.to_json())
    else:
        render.import_summary(console, summary)
    raise typer.Exit(summary.exit_code)


@app.command()
def importers() -> None:
    """List the registered importers (built-ins and plug-ins of the `steward.importers` entry-point group)."""
    from steward.importers.registry import available_importers

    for name, found in available_importers().items():
        console.print(f"[bold]{name:10}[/] {found.description}")


register_demo_commands(app, console)
app.add_typer(metrics_app, name="metrics")
app.add_typer(contract_app, name="contract")
app.add_typer(qa_app, name="qa")
app.add_typer(wfm_app, name="wfm")
app.command()(scorecard)


def main() -> None:
    app()
