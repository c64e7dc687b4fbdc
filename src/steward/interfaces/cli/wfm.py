"""`steward wfm`: forecast demand, staff it, check partners' forecasts and schedules, spot spikes,
split volume across partners (docs/wfm.md). Each command lives in its own module."""

from __future__ import annotations

import typer

from steward.interfaces.cli.wfm_accuracy import accuracy_command
from steward.interfaces.cli.wfm_allocate import allocate_command
from steward.interfaces.cli.wfm_forecast import forecast_command
from steward.interfaces.cli.wfm_spikes import spikes_command
from steward.interfaces.cli.wfm_staff import staff_command

wfm_app = typer.Typer(
    help="Workforce: forecast, staffing (Erlang C and A), partner accuracy, spikes, allocation (docs/wfm.md).",
    no_args_is_help=True,
)
wfm_app.command("forecast")(forecast_command)
wfm_app.command("staff")(staff_command)
wfm_app.command("accuracy")(accuracy_command)
wfm_app.command("spikes")(spikes_command)
wfm_app.command("allocate")(allocate_command)
