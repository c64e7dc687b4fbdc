"""`steward qa calibrate file` on a session file."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from steward.interfaces.cli.app import app
from steward.workspace import Workspace

GOLDEN = Path(__file__).parent / "golden" / "qa_email_support.yaml"
QUESTIONS = ("greeting", "tone", "verify", "disclosure", "solved", "extra_mile")


def session_csv(path: Path) -> Path:
    given = {
        "expert": {"t1": ("yes", "5", "yes", "yes", "solved", "no"), "t2": ("yes", "3", "yes", "yes", "partly", "no")},
        "ana": {"t1": ("yes", "5", "yes", "yes", "solved", "no"), "t2": ("yes", "3", "yes", "yes", "partly", "no")},
        "ben": {"t1": ("yes", "5", "yes", "yes", "solved", "yes"), "t2": ("yes", "5", "yes", "yes", "solved", "no")},
    }
    lines = ["evaluator,interaction,question,answer"]
    for evaluator, units in given.items():
        for unit, answers in units.items():
            lines += [f"{evaluator},{unit},{q},{a}" for q, a in zip(QUESTIONS, answers, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_calibrate_flags_the_evaluator_outside_tolerance(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root).close()
    (root / "definitions" / "scorecards").mkdir()
    card = yaml.safe_load(GOLDEN.read_text())["scorecard"]
    (root / "definitions" / "scorecards" / "email.yaml").write_text(yaml.safe_dump(card))
    answers = session_csv(tmp_path / "s.csv")
    args = ["qa", "calibrate", "file", str(answers), "--scorecard", "email-support", "-w", str(root)]
    result = CliRunner().invoke(app, [*args, "--expert", "expert"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = {
        line.split()[1]: line for line in result.output.splitlines() if line.startswith("│ ") and len(line.split()) > 1
    }
    assert "ok" in lines["ana"] and "outside tolerance" in lines["ben"]
    assert "+20.0" in lines["ben"]  # t1: 110 vs 100 (bonus); t2: 100 vs 70 (tone 3 = 0.5, partly = 0.5)
    broken = tmp_path / "broken.csv"
    broken.write_text("evaluator,interaction,question,answer\nana,t1,greeting,\nana,t1,tone,9\n")
    failed = CliRunner().invoke(
        app, ["qa", "calibrate", "file", str(broken), "--scorecard", "email-support", "-w", str(root)]
    )
    assert failed.exit_code == 2 and "row 2: answer empty" in " ".join(failed.output.split())
