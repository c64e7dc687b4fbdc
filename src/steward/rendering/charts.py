"""Charts as Vega-Lite specs (altair), saved offline as SVG or PNG with vl-convert.

Rendering takes plain rows that a service already computed; it never queries data. The same spec
serves the web page (vega-embed) and files for reports. Output is deterministic: datasets are named
by a hash of their content, no selections or parameters (whose names come from a global counter),
and times are drawn on a UTC scale so the machine's time zone never moves a line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeAlias

import altair as alt
import numpy as np
import vl_convert as vlc

WIDTH = 720
HEIGHT = 260
PNG_SCALE = 2
HIGHLIGHT_COLOUR = "#d62728"
SERIES_FIELD = "series"
VALUE_FIELD = "value"
# The Vega-Lite release altair writes its specs for ("6.4.1" -> "6.4"), so vl-convert compiles the
# spec with the same grammar version rather than its own latest.
_VL_VERSION = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
_SUFFIXES = (".svg", ".png")

Row = Mapping[str, object]
ChartSpec: TypeAlias = alt.Chart | alt.LayerChart
"""What the chart functions return and `save_chart` takes: a single view, or lines with highlight points on top."""


def intraday_chart(
    rows: Sequence[Row],
    *,
    x: str,
    series: Sequence[str],
    title: str,
    y_title: str,
    highlight: str | None = None,
) -> ChartSpec:
    """One line per series over time (e.g. required vs scheduled agents), red points where `highlight` is true."""
    if not series:
        raise ValueError("intraday_chart needs at least one series column")
    data = alt.InlineData(values=_long_rows(rows, x=x, series=series, highlight=highlight))
    x_encoding = alt.X(f"{x}:T", title=_label(x), scale=alt.Scale(type="utc"))
    tooltip = [
        alt.Tooltip(f"{x}:T", title=_label(x), format="%Y-%m-%d %H:%M", formatType="utc"),
        alt.Tooltip(f"{SERIES_FIELD}:N", title="series"),
        alt.Tooltip(f"{VALUE_FIELD}:Q", title=y_title, format=",.1f"),
    ]
    base = alt.Chart(data)
    lines = base.mark_line(interpolate="step-after", strokeWidth=1.8).encode(
        x=x_encoding,
        y=alt.Y(f"{VALUE_FIELD}:Q", title=y_title),
        color=alt.Color(f"{SERIES_FIELD}:N", title=None, sort=list(series), legend=alt.Legend(orient="top")),
        tooltip=tooltip,
    )
    if highlight is None:
        single: alt.Chart = lines.properties(title=title, width=WIDTH, height=HEIGHT)
        return single
    marked = (
        base.transform_filter(alt.datum[highlight])
        .mark_point(filled=True, size=45, color=HIGHLIGHT_COLOUR)
        .encode(x=x_encoding, y=alt.Y(f"{VALUE_FIELD}:Q"), tooltip=[*tooltip, alt.Tooltip(f"{highlight}:N")])
    )
    return alt.LayerChart(layer=[lines, marked], title=title, width=WIDTH, height=HEIGHT)


def bar_chart(rows: Sequence[Row], *, category: str, value: str, title: str, color: str | None = None) -> alt.Chart:
    """Bars of `value` per `category` in the rows' order; `color` names a column to colour by (e.g. met/missed)."""
    values = [{key: _json_value(cell) for key, cell in row.items()} for row in rows]
    tooltip = [alt.Tooltip(f"{category}:N", title=_label(category)), alt.Tooltip(f"{value}:Q", format=",.2f")]
    chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            # sort=None keeps the caller's order: services already sort partners the way a reader expects.
            x=alt.X(f"{category}:N", title=_label(category), sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=_label(value)),
        )
    )
    if color is None:
        chart = chart.encode(tooltip=tooltip)
    else:
        chart = chart.encode(
            color=alt.Color(f"{color}:N", title=_label(color), legend=alt.Legend(orient="top")),
            tooltip=[*tooltip, alt.Tooltip(f"{color}:N", title=_label(color))],
        )
    sized: alt.Chart = chart.properties(title=title, width=WIDTH, height=HEIGHT)
    return sized


def save_chart(chart: ChartSpec, path: Path) -> Path:
    """Render the chart offline to `path` (.svg, or .png at twice the size for sharp slides) and return it."""
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"cannot save a chart as {path.name!r}: use a file name ending in .svg or .png")
    spec = chart.to_dict()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec, vl_version=_VL_VERSION), encoding="utf-8")
    else:
        path.write_bytes(vlc.vegalite_to_png(spec, vl_version=_VL_VERSION, scale=PNG_SCALE))
    return path


def _long_rows(rows: Sequence[Row], *, x: str, series: Sequence[str], highlight: str | None) -> list[dict[str, object]]:
    """Wide rows (one column per series) to one row per (time, series), the shape a colour encoding needs."""
    missing = sorted({name for row in rows for name in (x, *series) if name not in row})
    if missing:
        raise ValueError(f"chart rows lack the column(s) {', '.join(missing)}")
    long: list[dict[str, object]] = []
    for row in rows:
        for name in series:
            item: dict[str, object] = {x: _json_value(row[x]), SERIES_FIELD: name, VALUE_FIELD: _json_value(row[name])}
            if highlight is not None:
                item[highlight] = bool(row.get(highlight))
            long.append(item)
    return long


def _json_value(value: object) -> object:
    """Values Vega can read; naive datetimes are wall-clock times, drawn as given on the UTC scale."""
    if isinstance(value, datetime):
        naive = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        return naive.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _label(column: str) -> str:
    return column.replace("_", " ").capitalize()
