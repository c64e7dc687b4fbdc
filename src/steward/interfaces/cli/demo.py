"""`steward generate` and `steward demo`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from steward.interfaces.cli.progress import bar

if TYPE_CHECKING:
    from steward.services.demo import DemoResult
    from steward.services.demo_qa import DemoQa
    from steward.services.demo_wfm import DemoWorkforce
    from steward.services.metrics import MetricResult
    from steward.services.scorecard import ScorecardReport


def register_demo_commands(app: typer.Typer, console: Console) -> None:
    """Add the data-generation commands to the CLI."""

    @app.command()
    def generate(
        out: Annotated[Path, typer.Argument(help="Folder for the generated files.")],
        interactions: Annotated[
            int, typer.Option(min=1_000, max=10_000_000, help="Interactions to generate (1,000 to 10,000,000).")
        ] = 500_000,
        seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
        start: Annotated[str, typer.Option(help="First day of the year of data (YYYY-MM-DD).")] = "2025-11-01",
        file_format: Annotated[
            str, typer.Option("--format", help="parquet or csv (the native import format).")
        ] = "parquet",
    ) -> None:
        """Write a deterministic year of realistic support data in the native format, ready for `steward import`."""
        from steward.services.generation import generate as generate_data

        if file_format not in ("parquet", "csv"):
            raise typer.BadParameter("--format must be parquet or csv")
        chosen: Literal["parquet", "csv"] = "csv" if file_format == "csv" else "parquet"
        with bar(console) as progress:
            task = progress.add_task("generating interactions", total=interactions)
            summary = generate_data(
                out,
                interactions=interactions,
                seed=seed,
                start=date.fromisoformat(start),
                file_format=chosen,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        table = Table(title=f"Generated {summary.start} to {summary.end}")
        table.add_column("table")
        table.add_column("rows", justify="right")
        table.add_column("file")
        for name, rows in summary.rows.items():
            table.add_row(name, f"{rows:,}", str(summary.files[name]))
        console.print(table)

    @app.command()
    def demo(
        directory: Annotated[Path, typer.Option("--dir", help="Demo workspace folder (rebuilt on every run).")] = Path(
            "demo-workspace"
        ),
        interactions: Annotated[
            int, typer.Option(min=1_000, max=10_000_000, help="Interactions to generate.")
        ] = 500_000,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    ) -> None:
        """Build the demo workspace: generate a year of data for four vendors, import it, and summarise it."""
        from steward.services.demo import DemoError, build_demo

        with bar(console) as progress:
            task = progress.add_task("generating a year of support data", total=interactions)
            steps = progress.add_task("importing", total=None, visible=False)
            try:
                result = build_demo(
                    directory,
                    interactions=interactions,
                    seed=seed,
                    on_generated=lambda done, total: progress.update(task, completed=done, total=total),
                    on_step=lambda text: progress.update(steps, description=text, visible=True),
                )
            except DemoError as error:
                console.print(f"[red]error:[/] {error}")
                raise typer.Exit(2) from error
        show_demo(console, result)
        result.workspace.close()


def show_demo(console: Console, result: DemoResult) -> None:
    """Print the demo summary: volumes by vendor, channel and month, imports, and where things are."""
    breakdown = result.breakdown
    if breakdown is not None:
        table = Table(title="Interactions per vendor and channel")
        for heading in ("vendor", *breakdown.channels, "total"):
            table.add_column(heading, justify="left" if heading == "vendor" else "right")
        for vendor in breakdown.vendors:
            counts = [breakdown.by_channel.get((vendor, c), 0) for c in breakdown.channels]
            table.add_row(vendor, *(f"{n:,}" for n in counts), f"{sum(counts):,}")
        console.print(table)
        monthly = Table(title="Interactions per month and vendor")
        for heading in ("month", *breakdown.vendors):
            monthly.add_column(heading, justify="left" if heading == "month" else "right")
        for month in breakdown.months:
            monthly.add_row(month, *(f"{breakdown.by_month.get((month, v), 0):,}" for v in breakdown.vendors))
        console.print(monthly)
    if result.headline is not None:
        if not console.is_terminal:
            console.width = max(console.width, 120)  # logs and pipes: wide enough for the table
        console.print(headline_table(result.headline))
    imports = Table(title="Imports")
    for heading in ("file", "read", "stored", "rejected"):
        imports.add_column(heading, justify="left" if heading == "file" else "right")
    for summary in result.imports:
        imports.add_row(
            summary.file.name,
            f"{summary.total('read'):,}",
            f"{summary.total('stored'):,}",
            f"{summary.total('rejected'):,}",
        )
    console.print(imports)
    if result.scorecards is not None:
        show_scorecards(console, result.scorecards, result.workspace.reports)
    if result.qa is not None:
        show_demo_qa(console, result.qa)
    if result.workforce is not None:
        show_demo_workforce(console, result.workforce)
    root = result.workspace.root
    console.print(f"Workspace: [bold]{root}[/]  (steward.toml, definitions/, warehouse.duckdb, records.db, reports/)")
    console.print(f"Try: [bold]steward status -w {root}[/]")


def show_demo_qa(console: Console, qa: DemoQa) -> None:
    """The month's QA program: the imported reviews, the QA report, the calibration session, AutoQA."""
    from steward.interfaces.cli.qa import show_qa_report
    from steward.interfaces.cli.qa_autoqa import show_autoqa
    from steward.interfaces.cli.qa_calibration import show_calibration

    console.rule(f"Quality assurance for {qa.month}")
    imported = qa.imported
    console.print(
        f"QA sample: {qa.sample_file}. Review export: {imported.rows_read:,} answers of "
        f"{imported.evaluations_read:,} evaluations read, {imported.stored:,} stored, "
        f"{imported.rejected_evaluations:,} rejected; {qa.coaching_opened} coaching items opened."
    )
    show_qa_report(console, qa.report)
    console.rule("Calibration session")
    show_calibration(console, qa.calibration)
    console.rule("AutoQA on the month's transcripts")
    show_autoqa(console, qa.autoqa)


