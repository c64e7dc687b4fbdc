"""QA scorecards as YAML: golden scores, and every mistake reported with file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from steward.definitions.qa_scorecards import load_qa_scorecards
from steward.domain.qa_scoring import score

GOLDEN = Path(__file__).parent / "golden" / "qa_email_support.yaml"


def write(folder: Path, document: object, name: str = "card.yaml") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.mark.parametrize("case", yaml.safe_load(GOLDEN.read_text())["evaluations"], ids=lambda c: c["name"])
def test_golden_scores(tmp_path: Path, case: dict[str, object]) -> None:
    write(tmp_path / "scorecards", yaml.safe_load(GOLDEN.read_text())["scorecard"])
    loaded = load_qa_scorecards(tmp_path / "scorecards")
    assert loaded.issues == ()
    card = loaded.scorecards["email-support"]
    version = card.version_for(date(2026, 3, 1))
    assert version is not None and card.version_label(version) == "email-support@2026-01-01"
    result = score(version.form(), case["answers"])  # type: ignore[arg-type]
    assert result.score == pytest.approx(case["score"])
    assert result.raw == pytest.approx(case["raw"])
    assert result.failed == case["failed"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("scale: 1-5", "scale: 5-1"), "the range must rise"),
        (("scale: 1-5", "scale: one-to-five"), "write binary or a range"),
        (("bonus: true", "bonus: true, critical: section"), "bonus question cannot be critical"),
        (("id: tone,", "id: greeting,"), "question ids used twice: greeting"),
        (("weight: 20, na_allowed", "weight: 0, na_allowed"), "greater than 0"),
        (("category: customer, competency", "category: custmer, competency"), "customer"),
    ],
)
def test_mistakes_are_located(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    text = yaml.safe_dump(yaml.safe_load(GOLDEN.read_text())["scorecard"], sort_keys=False, width=400)
    original = GOLDEN.read_text()
    block = original.split("scorecard:\n", 1)[1].split("evaluations:", 1)[0]
    source = "\n".join(line[2:] for line in block.splitlines())
    assert yaml.safe_load(source) == yaml.safe_load(text)
    path = write(tmp_path / "scorecards", source.replace(*change))
    issues = [str(issue) for issue in load_qa_scorecards(tmp_path / "scorecards").issues]
    assert any(str(path) in issue and message in issue for issue in issues), issues
    assert all(f"{path}:" in issue for issue in issues), issues  # every issue has a line
