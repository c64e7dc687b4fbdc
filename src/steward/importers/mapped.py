"""Any CSV export, reshaped by a mapping file (--mapping) into one canonical table.

The mapping (steward.definitions.mapping) renames columns, maps values, reads timestamps
written in a local format, adds constants and says which columns identify customers.
Per record, in this order: value maps (exact spelling first, then ignoring case and spaces),
timestamp formats (a value that does not match makes the record a problem naming the field,
and the record is not staged), pseudonymisation, then constants for unmapped columns.

Precedence: --source, else the mapping's `source`, else "mapped"; --timezone, else the
mapping's `timezone`; vendor from the mapped column, else --vendor, else the constant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from steward.definitions.mapping import Mapping, load_mapping
from steward.importers.base import ImportContext, ImportOptions, StagedTable, UnreadableFile
from steward.importers.csv_export import CsvExport, CsvRecord, normalised, read_csv_export
from steward.importers.staged_rows import StagedRows


class MappedImporter:
    """A CSV export described by a mapping file."""

    name: ClassVar[str] = "mapped"
    description: ClassVar[str] = "any CSV export, described by a mapping file (--mapping)"

    def sniff(self, path: Path) -> float:
        # Only chosen on request (--importer mapped or --mapping): any CSV would otherwise match.
        return 0.0

    def stage(self, path: Path, context: ImportContext) -> Iterator[StagedTable]:
        mapping = mapping_for(context.options)
        export = read_csv_export(path, delimiter=mapping.delimiter, expected="a CSV export with a header line")
        plan = _Plan(mapping, export, context)
        rows = StagedRows(mapping.table, plan.staged_columns)
        rows.reject_all(export.problems)
        for record in export.records:
            values, problems = plan.reshape(record)
            for field, reason in problems:
                rows.reject(record.row, field, reason, export.raw(record, plan.personal))
            if not problems:
                rows.add(record.row, values, export.raw(record, plan.personal))
        options = context.options
        source = options.source or mapping.source or self.name
        yield rows.staged(path, timezone=options.timezone or mapping.timezone, default_source=source)


def mapping_for(options: ImportOptions) -> Mapping:
    """The validated mapping named by --mapping; UnreadableFile listing every problem otherwise."""
    if options.mapping is None:
        raise UnreadableFile("the mapped importer needs a mapping file: pass --mapping FILE.yaml")
    loaded = load_mapping(options.mapping)
    if not isinstance(loaded, Mapping):
        listed = "\n".join(f"  {issue}" for issue in loaded)
        raise UnreadableFile(f"{options.mapping}: the mapping cannot be used ({len(loaded)} problem(s)):\n{listed}")
    if options.table and options.table != loaded.table:
        raise UnreadableFile(
            f"{options.mapping}: the mapping is for table {loaded.table!r} but --table {options.table} was given"
        )
    return loaded


class _Plan:
    """The mapping applied to this file's header: which cell feeds which canonical column."""

    def __init__(self, mapping: Mapping, export: CsvExport, context: ImportContext) -> None:
        self.mapping = mapping
        self.context = context
        self.sources = {name: export.column(header) for name, header in mapping.columns.items()}
        missing = [f"{header!r} (for {name})" for name, header in mapping.columns.items() if self.sources[name] is None]
        if missing:
            raise UnreadableFile(
                f"{export.path}: the mapping {mapping_name(context)} names column(s) that are not in the header: "
                f"{', '.join(missing)}; the header has: {', '.join(export.header)}"
            )
        self.value_maps = {name: _value_map(pairs) for name, pairs in mapping.values.items()}
        self.formats = {name: mapping.timestamp_format(name) for name in mapping.columns}
        self.pseudonymised = set(mapping.pseudonymise or ())
        self.personal = [self.sources[name] for name in self.pseudonymised if name in self.sources]
        has_vendor = "vendor" in mapping.canonical_table.column_names
        extra = ["vendor"] if has_vendor and context.options.vendor else []
        self.staged_columns = list(dict.fromkeys([*mapping.columns, *mapping.constants, *extra]))

    def reshape(self, record: CsvRecord) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
        values: dict[str, str | None] = {}
        problems: list[tuple[str, str]] = []
        for name, index in self.sources.items():
            value = record.fields[index].strip() if index is not None else ""
            value = self._mapped_value(name, value) if value else ""
            fmt = self.formats.get(name)
            if value and fmt:
                converted = _iso_timestamp(value, fmt)
                if converted is None:
                    problems.append((name, f"{value!r} does not match format {fmt!r}"))
                value = converted or value
            values[name] = self.context.pseudonymise(value or None) if name in self.pseudonymised else value or None
        for name, constant in self.mapping.constants.items():
            values[name] = self.context.pseudonymise(constant) if name in self.pseudonymised else constant
        if "vendor" in self.staged_columns:
            from_row = values.get("vendor") if "vendor" in self.sources else None
            values["vendor"] = from_row or self.context.options.vendor or self.mapping.constants.get("vendor")
        return values, problems

    def _mapped_value(self, name: str, value: str) -> str:
        exact, loose = self.value_maps.get(name, ({}, {}))
        return exact.get(value) or loose.get(normalised(value)) or value


def mapping_name(context: ImportContext) -> str:
    return str(context.options.mapping) if context.options.mapping else "(none)"


def _value_map(pairs: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    return dict(pairs), {normalised(key): target for key, target in pairs.items()}


def _iso_timestamp(value: str, fmt: str) -> str | None:
    """ISO 8601 text of a timestamp in `fmt`; with an offset only when the format reads one (%z)."""
    try:
        return datetime.strptime(value, fmt).isoformat()
    except ValueError:
        return None
