"""`steward qa calibrate open | submit | status | close | report | list | file`: calibration sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.qa_followup import format_number, parse_pairs
from steward.interfaces.cli.workspace_option import EXIT_BAD_REQUEST, WorkspaceOption, fail, open_workspace
from steward.services.qa_calibration import CalibrationError, CalibrationReport, calibrate_file
from steward.services.qa_calibration_sessions import (
    Submitted,
    close,
    open_session,
    session_report,
    sessions,
    status,
    submit,
    submit_file,
)

console = Console()
errors = Console(stderr=True)
calibrate_app = typer.Typer(
    help="Calibration: evaluators score the same interactions blind, then see how far apart they are (docs/qa.md).",
    no_args_is_help=True,
)
SessionArgument = Annotated[int, typer.Argument(help="Session number (`steward qa calibrate list`).")]


@calibrate_app.command("open")
def open_command(
    name: Annotated[str, typer.Option(help="What the session is, e.g. 'October refunds'.")],
    scorecard: Annotated[str, typer.Option(help="Scorecard id; the version in force today is pinned.")],
    interaction: Annotated[list[str], typer.Option("--interaction", help="Interaction id to score (repeat).")],
    evaluator: Annotated[list[str], typer.Option("--evaluator", help="Who scores (repeat; at least two).")],
    by: Annotated[str, typer.Option("--by", help="Who opens the session.")],
    expert: Annotated[
        str | None, typer.Option(help="The reference evaluator, one of --evaluator (default: the consensus).")
    ] = None,
    tolerance: Annotated[
        float, typer.Option(help="Flag evaluators whose mean absolute deviation exceeds this (points).")
    ] = 5.0,
    workspace: WorkspaceOption = None,
) -> None:
    """Open a blind calibration session: who scores which interactions with which scorecard version."""
    ws = open_workspace(workspace)
    try:
        record = open_session(ws, name=name, scorecard=scorecard, interactions=interaction, evaluators=evaluator,
                              expert=expert, tolerance=tolerance, opened_by=by)  # fmt: skip
    except CalibrationError as error:
        fail(str(error))
    finally:
        ws.close()
    console.print(
        f"session [bold]{record.id}[/] {record.name!r} opened on {record.scorecard_version}: "
        f"{len(record.evaluators)} evaluators x {len(record.interactions)} interactions, "
        f"reference {record.expert or 'the consensus'}",
        highlight=False,
    )


@calibrate_app.command("submit")
def submit_command(
    session: SessionArgument,
    evaluator: Annotated[str | None, typer.Option(help="Who scored (with --interaction and -a).")] = None,
    interaction: Annotated[str | None, typer.Option(help="The interaction scored.")] = None,
    answer: Annotated[
        list[str] | None, typer.Option("--answer", "-a", help="QUESTION=ANSWER, repeated; n/a where allowed.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="CSV: evaluator, interaction, question, answer (all or nothing).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Store an evaluator's answers on an interaction, or a whole CSV; a resubmission replaces the earlier one."""
    single = (evaluator, interaction, answer)
    mixed = file is not None and any(part is not None for part in single)
    if mixed or (file is None and None in single):
        errors.print("[red]error:[/] give either --file, or --evaluator, --interaction and -a QUESTION=ANSWER ...")
        raise typer.Exit(EXIT_BAD_REQUEST)
    try:
        answers = parse_pairs(answer or [], "--answer")
    except ValueError as error:
        fail(str(error))
    ws = open_workspace(workspace)
    try:
        if file is not None:
            done = submit_file(ws, session, file)
        else:
            done = submit(ws, session, str(evaluator), str(interaction), answers)
    except CalibrationError as error:
        fail(str(error))
    finally:
        ws.close()
    _show_submitted(session, done)


def _show_submitted(session: int, done: Submitted) -> None:
    replaced = f" ({done.replaced} replacing an earlier submission)" if done.replaced else ""
    console.print(f"session {session}: {done.stored} answer sheet(s) stored{replaced}", highlight=False)


@calibrate_app.command("status")
def status_command(session: SessionArgument, workspace: WorkspaceOption = None) -> None:
    """Each evaluator's progress; answers and scores stay sealed until the session is closed."""
    ws = open_workspace(workspace)
    try:
        found = status(ws, session)
    except CalibrationError as error:
        fail(str(error))
    finally:
        ws.close()
    record = found.session
    table = Table(title=f"Session {record.id} {record.name!r} on {record.scorecard_version} ({record.status})")
    for heading in ("evaluator", "submitted", "not yet submitted"):
        table.add_column(heading, justify="right" if heading == "submitted" else "left")
    for row in found.progress:
        done = f"[green]{row.submitted} of {row.of}[/]" if not row.missing else f"{row.submitted} of {row.of}"
        table.add_row(row.evaluator, done, ", ".join(row.missing) or "—")
    console.print(table)
    if record.status == "open":
        console.print("[dim]Blind: answers and scores are shown once the session is closed.[/]")


