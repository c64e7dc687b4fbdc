"""Demo transcripts for AutoQA: chat and e-mail conversations of the workspace's own interactions.

Agents mostly greet, disclose the recording and close, but miss each at a rate that depends on the
vendor (the vendor whose name hashes highest is visibly sloppier); customers now and then type a card
number, an e-mail address or a phone number; rarely an agent blames the customer; some replies are
slow. The same workspace, window and seed give the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from steward.domain.autoqa import luhn_valid
from steward.domain.canonical import TRANSCRIPTS
from steward.domain.clock import naive_utc
from steward.services.derived_rows import arrow_schema
from steward.workspace import Workspace

DEMO_AUTOQA_RULESET = """\
ruleset: chat-basics
name: Chat and e-mail basics
applies_to: {channels: [chat, email]}
rules:
  - {id: greeting, kind: required, phrases: [hello, hi, good morning], where: first_agent_turn}
  - {id: closing, kind: required, phrases: [anything else, have a nice day], where: last_agent_turn}
  - {id: recording_disclosure, kind: required, phrases: [this conversation is recorded]}
  - {id: no_blame, kind: prohibited, phrases: [not my problem, calm down]}
  - {id: card_numbers, kind: card_numbers}
  - {id: personal_data, kind: personal_data}
  - {id: reply_within_2_min, kind: response_time, max_seconds: 120}
"""
"""The ruleset the demo writes to definitions/autoqa/chat-basics.yaml."""

CHUNK = 2_000
GREETINGS = ("Hello {name}, thanks for reaching out.", "Hi there!", "Good morning, thanks for your patience.")
DISCLOSURE = "Please note this conversation is recorded for quality purposes."
CLOSINGS = ("Is there anything else I can help with?", "Thanks for contacting us, have a nice day!")
BLAME = ("Honestly that is not my problem.", "Please calm down, I am trying to help.")
OPENERS = (
    "My order has not arrived yet.",
    "I was charged twice for my subscription.",
    "How do I change my delivery address?",
    "The app keeps logging me out.",
    "I want to return a jacket that does not fit.",
)
CUSTOMER_LINES = ("Ok, thanks.", "It is order 48213.", "Yes, that is right.", "When will it arrive?", "Great.")
AGENT_LINES = (
    "Let me check that for you.",
    "I can see the order in our system.",
    "I have issued the refund; it takes 3-5 days.",
    "I have updated the address.",
    "A colleague from logistics will follow up.",
)
NAMES = ("Anna", "Ben", "Chloe", "David", "Emma", "Farid")


@dataclass(frozen=True)
class Habits:
    """How often a vendor's agents miss a step (probabilities per conversation)."""

    no_greeting: float
    no_disclosure: float
    no_closing: float
    blame: float
    slow_reply: float
    leak: float
    """An agent writes a customer's e-mail address into the conversation."""

    @classmethod
    def of(cls, factor: float) -> Habits:
        return cls(0.04 * factor, 0.06 * factor, 0.08 * factor, 0.005 * factor, 0.02 * factor, 0.003 * factor)


def write_demo_transcripts(
    workspace: Workspace,
    month_start: datetime,
    month_end: datetime,
    path: Path,
    *,
    limit: int = 4000,
    seed: int = 7,
    sloppiness: Mapping[str, float] | None = None,
) -> Path:
    """Transcripts (canonical columns, Parquet) for up to `limit` chat and e-mail interactions created in
    [month_start, month_end), picked at random with the seed."""
    chosen = _interactions(workspace, month_start, month_end, limit, seed)
    habits = _habits(sorted(set(chosen.column("vendor").to_pylist())), sloppiness or {})
    rng = np.random.default_rng(seed)
    schema = arrow_schema(TRANSCRIPTS)
    with pq.ParquetWriter(path, schema) as writer:
        for offset in range(0, chosen.num_rows, CHUNK):
            rows: list[dict[str, object]] = []
            for interaction in chosen.slice(offset, CHUNK).to_pylist():
                rows += _conversation(interaction, habits[interaction["vendor"]], rng)
            writer.write_batch(pa.RecordBatch.from_pylist(rows, schema))
    return path


