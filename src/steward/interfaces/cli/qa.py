"""`steward qa sample | sample-size`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.domain.sample_size import evaluations_for_mean, evaluations_for_share, mean_margin, share_margin
from steward.interfaces.cli.qa_autoqa import autoqa_command
from steward.interfaces.cli.qa_calibration import calibrate_app
from steward.interfaces.cli.qa_followup import coach_app, dispute_app, format_number, parse_pairs
from steward.interfaces.cli.qa_import import import_command
from steward.interfaces.cli.qa_shop import shop_app, show_shops
from steward.interfaces.cli.workspace_option import EXIT_BAD_REQUEST, WorkspaceOption, fail, open_workspace
from steward.services.qa_evaluations import EvaluationError, EvaluationInput, record_evaluation
from steward.services.qa_report import QaReport, QaReportError, qa_report
from steward.services.qa_sampling import SampleRequest, SamplingError, sample

console = Console()
errors = Console(stderr=True)
qa_app = typer.Typer(
    help="Quality assurance: evaluations, disputes, coaching, calibration, sampling and reports (docs/qa.md).",
    no_args_is_help=True,
)
qa_app.add_typer(dispute_app, name="dispute")
qa_app.add_typer(coach_app, name="coach")
qa_app.command("autoqa")(autoqa_command)
qa_app.add_typer(calibrate_app, name="calibrate")
qa_app.command("import")(import_command)
qa_app.add_typer(shop_app, name="shop")


@qa_app.command("sample")
def sample_command(
    period: Annotated[str, typer.Option("--period", help="Month to sample: 2026-10, last or current.")] = "last",
    total: Annotated[
        int, typer.Option("--random", min=0, help="Random sample size, spread over vendor x queue x channel.")
    ] = 0,
    per_agent: Annotated[int, typer.Option("--per-agent", min=0, help="Reviews per agent, spread over the month.")] = 0,
    targets: Annotated[
        str,
        typer.Option(
            "--targeted", help="Targeted queues, comma-separated: low_csat, long_handle_time, reopened, transferred."
        ),
    ] = "",
    per_queue: Annotated[int, typer.Option("--per-queue", min=0, help="Reviews per targeted queue.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same sample.")] = 1,
    vendor: Annotated[list[str] | None, typer.Option("--vendor", help="Only these vendors (repeat).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file (default: reports/qa/).")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Write the month's review assignments (interaction, vendor, agent, frame, reason) as CSV.

    Frames stay apart: only the random frame feeds quality_score; quotas are for coaching; targeted queues find problems.
    """  # noqa: E501 - Typer rewraps the help
    request = SampleRequest(
        period, total, per_agent, [t.strip() for t in targets.split(",") if t.strip()], per_queue, seed, vendor or []
    )
    if not (request.total or request.per_agent or request.targets):
        errors.print("[red]error:[/] ask for at least one frame: --random N, --per-agent N or --targeted QUEUES")
        raise typer.Exit(EXIT_BAD_REQUEST)
    ws = open_workspace(workspace)
    try:
        plan = sample(ws, request, output)
    except SamplingError as error:
        fail(str(error))
    finally:
        ws.close()
    table = Table(title=f"QA sample for {plan.period} (seed {plan.seed}, {plan.candidates:,} interactions)")
    for heading in ("frame", "vendor", "reviews"):
        table.add_column(heading, justify="right" if heading == "reviews" else "left")
    for (frame, name), count in sorted(plan.counts.items()):
        table.add_row(frame, name, f"{count:,}")
    console.print(table)
    console.print(f"assignments written to [bold]{plan.file}[/]")


@qa_app.command("sample-size")
def sample_size_command(
    sd: Annotated[float, typer.Option(help="Standard deviation of evaluation scores, in points.")] = 10.0,
    per_agent: Annotated[int, typer.Option("--per-agent", min=1, help="Evaluations per agent and period.")] = 5,
    margin: Annotated[float, typer.Option(help="Wanted precision of a mean score, +/- points.")] = 5.0,
    share_margin_points: Annotated[
        float, typer.Option("--share-margin", help="Wanted precision of a pass rate, +/- percentage points.")
    ] = 5.0,
    population: Annotated[
        int | None, typer.Option(help="Interactions in the period (finite-population correction).")
    ] = None,
    confidence: Annotated[float, typer.Option(min=0.5, max=0.999, help="Confidence level.")] = 0.95,
) -> None:
    """What a QA plan can tell: the margin of a per-agent mean, and the sizes needed for a precision."""
    within = mean_margin(per_agent, sd, confidence)
    console.print(
        f"{per_agent} evaluations at SD {sd:g}: mean score within [bold]±{within:.1f}[/] points "
        f"({confidence:.0%} confidence)"
    )
    console.print(f"±{margin:g} points needs [bold]{evaluations_for_mean(sd, margin, confidence)}[/] evaluations")
    needed = evaluations_for_share(share_margin_points / 100, confidence=confidence, population=population)
    console.print(f"a pass rate within ±{share_margin_points:g} points needs [bold]{needed:,}[/] evaluations")
    console.print(
        f"(at that size the pass rate is within ±{100 * share_margin(needed, population=population):.2f} points)"
    )


