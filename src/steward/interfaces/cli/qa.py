"""`steward qa sample | sample-size`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from steward.domain.disputes import DisputedQuestion
from steward.domain.sample_size import evaluations_for_mean, evaluations_for_share, mean_margin, share_margin
from steward.services.qa_calibration import CalibrationError, CalibrationReport, calibrate_file
from steward.services.qa_coaching import CoachingError, close_item, open_items, progress
from steward.services.qa_disputes import DisputeError, disputes, open_dispute, resolve_dispute
from steward.services.qa_evaluations import EvaluationError, EvaluationInput, record_evaluation
from steward.services.qa_report import QaReportError, qa_report
from steward.services.qa_sampling import SampleRequest, SamplingError, sample
from steward.storage.settings import SettingsError
from steward.workspace import Workspace

EXIT_BAD_REQUEST = 2
console = Console()
errors = Console(stderr=True)
qa_app = typer.Typer(help="Quality assurance: sampling plans and sample sizes (docs/qa.md).", no_args_is_help=True)
WorkspaceOption = Annotated[
    Path | None, typer.Option("--workspace", "-w", help="Workspace folder (default: the nearest one up).")
]


def _open(root: Path | None) -> Workspace:
    try:
        return Workspace.open(root)
    except SettingsError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from error


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
    ws = _open(workspace)
    try:
        plan = sample(ws, request, output)
    except SamplingError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
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
            scorecard, interaction, evaluator, _pairs(answer, "--answer"), _pairs(comment or [], "--comment"),
            sample_frame, source,
        )  # fmt: skip
    except ValueError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    ws = _open(workspace)
    try:
        done = record_evaluation(ws, given)
    except EvaluationError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
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


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise ValueError(f"{option} {item!r}: write QUESTION=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


@qa_app.command("calibrate")
def calibrate_command(
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
    """How far a calibration session's evaluators agree: alpha with raw agreement and prevalence per
    question, and each evaluator's bias, deviation and alignment against the expert or the consensus."""
    ws = _open(workspace)
    try:
        report = calibrate_file(ws, answers, scorecard, expert=expert, tolerance=tolerance)
    except CalibrationError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    finally:
        ws.close()
    show_calibration(console, report)


def show_calibration(target: Console, report: CalibrationReport) -> None:
    """The session's agreement per question and each evaluator against the reference."""
    result = report.result
    overall = result.overall
    target.print(
        f"Calibration on {report.version}, reference: [bold]{result.reference}[/]; "
        f"alpha (interval) on final scores {_number(overall.value, 3)} over {overall.units} interactions"
    )
    questions = Table(title="Agreement per question")
    for heading in ("question", "statistic", "value", "raw agreement", "prevalence", "note"):
        questions.add_column(heading, justify="left" if heading in ("question", "statistic", "note") else "right")
    for question, agreement in result.questions.items():
        questions.add_row(
            question,
            agreement.statistic.removeprefix("krippendorff_"),
            _number(agreement.value, 3),
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
            _number(row.bias, 1, signed=True),
            _number(row.mean_absolute_deviation, 1),
            _percent(row.within_tolerance),
            _percent(row.alignment),
            "[bold red]outside tolerance[/]" if row.flagged else "[green]ok[/]",
        )
    target.print(people)


