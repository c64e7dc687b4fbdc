"""Stage, validate and store one canonical table inside a DuckDB transaction.

The caller opens the transaction; everything here lands together or not at all. Each
source row is parsed once into a typed table; bad rows are found with cheap predicates
over it and written to `import_rejects` with row, field and reason; good rows are
inserted, updated (same key, different values) or left unchanged. The counts reconcile:
read = inserted + updated + unchanged + rejected.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from duckdb import DuckDBPyConnection

from steward.domain.canonical import ColumnType, Table
from steward.storage.checks import (
    MACROS,
    StagedColumn,
    literal,
    quote,
    table_rules,
    time_order_checks,
    typed_name,
)
from steward.storage.redaction import FUNCTION as REDACT
from steward.storage.redaction import redact_text, redacts, register_redaction
from steward.storage.warehouse import LINEAGE_COLUMN, REJECTS_TABLE

ROW, RAW = "_row", "_raw"
_names = itertools.count()


class StagingError(Exception):
    """The staged data cannot be stored at all (for example a required column is missing)."""


@dataclass
class TableOutcome:
    """Counts for one canonical table of one import."""

    table: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def reconciles(self) -> bool:
        return self.read == self.stored + self.rejected


@dataclass(frozen=True)
class Problem:
    """A reason a record could not be stored: row, field and reason (and the record's text)."""

    row: int | None
    field: str | None
    reason: str
    raw: str | None = None


class Staging:
    """One canonical table being imported on a DuckDB connection that is inside a transaction."""

    def __init__(
        self,
        connection: DuckDBPyConnection,
        table: Table,
        *,
        run_id: int,
        file: Path,
        timezone: str | None,
        source: str,
    ) -> None:
        self.con = connection
        self.table = table
        self.run_id = run_id
        self.file = str(file)
        self.timezone = timezone
        self.source = source
        suffix = str(next(_names))
        self.typed, self.bad, self.shifts = f"st_typed_{suffix}", f"st_bad_{suffix}", f"st_shift_{suffix}"
        self.suffix = suffix
        self.outcome = TableOutcome(table.name)
        self.has_raw = False
        self.csv_first_rowid: int | None = None
        for macro in MACROS:
            self.con.execute(macro)
        self.redacts = redacts(table)
        if self.redacts:
            register_redaction(self.con)

    # -- reading: one pass from the source into the typed table ------------------------------
    def load_csv(self, path: Path, encoding: str, header: list[str]) -> None:
        """Read a native CSV (RFC 4180) in two paths.

        The fast path lets the engine's CSV reader type every column, with UTC instants in
        the canonical `...Z` form; lines it refuses are re-read as text and typed by the
        general rules (offsets, declared time zones, yes/no booleans, ...), so unusual but
        valid values cost time only where they occur. Malformed lines become problems.
        """
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            raise StagingError(f"{path}: the header names a column more than once: {', '.join(duplicated)}")
        rejects, scans = f"st_rej_{self.suffix}", f"st_scan_{self.suffix}"
        engine_types = {name: self._reader_type(name) for name in header}
        columns = "{" + ", ".join(f"{literal(name)}: {literal(kind)}" for name, kind in engine_types.items()) + "}"
        source = (
            f"read_csv({literal(str(path))}, header = true, auto_detect = false, columns = {columns}, "
            f"timestampformat = '%Y-%m-%dT%H:%M:%SZ', delim = ',', quote = '\"', escape = '\"', comment = '', "
            f"store_rejects = true, rejects_table = {literal(rejects)}, rejects_scan = {literal(scans)}, "
            f"encoding = {literal(encoding)})"
        )
        staged = {name: StagedColumn(name, kind, utc=kind == "TIMESTAMP") for name, kind in engine_types.items()}
        self._type_rows(source, staged, row="CAST(NULL AS BIGINT)")
        lines = self.con.execute(
            f"SELECT line, bool_and(error_type = 'CAST'), any_value(column_name), "
            f"string_agg(DISTINCT error_type || ': ' || error_message, '; '), any_value(csv_line) "
            f"FROM {rejects} GROUP BY line ORDER BY line"
        ).fetchall()
        self._record_csv_shifts([int(line) for line, *_ in lines])
        retyped = [(int(line), str(text)) for line, cast_only, _, _, text in lines if cast_only]
        self.add_problems(
            [
                Problem(int(line), column, reason, text)
                for line, cast_only, column, reason, text in lines
                if not cast_only
            ]
        )
        if retyped:
            self._retype_as_text(header, retyped)
        self.con.execute(f"DROP TABLE {rejects}")
        self.con.execute(f"DROP TABLE {scans}")

    def _reader_type(self, name: str) -> str:
        if name not in self.table.column_names:
            return "VARCHAR"
        return {
            ColumnType.TIMESTAMP: "TIMESTAMP",
            ColumnType.INTEGER: "BIGINT",
            ColumnType.NUMBER: "DOUBLE",
            ColumnType.BOOLEAN: "BOOLEAN",
        }.get(self.table.column(name).type, "VARCHAR")

    def _retype_as_text(self, header: list[str], lines: list[tuple[int, str]]) -> None:
        """Type the lines the fast reader refused, from their text, into the same typed table."""
        values: dict[str, list[str | None]] = {name: [] for name in header}
        for _, text in lines:
            record = next(csv.reader(io.StringIO(text)), [])
            for index, name in enumerate(header):
                values[name].append(record[index] if index < len(record) and record[index] != "" else None)
        arrays = {name: pa.array(column, type=pa.string()) for name, column in values.items()}
        arrays[ROW] = pa.array([line for line, _ in lines], type=pa.int64())
        view = f"st_text_{self.suffix}"
        self.con.register(view, pa.table(arrays))
        try:
            staged = {name: StagedColumn(name, "VARCHAR") for name in header}
            rules = table_rules(
                self.table, {k: v for k, v in staged.items() if k in self.table.column_names}, self.timezone
            )
            select = [self._source_value(staged), f"s.{ROW}"] + [e for rule in rules for e in rule.select()]
            self.con.execute(f"INSERT INTO {self.typed} SELECT {', '.join(select)} FROM {view} s")
        finally:
            self.con.unregister(view)

    def _record_csv_shifts(self, rejected_lines: list[int]) -> None:
        """CSV row numbers come from positions; lines the reader rejected shift the ones after them."""
        first = self._count(f"SELECT coalesce(min(rowid), 0) FROM {self.typed}")
        self.csv_first_rowid = int(first)
        self.con.execute(f"CREATE TEMP TABLE {self.shifts} (threshold BIGINT, shift BIGINT)")
        thresholds = [(line - 2 - position, position + 1) for position, line in enumerate(rejected_lines)]
        if thresholds:
            self.con.executemany(f"INSERT INTO {self.shifts} VALUES (?, ?)", thresholds)

    def load_parquet(self, path: Path) -> None:
        source = f"read_parquet({literal(str(path))}, file_row_number = true)"
        described = self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        staged = {str(name): StagedColumn(str(name), str(kind)) for name, kind, *_ in described}
        self._type_rows(source, staged, row="s.file_row_number + 1")

    def load_arrow(self, arrow: pa.Table) -> None:
        view = f"st_arrow_{self.suffix}"
        self.con.register(view, arrow)
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
            staged = {str(name): StagedColumn(str(name), str(kind)) for name, kind, *_ in described}
            self._type_rows(view, staged, row=f"s.{ROW}" if ROW in staged else None)
        finally:
            self.con.unregister(view)

    def _type_rows(self, source: str, staged: dict[str, StagedColumn], row: str | None) -> None:
        names = set(self.table.column_names)
        self.outcome.ignored_columns = sorted(
            n for n in staged if n not in names and n not in (ROW, RAW, "file_row_number")
        )
        missing = [c for c in self.table.required if c not in staged]
        if missing:
            raise StagingError(
                f"{self.file}: required column(s) missing for table {self.table.name}: {', '.join(missing)}"
            )
        self.rules = table_rules(self.table, {k: v for k, v in staged.items() if k in names}, self.timezone)
        extras = [f"{row or 'CAST(NULL AS BIGINT)'} AS {ROW}"]
        if RAW in staged:
            extras.append(f"s.{RAW} AS {RAW}")
            self.has_raw = True
        select = [self._source_value(staged), *extras]
        select += [expression for rule in self.rules for expression in rule.select()]
        self.con.execute(f"CREATE TEMP TABLE {self.typed} AS SELECT {', '.join(select)} FROM {source} s")

    def _source_value(self, staged: dict[str, StagedColumn]) -> str:
        value = literal(self.source)
        if "source" in staged:
            value = f"coalesce(NULLIF(trim(CAST(s.source AS VARCHAR)), ''), {value})"
        return f"{value} AS {quote(typed_name('source'))}"

    def add_problems(self, problems: list[Problem]) -> None:
        """Records rejected before typing (unreadable lines, unreshapeable records)."""
        if not problems:
            return
        if self.redacts:
            problems = [Problem(p.row, p.field, redact_text(p.reason) or "", redact_text(p.raw)) for p in problems]
        self.con.executemany(
            f"INSERT INTO {REJECTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self.run_id, self.table.name, self.file, p.row, p.field, p.reason, p.raw) for p in problems],
        )
        rows = len({p.row for p in problems})
        self.outcome.read += rows
        self.outcome.rejected += rows

    def row_number(self, alias: str) -> str:
        """SQL for the source row number (header = row 1) of the typed row `alias`."""
        if self.csv_first_rowid is None:
            return f"{alias}.{ROW}"
        position = f"({alias}.rowid - {self.csv_first_rowid})"
        shift = f"coalesce((SELECT max(shift) FROM {self.shifts} WHERE threshold <= {position}), 0)"
        return f"coalesce({alias}.{ROW}, {position} + 2 + {shift})"

    # -- checking -------------------------------------------------------------------------------
    def validate(self) -> None:
        """Find the rows that break a rule and write every broken rule of each to the rejects table."""
        present = {r.column.name for r in self.rules if r.staged is not None}
        self.checks = [c for r in self.rules for c in r.checks()] + time_order_checks(self.table, present)
        failed = " OR ".join(f"coalesce({c.failed}, false)" for c in self.checks) or "false"
        self.con.execute(f"CREATE TEMP TABLE {self.bad} AS SELECT c.rowid AS rid FROM {self.typed} c WHERE {failed}")
        read = self._count(f"SELECT count(*) FROM {self.typed}")
        bad = self._count(f"SELECT count(*) FROM {self.bad}")
        self.outcome.read += int(read)
        self.outcome.rejected += int(bad)
        if bad:
            self._write_reasons()

    def _write_reasons(self) -> None:
        problems = ", ".join(
            f"CASE WHEN coalesce({c.failed}, false) THEN {{'field': {literal(c.field)}, 'reason': {c.reason}}} END"
            for c in self.checks
        )
        self.con.execute(
            f"INSERT INTO {REJECTS_TABLE} SELECT {self.run_id}, {literal(self.table.name)}, {literal(self.file)}, "
            f"row_number, p.field, {self._redacted('p.reason')}, record "
            f"FROM (SELECT {self.row_number('c')} AS row_number, "
            f"{self._record('c')} AS record, unnest(list_filter([{problems}], lambda x: x IS NOT NULL)) AS p "
            f"FROM {self.typed} c WHERE c.rowid IN (SELECT rid FROM {self.bad}))"
        )

    def _record(self, alias: str) -> str:
        """The rejected record as text (the original when the importer kept it, else JSON), redacted as the table is."""
        if self.has_raw:
            return self._redacted(f"{alias}.{RAW}")
        values = []
        for rule in self.rules:
            if rule.staged is None:
                continue
            typed = f"CAST({alias}.{quote(typed_name(rule.column.name))} AS VARCHAR)"
            original = f"coalesce({alias}.{quote('r__' + rule.column.name)}, {typed})" if rule.keeps_text() else typed
            values.append(f"{quote(rule.column.name)} := {original}")
        if not values:
            return "NULL"
        # `r__<col>` keeps the original text of a value that failed to type: in a transcript that is
        # often the customer's words shifted into `at` or `turn`, so the whole record is redacted.
        # Redaction only replaces digit/address runs, which cannot span JSON quotes: it stays JSON.
        return self._redacted(f"CAST(to_json(struct_pack({', '.join(values)})) AS VARCHAR)")

    def _redacted(self, text: str) -> str:
        """A reject's text through the redaction of tables holding free text (typed values already are)."""
        return f"{REDACT}({text})" if self.redacts else text

    def reject_superseded(self) -> None:
        """A key repeated within one file: the row latest in the file wins, earlier ones are rejected and named."""
        keys = [quote(typed_name(k)) for k in self.table.key]
        same_key = " AND ".join(f"c.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
        good = f"c.rowid NOT IN (SELECT rid FROM {self.bad})"
        members, duplicates = f"st_members_{self.suffix}", f"st_dup_{self.suffix}"
        # Row numbers are worked out only for rows whose key repeats: file order is not rowid order
        # once lines refused by the fast reader have been re-typed and appended.
        self.con.execute(
            f"CREATE TEMP TABLE {members} AS SELECT c.rowid AS rid, {self.row_number('c')} AS row_number, "
            f"{', '.join(f'c.{k}' for k in keys)} "
            f"FROM {self.typed} c JOIN (SELECT {', '.join(f'c.{k}' for k in keys)} FROM {self.typed} c WHERE {good} "
            f"GROUP BY ALL HAVING count(*) > 1) d ON {same_key} WHERE {good}"
        )
        self.con.execute(
            f"CREATE TEMP TABLE {duplicates} AS SELECT c.rid, c.row_number, d.keep FROM {members} c JOIN "
            f"(SELECT {', '.join(keys)}, max(row_number) AS keep FROM {members} GROUP BY ALL) d ON {same_key} "
            f"WHERE c.row_number < d.keep"
        )
        count = self._count(f"SELECT count(*) FROM {duplicates}")
        if count:
            key_field = literal(", ".join(k for k in self.table.key if k != "source"))
            self.con.execute(
                f"INSERT INTO {REJECTS_TABLE} SELECT {self.run_id}, {literal(self.table.name)}, {literal(self.file)}, "
                f"d.row_number, {key_field}, 'duplicate key in this file: superseded by row ' || d.keep, "
                f"{self._record('c')} FROM {duplicates} d JOIN {self.typed} c ON c.rowid = d.rid"
            )
            self.con.execute(f"INSERT INTO {self.bad} SELECT rid FROM {duplicates}")
            self.outcome.rejected += int(count)
        self.con.execute(f"DROP TABLE {duplicates}")
        self.con.execute(f"DROP TABLE {members}")

    # -- storing --------------------------------------------------------------------------------
    def store(self) -> None:
        """Insert new rows, replace changed ones, leave identical ones untouched."""
        target = quote(self.table.name)
        names = self.table.column_names
        columns = ", ".join(quote(n) for n in names)
        selected = ", ".join(f"c.{quote(typed_name(n))}" for n in names)
        # With nothing rejected, skip the anti-join: on 10M rows it costs as much as a column.
        good_rows = f"c.rowid NOT IN (SELECT rid FROM {self.bad})" if self.outcome.rejected else "true"
        good = self.outcome.read - self.outcome.rejected
        existing = self._count(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)")
        if not existing:
            self.con.execute(
                f"INSERT INTO {target} ({columns}, {LINEAGE_COLUMN}) SELECT {selected}, {self.run_id} "
                f"FROM {self.typed} c WHERE {good_rows}"
            )
            self.outcome.inserted += good
            return
        matches = f"st_match_{self.suffix}"
        same = (
            " AND ".join(
                f"c.{quote(typed_name(n))} IS NOT DISTINCT FROM x.{quote(n)}" for n in names if n not in self.table.key
            )
            or "true"
        )
        self.con.execute(
            f"CREATE TEMP TABLE {matches} AS SELECT c.rowid AS rid, ({same}) AS same FROM {self.typed} c "
            f"JOIN {target} x ON {self._key_match('c', 'x')} WHERE {good_rows}"
        )
        unchanged = self._count(f"SELECT count(*) FILTER (WHERE same) FROM {matches}")
        updated = self._count(f"SELECT count(*) FILTER (WHERE NOT same) FROM {matches}")
        if updated:
            self.con.execute(
                f"DELETE FROM {target} x USING (SELECT c.* FROM {self.typed} c JOIN {matches} m ON c.rowid = m.rid "
                f"WHERE NOT m.same) c WHERE {self._key_match('c', 'x')}"
            )
        self.con.execute(
            f"INSERT INTO {target} ({columns}, {LINEAGE_COLUMN}) SELECT {selected}, {self.run_id} FROM {self.typed} c "
            f"WHERE {good_rows} AND c.rowid NOT IN (SELECT rid FROM {matches} WHERE same)"
        )
        self.outcome.unchanged += int(unchanged)
        self.outcome.updated += int(updated)
        self.outcome.inserted += good - int(unchanged) - int(updated)
        self.con.execute(f"DROP TABLE {matches}")

    def _key_match(self, typed: str, target: str) -> str:
        return " AND ".join(
            f"{typed}.{quote(typed_name(k))} IS NOT DISTINCT FROM {target}.{quote(k)}" for k in self.table.key
        )

    def _count(self, sql: str) -> int:
        row = self.con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        for name in (self.typed, self.bad, self.shifts):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
