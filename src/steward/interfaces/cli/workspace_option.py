"""The `--workspace` option every command takes, and opening the workspace it names."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from steward.storage.settings import SettingsError
from steward.workspace import Workspace

EXIT_BAD_REQUEST = 2
"""The request or a definition needs fixing (the same code `steward import` uses for nothing importable)."""

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $STEWARD_WORKSPACE or the nearest folder up with steward.toml).",
    ),
]


def open_workspace(root: Path | None) -> Workspace:
    """The workspace, or exit 2 with the reason (no steward.toml, a broken settings file)."""
    try:
        return Workspace.open(root)
    except SettingsError as error:
        Console(stderr=True).print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from error


def fail(message: str) -> NoReturn:
    """Refuse the request: the message on stderr, exit code 2 (every command's way to say no)."""
    Console(stderr=True).print(f"[red]error:[/] {message}")
    raise typer.Exit(EXIT_BAD_REQUEST)
