"""A small QA workspace: the golden e-mail scorecard and three imported interactions of northwind."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml
from tests.native_rows import write_table

from steward.domain.clock import FixedClock
from steward.importers.base import ImportOptions
from steward.services.ingest import import_file
from steward.workspace import Workspace

GOLDEN = Path(__file__).parent / "golden" / "qa_email_support.yaml"
CLOCK = FixedClock(datetime(2026, 10, 5, 12, tzinfo=UTC))


def qa_workspace(tmp_path: Path, interactions: int = 3) -> Workspace:
    """Interactions 480, 481, ... (northwind, billing, e-mail, agent ag-7) and the golden scorecard."""
    root = tmp_path / "ws"
    Workspace.init(root).close()
    folder = root / "definitions" / "scorecards"
    folder.mkdir()
    (folder / "email.yaml").write_text(yaml.safe_dump(yaml.safe_load(GOLDEN.read_text())["scorecard"]))
    workspace = Workspace.open(root, CLOCK)
    rows = [
        {"interaction_id": f"48{n}", "vendor": "northwind", "queue": "billing", "channel": "email",
         "agent_id": "ag-7", "created_at": datetime(2026, 10, 2, 9, n)}
        for n in range(interactions)
    ]  # fmt: skip
    import_file(
        workspace, write_table(tmp_path / "i.csv", "interactions", rows), options=ImportOptions(table="interactions")
    )
    workspace.close()
    return Workspace.open(root, CLOCK)
