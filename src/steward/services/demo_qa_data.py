"""The demo's QA definitions and the reviews a QA team would have exported from its QA tool.

Answers come from a simple model of each vendor's quality (bluecrest best, sunrise worst) with a
per-agent offset, so the QA report, the coaching triggers and the calibration session have
something true to find.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SCORECARD = """\
# The QA scorecard every vendor is evaluated on (docs/qa.md#scorecards).
scorecard: support-quality
name: Support quality (all channels)
versions:
  - effective_from: 2025-11-01
    pass_mark: 80
    sections:
      - id: opening
        questions:
          - {id: greeting, text: Greets and introduces themself, scale: binary, weight: 5, category: customer,
             competency: rapport}
          - {id: verification, text: Verifies identity before discussing the account, scale: binary, weight: 15,
             critical: section, category: compliance, competency: security}
      - id: handling
        questions:
          - {id: understanding, text: Understands the request, scale: 1-5, weight: 20, category: customer,
             competency: listening}
          - id: accuracy
            text: Gives correct information
            weight: 25
            critical: evaluation
            category: business
            competency: product knowledge
            options: [{label: correct, points: 2}, {label: minor error, points: 1},
                      {label: wrong, points: 0, fails: true}]
          - {id: tone, text: Tone and empathy fit the customer, scale: 1-5, weight: 10, na_allowed: true,
             category: customer, competency: empathy}
      - id: closing
        questions:
          - id: resolution
            text: Resolves the request or sets a clear next step
            weight: 20
            category: customer
            competency: ownership
            options: [{label: resolved, points: 2}, {label: next step set, points: 1}, {label: left open, points: 0}]
          - {id: documentation, text: Documents the case, scale: binary, weight: 5, na_allowed: true,
             category: business, competency: documentation}
          - {id: extra_mile, text: Goes beyond the request, scale: binary, weight: 5, bonus: true,
             competency: ownership}
"""

SHOP_SCORECARD = """\
# Mystery shoppers score their test contacts on this card only (docs/qa.md#mystery-shopping).
scorecard: mystery-contact
name: Mystery shopping
purpose: mystery_shop
versions:
  - effective_from: 2025-11-01
    sections:
      - id: shop
        questions:
          - {id: correct_answer, text: Gives the correct policy answer, scale: binary, weight: 50, critical: evaluation}
          - {id: offers_alternative, text: Offers an alternative, scale: binary, weight: 20}
          - {id: courtesy, text: Courteous throughout, scale: 1-5, weight: 30}
"""

EXPORT_MAPPING = """\
# How the QA tool's per-question export maps onto Steward's fields (docs/qa.md#importing-evaluations).
columns: {evaluation: Review ID, interaction: Ticket, evaluator: Reviewer, scorecard: Scorecard,
          evaluated_at: Reviewed, question: Criterion, answer: Rating, comment: Comment, sample: Review type}
values:
  scorecard: {Support QA v2: support-quality}
  question: {Greeting: greeting, Identity verification: verification, Understanding: understanding,
             Accuracy: accuracy, Tone & empathy: tone, Resolution: resolution, Documentation: documentation,
             Extra mile: extra_mile}
  answer: {"Yes": "yes", "No": "no", N/A: n/a, Correct: correct, Minor error: minor error, Wrong: wrong,
           Resolved: resolved, Next step set: next step set, Left open: left open}
  sample: {Random: random, Low CSAT: targeted, Long handle time: targeted}
timezone: Europe/Berlin
timestamp_format: "%d.%m.%Y %H:%M"
"""

CRITERIA = {
    "greeting": "Greeting",
    "verification": "Identity verification",
    "understanding": "Understanding",
    "accuracy": "Accuracy",
    "tone": "Tone & empathy",
    "resolution": "Resolution",
    "documentation": "Documentation",
    "extra_mile": "Extra mile",
}
EXPORT_HEADER = ("Review ID", "Ticket", "Reviewer", "Scorecard", "Reviewed", "Criterion", "Rating", "Comment",
                 "Review type")  # fmt: skip
VENDOR_QUALITY = {"acme-inhouse": 0.9, "northwind": 0.87, "bluecrest": 0.94, "sunrise": 0.76}
REVIEWERS = ("qa-lena", "qa-tom", "qa-ana", "qa-ravi")
FRAME_LABELS = {"random": "Random", "targeted": "Low CSAT"}
COMMENTS = {
    "verification": "Account details given before the security questions.",
    "accuracy": "Refund window quoted as 60 days; it is 30.",
    "resolution": "No next step agreed with the customer.",
}


@dataclass(frozen=True)
class Review:
    interaction: str
    vendor: str
    agent_id: str | None
    frame: str
    created_at: datetime


def quality(vendor: str, agent_id: str | None) -> float:
    """The chance an agent does a question right: the vendor's level and a stable per-agent offset."""
    digest = hashlib.sha256((agent_id or vendor).encode()).digest()
    offset = (digest[0] / 255) * 0.13 - 0.09
    return min(0.99, max(0.4, VENDOR_QUALITY.get(vendor, 0.85) + offset))


