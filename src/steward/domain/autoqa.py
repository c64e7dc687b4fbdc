"""AutoQA: deterministic rule checks that score every interaction with a transcript.

Rules: required phrases (a greeting in the agent's first turn, a closing in the last, a disclosure
anywhere), prohibited phrases, exposed payment card numbers (Luhn-checked, so order numbers of the
same length do not trip it) and other personal data, and response-time limits. A rule fails closed:
a transcript without an agent turn fails a required phrase rather than passing it. Every finding
names the turn and the character offsets, and transcripts are redacted before they are stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Speaker = Literal["agent", "customer", "bot", "system"]
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ()/-]{7,}\d(?!\w)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
# What `redact` leaves behind: a stored (redacted) transcript still shows that data was exposed.
_MARKER = re.compile(r"\[(card number|email|iban|phone)\]")


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str
    at: datetime | None = None


@dataclass(frozen=True)
class Finding:
    turn: int
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    findings: tuple[Finding, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Rule:
    """One check. kind: required | prohibited | card_numbers | personal_data | response_time."""

    id: str
    kind: Literal["required", "prohibited", "card_numbers", "personal_data", "response_time"]
    phrases: tuple[str, ...] = ()
    where: Literal["anywhere", "first_agent_turn", "last_agent_turn"] = "anywhere"
    max_seconds: float | None = None
    patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        compiled = tuple(re.compile(rf"\b{re.escape(p)}\b", re.IGNORECASE) for p in self.phrases)
        object.__setattr__(self, "patterns", compiled)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of 13-19 digit runs (spaces or dashes allowed between) that pass the Luhn check."""
    spans = []
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            spans.append(match.span())
    return spans


def personal_data(text: str) -> list[tuple[int, int, str]]:
    """Spans of e-mail addresses, IBANs and phone numbers (card numbers are found separately)."""
    cards = card_numbers(text)
    found = [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    found += [(m.start(), m.end(), "iban") for m in _IBAN.finditer(text)]
    for match in _PHONE.finditer(text):
        inside = any(s <= match.start() < e for s, e, _ in found) or any(s <= match.start() < e for s, e in cards)
        if not inside and len(re.sub(r"\D", "", match.group())) >= 8:
            found.append((match.start(), match.end(), "phone"))
    return sorted(found)


def redact(text: str) -> str:
    """The text with card numbers and personal data replaced by [card number], [email], [iban], [phone]."""
    spans = [(s, e, "card number") for s, e in card_numbers(text)] + personal_data(text)
    kept, last = [], 0
    for start, end, kind in sorted(spans):
        if start < last:
            continue
        kept.append(text[last:start] + f"[{kind}]")
        last = end
    return "".join(kept) + text[last:]


def check(transcript: Sequence[Turn], rules: Sequence[Rule]) -> list[RuleResult]:
    """Every rule's result on one transcript."""
    return [_check_one(transcript, rule) for rule in rules]


def _check_one(transcript: Sequence[Turn], rule: Rule) -> RuleResult:
    agent = [i for i, turn in enumerate(transcript) if turn.speaker == "agent"]
    if rule.kind == "required":
        turns = {"first_agent_turn": agent[:1], "last_agent_turn": agent[-1:]}.get(rule.where, agent)
        hits = _phrase_hits(transcript, turns, rule, "required phrase")
        detail = "" if hits else ("no agent turn" if not agent else f"none of {', '.join(rule.phrases)}")
        return RuleResult(rule.id, bool(hits), tuple(hits), detail)
    if rule.kind == "prohibited":
        hits = _phrase_hits(transcript, agent, rule, "prohibited phrase")
        return RuleResult(rule.id, not hits, tuple(hits))
    if rule.kind == "card_numbers":
        hits = [Finding(i, s, e, "card number") for i, t in enumerate(transcript) for s, e in card_numbers(t.text)]
        hits += _markers(transcript, range(len(transcript)), ("card number",))
        return RuleResult(rule.id, not hits, tuple(sorted(hits, key=lambda f: (f.turn, f.start))))
    if rule.kind == "personal_data":
        hits = [Finding(i, s, e, kind) for i in agent for s, e, kind in personal_data(transcript[i].text)]
        hits += _markers(transcript, agent, ("email", "iban", "phone"))
        return RuleResult(rule.id, not hits, tuple(sorted(hits, key=lambda f: (f.turn, f.start))))
    return _response_time(transcript, rule)


def _markers(transcript: Sequence[Turn], turns: Sequence[int], kinds: tuple[str, ...]) -> list[Finding]:
    """Redaction markers of the given kinds: the data was there before the transcript was stored."""
    return [
        Finding(index, match.start(), match.end(), match[1])
        for index in turns
        for match in _MARKER.finditer(transcript[index].text)
        if match[1] in kinds
    ]


def _phrase_hits(transcript: Sequence[Turn], turns: Sequence[int], rule: Rule, kind: str) -> list[Finding]:
    return [
        Finding(index, match.start(), match.end(), kind)
        for index in turns
        for pattern in rule.patterns
        for match in pattern.finditer(transcript[index].text)
    ]


def _response_time(transcript: Sequence[Turn], rule: Rule) -> RuleResult:
    """Every customer turn answered by an agent turn within max_seconds; an unknown time fails."""
    limit = rule.max_seconds or 0.0
    late: list[Finding] = []
    waiting: int | None = None
    for index, turn in enumerate(transcript):
        if turn.speaker == "customer" and waiting is None:
            waiting = index
        elif turn.speaker == "agent" and waiting is not None:
            asked, answered = transcript[waiting].at, turn.at
            if asked is None or answered is None or (answered - asked).total_seconds() > limit:
                late.append(Finding(index, 0, len(turn.text), "late reply"))
            waiting = None
    if waiting is not None:
        late.append(Finding(waiting, 0, len(transcript[waiting].text), "never answered"))
    return RuleResult(rule.id, not late, tuple(late))