def show_demo_workforce(console: Console, workforce: DemoWorkforce) -> None:
    """Steward's forecast per partner queue (chosen model against the Poisson floor), then the staffing
    gaps of the understaffed partner."""
    from steward.interfaces.cli.wfm_staff import show_staffing_gap_summary

    run = workforce.forecast
    console.rule(f"Workforce: forecast from {workforce.first_day} and staffing")
    table = Table(title=f"Steward's forecast, {run.options.horizon_days} days of {run.options.interval_minutes}-minute "
                  "intervals (backtest over 3 weeks)")  # fmt: skip
    for heading in ("vendor", "queue", "model", "WAPE", "Poisson floor", "bias", "contacts ahead"):
        table.add_column(heading, justify="left" if heading in ("vendor", "queue", "model") else "right")
    for series in run.series:
        found = series.forecast
        if found is None:
            continue
        chosen = next(score for score in found.scores if score.model == found.chosen)
        table.add_row(series.vendor or "all", series.queue, found.chosen, f"{chosen.wape:.1%}", f"{found.floor:.1%}",
                      f"{chosen.bias:+.1%}", f"{found.volume.sum():,.0f}")  # fmt: skip
    console.print(table)
    last_day = workforce.first_day + timedelta(days=run.options.horizon_days - 1)
    console.print(f"{run.rows_stored:,} forecast rows stored (made_by steward). Try: steward wfm staff --from "
                  f"{workforce.first_day} --to {last_day} --basis steward")  # fmt: skip
    show_staffing_gap_summary(console, workforce.staffing)


def show_scorecards(console: Console, report: ScorecardReport, reports: Path) -> None:
    """The partners' scorecards for the last month, and the same as an HTML file."""
    from steward.interfaces.cli.scorecard import show_card, write_html

    console.rule(f"Contract scorecards for {report.period.label}")
    for card in report.cards:
        show_card(console, card)
    target = write_html(report, None, reports)
    console.print(f"HTML scorecard: [bold]{target}[/]")


def headline_table(result: MetricResult) -> Table:
    """Vendor x month table of the headline metrics: a section per vendor, compact numbers."""
    table = Table(
        title="Headline metrics per vendor and month",
        caption="units: " + ", ".join(f"{m.id} {m.unit}" for m in result.metrics) + ". Formulas: steward metrics list",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("month", min_width=14, no_wrap=True)
    for metric in result.metrics:
        table.add_column(metric.id.replace("_", " "), justify="right")
    vendor = None
    for row in result.rows():
        if row["vendor"] != vendor:
            vendor = row["vendor"]
            table.add_row(f"[bold]{vendor}[/]", end_section=False)
        month = str(row["month"])[:7]
        table.add_row(month, *(_compact(row[m.id]) for m in result.metrics))
    return table


def _compact(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