@calibrate_app.command("close")
def close_command(
    session: SessionArgument,
    partial: Annotated[
        bool, typer.Option("--partial", help="Close with answers missing; interactions under two evaluators drop out.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Close the session (no more answers) and print its calibration report."""
    ws = open_workspace(workspace)
    try:
        report = close(ws, session, partial=partial)
    except CalibrationError as error:
        fail(str(error))
    finally:
        ws.close()
    console.print(f"session {session} closed", highlight=False)
    show_calibration(console, report)


@calibrate_app.command("report")
def report_command(session: SessionArgument, workspace: WorkspaceOption = None) -> None:
    """A closed session's calibration report, computed from its stored answers."""
    ws = open_workspace(workspace)
    try:
        report = session_report(ws, session)
    except CalibrationError as error:
        fail(str(error))
    finally:
        ws.close()
    show_calibration(console, report)


@calibrate_app.command("list")
def list_command(workspace: WorkspaceOption = None) -> None:
    """Every calibration session, oldest first."""
    ws = open_workspace(workspace)
    try:
        found = sessions(ws)
    finally:
        ws.close()
    table = Table(title="Calibration sessions")
    for heading in (
        "#",
        "name",
        "scorecard version",
        "evaluators",
        "interactions",
        "reference",
        "status",
        "opened (UTC)",
    ):
        table.add_column(heading, justify="right" if heading in ("#", "evaluators", "interactions") else "left")
    for record in found:
        table.add_row(
            str(record.id), record.name, record.scorecard_version, str(len(record.evaluators)),
            str(len(record.interactions)), record.expert or "consensus", record.status,
            f"{record.opened_at:%Y-%m-%d %H:%M} by {record.opened_by}",
        )  # fmt: skip
    console.print(table)


@calibrate_app.command("file")
def file_command(
    answers: Annotated[
        Path, typer.Argument(help="CSV: evaluator, interaction, question, answer (one row per answer).")
    ],
    scorecard: Annotated[str, typer.Option(help="Scorecard id the session used.")],
    expert: Annotated[str | None, typer.Option(help="The reference evaluator (default: the consensus).")] = None,
    tolerance: Annotated[
        float, typer.Option(help="Flag evaluators whose mean absolute deviation exceeds this (points).")
    ] = 5.0,
    workspace: WorkspaceOption = None,
) -> None:
    """One-shot analysis of a session's answers (nothing stored): alpha with raw agreement and prevalence
    per question, and each evaluator's bias, deviation and alignment against the expert or the consensus."""
    ws = open_workspace(workspace)
    try:
        report = calibrate_file(ws, answers, scorecard, expert=expert, tolerance=tolerance)
    except CalibrationError as error:
        fail(str(error))
    finally:
        ws.close()
    show_calibration(console, report)


def show_calibration(target: Console, report: CalibrationReport) -> None:
    """The session's agreement per question and each evaluator against the reference."""
    result = report.result
    overall = result.overall
    target.print(
        f"Calibration on {report.version}, reference: [bold]{result.reference}[/]; "
        f"alpha (interval) on final scores {format_number(overall.value, 3)} over {overall.units} interactions"
    )
    if report.left_out:
        target.print(f"[yellow]left out (scored by fewer than two evaluators):[/] {', '.join(report.left_out)}")
    if report.absent:
        target.print(f"[yellow]nothing to compare from:[/] {', '.join(report.absent)}")
    if report.note:
        target.print(f"[yellow]{report.note}: compared with the consensus instead[/]")
    questions = Table(title="Agreement per question")
    for heading in ("question", "statistic", "value", "raw agreement", "prevalence", "note"):
        questions.add_column(heading, justify="left" if heading in ("question", "statistic", "note") else "right")
    for question, agreement in result.questions.items():
        questions.add_row(
            question,
            agreement.statistic.removeprefix("krippendorff_"),
            format_number(agreement.value, 3),
            _percent(agreement.raw_agreement),
            _percent(agreement.prevalence),
            agreement.note,
        )
    target.print(questions)
    people = Table(title=f"Evaluators against the {result.reference} (tolerance ±{result.tolerance:g} points)")
    for heading in ("evaluator", "interactions", "bias", "mean abs. deviation", "within tolerance", "alignment", ""):
        people.add_column(heading, justify="left" if heading in ("evaluator", "") else "right")
    for row in result.evaluators:
        people.add_row(
            row.evaluator,
            str(row.interactions),
            format_number(row.bias, 1, signed=True),
            format_number(row.mean_absolute_deviation, 1),
            _percent(row.within_tolerance),
            _percent(row.alignment),
            "[bold red]outside tolerance[/]" if row.flagged else "[green]ok[/]",
        )
    target.print(people)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
