"""Progress bars for long work: import steps driven by the engine's own query progress."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from duckdb import DuckDBPyConnection
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn


def bar(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def engine_progress(console: Console, connection: DuckDBPyConnection) -> Iterator[Callable[[str], None]]:
    """Yield a step listener; a bar follows the running query's progress until the block ends."""
    progress = bar(console)
    task = progress.add_task("starting", total=100)
    stop = threading.Event()

    def follow() -> None:
        while not stop.wait(0.2):
            try:
                percent = float(connection.query_progress())
            except Exception:  # noqa: S112 - progress is best effort; the import reports its own errors
                continue
            if percent >= 0:
                progress.update(task, completed=percent)

    def on_step(description: str) -> None:
        progress.update(task, description=description, completed=0)

    follower = threading.Thread(target=follow, daemon=True)
    with progress:
        follower.start()
        try:
            yield on_step
        finally:
            stop.set()
            follower.join()
