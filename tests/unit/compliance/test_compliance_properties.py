"""Hypothesis properties: whatever a dialer tries, what the engine authorises stays lawful.

A simulated dialer proposes calls at random instants over a month; each authorised call is placed
with a random result. A checker written independently of the engine then verifies the history:
never more than 7 counted calls about a debt within 7 consecutive local days, no call within the
7 days after a conversation about the debt, and no call outside 8:00-21:00 in any of the
consumer's zones. A second property checks that ``next_allowed_at`` is really allowed and that
nothing earlier was.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amicable.compliance.core import Call, Consumer, Debt, Facts, Request, evaluate
from amicable.compliance.core.events import CALL_RESULTS, NOT_CONNECTED_RESULTS

ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)
START = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))  # spans the March 8 DST change
DEBTS = ("D1", "D2")

zone_sets = st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True)
attempts = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=9 * 24 * 60),  # minute of 9 busy days
        st.sampled_from((("D1",), ("D2",), ("D1", "D2"))),
        st.sampled_from(sorted(CALL_RESULTS)),
    ),
    min_size=1,
    max_size=100,
)


def _simulate(zones: list[str], proposals: list[tuple[int, tuple[str, ...], str]]) -> list[Call]:
    consumer = Consumer(time_zones=tuple(zones))
    debts = tuple(Debt(d) for d in DEBTS)
    placed: list[Call] = []
    for minute, about, result in sorted(proposals):
        when = START + timedelta(minutes=minute)
        facts = Facts(consumer=consumer, debts=debts, events=tuple(placed))
        decision = evaluate(Request("call", about), facts, when)
        if decision.allowed:
            placed.append(Call(at=when, result=result, debt_ids=about))  # type: ignore[arg-type]
    return placed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zones=zone_sets, proposals=attempts)
def test_authorised_calls_never_break_the_caps_or_the_hours(
    zones: list[str], proposals: list[tuple[int, tuple[str, ...], str]]
) -> None:
    placed = _simulate(zones, proposals)
    day_zone = ZoneInfo(zones[0])
    for call in placed:
        for key in zones:
            local = call.at.astimezone(ZoneInfo(key)).time()
            assert time(8) <= local <= time(21), (call, key)
    for debt in DEBTS:
        about = [c for c in placed if debt in c.debt_ids]
        counted_days = [
            c.at.astimezone(day_zone).date() for c in about if c.result not in NOT_CONNECTED_RESULTS
        ]
        for end in set(counted_days):
            in_window = [d for d in counted_days if 0 <= (end - d).days <= 6]
            assert len(in_window) <= 7, (debt, end, in_window)
        talks = [c for c in about if c.result == "conversation"]
        for call in about:
            day = call.at.astimezone(day_zone).date()
            for talk in talks:
                talk_day = talk.at.astimezone(day_zone).date()
                if talk.at < call.at:
                    assert (day - talk_day).days >= 7, (debt, talk, call)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zones=zone_sets,
    proposals=attempts,
    ask_minute=st.integers(min_value=0, max_value=11 * 24 * 60),
    probe=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_next_allowed_at_is_allowed_and_nothing_earlier_is(
    zones: list[str],
    proposals: list[tuple[int, tuple[str, ...], str]],
    ask_minute: int,
    probe: float,
) -> None:
    # Record every proposal as if placed (an aggressive history), then ask once.
    events = tuple(
        Call(at=START + timedelta(minutes=m), result=r, debt_ids=d)  # type: ignore[arg-type]
        for m, d, r in proposals
        if m <= ask_minute
    )
    facts = Facts(
        consumer=Consumer(time_zones=tuple(zones)),
        debts=tuple(Debt(d) for d in DEBTS),
        events=events,
    )
    now = START + timedelta(minutes=ask_minute)
    request = Request("call", ("D1",))
    decision = evaluate(request, facts, now)
    if decision.allowed:
        assert decision.next_allowed_at == now
        return
    assert decision.next_allowed_at is not None  # only time-based rules are involved here
    assert evaluate(request, facts, decision.next_allowed_at).allowed
    earlier = now + (decision.next_allowed_at - now) * probe
    if earlier < decision.next_allowed_at:
        assert not evaluate(request, facts, earlier).allowed
