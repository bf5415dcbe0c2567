"""Call-frequency boundaries beyond the official examples (1006.14(b))."""

from __future__ import annotations

from datetime import UTC, datetime

from compliance_builders import NY, ask_call, at, conversation, facts, rules, unanswered

from amicable.compliance.core import (
    Call,
    Consent,
    ConsentRevoked,
    ConsumerCall,
    Policy,
)


def test_seventh_call_allowed_eighth_refused_on_the_same_day() -> None:
    six = facts(*(unanswered(at(4, 7, 8 + n)) for n in range(6)))
    assert ask_call(six, at(4, 7, 15)).allowed
    seven = facts(*(unanswered(at(4, 7, 8 + n)) for n in range(7)))
    decision = ask_call(seven, at(4, 7, 15))
    assert rules(decision) == ["call_frequency"]
    assert decision.calls_in_window == {"D1": 8}
    assert decision.next_allowed_at == at(4, 14, 8)


def test_window_rolls_over_any_seven_days_not_calendar_weeks() -> None:
    # Thu Apr 2 .. Wed Apr 8 straddles two calendar weeks.
    the_facts = facts(*(unanswered(at(4, d)) for d in range(2, 9)))
    decision = ask_call(the_facts, at(4, 8, 15))
    assert rules(decision) == ["call_frequency"]
    assert decision.next_allowed_at == at(4, 9, 8)  # Apr 2 leaves the window on Apr 9


def test_next_allowed_waits_for_enough_calls_to_leave_the_window() -> None:
    # Three calls on Apr 1, four on Apr 3: an eighth call is possible once Apr 1 is gone.
    the_facts = facts(
        *(unanswered(at(4, 1, 9 + n)) for n in range(3)),
        *(unanswered(at(4, 3, 9 + n)) for n in range(4)),
    )
    assert ask_call(the_facts, at(4, 7, 12)).next_allowed_at == at(4, 8, 8)


def test_abandoned_calls_count_and_busy_calls_do_not() -> None:
    the_facts = facts(
        *(Call(at(4, d), "abandoned", ("D1",), phone="P1") for d in range(1, 8)),
        *(Call(at(4, d, 11), "busy", ("D1",), phone="P1") for d in range(1, 8)),
    )
    assert rules(ask_call(the_facts, at(4, 7, 15))) == ["call_frequency"]


def test_calls_to_the_attorney_do_not_count_and_may_be_placed() -> None:
    the_facts = facts(
        *(Call(at(4, 7, 8 + n), "no_answer", ("D1",), to="attorney") for n in range(9)),
    )
    assert ask_call(the_facts, at(4, 7, 18)).calls_in_window == {"D1": 1}
    to_attorney = ask_call(the_facts, at(4, 7, 18), to="attorney")
    assert to_attorney.allowed and to_attorney.calls_in_window == {"D1": 0}


def test_consumer_initiated_calls_are_not_placed_calls() -> None:
    the_facts = facts(*(ConsumerCall(at(3, d), ("D1",)) for d in range(20, 28)))
    assert ask_call(the_facts, at(4, 7)).calls_in_window == {"D1": 1}


def test_conversation_day_is_day_one_of_seven() -> None:
    the_facts = facts(conversation(at(4, 1, 20, 59)))
    assert rules(ask_call(the_facts, at(4, 7, 20, 59))) == ["call_after_conversation"]
    assert ask_call(the_facts, at(4, 8, 8)).allowed


def test_revoked_consent_no_longer_excludes_calls() -> None:
    the_facts = facts(
        conversation(at(4, 3)),
        Consent(at(4, 3, 10, 5), ("D1",)),
        ConsentRevoked(at(4, 4), ("D1",)),
    )
    assert ask_call(the_facts, at(4, 3, 12)).allowed
    assert rules(ask_call(the_facts, at(4, 6))) == ["call_after_conversation"]


def test_consent_for_later_days_is_limited_to_seven_days() -> None:
    the_facts = facts(
        conversation(at(4, 1)),
        Consent(at(4, 1, 10, 5), ("D1",), for_dates=(at(4, 3).date(), at(4, 9).date())),
    )
    assert ask_call(the_facts, at(4, 3)).allowed
    assert rules(ask_call(the_facts, at(4, 2))) == ["call_after_conversation"]
    # Apr 9 is the ninth day: the consent cannot reach it, but the 7 days are over anyway.
    assert ask_call(the_facts, at(4, 9)).allowed


