"""Metric definitions: the built-in catalogue plus the workspace's definitions/metrics/*.yaml.

A metric names a measure (see steward.domain.measures), a variant with its parameters, a
statistic for durations, a calendar, and filters. Everything a reader needs to know about how a
number was produced is in the definition, and `formula` renders it in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from steward.definitions.located_yaml import DefinitionIssue, load_located, load_model, validation_issues
from steward.domain.measures import MEASURES, RESERVED_METRIC_IDS, Kind, Measure, Parameter, Source, Statistic

DIMENSIONS: dict[Source, tuple[str, ...]] = {
    Source.INTERACTIONS: (
        "source",
        "vendor",
        "site",
        "queue",
        "channel",
        "direction",
        "priority",
        "language",
        "agent_id",
        "contact_reason",
    ),
    Source.REPLIES: ("source", "vendor", "site", "queue", "channel", "direction", "priority", "language", "agent_id"),
    Source.BACKLOG: ("source", "vendor", "site", "queue", "channel", "priority", "language"),
    Source.AGENT_TIME: ("vendor", "agent_id"),
    Source.FORECASTS: ("vendor", "queue", "made_by"),  # made_by: whose forecast (vendor or steward)
    Source.CUSTOMERS: (),
    Source.QA: ("source", "vendor", "queue", "channel", "language", "agent_id", "evaluator", "scorecard", "sample"),
}
"""Columns each source can be grouped and filtered by."""

ALL_DIMENSIONS = tuple(dict.fromkeys(d for dims in DIMENSIONS.values() for d in dims))
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
ParamValue = float | int | str | tuple[str, ...]


class MetricDefinition(BaseModel):
    """One metric users can query, chart and put in a contract."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    description: str = ""
    measure: str
    kind: Kind | None = None
    variant: str | None = None
    statistic: Statistic | None = None
    percentile: float | None = Field(default=None, gt=0, lt=100)
    calendar: Literal["calendar", "business"] = "calendar"
    unit: str | None = None
    better: Literal["higher", "lower"]
    params: dict[str, Any] = Field(default_factory=dict)
    filters: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("ids are lower case letters, digits and _ and start with a letter, e.g. frt_p90")
        if value in RESERVED_METRIC_IDS:
            raise ValueError(f"{value!r} is reserved for QA results")
        return value

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, value: str) -> str:
        if value not in MEASURES:
            raise ValueError(f"unknown measure {value!r}; known: {', '.join(MEASURES)}")
        return value

    @field_validator("filters", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: (v,) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MetricDefinition:
        measure = MEASURES[self.measure]
        problems = [
            *_kind_problems(self, measure),
            *_variant_problems(self, measure),
            *_filter_problems(self, measure),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        object.__setattr__(self, "params", _typed_params(self.params, measure))
        object.__setattr__(self, "kind", measure.kind)
        object.__setattr__(self, "variant", self.variant or measure.default_variant)
        object.__setattr__(self, "unit", self.unit or _default_unit(self, measure))
        return self

    @property
    def spec(self) -> Measure:
        return MEASURES[self.measure]

    @property
    def quantile(self) -> float | None:
        """The quantile (0-1) a median or percentile statistic asks for."""
        if self.statistic is Statistic.MEDIAN:
            return 0.5
        if self.statistic is Statistic.PERCENTILE and self.percentile is not None:
            return self.percentile / 100
        return None

    @property
    def formula(self) -> str:
        """The metric in words: statistic, measure, variant formula, calendar, parameters and filters."""
        measure = self.spec
        variant = self.variant or measure.default_variant
        words = measure.variants[variant]
        if measure.kind is Kind.DURATION:
            words = f"{_statistic_words(self)} of ({words}), in {self.unit}, {self.calendar} time"
        parts = [words]
        shown = {k: v for k, v in sorted(self.params.items()) if self._relevant(k, v)}
        if shown:
            parts.append("with " + ", ".join(f"{k}={_show(v)}" for k, v in shown.items()))
        if self.filters:
            parts.append("only " + "; ".join(f"{k} in {', '.join(v)}" for k, v in sorted(self.filters.items())))
        return "; ".join(parts)

    def _relevant(self, name: str, value: object) -> bool:
        if value == ():
            return False
        return name != "target_minutes" or self.statistic is Statistic.WITHIN_TARGET

    @property
    def warning(self) -> str | None:
        return self.spec.warning_variants.get(self.variant or "")


def _default_unit(metric: MetricDefinition, measure: Measure) -> str:
    if metric.statistic is Statistic.WITHIN_TARGET:
        return "percent"  # a share of interactions; the target itself is in minutes
    return measure.unit_of(metric.variant)


def _kind_problems(metric: MetricDefinition, measure: Measure) -> list[str]:
    problems = []
    if metric.kind is not None and metric.kind is not measure.kind:
        problems.append(f"kind {metric.kind.value!r} does not match measure {measure.name!r} ({measure.kind.value})")
    if measure.kind is Kind.DURATION:
        if metric.statistic is None:
            problems.append(f"a duration needs a statistic: {', '.join(s.value for s in Statistic)}")
        if metric.statistic is Statistic.PERCENTILE and metric.percentile is None:
            problems.append("statistic percentile needs `percentile:` (e.g. 90)")
    else:
        if metric.statistic is not None:
            problems.append(f"statistic applies to durations only; {measure.name!r} is a {measure.kind.value}")
        if metric.calendar == "business":
            problems.append("business time applies to durations only")
    return problems


def _variant_problems(metric: MetricDefinition, measure: Measure) -> list[str]:
    problems = []
    if metric.variant is not None and metric.variant not in measure.variants:
        problems.append(f"unknown variant {metric.variant!r} of {measure.name}; known: {', '.join(measure.variants)}")
    known = {p.name for p in measure.parameters}
    for name in metric.params:
        if name not in known:
            allowed = ", ".join(sorted(known)) or "none"
            problems.append(f"unknown parameter {name!r} of {measure.name}; allowed: {allowed}")
    return problems


def _filter_problems(metric: MetricDefinition, measure: Measure) -> list[str]:
    allowed = DIMENSIONS[measure.source]
    return [
        f"cannot filter {measure.name} on {name!r}; allowed: {', '.join(allowed) or 'nothing'}"
        for name in metric.filters
        if name not in allowed
    ]


def _typed_params(given: dict[str, Any], measure: Measure) -> dict[str, ParamValue]:
    """Every parameter of the measure, given ones converted to the default's type (YAML values arrive as text)."""
    typed: dict[str, ParamValue] = {}
    for parameter in measure.parameters:
        value = given.get(parameter.name, parameter.default)
        default = parameter.default
        try:
            if isinstance(default, tuple):
                typed[parameter.name] = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
            elif isinstance(default, int) and not isinstance(default, bool):
                typed[parameter.name] = _whole(value)
            elif isinstance(default, float):
                typed[parameter.name] = float(value)
            else:
                typed[parameter.name] = str(value)
        except (TypeError, ValueError) as error:
            kind = {"int": "whole number", "float": "number"}.get(type(default).__name__, "text")
            raise ValueError(f"parameter {parameter.name}: {value!r} is not a {kind}") from error
        _check_entries(parameter, typed[parameter.name])
    return typed


def _whole(value: object) -> int:
    """A whole number, also written 7.0; 7.5 is an error rather than silently 7."""
    number = float(str(value))
    if not number.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def _check_entries(parameter: Parameter, entries: ParamValue) -> None:
    if not isinstance(entries, tuple):
        return
    unknown = [entry for entry in entries if parameter.choices and entry not in parameter.choices]
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise ValueError(f"parameter {parameter.name}: {names} unknown; one of {', '.join(parameter.choices)}")
    if parameter.entry_format is None:
        return
    bad = [entry for entry in entries if not re.match(parameter.entry_format, entry)]
    if bad:
        example = parameter.default[0] if isinstance(parameter.default, tuple) and parameter.default else ""
        raise ValueError(f"parameter {parameter.name}: {', '.join(map(repr, bad))} not written like {example!r}")


def _statistic_words(metric: MetricDefinition) -> str:
    if metric.statistic is Statistic.PERCENTILE:
        return f"p{_show(metric.percentile)} (linear interpolation)"
    if metric.statistic is Statistic.WITHIN_TARGET:
        return f"% within {_show(metric.params.get('target_minutes'))} minutes"
    return metric.statistic.value if metric.statistic else ""


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


class MetricFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics: tuple[MetricDefinition, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """Every metric available in a workspace, and the problems of any definition file that failed."""

    metrics: dict[str, MetricDefinition]
    issues: tuple[DefinitionIssue, ...] = ()

    def get(self, metric_id: str) -> MetricDefinition:
        try:
            return self.metrics[metric_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(metric_id, self.metrics, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `steward metrics list`"
            raise KeyError(f"unknown metric {metric_id!r}{hint}") from None


BUILTIN_FILE = "builtin_metrics.yaml"


def builtin_path() -> Path:
    return Path(str(resources.files("steward.definitions").joinpath(BUILTIN_FILE)))


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Built-in metrics plus every definitions/metrics/*.yaml; a user id may not reuse a built-in one."""
    metrics: dict[str, MetricDefinition] = {}
    defined_in: dict[str, Path] = {}
    issues: list[DefinitionIssue] = []
    files = [builtin_path(), *(sorted(folder.glob("*.yaml")) if folder and folder.is_dir() else [])]
    for path in files:
        loaded = load_model(path, MetricFile)
        if not isinstance(loaded, MetricFile):
            issues.extend(loaded)
            continue
        for index, metric in enumerate(loaded.metrics):
            if metric.id in metrics:
                line = load_located(path).line_of(("metrics", index, "id"))
                message = f"metric id {metric.id!r} is already defined in {defined_in[metric.id]}"
                issues.append(DefinitionIssue(path, line, f"metrics.{index}.id", message))
                continue
            metrics[metric.id] = metric
            defined_in[metric.id] = path
    return Catalogue(metrics, tuple(issues))


__all__ = [
    "ALL_DIMENSIONS",
    "DIMENSIONS",
    "Catalogue",
    "MetricDefinition",
    "load_catalogue",
    "validation_issues",
]