@qa_app.command("evaluate")
def evaluate_command(
    scorecard: Annotated[str, typer.Option(help="Scorecard id (definitions/scorecards/).")],
    interaction: Annotated[str, typer.Option(help="Interaction id (as imported).")],
    evaluator: Annotated[str, typer.Option(help="Who scored it.")],
    answer: Annotated[list[str], typer.Option("--answer", "-a", help="QUESTION=ANSWER, repeated; n/a where allowed.")],
    comment: Annotated[list[str] | None, typer.Option("--comment", help="QUESTION=TEXT, repeated.")] = None,
    sample_frame: Annotated[
        str, typer.Option("--sample", help="random, targeted, calibration, mystery_shop.")
    ] = "random",
    source: Annotated[str | None, typer.Option(help="The interaction's source, when its id exists in several.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Score one interaction with a scorecard and record it (every answer and comment kept).

    The score flows into the warehouse's qa_results, so quality_score slices by vendor, queue, agent and month.
    """
    try:
        given = EvaluationInput(
            scorecard, interaction, evaluator, parse_pairs(answer, "--answer"), parse_pairs(comment or [], "--comment"),
            sample_frame, source,
        )  # fmt: skip
    except ValueError as error:
        fail(str(error))
    ws = open_workspace(workspace)
    try:
        done = record_evaluation(ws, given)
    except EvaluationError as error:
        fail(str(error))
    finally:
        ws.close()
    result = done.result
    verdict = {None: "", True: " — passed", False: " — below the pass mark"}[result.passed]
    console.print(f"[bold]{done.record.evaluation_id}[/]: score {result.score:.1f} (raw {result.raw:.1f}){verdict}")
    if result.failed:
        console.print(f"[bold red]critical failure ({result.failed}):[/] {', '.join(result.failed_questions)}")
    for section, part in result.sections.items():
        shown = "n/a" if part.score is None else f"{part.score:.1f}"
        console.print(f"  {section}: {shown}" + (" [red](failed)[/]" if part.failed else ""), highlight=False)


@qa_app.command("report")
def report_command(
    period: Annotated[str, typer.Option("--period", help="2026-10, 2026-Q3, last or current.")] = "last",
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only this vendor.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Each vendor's QA for the period: score with its 95% margin, pass and critical-failure rates,
    evaluations per sample, mystery shopping apart, open disputes and coaching items."""
    ws = open_workspace(workspace)
    try:
        report = qa_report(ws, period, vendor)
    except QaReportError as error:
        fail(str(error))
    finally:
        ws.close()
    show_qa_report(console, report)


def show_qa_report(target: Console, report: QaReport) -> None:
    """Each vendor's QA row, then mystery shopping apart."""
    table = Table(title=f"Quality assurance {report.period}")
    headings = ("vendor", "QA score", "pass rate", "critical failures", "random", "targeted", "calibration",
                "mystery shop", "mystery score", "open disputes", "open coaching")  # fmt: skip
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "vendor" else "right")
    for row in report.vendors:
        score = format_number(row.values.get("quality_score"), 1)
        if row.margin is not None and math.isfinite(row.margin):
            score += f" ±{row.margin:.1f}"
        table.add_row(
            row.vendor,
            score,
            _share(row.values.get("qa_pass_rate")),
            _share(row.values.get("qa_critical_fail_rate")),
            *(str(row.evaluations.get(s, 0)) for s in ("random", "targeted", "calibration", "mystery_shop")),
            format_number(row.values.get("mystery_shop_score"), 1),
            str(row.open_disputes),
            str(row.open_coaching),
        )
    target.print(table)
    show_shops(target, report)
    target.print("[dim]QA score: random sample only (margin: 95%, Student's t); rates in percent.[/]")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
