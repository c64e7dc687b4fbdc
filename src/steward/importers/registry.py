"""Importers are plug-ins: every entry in the `steward.importers` entry-point group, built-ins included."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from steward.importers.base import Importer, UnreadableFile

GROUP = "steward.importers"


def available_importers() -> dict[str, Importer]:
    """Every registered importer by name."""
    found: dict[str, Importer] = {}
    for entry in entry_points(group=GROUP):
        importer = entry.load()()
        if not isinstance(importer, Importer):
            raise TypeError(f"entry point {entry.name} = {entry.value} is not a Steward importer")
        found[entry.name] = importer
    return dict(sorted(found.items()))


def choose_importer(path: Path, name: str | None, importers: dict[str, Importer], mapping: bool = False) -> Importer:
    """The importer asked for, or the one most confident it can read `path`."""
    if name is None and mapping:
        name = "mapped"
    if name is not None:
        if name not in importers:
            raise UnreadableFile(f"unknown importer {name!r}; available: {', '.join(importers)}")
        return importers[name]
    scores = {importer.name: importer.sniff(path) for importer in importers.values()}
    best = max(scores, key=lambda key: scores[key], default=None)
    if best is None or scores[best] <= 0:
        raise UnreadableFile(
            f"{path}: no importer recognises this file; pass --importer ({', '.join(importers)}) "
            "or --mapping FILE for any other CSV"
        )
    return importers[best]
