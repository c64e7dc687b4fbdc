"""docs/metric-catalogue.md, rendered from the built-in definitions so the two never disagree."""

from __future__ import annotations

from steward.definitions.metrics import Catalogue, MetricDefinition

INTRO = """\
# Built-in metrics

Generated from `src/steward/definitions/builtin_metrics.yaml` (`make docs`); a test fails when
the two disagree. How each measure and variant is computed, and the rules every metric follows
(period attribution, components, percentiles, business time), are in [metrics.md](metrics.md).
`steward metrics list` prints the same list for a workspace, with its own definitions added.

| id | label | unit | better | formula |
|---|---|---|---|---|
"""


def render_metric_catalogue(catalogue: Catalogue) -> str:
    rows = [_row(metric) for metric in catalogue.metrics.values()]
    return INTRO + "\n".join(rows) + "\n"


def _row(metric: MetricDefinition) -> str:
    formula = metric.formula.replace("|", "\\|")
    if metric.warning:
        formula += f" **Warning:** {metric.warning}."
    return f"| `{metric.id}` | {metric.label} | {metric.unit} | {metric.better} | {formula} |"
