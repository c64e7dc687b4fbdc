"""Contract questions that need no data: is every contract file valid, and what shape do they take."""

from __future__ import annotations

from dataclasses import dataclass

from steward.definitions.located_yaml import DefinitionIssue
from steward.workspace import Workspace


@dataclass(frozen=True)
class ContractSummary:
    lines: list[str]
    issues: tuple[DefinitionIssue, ...]


def contract_summary(workspace: Workspace) -> ContractSummary:
    """One line per valid contract and version, and every problem with its file and line."""
    book = workspace.contracts
    lines = []
    for contract in book.contracts:
        lines.append(f"{contract.file.name}: {contract.id} for {contract.vendor} ({contract.spec.currency})")
        for version in contract.spec.versions:
            critical = len(version.critical_levels)
            key = len(version.key_measurements)
            lines.append(
                f"  from {version.effective_from}: {critical} critical service levels, {key} key measurements, "
                f"{version.at_risk_percent}% at risk"
            )
    if not book.contracts and not book.issues:
        lines.append("no contracts yet: see definitions/contracts/example.yaml and docs/contracts.md")
    return ContractSummary(lines, workspace.catalogue.issues + book.issues)
