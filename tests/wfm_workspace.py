"""Small hand-made workspaces for the staffing, partner-accuracy and spike tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.workforce_support import load

from steward.domain.clock import FixedClock
from steward.storage.settings import SETTINGS_FILE
from steward.workspace import Workspace

Row = dict[str, object]
_ids = itertools.count(1)


def wfm_workspace(root: Path, now: datetime, data: dict[str, list[Row]], timezone: str = "UTC") -> Workspace:
    """A workspace whose clock stands at `now` (naive UTC) holding `data`, reporting in `timezone`."""
    Workspace.init(root).close()
    if timezone != "UTC":
        settings = root / SETTINGS_FILE
        settings.write_text(settings.read_text().replace('timezone = "UTC"', f'timezone = "{timezone}"'))
    workspace = Workspace.open(root, FixedClock(now.replace(tzinfo=UTC)))
    load(workspace, data)
    return workspace


def contacts(vendor: str, queue: str, start: datetime, count: int, handle_seconds: float | None = None) -> list[Row]:
    """`count` interactions created one second apart from `start` (all inside one interval when count < 900)."""
    rows: list[Row] = []
    for n in range(count):
        row: Row = {"interaction_id": f"i{next(_ids)}", "vendor": vendor, "queue": queue, "channel": "phone",
                    "created_at": start + timedelta(seconds=n)}  # fmt: skip
        if handle_seconds is not None:
            row["handle_seconds"] = handle_seconds
        rows.append(row)
    return rows


def forecast_row(
    vendor: str, queue: str, start: datetime, volume: float, aht: float | None = 180.0, made_by: str | None = None,
    minutes: int = 30,
) -> Row:  # fmt: skip
    row: Row = {"vendor": vendor, "queue": queue, "interval_start": start, "interval_minutes": minutes,
                "volume": volume, "made_by": made_by or vendor}  # fmt: skip
    if aht is not None:
        row["aht_seconds"] = aht
    return row


def span(vendor: str, agent: str, label: str, start: datetime, end: datetime, table: str = "schedules") -> Row:
    """A schedules row (activity) or, with table="agent_states", a state row."""
    column = "activity" if table == "schedules" else "state"
    return {"vendor": vendor, "agent_id": agent, column: label, "start_at": start, "end_at": end}
