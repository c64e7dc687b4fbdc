"""Mapping files: how the generic `mapped` importer turns any CSV export into a canonical table.

    # mapping for an Acme Helpdesk CSV export
    table: interactions            # canonical table (default interactions)
    source: acmedesk               # value for the source column
    timezone: America/New_York     # for naive timestamps (overridden by --timezone)
    delimiter: ","                 # optional; guessed from the header when absent
    columns:                       # canonical column: source column header
      interaction_id: Ticket Number
      created_at: Opened
    timestamp_formats:             # optional strptime formats per canonical column, "*" for all
      "*": "%m/%d/%Y %I:%M %p"
    values:                        # optional value maps per canonical column
      channel: {E-mail: email, Phone call: phone}
    constants:                     # optional fixed values
      vendor: northwind
    pseudonymise: [customer_id]    # default: the table's customer columns (customer_id, referred_by)

`load_mapping` returns the model or every problem with its file and line (it never raises
for a bad file), so the command line can print them all at once.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from steward.definitions.located_yaml import DefinitionIssue, load_model
from steward.domain.canonical import TABLES, ColumnType, Table

CUSTOMER_COLUMNS = ("customer_id", "referred_by")
"""Columns holding customer identifiers: pseudonymised by default when a mapping does not say."""
ALL_TIMESTAMPS = "*"
_SAMPLE_TIME = datetime(2001, 2, 3, 4, 5, 6)


class Mapping(BaseModel):
    """A validated mapping file. Fields are declared so that later checks can see earlier ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str = Field(default="interactions", validate_default=True)
    source: str | None = None
    timezone: str | None = None
    delimiter: str | None = None
    constants: dict[str, str] = Field(default_factory=dict)
    columns: dict[str, str] = Field(default_factory=dict)
    timestamp_formats: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    pseudonymise: tuple[str, ...] | None = Field(default=None, validate_default=True)

    @property
    def canonical_table(self) -> Table:
        return TABLES[self.table]

    def timestamp_format(self, column: str) -> str | None:
        """The strptime format for a canonical timestamp column, if the mapping gives one."""
        if self.canonical_table.column(column).type is not ColumnType.TIMESTAMP:
            return None
        return self.timestamp_formats.get(column) or self.timestamp_formats.get(ALL_TIMESTAMPS)

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in TABLES:
            raise ValueError(f"unknown table {value!r}; choose one of: {', '.join(TABLES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return known_timezone(value)

    @field_validator("delimiter")
    @classmethod
    def _single_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError(f'the delimiter must be one character, not {value!r} (write a tab as "\\t")')
        return value

    @field_validator("constants")
    @classmethod
    def _constant_columns(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        raise_all(_unknown_columns(value, info))
        return value

    @field_validator("columns")
    @classmethod
    def _mapped_columns(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        errors = _unknown_columns(value, info)
        for name, header in value.items():
            if not header.strip():
                errors.append(field_error((name,), "empty_header", f"no source column header given for {name}"))
        raise_all(errors)
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _with_cross_checks(cls, data: object, handler: ModelWrapValidatorHandler[Mapping]) -> Mapping:
        """Checks between columns and constants run on the written data, so they are reported
        together with every other problem instead of after the others are fixed."""
        cross = _cross_field_errors(data)
        try:
            mapping = handler(data)
        except ValidationError as error:
            if not cross:
                raise
            raise ValidationError.from_exception_data("Mapping", [*_rebuilt(error), *cross]) from None
        raise_all(cross)
        return mapping

    @field_validator("timestamp_formats")
    @classmethod
    def _formats(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        table, errors = _table(info), []
        for name, pattern in value.items():
            if name == ALL_TIMESTAMPS or table is None:
                pass
            elif name not in table.column_names:
                errors.append(_unknown_column_error(name, table))
                continue
            elif table.column(name).type is not ColumnType.TIMESTAMP:
                message = f"{name} is not a timestamp column of {table.name}"
                errors.append(field_error((name,), "not_timestamp", message))
                continue
            if not readable_format(pattern):
                errors.append(
                    field_error((name,), "bad_format", f"{pattern!r} is not a strptime format that can be read back")
                )
        raise_all(errors)
        return value

    @field_validator("values")
    @classmethod
    def _value_maps(cls, value: dict[str, dict[str, str]], info: ValidationInfo) -> dict[str, dict[str, str]]:
        table, errors = _table(info), _unknown_columns(value, info)
        for name, targets in value.items():
            if table is None or name not in table.column_names or not table.column(name).allowed:
                continue
            allowed = table.column(name).allowed
            for source_value, target in targets.items():
                if target.strip().lower() not in allowed:
                    message = f"{target!r} is not one of: {', '.join(allowed)}"
                    errors.append(field_error((name, source_value), "not_allowed", message))
        raise_all(errors)
        return value

    @field_validator("pseudonymise")
    @classmethod
    def _pseudonymised_columns(cls, value: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
        table = _table(info)
        if value is None:
            return tuple(c for c in CUSTOMER_COLUMNS if table is not None and c in table.column_names)
        if table is not None:
            errors = [
                _unknown_column_error(name, table, (index,))
                for index, name in enumerate(value)
                if name not in table.column_names
            ]
            raise_all(errors)
        return value


def load_mapping(path: Path) -> Mapping | list[DefinitionIssue]:
    """The mapping in `path`, or every problem in it with file and line (never raises for a bad file)."""
    return load_model(path, Mapping)


def _cross_field_errors(data: object) -> list[InitErrorDetails]:
    """Required columns covered by columns or constants, and no column set by both."""
    if not isinstance(data, dict):
        return []
    table = TABLES.get(str(data.get("table", "interactions")))
    columns, constants = data.get("columns"), data.get("constants")
    columns = columns if isinstance(columns, dict) else {}
    constants = constants if isinstance(constants, dict) else {}
    errors = [
        field_error(
            ("columns", name), "both_mapped_and_constant", f"{name} is set by both columns and constants; keep one"
        )
        for name in columns
        if name in constants
    ]
    if table is not None:
        missing = [c for c in table.required if c != "source" and c not in columns and c not in constants]
        if missing:
            message = f"required column(s) of {table.name} not mapped or set as constants: {', '.join(missing)}"
            errors.append(field_error(("columns",), "unmapped_required", message))
    return errors


def _rebuilt(error: ValidationError) -> list[InitErrorDetails]:
    """Pydantic's own errors as details that can be raised again together with more."""
    return [
        field_error(tuple(details["loc"]), details["type"], details["msg"], details.get("input"))
        for details in error.errors()
    ]


def _table(info: ValidationInfo) -> Table | None:
    name = info.data.get("table")
    return TABLES.get(name) if isinstance(name, str) else None


def _unknown_columns(value: dict[str, Any], info: ValidationInfo) -> list[InitErrorDetails]:
    table = _table(info)
    if table is None:
        return []
    return [_unknown_column_error(name, table) for name in value if name not in table.column_names]


def _unknown_column_error(name: str, table: Table, loc: tuple[str | int, ...] | None = None) -> InitErrorDetails:
    close = difflib.get_close_matches(name, table.column_names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    message = f"{name!r} is not a column of {table.name}{hint}; columns are: {', '.join(table.column_names)}"
    return field_error(loc if loc is not None else (name,), "unknown_column", message)


def field_error(loc: tuple[str | int, ...], kind: str, message: str, given: object = None) -> InitErrorDetails:
    # The message goes in as a template argument so that braces in user text are never formatted.
    return InitErrorDetails(type=PydanticCustomError(kind, "{message}", {"message": message}), loc=loc, input=given)


def raise_all(errors: list[InitErrorDetails]) -> None:
    """Raise every error of one field together; pydantic prefixes each location with the field name."""
    if errors:
        raise ValidationError.from_exception_data("Mapping", errors)


def known_timezone(value: str | None) -> str | None:
    if value is not None and value not in available_timezones():
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/New_York)")
    return value


def readable_format(pattern: str) -> bool:
    if "%" not in pattern:
        return False
    try:
        datetime.strptime(_SAMPLE_TIME.strftime(pattern), pattern)
    except ValueError:
        return False
    return True
