"""Charts render offline to SVG and PNG, deterministically, from plain rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from steward.rendering.charts import ChartSpec, bar_chart, intraday_chart, save_chart

START = datetime(2026, 11, 2, 9, 0)


def _intraday_rows() -> list[dict[str, object]]:
    return [
        {"interval_start": START + timedelta(minutes=15 * i), "required": 10 + i, "scheduled": 12, "gap": 10 + i > 12}
        for i in range(6)
    ]


def _staffing_chart() -> ChartSpec:
    return intraday_chart(
        _intraday_rows(),
        x="interval_start",
        series=["required", "scheduled"],
        title="Required vs scheduled agents",
        y_title="Agents",
        highlight="gap",
    )


def test_svg_shows_title_and_series(tmp_path: Path) -> None:
    path = save_chart(_staffing_chart(), tmp_path / "nested" / "staffing.svg")
    svg = path.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    for text in ("Required vs scheduled agents", "required", "scheduled", "Agents"):
        assert f">{text}<" in svg


def test_png_starts_with_magic_bytes(tmp_path: Path) -> None:
    chart = bar_chart(
        [{"vendor": "acme", "share": 40.0, "status": "min"}, {"vendor": "beta", "share": 60.0, "status": "max"}],
        category="vendor",
        value="share",
        title="Allocated share",
        color="status",
    )
    data = save_chart(chart, tmp_path / "shares.PNG").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")


def test_spec_is_deterministic_and_offline() -> None:
    spec = _staffing_chart().to_json()
    assert spec == _staffing_chart().to_json()
    # Naive datetimes are drawn as wall-clock times on the UTC scale, whatever the machine's zone.
    assert '"2026-11-02T09:00:00Z"' in spec
    assert "http" not in spec.replace("https://vega.github.io/schema", "")


def test_without_highlight_is_a_single_view(tmp_path: Path) -> None:
    chart = intraday_chart(_intraday_rows(), x="interval_start", series=["required"], title="Need", y_title="Agents")
    assert "layer" not in chart.to_dict()
    assert save_chart(chart, tmp_path / "need.svg").exists()


def test_bad_suffix_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        save_chart(_staffing_chart(), tmp_path / "chart.pdf")
    assert not (tmp_path / "chart.pdf").exists()


def test_no_series_or_a_missing_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one series"):
        intraday_chart(_intraday_rows(), x="interval_start", series=[], title="t", y_title="y")
    with pytest.raises(ValueError, match="lack the column"):
        intraday_chart(_intraday_rows(), x="interval_start", series=["staffed"], title="t", y_title="y")
