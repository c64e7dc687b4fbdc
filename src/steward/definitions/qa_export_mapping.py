"""Mapping files for `steward qa import`: how a QA tool's per-question export names its columns
and values. The same shape as the `mapped` importer's mapping files (docs/qa.md):

    columns:                     # Steward's field: the export's column header
      evaluation: Review ID
      interaction: Ticket
      question: Criterion
      answer: Rating
    values:                      # per field: the export's value -> Steward's
      answer: {"Yes": "yes", "No": "no", "N/A": "n/a"}
      question: {Greeted the customer: greeting}
    constants: {sample: random}  # a fixed value where the export has no column
    timezone: Europe/Berlin      # for times without an offset
    timestamp_format: "%m/%d/%Y %H:%M"
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import InitErrorDetails

from steward.definitions.located_yaml import DefinitionIssue, load_model
from steward.definitions.mapping import field_error, known_timezone, raise_all, readable_format

REQUIRED_FIELDS = ("evaluation", "interaction", "evaluator", "scorecard", "evaluated_at", "question", "answer")
OPTIONAL_FIELDS = ("comment", "sample", "source")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS


class QaExportMapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    timezone: str | None = None
    timestamp_format: str | None = None

    @field_validator("columns", "values", "constants")
    @classmethod
    def _fields(cls, value: dict[str, object]) -> dict[str, object]:
        raise_all([_unknown_field(name) for name in value if name not in FIELDS])
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return known_timezone(value)

    @field_validator("timestamp_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None and not readable_format(value):
            raise ValueError(f"{value!r} is not a strptime format that can be read back")
        return value

    def header_for(self, field: str) -> str:
        return self.columns.get(field, field)


def _unknown_field(name: str) -> InitErrorDetails:
    close = difflib.get_close_matches(name, FIELDS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return field_error((name,), "unknown_field", f"unknown field {name!r}{hint}; fields: {', '.join(FIELDS)}")


def load_qa_export_mapping(path: Path) -> QaExportMapping | list[DefinitionIssue]:
    """The mapping, or every problem with its file and line."""
    return load_model(path, QaExportMapping)
