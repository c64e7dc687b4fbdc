"""`steward qa autoqa`: run the AutoQA rulesets over stored transcripts and store the results.

Turns are read in order, batch by batch, so 100k conversations never sit in Python lists at
once; each batch's results are appended to Parquet files and imported at the end through the
normal importer (`autoqa_results` per rule, `qa_results` per ruleset with sample `autoqa`), both
in one import run and one transaction. A re-run replaces the results in its scope (period and
vendors): rows it produces again are updated, rows it no longer produces (a rule removed, a
ruleset deleted, an interaction `applies_to` no longer covers) are deleted in that transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from duckdb import DuckDBPyConnection

from steward.definitions.autoqa_rules import Ruleset
from steward.domain.canonical import AUTOQA_RESULTS, QA_RESULTS
from steward.engine.periods import Periods
from steward.services.derived_rows import DerivedTables
from steward.services.ingest import ImportSummary
from steward.services.qa_autoqa_rows import (
    AUTOQA_SOURCE,
    Checked,
    PreparedRuleset,
    applying,
    check_conversation,
    conversations,
)
from steward.services.scorecard import ScorecardError, resolve_period
from steward.storage.checks import literal
from steward.workspace import Workspace

BATCH_TURNS = 50_000
ALL = "all"
ProgressListener = Callable[[int, int], None]
"""Called with (interactions checked so far, interactions to check)."""


class AutoQaError(ValueError):
    """An AutoQA run the user has to correct (no rulesets, broken rulesets, no transcripts)."""


@dataclass
class RuleTally:
    checked: int = 0
    failed: int = 0

    @property
    def fail_rate(self) -> float:
        return 100.0 * self.failed / self.checked if self.checked else 0.0


@dataclass
class VendorTally:
    interactions: int = 0
    evaluations: int = 0
    """Interactions x rulesets applied."""
    score_sum: float = 0.0
    fully_passed: int = 0

    @property
    def mean_score(self) -> float:
        return self.score_sum / self.evaluations if self.evaluations else 0.0

    @property
    def passed_share(self) -> float:
        return 100.0 * self.fully_passed / self.evaluations if self.evaluations else 0.0


@dataclass
class AutoQaSummary:
    """What a run checked and stored."""

    period: str
    interactions: int = 0
    not_covered: int = 0
    """Interactions with a transcript that no ruleset's applies_to covers."""
    rules: dict[tuple[str, str], RuleTally] = field(default_factory=dict)
    """(ruleset, rule) -> checked and failed."""
    vendors: dict[str, VendorTally] = field(default_factory=dict)
    rows_stored: int = 0
    rows_removed: int = 0
    """Earlier results in the run's scope that it no longer produces, deleted."""
    run_ids: list[int] = field(default_factory=list)

    def add(self, vendor: str, checked: list[Checked]) -> None:
        """Count one interaction's results."""
        self.interactions += 1
        tally = self.vendors.setdefault(vendor, VendorTally())
        tally.interactions += 1
        for one in checked:
            tally.evaluations += 1
            tally.score_sum += one.score
            tally.fully_passed += one.passed
            for row in one.rule_rows:
                rule = self.rules.setdefault((one.ruleset, str(row["rule"])), RuleTally())
                rule.checked += 1
                rule.failed += not row["passed"]