def _interactions(workspace: Workspace, start: datetime, end: datetime, limit: int, seed: int) -> pa.Table:
    t = workspace.warehouse.table("interactions")
    rows = t.filter(
        t.channel.isin(["chat", "email"]),
        t.created_at >= ibis.timestamp(naive_utc(start)),
        t.created_at < ibis.timestamp(naive_utc(end)),
    )
    found = rows.select("source", "interaction_id", "vendor", "created_at").order_by(["source", "interaction_id"])
    table = found.to_pyarrow()
    if table.num_rows <= limit:
        return table
    picked = np.sort(np.random.default_rng(seed).choice(table.num_rows, size=limit, replace=False))
    return table.take(pa.array(picked))


def _habits(vendors: list[str], sloppiness: Mapping[str, float]) -> dict[str, Habits]:
    """Each vendor's habits: its given sloppiness factor, else one from a hash of its name (the
    highest hash four times as sloppy as the best)."""
    hashes = {v: int(hashlib.sha256(v.encode()).hexdigest()[:8], 16) for v in vendors}
    worst = max(hashes, key=lambda v: hashes[v]) if hashes else None
    hashed = {v: 4.0 if v == worst else 1.0 + (h % 50) / 100 for v, h in hashes.items()}
    return {v: Habits.of(sloppiness.get(v, hashed[v])) for v in vendors}


def _conversation(interaction: dict[str, object], habits: Habits, rng: np.random.Generator) -> list[dict[str, object]]:
    """4-10 alternating turns, customer first, agent last, at realistic intervals."""
    count = 2 * int(rng.integers(2, 6))
    created = interaction["created_at"]
    assert isinstance(created, datetime)  # noqa: S101 - a required column
    at = created.replace(tzinfo=UTC)
    greet, disclose, close = (rng.random() >= p for p in (habits.no_greeting, habits.no_disclosure, habits.no_closing))
    blame_turn = int(rng.integers(1, count // 2)) * 2 if rng.random() < habits.blame else -1
    rows = []
    for index in range(count):
        number = index + 1
        if index % 2 == 0:
            text = _customer_text(index, rng)
            at += timedelta(seconds=0 if index == 0 else int(rng.integers(10, 90)))
        else:
            slow = rng.random() < habits.slow_reply
            at += timedelta(seconds=int(rng.integers(150, 600) if slow else rng.integers(15, 100)))
            text = _agent_text(number, count, rng, greet=greet, disclose=disclose, close=close)
            if number == blame_turn:
                text = f"{text} {BLAME[int(rng.integers(len(BLAME)))]}"
            if rng.random() < habits.leak:
                text = f"{text} I sent the label to {NAMES[int(rng.integers(len(NAMES)))].lower()}@example.com."
        rows.append(
            {
                "source": interaction["source"],
                "interaction_id": interaction["interaction_id"],
                "turn": number,
                "speaker": "customer" if index % 2 == 0 else "agent",
                "at": at,
                "text": text,
            }
        )
    return rows


def _customer_text(index: int, rng: np.random.Generator) -> str:
    text = OPENERS[int(rng.integers(len(OPENERS)))] if index == 0 else CUSTOMER_LINES[int(rng.integers(5))]
    draw = rng.random()
    if draw < 0.015:
        return f"{text} My card is {_card_number(rng)}."
    if draw < 0.03:
        return f"{text} You can mail me at {NAMES[int(rng.integers(len(NAMES)))].lower()}@example.com."
    if draw < 0.04:
        return f"{text} Call me on +44 20 7946 {int(rng.integers(1000, 9999))}."
    return text


def _agent_text(number: int, count: int, rng: np.random.Generator, *, greet: bool, disclose: bool, close: bool) -> str:
    parts = []
    if number == 2 and greet:
        parts.append(GREETINGS[int(rng.integers(len(GREETINGS)))].format(name=NAMES[int(rng.integers(len(NAMES)))]))
    if number == 2 and disclose:
        parts.append(DISCLOSURE)
    parts.append(AGENT_LINES[int(rng.integers(len(AGENT_LINES)))])
    if number == count and close:
        parts.append(CLOSINGS[int(rng.integers(len(CLOSINGS)))])
    return " ".join(parts)


def _card_number(rng: np.random.Generator) -> str:
    """A Luhn-valid 16-digit Visa-like number, in groups of four."""
    body = "4" + "".join(str(d) for d in rng.integers(0, 10, size=14))
    check = next(d for d in range(10) if luhn_valid(f"{body}{d}"))
    digits = f"{body}{check}"
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
