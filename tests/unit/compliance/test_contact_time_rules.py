"""Time-of-day boundaries, daylight saving time and midnight (1006.6(b)(1)(i))."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from compliance_builders import LA, NY, PHOENIX, ask, ask_call, at, facts, rules

from amicable.compliance.core import Consumer, InconvenientTime, Policy


@pytest.mark.parametrize(
    ("hour", "minute", "second", "allowed"),
    [
        (7, 59, 59, False),
        (7, 59, 0, False),
        (8, 0, 0, True),
        (12, 0, 0, True),
        (21, 0, 0, True),
        (21, 0, 1, False),
        (21, 1, 0, False),
        (0, 0, 0, False),
        (23, 59, 59, False),
    ],
)
def test_default_hours_boundaries(hour: int, minute: int, second: int, allowed: bool) -> None:
    decision = ask_call(facts(), at(4, 8, hour, minute, second=second))
    assert decision.allowed is allowed
    if not allowed:
        assert rules(decision) == ["inconvenient_time"]


def test_after_nine_the_next_chance_is_eight_the_next_morning() -> None:
    assert ask_call(facts(), at(4, 8, 21, 1)).next_allowed_at == at(4, 9, 8)
    assert ask_call(facts(), at(4, 8, 23, 59)).next_allowed_at == at(4, 9, 8)
    assert ask_call(facts(), at(4, 9, 0, 0)).next_allowed_at == at(4, 9, 8)


def test_policy_can_exclude_the_endpoints() -> None:
    strict = Policy(earliest_local_time=time(8, 0, 1), latest_local_time=time(20, 59, 59))
    assert not ask_call(facts(), at(4, 8, 8), policy=strict).allowed
    assert not ask_call(facts(), at(4, 8, 21), policy=strict).allowed


def test_spring_forward_morning() -> None:
    # Sun Mar 8 2026: 02:00 EST jumps to 03:00 EDT. 07:59 EDT refused, 08:00 EDT allowed.
    assert not ask_call(facts(), at(3, 8, 7, 59)).allowed
    assert ask_call(facts(), at(3, 8, 8)).allowed
    decision = ask_call(facts(), datetime(2026, 3, 8, 6, 30, tzinfo=UTC))  # 01:30 EST
    assert decision.next_allowed_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT


def test_fall_back_night() -> None:
    # Sun Nov 1 2026: 01:30 happens twice; the next chance is 08:00 EST either way.
    second_half = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)
    decision = ask_call(facts(), second_half)
    assert decision.next_allowed_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert ask_call(facts(), datetime(2026, 11, 2, 1, 0, tzinfo=UTC)).allowed  # 20:00 EST Nov 1


def test_zones_drift_apart_when_only_one_observes_dst() -> None:
    # Phoenix has no DST: in summer 8:00 Phoenix is 11:00 New York, in winter 10:00.
    both = facts(zones=("America/New_York", "America/Phoenix"))
    assert not ask_call(both, at(7, 8, 10, 59)).allowed
    assert ask_call(both, at(7, 8, 8, 0, zone=PHOENIX)).allowed
    assert ask_call(both, at(1, 7, 10, 0)).allowed
    assert ask_call(both, at(7, 8, 10, 0)).next_allowed_at == at(7, 8, 11)


def test_a_window_that_never_opens_gives_no_next_time() -> None:
    # New York and a Pacific/Kiritimati consumer: every instant is outside 8-21 in one zone?
    # Kiritimati is UTC+14, 18 hours ahead of New York in summer: 8:00-21:00 NY is 2:00-15:00
    # the next day there, so 8:00-15:00 Kiritimati (14:00-21:00 NY) is still shared.
    far = facts(zones=("America/New_York", "Pacific/Kiritimati"))
    assert ask_call(far, at(4, 8, 12)).next_allowed_at == at(4, 8, 14)


def test_designated_weekend_then_weekday_afternoon() -> None:
    consumer = Consumer(
        time_zones=("America/New_York", "America/Los_Angeles"),
        inconvenient_times=(
            InconvenientTime(frozenset(range(5)), start=time(15), end=time(17)),
            InconvenientTime(frozenset({5, 6})),
        ),
    )
    the_facts = facts(consumer=consumer)
    # Friday 20:00 New York: past 17:00 both zones; Saturday and Sunday are out; Monday 11:00 NY.
    assert ask_call(the_facts, at(4, 10, 20)).allowed
    assert ask_call(the_facts, at(4, 10, 21, 30)).next_allowed_at == at(4, 13, 11)
    # 12:30 Pacific is 15:30 New York: inside the window in New York time; free at 17:00 NY.
    decision = ask_call(the_facts, at(4, 8, 12, 30, zone=LA))
    assert rules(decision) == ["consumer_inconvenient_time"]
    assert decision.next_allowed_at == at(4, 8, 17)
    # 15:30 Pacific is 18:30 New York: inside the window in Pacific time; free at 17:00 PT.
    decision = ask_call(the_facts, at(4, 8, 15, 30, zone=LA))
    assert rules(decision) == ["consumer_inconvenient_time"]
    assert decision.next_allowed_at == at(4, 8, 20)


def test_letters_have_no_time_of_day() -> None:
    assert ask(facts(), at(4, 8, 23), "letter").allowed


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ask_call(facts(), datetime(2026, 4, 8, 10))  # noqa: DTZ001