def run_autoqa(
    workspace: Workspace,
    period: str | None = None,
    vendors: Sequence[str] = (),
    on_progress: ProgressListener | None = None,
) -> AutoQaSummary:
    """Check every transcript of the period (a month such as 2026-10, last, current; None or all = every
    stored transcript) against every ruleset that applies, and store the results."""
    prepared = [PreparedRuleset.of(r) for r in _rulesets(workspace)]
    label, start, end = _window(workspace, period)
    turns = _turns(workspace, start, end, vendors)
    total = int(turns.select("source", "interaction_id").distinct().count().execute())
    if not total:
        where = f" of {', '.join(vendors)}" if vendors else ""
        raise AutoQaError(f"no stored transcripts{where} for interactions in {label} (import transcripts first)")
    summary = AutoQaSummary(label)
    checked_at = workspace.clock.now()
    progress = on_progress or (lambda _done, _total: None)
    progress(0, total)
    with DerivedTables(workspace, "autoqa", (AUTOQA_RESULTS, QA_RESULTS)) as derived:
        results, scores = derived[AUTOQA_RESULTS.name], derived[QA_RESULTS.name]
        done = 0
        for batch in conversations(_batches(workspace, turns)):
            checked: list[Checked] = []
            for conversation in batch:
                rulesets = applying(prepared, conversation)
                if not rulesets:
                    summary.not_covered += 1
                    continue
                one = [check_conversation(conversation, p, checked_at) for p in rulesets]
                summary.add(conversation.vendor, one)
                checked += one
            results.write([row for one in checked for row in one.rule_rows])  # one Parquet row group per batch
            scores.write([one.score_row for one in checked])
            done += len(batch)
            progress(done, total)
        if not summary.interactions:
            raise AutoQaError(f"no ruleset applies to the {total:,} interactions with a transcript in {label}")
        stale = StaleResults(results.path, scores.path, start, end, vendors)
        stored = derived.store(prepare=stale.remove)
    _check_nothing_rejected(stored)
    summary.rows_stored = stored.total("stored")
    summary.rows_removed = stale.removed
    summary.run_ids = [stored.run_id]
    return summary


def _check_nothing_rejected(stored: ImportSummary) -> None:
    """A rejected result would leave the stored scores quietly incomplete: say so, loudly."""
    rejected = stored.total("rejected")
    if rejected:
        raise AutoQaError(
            f"{rejected:,} AutoQA result rows were rejected on import (run {stored.run_id}), so the stored "
            f"results are incomplete; see {stored.reject_report}"
        )


@dataclass
class StaleResults:
    """The run's scope: earlier AutoQA rows there that the new results do not hold are deleted.

    The scope is the interactions the run selects (period and vendors); in `qa_results` that is
    the rows whose `evaluated_at` (the interaction's `created_at`) and vendor fall in it. Rows the
    run produces again are left to the import, so its counts still say updated or unchanged.
    """

    results: Path
    """The new autoqa_results rows (Parquet)."""
    scores: Path
    """The new qa_results rows (Parquet)."""
    start: datetime | None
    end: datetime | None
    vendors: Sequence[str]
    removed: int = 0

    def remove(self, connection: DuckDBPyConnection) -> None:
        """Delete the stale rows of both tables (runs inside the import's transaction)."""
        results, scores = (f"read_parquet({literal(str(path))})" for path in (self.results, self.scores))
        interaction = "i.interaction_id = x.interaction_id AND i.source = coalesce(x.interaction_source, i.source)"
        where, parameters = self._selected("i.created_at", "i.vendor")
        statements = [
            (
                f"DELETE FROM {AUTOQA_RESULTS.name} x WHERE x.source = ? "
                # Rows written before interaction_source existed match their interaction by id alone.
                + (f"AND EXISTS (SELECT 1 FROM interactions i WHERE {interaction}{where}) " if where else "")
                + f"AND NOT EXISTS (SELECT 1 FROM {results} n WHERE n.interaction_source = x.interaction_source "
                "AND n.interaction_id = x.interaction_id AND n.ruleset = x.ruleset AND n.rule = x.rule)",
                [AUTOQA_SOURCE, *parameters],
            ),
        ]
        where, parameters = self._selected("x.evaluated_at", "x.vendor")
        statements.append(
            (
                f"DELETE FROM {QA_RESULTS.name} x WHERE x.source = ? AND x.sample = 'autoqa'{where} "
                f"AND NOT EXISTS (SELECT 1 FROM {scores} n WHERE n.evaluation_id = x.evaluation_id)",
                [AUTOQA_SOURCE, *parameters],
            )
        )
        for sql, values in statements:
            row = connection.execute(sql, values).fetchone()
            self.removed += int(row[0]) if row else 0

    def _selected(self, at: str, vendor: str) -> tuple[str, list[object]]:
        """SQL conditions (each starting with AND) for the period and vendors, and their parameters."""
        where, parameters = "", list[object]()
        if self.start is not None and self.end is not None:
            where += f" AND {at} >= ? AND {at} < ?"
            parameters += [self.start, self.end]
        if self.vendors:
            where += f" AND {vendor} IN ({', '.join('?' for _ in self.vendors)})"
            parameters += list(self.vendors)
        return where, parameters