def answers(level: float, rng: random.Random) -> dict[str, str]:
    """One evaluation's answers for an agent doing a question right with probability `level`."""

    def yes(bias: float = 0.0) -> str:
        return "yes" if rng.random() < min(0.995, level + bias) else "no"

    def rating() -> str:
        return str(min(5, max(1, round(rng.gauss(1 + 4 * level, 0.7)))))

    miss = rng.random()
    return {
        "greeting": yes(0.05),
        "verification": yes(0.07),
        "understanding": rating(),
        "accuracy": "correct" if miss < level else ("minor error" if miss < level + (1 - level) * 0.8 else "wrong"),
        "tone": "n/a" if rng.random() < 0.05 else rating(),
        "resolution": rng.choices(("resolved", "next step set", "left open"), (level, (1 - level) * 0.6, 0.1))[0],
        "documentation": "n/a" if rng.random() < 0.1 else yes(),
        "extra_mile": "yes" if rng.random() < level / 5 else "no",
    }


def write_export(path: Path, reviews: Sequence[Review], month_end: datetime, seed: int) -> Path:
    """The QA tool's export: one row per answer, labels and local times as the tool writes them."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    berlin = ZoneInfo("Europe/Berlin")
    labels = _labels()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        for number, review in enumerate(reviews, start=1):
            reviewer = rng.choice(REVIEWERS)
            reviewed = min(review.created_at + timedelta(hours=rng.uniform(20, 96)), month_end - timedelta(hours=1))
            reviewed = _unambiguous(reviewed, berlin)
            given = answers(quality(review.vendor, review.agent_id), rng)
            for question, answer in given.items():
                comment = COMMENTS.get(question, "") if answer in ("no", "wrong", "left open") else ""
                writer.writerow([
                    f"R-{number:05d}", review.interaction, reviewer, "Support QA v2",
                    reviewed.astimezone(berlin).strftime("%d.%m.%Y %H:%M"), CRITERIA[question],
                    labels.get(answer, answer), comment, FRAME_LABELS.get(review.frame, "Random"),
                ])  # fmt: skip
    return path


def _unambiguous(moment: datetime, zone: ZoneInfo) -> datetime:
    """The export writes local times without an offset, as QA tools do; a review in the hour the clocks
    repeat could not be placed (the importer rightly refuses it), so the demo's reviewer waits it out."""
    while True:
        local = moment.astimezone(zone).replace(tzinfo=None)
        if local.replace(tzinfo=zone, fold=0).utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset():
            return moment
        moment += timedelta(hours=1)


def _labels() -> Mapping[str, str]:
    words = ("correct", "minor error", "wrong", "resolved", "next step set", "left open")
    return {"yes": "Yes", "no": "No", "n/a": "N/A"} | {word: word.capitalize() for word in words}


def shop_answers(vendor: str, scenario: int, contact: int) -> dict[str, str]:
    """Mystery shops are few, so their story is written, not drawn: sunrise quotes the wrong
    cancellation terms on its first chat shop; the better a vendor, the more courteous."""
    level = VENDOR_QUALITY.get(vendor, 0.85)
    wrong = vendor == "sunrise" and scenario == 1 and contact == 0
    return {
        "correct_answer": "no" if wrong else "yes",
        "offers_alternative": "yes" if level - 0.05 * contact > 0.8 else "no",
        "courtesy": str(min(5, round(1 + 4 * level + 0.3 - 0.5 * contact))),
    }


def calibration_answers(
    interactions: Sequence[tuple[str, str, str | None]], seed: int
) -> list[tuple[str, str, dict[str, str]]]:
    """Four evaluators on the same interactions: the expert, a careful one, a lenient one and a noisy one.
    Sessions pick borderline contacts, so the contacts are drawn a notch below the agents' level."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    rows = []
    for interaction, vendor, agent in interactions:
        truth = answers(quality(vendor, agent) - 0.15, rng)
        rows.append(("qa-lead", interaction, truth))
        rows.append(("qa-lena", interaction, _perturb(truth, rng, flip=0.04, lift=0.0)))
        rows.append(("qa-tom", interaction, _perturb(truth, rng, flip=0.03, lift=0.9)))
        rows.append(("qa-ana", interaction, _perturb(truth, rng, flip=0.25, lift=0.0)))
    return rows


def _perturb(truth: Mapping[str, str], rng: random.Random, flip: float, lift: float) -> dict[str, str]:
    """The same contact seen by another evaluator: `lift` forgives misses, `flip` is noise."""
    better = {"no": "yes", "wrong": "minor error", "minor error": "correct", "left open": "next step set",
              "next step set": "resolved"}  # fmt: skip
    worse = {v: k for k, v in better.items() if k != "minor error"} | {"correct": "minor error"}
    seen = {}
    for question, answer in truth.items():
        seen[question] = answer
        if answer.isdigit():
            step = (1 if rng.random() < lift else 0) + (rng.choice((-1, 1)) if rng.random() < flip else 0)
            seen[question] = str(min(5, max(1, int(answer) + step)))
        elif rng.random() < lift and answer in better:
            seen[question] = better[answer]
        elif rng.random() < flip and answer != "n/a":
            seen[question] = (better if rng.random() < 0.5 else worse).get(answer, answer)
    return seen