def test_next_allowed_jumps_to_an_earlier_consent_covered_day() -> None:
    the_facts = facts(
        conversation(at(4, 1)),
        Consent(at(4, 1, 10, 5), ("D1",), for_dates=(at(4, 4).date(),)),
    )
    assert ask_call(the_facts, at(4, 2)).next_allowed_at == at(4, 4, 0, zone=NY).replace(hour=8)


def test_consent_does_not_authorise_inconvenient_times() -> None:
    """Comment 14(b)(3)(i)-1."""
    the_facts = facts(Consent(at(4, 1, 10), ("D1",)))
    assert rules(ask_call(the_facts, at(4, 2, 21, 30))) == ["inconvenient_time"]


def test_events_after_now_are_unknown() -> None:
    the_facts = facts(conversation(at(4, 5)), *(unanswered(at(4, 4, 8 + n)) for n in range(8)))
    decision = ask_call(the_facts, at(4, 3))
    assert decision.allowed and decision.calls_in_window == {"D1": 1}


def test_events_may_be_given_in_any_order() -> None:
    calls = [unanswered(at(4, d)) for d in range(1, 8)]
    assert rules(ask_call(facts(*reversed(calls)), at(4, 7, 15))) == ["call_frequency"]


def test_each_asked_debt_must_be_allowed() -> None:
    the_facts = facts(conversation(at(4, 1), "D2"), debts=("D1", "D2"))
    decision = ask_call(the_facts, at(4, 2), "D1", "D2")
    assert rules(decision) == ["call_after_conversation"]
    assert decision.calls_in_window == {"D1": 1, "D2": 2}


def test_a_call_without_debts_counts_toward_every_debt() -> None:
    the_facts = facts(*(Call(at(4, d), "no_answer", ()) for d in range(1, 8)), debts=("D1", "D2"))
    assert rules(ask_call(the_facts, at(4, 7, 15), "D2")) == ["call_frequency"]


def test_days_are_the_consumers_local_days_at_midnight() -> None:
    # 03:30 UTC on Apr 2 is 23:30 on Apr 1 in New York: it leaves the window on Apr 8.
    late = Call(datetime(2026, 4, 2, 3, 30, tzinfo=UTC), "no_answer", ("D1",))
    the_facts = facts(late, *(unanswered(at(4, d)) for d in range(2, 8)))
    assert ask_call(the_facts, at(4, 8, 8)).allowed
    # 04:30 UTC on Apr 2 is 00:30 on Apr 2: still in the window on Apr 8.
    early = Call(datetime(2026, 4, 2, 4, 30, tzinfo=UTC), "no_answer", ("D1",))
    the_facts = facts(early, *(unanswered(at(4, d)) for d in range(2, 8)))
    assert rules(ask_call(the_facts, at(4, 8, 8))) == ["call_frequency"]


def test_window_counts_local_days_across_daylight_saving_changes() -> None:
    # Spring forward on Sun Mar 8 2026 (a 23-hour day) and fall back on Sun Nov 1 (25 hours).
    spring = facts(*(unanswered(at(3, d, 12)) for d in range(5, 12)))
    assert rules(ask_call(spring, at(3, 11, 13))) == ["call_frequency"]
    assert ask_call(spring, at(3, 12, 8)).allowed
    fall = facts(
        *(unanswered(at(10, 29, 12)),),
        *(unanswered(at(11, d, 12)) for d in range(1, 5)),
        conversation(at(10, 29, 13)),
    )
    assert rules(ask_call(fall, at(11, 4, 13))) == ["call_after_conversation"]
    assert ask_call(fall, at(11, 5, 8)).allowed


def test_policy_can_lower_the_cap() -> None:
    the_facts = facts(*(unanswered(at(4, d)) for d in range(1, 4)))
    assert rules(ask_call(the_facts, at(4, 4), policy=Policy(max_calls_in_seven_days=3))) == [
        "call_frequency"
    ]
