"""What a workspace holds: rows per table, vendors, the data's date range, the latest imports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from steward.definitions.vendors import VendorList, load_vendors
from steward.storage.records import ImportRun
from steward.workspace import Workspace


@dataclass(frozen=True)
class VendorStatus:
    name: str
    declared: bool
    interactions: int


@dataclass(frozen=True)
class WorkspaceStatus:
    root: Path
    warehouse_url: str
    records_url: str
    tables: dict[str, int]
    vendors: list[VendorStatus]
    first_interaction: datetime | None
    last_interaction: datetime | None
    imports: list[ImportRun]
    definition_issues: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "warehouse": self.warehouse_url,
            "records": self.records_url,
            "tables": self.tables,
            "vendors": [asdict(v) for v in self.vendors],
            "first_interaction": self.first_interaction.isoformat() if self.first_interaction else None,
            "last_interaction": self.last_interaction.isoformat() if self.last_interaction else None,
            "imports": [
                {
                    "run": r.id,
                    "status": r.status,
                    "importer": r.importer,
                    "path": r.path,
                    "sha256": r.file_sha256,
                    "read": r.rows_read,
                    "inserted": r.rows_inserted,
                    "updated": r.rows_updated,
                    "unchanged": r.rows_unchanged,
                    "rejected": r.rows_rejected,
                }
                for r in self.imports
            ],
            "definition_issues": self.definition_issues,
        }


def workspace_status(workspace: Workspace, imports: int = 5) -> WorkspaceStatus:
    """Summarise the workspace (all reads go through Ibis, so any warehouse backend works)."""
    warehouse = workspace.warehouse
    interactions = warehouse.table("interactions")
    per_vendor = interactions.group_by("vendor").aggregate(n=interactions.count()).to_pyarrow().to_pylist()
    seen = {str(row["vendor"]): int(row["n"]) for row in per_vendor}
    span = (
        interactions.aggregate(first=interactions.created_at.min(), last=interactions.created_at.max())
        .to_pyarrow()
        .to_pylist()[0]
    )
    declared = load_vendors(workspace.root / "definitions" / "vendors.yaml")
    issues = [str(issue) for issue in declared.issues] if isinstance(declared, VendorList) else []
    names = [v.name for v in declared.vendors] if isinstance(declared, VendorList) else []
    vendors = [VendorStatus(name, True, seen.get(name, 0)) for name in names]
    vendors += [VendorStatus(name, False, count) for name, count in sorted(seen.items()) if name not in names]
    return WorkspaceStatus(
        root=workspace.root,
        warehouse_url=warehouse.url,
        records_url=_without_password(workspace.records.url),
        tables=warehouse.row_counts(),
        vendors=vendors,
        first_interaction=span["first"],
        last_interaction=span["last"],
        imports=workspace.records.import_runs(imports),
        definition_issues=issues,
    )


def _without_password(url: str) -> str:
    if "@" in url and ":" in url.split("@", maxsplit=1)[0].rsplit("//", maxsplit=1)[-1]:
        scheme, rest = url.split("//", 1)
        credentials, host = rest.split("@", 1)
        return f"{scheme}//{credentials.split(':')[0]}:***@{host}"
    return url