def _batches(workspace: Workspace, turns: ir.Table) -> pa.RecordBatchReader:
    """The turns as a stream of Arrow record batches.

    Ibis 12's `to_pyarrow_batches` calls a DuckDB method that DuckDB 2 renamed, so the compiled query
    runs on the warehouse's DuckDB connection (which the import of the results needs anyway).
    """
    sql = ibis.to_sql(turns, dialect="duckdb")
    reader: pa.RecordBatchReader = workspace.warehouse.sql_connection.sql(str(sql)).to_arrow_reader(BATCH_TURNS)
    return reader


def _rulesets(workspace: Workspace) -> list[Ruleset]:
    loaded = workspace.autoqa_rulesets
    if loaded.issues:
        raise AutoQaError("fix the AutoQA rulesets first:\n" + "\n".join(map(str, loaded.issues)))
    if not loaded.rulesets:
        raise AutoQaError("no AutoQA rulesets in definitions/autoqa/ (see docs/qa.md#autoqa)")
    return list(loaded.rulesets.values())


def _window(workspace: Workspace, period: str | None) -> tuple[str, datetime | None, datetime | None]:
    """The period's label and its [start, end) as naive UTC instants; no bounds for all."""
    if period is None or period == ALL:
        return ALL, None, None
    try:
        resolved, _ = resolve_period(period, workspace)
    except ScorecardError as error:
        raise AutoQaError(str(error)) from None
    start, end = Periods(workspace.settings.reporting_timezone).bounds(resolved.first, resolved.last_day)
    return resolved.label, start, end


def _turns(workspace: Workspace, start: datetime | None, end: datetime | None, vendors: Sequence[str]) -> ir.Table:
    """Every turn with its interaction's fields, ordered by source, interaction and turn.

    A transcript belongs to the interaction with its id, from the same source when several sources
    hold that id (transcripts often come from another system than the tickets).
    """
    i = workspace.warehouse.table("interactions")
    if start is not None and end is not None:
        i = i.filter(i.created_at >= ibis.timestamp(start), i.created_at < ibis.timestamp(end))
    if vendors:
        i = i.filter(i.vendor.isin(list(vendors)))
    i = i.select(
        i_source=i.source,
        i_id=i.interaction_id,
        vendor=i.vendor,
        queue=i.queue,
        channel=i.channel,
        language=i.language,
        agent_id=i.agent_id,
        created_at=i.created_at,
    )
    t = workspace.warehouse.table("transcripts")
    t = t.select("source", "interaction_id", "turn", "speaker", "at", "text")
    joined = t.join(i, t.interaction_id == i.i_id)
    preference = ibis.row_number().over(
        group_by=[joined.source, joined.interaction_id, joined.turn],
        order_by=[(joined.i_source != joined.source).cast("int8"), joined.i_source],
    )
    chosen = joined.mutate(preference=preference)
    chosen = chosen.filter(chosen.preference == 0).drop("preference", "i_id")
    # Two transcript sources may claim the same interaction: one is checked (its own source's first),
    # or both would store results under the same interaction key.
    claim = ibis.dense_rank().over(
        group_by=[chosen.i_source, chosen.interaction_id],
        order_by=[(chosen.source != chosen.i_source).cast("int8"), chosen.source],
    )
    chosen = chosen.mutate(claim=claim)
    chosen = chosen.filter(chosen.claim == 0).drop("claim").rename(interaction_source="i_source")
    return chosen.order_by(["source", "interaction_id", "turn"])
