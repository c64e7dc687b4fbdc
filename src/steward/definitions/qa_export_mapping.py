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
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from steward.definitions.located_yaml import DefinitionIssue, load_model

REQUIRED_FIELDS = ("evaluation", "interaction", "evaluator", "scorecard", "evaluated_at", "question", "answer")
OPTIONAL_FIELDS = ("comment", "sample", "source")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS


def _known_fields(names: dict[str, object]) -> None:
    for name in names:
        if name not in FIELDS:
            hint = difflib.get_close_matches(name, FIELDS, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueError(f"unknown field {name!r}{suggestion}; fields: {', '.join(FIELDS)}")


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
        _known_fields(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)")
        return value

    def header_for(self, field: str) -> str:
        return self.columns.get(field, field)


def load_qa_export_mapping(path: Path) -> QaExportMapping | list[DefinitionIssue]:
    """The mapping, or every problem with its file and line."""
    return load_model(path, QaExportMapping)
