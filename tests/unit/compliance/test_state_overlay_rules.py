"""State and city overlays: data with effective dates (states.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from compliance_builders import ask, ask_call, at, facts, rules, unanswered

from amicable.compliance.core import (
    OVERLAYS,
    Call,
    Consumer,
    Email,
    FrequencyCap,
    Overlay,
    Phone,
    Policy,
    Text,
)


def _consumer(state: str, city: str | None = None) -> Consumer:
    return Consumer(
        time_zones=("America/New_York",),
        state=state,
        city=city,
        phones=(Phone("CELL", "mobile"), Phone("WORK", "landline", place="work")),
    )


def test_massachusetts_two_calls_per_seven_days_per_debt() -> None:
    the_facts = facts(
        unanswered(at(4, 1), phone="CELL"),
        unanswered(at(4, 3), phone="CELL"),
        consumer=_consumer("MA"),
        debts=("D1", "D2"),
    )
    decision = ask_call(the_facts, at(4, 6), phone="CELL")
    assert rules(decision) == ["state_frequency"]
    assert decision.next_allowed_at == at(4, 8, 8)  # Apr 1 leaves the 7 days
    assert ask_call(the_facts, at(4, 6), "D2", phone="CELL").allowed
    assert ask_call(the_facts, at(4, 6), phone="WORK").allowed  # a separate 30-day cap


def test_massachusetts_texts_count_and_other_numbers_have_a_thirty_day_cap() -> None:
    the_facts = facts(
        Text(at(4, 1), ("D1",), phone="CELL"),
        unanswered(at(4, 2), phone="CELL"),
        unanswered(at(3, 10), phone="WORK"),
        unanswered(at(3, 20), phone="WORK"),
        consumer=_consumer("MA"),
    )
    assert rules(ask(the_facts, at(4, 3), "text", phone="CELL")) == ["state_frequency"]
    decision = ask_call(the_facts, at(4, 3), phone="WORK")
    assert rules(decision) == ["state_frequency"]
    assert decision.next_allowed_at == at(4, 9, 8)  # Mar 10 + 30 days


def test_unanswered_attempts_count_unless_policy_says_otherwise() -> None:
    the_facts = facts(
        unanswered(at(4, 1), phone="CELL"),
        unanswered(at(4, 2), phone="CELL"),
        consumer=_consumer("MA"),
    )
    assert not ask_call(the_facts, at(4, 3), phone="CELL").allowed
    policy = Policy(state_caps_count_unanswered=False)
    assert ask_call(the_facts, at(4, 3), phone="CELL", policy=policy).allowed
    left_messages = facts(
        *(Call(at(4, d), "voicemail_limited_content", ("D1",), phone="CELL") for d in (1, 2)),
        consumer=_consumer("MA"),
    )
    assert not ask_call(left_messages, at(4, 3), phone="CELL", policy=policy).allowed


def test_washington_three_communications_a_week_across_debts() -> None:
    the_facts = facts(
        unanswered(at(4, 1), "D1"),
        Email(at(4, 2), ("D2",), address="E1"),
        Text(at(4, 3), ("D1",), phone="CELL"),
        consumer=_consumer("WA"),
        debts=("D1", "D2"),
    )
    decision = ask(the_facts, at(4, 6), "email", "D2", address="E1")
    assert rules(decision) == ["state_frequency"]
    assert decision.next_allowed_at == at(4, 8, 8)
    assert ask(the_facts, at(4, 6), "email", "D2", address="E1", replying_to_consumer=True).allowed


def test_washington_hours_never_loosen_the_federal_ones() -> None:
    wa = facts(consumer=_consumer("WA"))
    assert rules(ask_call(wa, at(4, 6, 7, 45))) == ["inconvenient_time"]
    assert rules(ask_call(wa, at(4, 6, 7, 15))) == ["inconvenient_time", "state_inconvenient_time"]
    early_policy = Policy(earliest_local_time=time(7))
    assert rules(ask_call(wa, at(4, 6, 7, 15), policy=early_policy)) == ["state_inconvenient_time"]
    assert ask_call(wa, at(4, 6, 7, 45), policy=early_policy).allowed


def test_other_states_are_untouched() -> None:
    the_facts = facts(*(unanswered(at(4, d)) for d in range(1, 7)), consumer=_consumer("NY"))
    assert ask_call(the_facts, at(4, 7)).allowed


def test_overlay_with_effective_dates_and_a_city() -> None:
    nyc = Overlay(
        code="NYC",
        name="New York City",
        citation="6 RCNY 5-77 (example)",
        state="NY",
        city="New York City",
        effective_from=date(2026, 9, 1),
        caps=(FrequencyCap(limit=2, window_days=7, per="debt", media=frozenset({"call"})),),
    )
    policy = Policy(overlays=(*OVERLAYS, nyc))
    calls = (unanswered(at(9, 1)), unanswered(at(9, 2)))
    in_city = facts(*calls, consumer=_consumer("NY", city="new york city"))
    assert rules(ask_call(in_city, at(9, 3), policy=policy)) == ["state_frequency"]
    before = facts(
        unanswered(at(8, 25)), unanswered(at(8, 26)), consumer=_consumer("NY", city="New York City")
    )
    assert ask_call(before, at(8, 27), policy=policy).allowed
    upstate = facts(*calls, consumer=_consumer("NY", city="Albany"))
    assert ask_call(upstate, at(9, 3), policy=policy).allowed
    ended = replace(nyc, effective_until=date(2026, 9, 2))
    assert ask_call(in_city, at(9, 3), policy=Policy(overlays=(ended,))).allowed
