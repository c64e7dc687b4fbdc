"""`steward wfm`: forecast demand, staff it, check partners' forecasts and schedules, spot spikes,
split volume across partners (docs/wfm.md). Each command lives in its own module."""

from __future__ import annotations

import typer

wfm_app = typer.Typer(
    help="Workforce: forecast, staffing (Erlang C and A), partner accuracy, spikes, allocation (docs/wfm.md).",
    no_args_is_help=True,
)
