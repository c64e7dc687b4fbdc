"""AutoQA rule checks and redaction on hand-made transcripts."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from steward.domain.autoqa import Rule, Turn, card_numbers, check, luhn_valid, personal_data, redact

T0 = datetime(2026, 10, 1, 9, 0)
VISA_TEST = "4111 1111 1111 1111"  # the well-known Luhn-valid test number


def chat(*turns: tuple[str, str, int]) -> list[Turn]:
    return [Turn(speaker, text, T0 + timedelta(seconds=s)) for speaker, text, s in turns]  # type: ignore[arg-type]


RULES = [
    Rule("greeting", "required", ("hello", "good morning", "hi"), where="first_agent_turn"),
    Rule("closing", "required", ("anything else",), where="last_agent_turn"),
    Rule("disclosure", "required", ("this chat is recorded",)),
    Rule("no_blame", "prohibited", ("not my problem", "calm down")),
    Rule("pan", "card_numbers"),
    Rule("pii", "personal_data"),
    Rule("reply_fast", "response_time", max_seconds=60),
]


def results(transcript: list[Turn]) -> dict[str, bool]:
    return {r.rule: r.passed for r in check(transcript, RULES)}


def test_a_good_chat_passes_every_rule() -> None:
    transcript = chat(
        ("customer", "My order is late", 0),
        ("agent", "Hello Sam, this chat is recorded. Let me look.", 30),
        ("customer", "Thanks", 50),
        ("agent", "It ships today. Is there anything else I can do?", 90),
    )
    assert all(results(transcript).values()), check(transcript, RULES)


def test_failures_name_the_turn_and_offsets() -> None:
    transcript = chat(
        ("customer", f"Charge my card {VISA_TEST} please, mail me at sam@example.com", 0),
        ("agent", "Calm down. Your card 4111-1111-1111-1111 is noted, call +49 30 1234 5678", 200),
    )
    got = {r.rule: r for r in check(transcript, RULES)}
    assert not got["greeting"].passed and not got["closing"].passed and not got["disclosure"].passed
    assert not got["no_blame"].passed and got["no_blame"].findings[0].turn == 1
    pan = got["pan"].findings
    assert [(f.turn, transcript[f.turn].text[f.start : f.end]) for f in pan] == [
        (0, VISA_TEST),
        (1, "4111-1111-1111-1111"),
    ]
    assert [f.kind for f in got["pii"].findings] == ["phone"]  # agent turns only; the customer's e-mail is theirs
    assert not got["reply_fast"].passed  # 200 s after the customer's message


def test_luhn_keeps_order_numbers_apart_and_redaction_removes_the_data() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert card_numbers("order 1234567812345678 shipped") == []
    text = f"card {VISA_TEST}, mail sam@example.com, IBAN DE89 3704 0044 0532 0130 00, phone +44 20 7946 0958"
    assert redact(text) == "card [card number], mail [email], IBAN [iban], phone [phone]"
    assert personal_data("call 112 now") == []


def test_rules_fail_closed_without_an_agent_turn() -> None:
    silent = chat(("customer", "Hello?", 0))
    got = {r.rule: r for r in check(silent, RULES)}
    assert not got["greeting"].passed and got["greeting"].detail == "no agent turn"
    assert not got["reply_fast"].passed and got["reply_fast"].findings[0].kind == "never answered"


@given(st.text(max_size=300))
def test_redaction_leaves_no_card_number_behind(text: str) -> None:
    assert card_numbers(redact(text)) == []
    assert card_numbers(redact(text + " " + VISA_TEST)) == []