def _number(value: float | None, places: int, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.{places}f}" if signed else f"{value:.{places}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


dispute_app = typer.Typer(help="Disputes of evaluations: open, resolve, list.", no_args_is_help=True)
qa_app.add_typer(dispute_app, name="dispute")


@dispute_app.command("open")
def dispute_open(
    evaluation: Annotated[str, typer.Argument(help="Evaluation id (ev-...).")],
    raised_by: Annotated[str, typer.Option("--by", help="Agent or partner user disputing.")],
    question: Annotated[
        list[str], typer.Option("--question", "-q", help="QUESTION=COMMENT, repeated (comment required).")
    ],
    propose: Annotated[
        list[str] | None, typer.Option("--propose", help="QUESTION=ANSWER the disputer proposes.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Dispute questions of an evaluation within the dispute window (7 days after the evaluation)."""
    try:
        comments, proposed = _pairs(question, "--question"), _pairs(propose or [], "--propose")
    except ValueError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    unknown = sorted(set(proposed) - set(comments))
    if unknown:
        errors.print(f"[red]error:[/] --propose for questions not disputed: {', '.join(unknown)}")
        raise typer.Exit(EXIT_BAD_REQUEST)
    disputed = {q: DisputedQuestion(text, proposed.get(q)) for q, text in comments.items()}
    ws = _open(workspace)
    try:
        dispute = open_dispute(ws, evaluation, raised_by, disputed)
    except DisputeError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    finally:
        ws.close()
    console.print(f"dispute [bold]{dispute.id}[/] opened on {evaluation}: {', '.join(disputed)}")


@dispute_app.command("resolve")
def dispute_resolve(
    dispute: Annotated[int, typer.Argument(help="Dispute number.")],
    arbitrator: Annotated[str, typer.Option(help="Who decides.")],
    decision: Annotated[str, typer.Option(help="accepted, partially_accepted or rejected.")],
    change: Annotated[
        list[str] | None, typer.Option("--change", help="QUESTION=ANSWER for a partial acceptance.")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Why.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Decide a dispute; changed answers re-score the evaluation, with an audit record."""
    try:
        changes = _pairs(change or [], "--change")
    except ValueError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    ws = _open(workspace)
    try:
        done = resolve_dispute(ws, dispute, arbitrator, decision, changes=changes, comment=comment)
    except DisputeError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    finally:
        ws.close()
    moved = "unchanged" if done.before == done.after else f"{_number(done.before, 1)} → {_number(done.after, 1)}"
    console.print(f"dispute {dispute} {decision.replace('_', ' ')}; score {moved}")


@dispute_app.command("list")
def dispute_list(
    status: Annotated[str | None, typer.Option(help="open, accepted, partially_accepted or rejected.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Disputes with their status, who raised them and who decided."""
    ws = _open(workspace)
    try:
        found = disputes(ws, status)
    finally:
        ws.close()
    table = Table(title="Disputes")
    for heading in ("#", "evaluation", "raised by", "raised at", "questions", "status", "arbitrator"):
        table.add_column(heading)
    for d in found:
        table.add_row(str(d.id), d.evaluation_id, d.raised_by, f"{d.raised_at:%Y-%m-%d %H:%M}",
                      ", ".join(d.questions), d.status.replace("_", " "), d.arbitrator or "")  # fmt: skip
    console.print(table)


coach_app = typer.Typer(help="Coaching items opened by QA results: open, list, close.", no_args_is_help=True)
qa_app.add_typer(coach_app, name="coach")


@coach_app.command("open")
def coach_open(
    owner: Annotated[str | None, typer.Option(help="Who coaches (team lead).")] = None,
    due_days: Annotated[int, typer.Option("--due-days", min=1, help="Days until the item is due.")] = 14,
    threshold: Annotated[float, typer.Option(help="A score below this opens an item.")] = 70.0,
    repeats: Annotated[int, typer.Option(min=1, help="Failures of one question that open an item ...")] = 3,
    window: Annotated[int, typer.Option(min=1, help="... within the agent's last N evaluations.")] = 5,
    workspace: WorkspaceOption = None,
) -> None:
    """Open coaching items for low scores and repeated question failures (a cause never twice)."""
    ws = _open(workspace)
    try:
        items = open_items(ws, owner=owner, due_days=due_days, threshold=threshold, repeats=repeats, window=window)
    finally:
        ws.close()
    for item in items:
        console.print(f"#{item.id} {item.agent_id} ({item.vendor}): {item.reason}; due {item.due}", highlight=False)
    console.print(f"{len(items)} coaching item(s) opened")


@coach_app.command("list")
def coach_list(
    status: Annotated[str | None, typer.Option(help="open, done or cancelled.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Coaching items with the agent's mean QA score before and after each was opened."""
    ws = _open(workspace)
    try:
        rows = progress(ws, status)
    finally:
        ws.close()
    table = Table(title="Coaching")
    for heading in ("#", "agent", "cause", "owner", "due", "status", "before", "after", "change"):
        table.add_column(heading, justify="right" if heading in ("before", "after", "change") else "left")
    for row in rows:
        item, moved = row.item, row.follow_up
        change = _number(moved.change, 1, signed=True)
        table.add_row(str(item.id), item.agent_id, item.reason, item.owner or "", str(item.due), item.status,
                      _number(moved.before, 1), _number(moved.after, 1), change)  # fmt: skip
    console.print(table)


@coach_app.command("close")
def coach_close(
    item: Annotated[int, typer.Argument(help="Coaching item number.")],
    status: Annotated[str, typer.Option(help="done or cancelled.")] = "done",
    note: Annotated[str | None, typer.Option(help="What was agreed.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Close a coaching item."""
    ws = _open(workspace)
    try:
        closed = close_item(ws, item, status, note)
    except CoachingError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    finally:
        ws.close()
    console.print(f"coaching item {closed.id} {closed.status}")


@qa_app.command("report")
def report_command(
    period: Annotated[str, typer.Option("--period", help="2026-10, 2026-Q3, last or current.")] = "last",
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only this vendor.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Each vendor's QA for the period: score with its 95% margin, pass and critical-failure rates,
    evaluations per sample, mystery shopping apart, open disputes and coaching items."""
    ws = _open(workspace)
    try:
        report = qa_report(ws, period, vendor)
    except QaReportError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_REQUEST) from None
    finally:
        ws.close()
    table = Table(title=f"Quality assurance {report.period}")
    headings = ("vendor", "QA score", "pass rate", "critical failures", "random", "targeted", "calibration",
                "mystery shop", "mystery score", "open disputes", "open coaching")  # fmt: skip
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "vendor" else "right")
    for row in report.vendors:
        score = _number(row.values.get("quality_score"), 1)
        if row.margin is not None and math.isfinite(row.margin):
            score += f" ±{row.margin:.1f}"
        table.add_row(
            row.vendor,
            score,
            _share(row.values.get("qa_pass_rate")),
            _share(row.values.get("qa_critical_fail_rate")),
            *(str(row.evaluations.get(s, 0)) for s in ("random", "targeted", "calibration", "mystery_shop")),
            _number(row.values.get("mystery_shop_score"), 1),
            str(row.open_disputes),
            str(row.open_coaching),
        )
    console.print(table)
    console.print("[dim]QA score: random sample only (margin: 95%, Student's t); rates in percent.[/]")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
