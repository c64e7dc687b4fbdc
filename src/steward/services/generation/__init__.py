"""Deterministic synthetic data: a year of support for an in-house team and three BPO partners.

`generate()` writes the native import format (docs/data-format.md), so the demo and the
benchmarks go through the same importer as real exports. The same seed gives the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa

from steward.services.generation.arrivals import build_calendar
from steward.services.generation.events import events_chunk
from steward.services.generation.interactions import Population, interaction_chunk
from steward.services.generation.orders import orders_table
from steward.services.generation.profiles import DEFAULT_VENDORS, VendorProfile
from steward.services.generation.workforce import agent_states_table, forecasts_table, schedules_table
from steward.services.generation.writing import TableWriter

__all__ = ["DEFAULT_VENDORS", "GenerationSummary", "VendorProfile", "generate"]

MIN_INTERACTIONS, MAX_INTERACTIONS = 1_000, 10_000_000
CHUNK = 500_000
FileFormat = Literal["parquet", "csv"]


@dataclass(frozen=True)
class GenerationSummary:
    """What was written where."""

    rows: dict[str, int]
    files: dict[str, Path]
    start: date
    end: date
    vendors: tuple[VendorProfile, ...]


def generate(
    out_dir: Path,
    *,
    interactions: int = 500_000,
    seed: int = 7,
    start: date = date(2025, 11, 1),
    months: int = 12,
    file_format: FileFormat = "parquet",
    progress: Callable[[int, int], None] | None = None,
) -> GenerationSummary:
    """Write interactions (with ticket histories for a sample), agent states, schedules, forecasts and orders."""
    if not MIN_INTERACTIONS <= interactions <= MAX_INTERACTIONS:
        raise ValueError(
            f"interactions must be between {MIN_INTERACTIONS:,} and {MAX_INTERACTIONS:,}, not {interactions:,}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    calendar = build_calendar(start, months, seed)
    population = Population.for_volume(interactions)
    vendors = DEFAULT_VENDORS
    files: dict[str, Path] = {}
    rows: dict[str, int] = {}
    with (
        TableWriter(out_dir / f"interactions.{file_format}", file_format) as writer,
        TableWriter(out_dir / f"interaction_events.{file_format}", file_format) as event_writer,
    ):
        for chunk, first in enumerate(range(0, interactions, CHUNK)):
            count = min(CHUNK, interactions - first)
            rng = np.random.default_rng([seed, chunk])
            table = interaction_chunk(
                first_index=first,
                count=count,
                vendors=vendors,
                calendar=calendar,
                population=population,
                total=interactions,
                rng=rng,
            )
            writer.write(table)
            event_writer.write(events_chunk(table, np.random.default_rng([seed, chunk, 1])))
            if progress is not None:
                progress(first + count, interactions)
        files["interactions"], rows["interactions"] = writer.path, writer.rows
        files["interaction_events"], rows["interaction_events"] = event_writer.path, event_writer.rows
    others: dict[str, pa.Table] = {
        "agent_states": agent_states_table(vendors, interactions, calendar, seed),
        "schedules": schedules_table(vendors, interactions, calendar),
        "forecasts": forecasts_table(vendors, interactions, calendar, seed),
        "orders": orders_table(population, interactions, calendar, seed),
    }
    for name, table in others.items():
        with TableWriter(out_dir / f"{name}.{file_format}", file_format) as writer:
            writer.write(table)
            files[name], rows[name] = writer.path, writer.rows
    return GenerationSummary(rows, files, start, calendar.days[-1] + timedelta(days=1), vendors)
