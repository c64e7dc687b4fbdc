"""Typing and validation rules of the canonical schema, compiled to DuckDB SQL.

Validation runs in two passes so each value is parsed once, inside the engine:

1. *typing*: every staged value becomes its canonical type (`t__x`); the original text is
   kept only where parsing failed (`r__x`), and local wall-clock times that a DST change
   skips or repeats are flagged (`l__x`);
2. *checking*: cheap predicates over those columns find the bad rows; the reasons are
   spelled out only for them.

Timestamps become naive UTC. An explicit offset (Z, +01:00, +0100, +01) wins; otherwise
the declared time zone applies; with neither, the value is rejected rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from steward.domain.canonical import Column, ColumnType, Table

Sql = str

MACROS = (
    # Length of a trailing UTC offset: Z (1), +hh:mm (6), +hhmm (5), +hh (3), none (0).
    "CREATE OR REPLACE TEMP MACRO st_offset_len(x) AS CASE "
    "WHEN right(x, 1) IN ('Z', 'z') THEN 1 "
    "WHEN length(x) > 19 AND substr(x, -6, 1) IN ('+', '-') AND substr(x, -3, 1) = ':' THEN 6 "
    "WHEN length(x) > 19 AND substr(x, -5, 1) IN ('+', '-') AND substr(x, -3, 1) <> ':' THEN 5 "
    "WHEN length(x) > 19 AND substr(x, -3, 1) IN ('+', '-') THEN 3 ELSE 0 END",
    "CREATE OR REPLACE TEMP MACRO st_offset_seconds(x, k) AS CASE "
    "WHEN k = 1 THEN 0 "
    "WHEN k = 6 THEN (CASE WHEN substr(x, -6, 1) = '-' THEN -1 ELSE 1 END) "
    "  * (TRY_CAST(substr(x, -5, 2) AS INTEGER) * 3600 + TRY_CAST(substr(x, -2, 2) AS INTEGER) * 60) "
    "WHEN k = 5 THEN (CASE WHEN substr(x, -5, 1) = '-' THEN -1 ELSE 1 END) "
    "  * (TRY_CAST(substr(x, -4, 2) AS INTEGER) * 3600 + TRY_CAST(substr(x, -2, 2) AS INTEGER) * 60) "
    "WHEN k = 3 THEN (CASE WHEN substr(x, -3, 1) = '-' THEN -1 ELSE 1 END) "
    "  * TRY_CAST(substr(x, -2, 2) AS INTEGER) * 3600 "
    "END",
    # DuckDB's own cast silently drops offsets, so it only ever sees the local part.
    "CREATE OR REPLACE TEMP MACRO st_with_offset(x, k) AS "
    "TRY_CAST(rtrim(left(x, length(x) - k)) AS TIMESTAMP) - to_seconds(st_offset_seconds(x, k))",
    # A local time must end in a digit: DuckDB's cast would also drop a trailing zone name.
    "CREATE OR REPLACE TEMP MACRO st_plain(x) AS "
    "CASE WHEN right(x, 1) BETWEEN '0' AND '9' THEN TRY_CAST(x AS TIMESTAMP) END",
    "CREATE OR REPLACE TEMP MACRO st_local_to_utc(ts, tz) AS timezone('UTC', timezone(tz, ts))",
    "CREATE OR REPLACE TEMP MACRO st_utc_to_local(ts, tz) AS timezone(tz, timezone('UTC', ts))",
    "CREATE OR REPLACE TEMP MACRO st_bool(x) AS CASE lower(trim(x)) "
    "WHEN 'true' THEN true WHEN 't' THEN true WHEN '1' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true "
    "WHEN 'false' THEN false WHEN 'f' THEN false WHEN '0' THEN false WHEN 'no' THEN false WHEN 'n' THEN false END",
    "CREATE OR REPLACE TEMP MACRO st_shown(x) AS CASE WHEN length(x) > 60 THEN left(x, 57) || '...' ELSE x END",
    "CREATE OR REPLACE TEMP MACRO st_number(x) AS regexp_replace(CAST(x AS VARCHAR), '\\.0$', '')",
)


def quote(name: str) -> Sql:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> Sql:
    return "'" + text.replace("'", "''") + "'"


def typed_name(column: str) -> str:
    return f"t__{column}"


@dataclass(frozen=True)
class Check:
    """A rule: rows of the typed table `c` where `failed` holds are rejected for `reason` (SQL text)."""

    field: str
    failed: Sql
    reason: Sql


@dataclass(frozen=True)
class StagedColumn:
    """A staged column and its engine type ('VARCHAR' for text)."""

    name: str
    engine_type: str
    utc: bool = False
    """A naive TIMESTAMP the reader already parsed from a UTC instant ('...Z')."""

    @property
    def is_text(self) -> bool:
        return self.engine_type == "VARCHAR"

    @property
    def is_instant(self) -> bool:
        return self.engine_type.startswith("TIMESTAMP WITH TIME ZONE") or self.utc


class ColumnRules:
    """SQL that types one canonical column from its staged form (source alias `s`) and checks it."""

    def __init__(self, column: Column, staged: StagedColumn | None, timezone: str | None) -> None:
        self.column = column
        self.staged = staged
        self.timezone = timezone
        self.raw: Sql = f"s.{quote(column.name)}"
        if staged is not None and staged.is_text:
            self.raw = f"NULLIF(trim(s.{quote(column.name)}), '')" if self.keeps_text() else self.raw

    def keeps_text(self) -> bool:
        """Typed columns keep their original text where parsing fails; free text is its own value."""
        return self.column.type is not ColumnType.STRING

    @property
    def t(self) -> Sql:
        return f"c.{quote(typed_name(self.column.name))}"

    @property
    def r(self) -> Sql:
        return f"c.{quote('r__' + self.column.name)}"

    @property
    def local(self) -> Sql:
        return f"c.{quote('l__' + self.column.name)}"

    def select(self) -> list[Sql]:
        """Expressions of the typed table for this column."""
        typed = self.typed()
        out = [f"{typed} AS {quote(typed_name(self.column.name))}"]
        if self.keeps_text():
            failed = "CAST(NULL AS VARCHAR)"  # a typed source cannot fail to type
            if self.staged is not None and self.staged.is_text:
                failed = f"CASE WHEN {self.raw} IS NOT NULL AND {typed} IS NULL THEN {self.raw} END"
            out.append(f"{failed} AS {quote('r__' + self.column.name)}")
        if self.column.type is ColumnType.TIMESTAMP:
            flag = self._local_flag(typed) if self._checks_local_time() else "CAST(NULL AS VARCHAR)"
            out.append(f"{flag} AS {quote('l__' + self.column.name)}")
        return out

    def typed(self) -> Sql:
        """The value in the canonical type, NULL when absent or unparseable."""
        if self.staged is None:
            return "NULL"
        kind, raw = self.column.type, self.raw
        if kind is ColumnType.STRING:
            return self._typed_string(self.staged)
        if kind is ColumnType.TIMESTAMP:
            return self._typed_timestamp(self.staged)
        if kind is ColumnType.BOOLEAN:
            return f"st_bool({raw})" if self.staged.is_text else f"CAST({raw} AS BOOLEAN)"
        return f"TRY_CAST({raw} AS {'DOUBLE' if kind is ColumnType.NUMBER else 'BIGINT'})"

    def _typed_string(self, staged: StagedColumn) -> Sql:
        value = self.raw if staged.is_text else f"CAST({self.raw} AS VARCHAR)"
        if self.column.redacted:
            return f"st_redact({value})"  # registered by steward.storage.redaction
        if not self.column.allowed:
            return value
        allowed = ", ".join(literal(v) for v in self.column.allowed)
        return f"CASE WHEN {value} IN ({allowed}) THEN {value} ELSE lower(trim({value})) END"

    def _typed_timestamp(self, staged: StagedColumn) -> Sql:
        raw, engine_type = self.raw, staged.engine_type
        if staged.utc:
            return raw
        if staged.is_instant:
            return f"timezone('UTC', {raw})"
        if engine_type.startswith("TIMESTAMP") or engine_type == "DATE":
            return self._from_local(f"CAST({raw} AS TIMESTAMP)")
        # 'Z' is by far the most common form of exported instants: keep it on the fast path.
        return (
            f"CASE WHEN right({raw}, 1) = 'Z' THEN TRY_CAST({raw} AS TIMESTAMP) "
            f"WHEN st_offset_len({raw}) > 0 THEN st_with_offset({raw}, st_offset_len({raw})) "
            f"ELSE {self._from_local(f'st_plain({raw})')} END"
        )

    def _from_local(self, naive: Sql) -> Sql:
        if self.timezone is None:
            return "NULL"
        if self.timezone.upper() == "UTC":
            return naive
        return f"st_local_to_utc({naive}, {literal(self.timezone)})"

    def _local_zone(self) -> bool:
        """Wall-clock times are interpreted in a zone with daylight-saving changes (the flags may be set)."""
        return self.column.type is ColumnType.TIMESTAMP and self.timezone is not None and self.timezone.upper() != "UTC"

    def _checks_local_time(self) -> bool:
        return (
            self.column.type is ColumnType.TIMESTAMP
            and self.staged is not None
            and not self.staged.is_instant
            and self.timezone is not None
            and self.timezone.upper() != "UTC"
        )

    def _local_flag(self, typed: Sql) -> Sql:
        """'gap' for wall-clock times a DST change skips, 'repeat' for ones it repeats."""
        tz = literal(self.timezone or "UTC")
        if self.staged is not None and self.staged.is_text:
            local, no_offset = f"st_plain({self.raw})", f"st_offset_len({self.raw}) = 0"
        else:
            local, no_offset = f"CAST({self.raw} AS TIMESTAMP)", "true"
        return (
            f"CASE WHEN NOT ({no_offset}) OR {typed} IS NULL THEN NULL "
            f"WHEN st_utc_to_local({typed}, {tz}) <> {local} THEN 'gap|' || strftime({local}, '%Y-%m-%d %H:%M:%S') "
            f"WHEN st_utc_to_local({typed} - INTERVAL 1 HOUR, {tz}) = {local} "
            f"OR st_utc_to_local({typed} + INTERVAL 1 HOUR, {tz}) = {local} "
            f"THEN 'repeat|' || strftime({local}, '%Y-%m-%d %H:%M:%S') END"
        )

    def checks(self) -> list[Check]:
        """Every rule for this column, over the typed table `c`."""
        name, column, t = self.column.name, self.column, self.t
        present = self.staged is not None
        has_raw = present and self.keeps_text()
        rules: list[Check] = []
        if column.required:
            missing = f"{t} IS NULL AND {self.r} IS NULL" if has_raw else f"{t} IS NULL"
            rules.append(Check(name, missing, literal("required value is missing")))
        if not present:
            return rules
        if has_raw:
            rules.append(Check(name, f"{self.r} IS NOT NULL", self._parse_reason()))
        if column.type is ColumnType.NUMBER:
            # 'nan' and 'inf' parse as doubles but are never a valid duration or amount.
            rules.append(Check(name, f"NOT isfinite({t})", f"'''' || CAST({t} AS VARCHAR) || ''' is not a number'"))
        if column.allowed:
            allowed = ", ".join(literal(v) for v in column.allowed)
            rules.append(
                Check(
                    name,
                    f"{t} NOT IN ({allowed})",
                    f"'''' || st_shown({t}) || ''' is not one of: {', '.join(column.allowed)}'",
                )
            )
        if column.minimum is not None:
            rules.append(
                Check(name, f"{t} < {column.minimum}", f"st_number({t}) || ' is below the minimum {column.minimum:g}'")
            )
        if column.maximum is not None:
            rules.append(
                Check(name, f"{t} > {column.maximum}", f"st_number({t}) || ' is above the maximum {column.maximum:g}'")
            )
        if self._local_zone():
            zone = self.timezone
            skipped = "(skipped by a daylight-saving change)"
            repeated = "(repeated by a daylight-saving change); give an offset"
            rules.append(
                Check(
                    name,
                    f"starts_with({self.local}, 'gap|')",
                    f"'''' || substr({self.local}, 5) || ''' does not exist in {zone} {skipped}'",
                )
            )
            rules.append(
                Check(
                    name,
                    f"starts_with({self.local}, 'repeat|')",
                    f"'''' || substr({self.local}, 8) || ''' is ambiguous in {zone} {repeated}'",
                )
            )
        return rules

    def _parse_reason(self) -> Sql:
        shown = f"st_shown({self.r})"
        if self.column.type is ColumnType.TIMESTAMP and self.timezone is None:
            return (
                f"CASE WHEN st_offset_len({self.r}) = 0 AND st_plain({self.r}) IS NOT NULL "
                f"THEN 'no time zone in ''' || {shown} || ''': add an offset (Z, +01:00) or pass --timezone' "
                f"ELSE '''' || {shown} || ''' is not a valid timestamp' END"
            )
        article = {
            ColumnType.TIMESTAMP: "a valid timestamp",
            ColumnType.INTEGER: "a whole number",
            ColumnType.NUMBER: "a number",
            ColumnType.BOOLEAN: "true or false",
        }[self.column.type]
        return f"'''' || {shown} || ''' is not {article}'"


def table_rules(table: Table, staged: dict[str, StagedColumn], timezone: str | None) -> list[ColumnRules]:
    return [
        ColumnRules(column, staged.get(column.name), timezone) for column in table.columns if column.name != "source"
    ]


def time_order_checks(table: Table, present: set[str]) -> list[Check]:
    """Cross-column rules, e.g. first response not before creation."""

    def typed(name: str) -> Sql:
        return f"c.{quote(typed_name(name))}"

    return [
        Check(
            rule.later,
            f"{typed(rule.later)} < {typed(rule.earlier)}",
            f"'{rule.later} ' || strftime({typed(rule.later)}, '%Y-%m-%dT%H:%M:%SZ') || ' is before {rule.earlier} ' "
            f"|| strftime({typed(rule.earlier)}, '%Y-%m-%dT%H:%M:%SZ')",
        )
        for rule in table.time_order
        if rule.earlier in present and rule.later in present
    ]
