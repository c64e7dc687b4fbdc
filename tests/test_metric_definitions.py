"""Metric definitions: the built-in catalogue, user files and every problem reported with its line."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from steward.definitions.metrics import load_catalogue
from steward.domain.measures import MEASURES
from steward.engine.query import SOURCE_MODULES

HEADLINE_IDS = (
    "volume",
    "frt_mean",
    "frt_median",
    "frt_p90",
    "frt_business_mean",
    "frt_business_p90",
    "frt_within_target",
    "resolution_business_mean",
    "aht",
    "asa",
    "service_level",
    "abandon_rate",
    "fcr",
    "csat_top2",
    "nps",
    "reopen_rate",
    "backlog",
)


def test_builtin_catalogue_loads_cleanly_with_the_headline_ids() -> None:
    catalogue = load_catalogue()
    assert catalogue.issues == ()
    for metric_id in HEADLINE_IDS:
        metric = catalogue.get(metric_id)
        assert metric.formula, metric_id
    assert catalogue.get("aht").unit == "seconds"
    assert catalogue.get("asa").unit == "seconds"
    assert catalogue.get("frt_p90").unit == "minutes"


def test_every_measure_and_variant_is_in_the_catalogue_and_has_an_engine_module() -> None:
    catalogue = load_catalogue()
    used = {(m.measure, m.variant) for m in catalogue.metrics.values()}
    for measure in MEASURES.values():
        assert importlib.util.find_spec(SOURCE_MODULES[measure.source]) is not None, measure.source
        for variant in measure.variants:
            assert (measure.name, variant) in used, f"{measure.name}/{variant} has no built-in metric"


def test_formula_names_variant_parameters_and_filters() -> None:
    catalogue = load_catalogue()
    service_level = catalogue.get("service_level").formula
    assert "answered within T / (answered + abandoned)" in service_level
    assert "threshold_seconds=20" in service_level and "channel in phone" in service_level
    assert "p90 (linear interpolation)" in catalogue.get("frt_p90").formula
    assert "business time" in catalogue.get("frt_business_p90").formula
    assert "target_minutes" not in catalogue.get("frt_mean").formula  # only where it matters


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "team.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_metrics_are_added_and_typed(tmp_path: Path) -> None:
    _write(
        tmp_path,
        """metrics:
  - id: frt_business_p80
    label: First response in business hours (p80)
    measure: first_response
    statistic: percentile
    percentile: 80
    calendar: business
    better: lower
    params: {pause_states: [pending]}
    filters: {channel: [email, chat], queue: billing}
""",
    )
    catalogue = load_catalogue(tmp_path)
    assert catalogue.issues == ()
    metric = catalogue.get("frt_business_p80")
    assert metric.quantile == pytest.approx(0.8)
    assert metric.params["pause_states"] == ("pending",)
    assert metric.filters == {"channel": ("email", "chat"), "queue": ("billing",)}
    assert metric.variant == "human_reply" and metric.unit == "minutes"


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """metrics:
  - id: fine_one
    label: ok
    measure: volume
    better: higher
  - id: Bad-Id
    label: x
    measure: volume
    better: higher
  - id: two
    label: x
    measure: no_such_measure
    better: higher
  - id: three
    label: x
    measure: service_level
    variant: abandons_sometimes
    better: higher
  - id: four
    label: x
    measure: csat
    statistic: mean
    better: higher
  - id: five
    label: x
    measure: first_response
    statistic: percentile
    better: lower
  - id: six
    label: x
    measure: occupancy
    better: higher
    filters: {queue: billing}
  - id: seven
    label: x
    measure: fcr
    params: {window_days: soon}
    better: higher
""",
    )
    catalogue = load_catalogue(tmp_path)
    problems = {(issue.line, issue.message.split(";")[0][:40]) for issue in catalogue.issues}
    lines = sorted(line for line, _ in problems)
    assert lines == [6, 12, 14, 19, 24, 29, 34], catalogue.issues
    text = "\n".join(str(issue) for issue in catalogue.issues)
    for expected in (
        f"{path}:6",
        "lower case letters",
        "unknown measure 'no_such_measure'",
        "unknown variant 'abandons_sometimes'",
        "statistic applies to durations only",
        "needs `percentile:`",
        "cannot filter occupancy on 'queue'",
        "window_days",
    ):
        assert expected in text, expected
    assert "fine_one" not in catalogue.metrics  # a broken file contributes nothing until it is fixed


def test_a_user_metric_cannot_take_a_builtin_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "metrics:\n  - {id: frt_p90, label: mine, measure: volume, better: higher}\n")
    catalogue = load_catalogue(tmp_path)
    assert [issue.line for issue in catalogue.issues] == [2]
    assert "already defined" in str(catalogue.issues[0]) and str(path) in str(catalogue.issues[0])
    assert catalogue.get("frt_p90").measure == "first_response"


def test_quality_score_is_built_in_and_unknown_ids_suggest_close_ones() -> None:
    assert load_catalogue().get("quality_score").measure == "quality"
    with pytest.raises(KeyError, match="frt_p90"):
        load_catalogue().get("frt_p99")


def test_parameters_are_checked_not_truncated(tmp_path: Path) -> None:
    _write(
        tmp_path,
        """metrics:
  - {id: half_hour, label: x, measure: first_response, statistic: within_target, params: {target_minutes: 0.5},
     better: higher}
  - {id: bad_window, label: x, measure: fcr, params: {window_days: 7.5}, better: higher}
  - {id: bad_pause, label: x, measure: resolution, statistic: mean, params: {pause_states: [pendng]}, better: lower}
""",
    )
    catalogue = load_catalogue(tmp_path)
    text = "\n".join(str(issue) for issue in catalogue.issues)
    assert "window_days: '7.5' is not a whole number" in text
    assert "'pendng' unknown" in text
    loaded = load_catalogue(
        _write(
            tmp_path / "ok",
            "metrics:\n  - {id: half, label: x, measure: first_response, "
            "statistic: within_target, params: {target_minutes: 0.5}, better: higher}\n",
        ).parent
    )
    assert loaded.get("half").params["target_minutes"] == 0.5
