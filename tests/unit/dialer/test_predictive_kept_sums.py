"""The predictive policy keeps the busy agents' column sums from tick to tick: they must
always equal the sums taken afresh."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from amicable.dialer.core.pacing import CONNECTED, TALK_ENDED, WRAP_ENDED, Event, Snapshot
from amicable.dialer.core.predictive import _TALKING, PredictivePolicy


def afresh(policy: PredictivePolicy, now: float) -> list[float]:
    rows = []
    for state, since in policy.busy.values():
        table = policy._talk_rows if state == _TALKING else policy._wrap_rows
        width = policy.talk.width if state == _TALKING else policy.wrap.width
        k = min(max(0, int((now - since) / width)), len(table) - 1)
        rows.append(table[k])
    if not rows:
        return [0.0] * (2 * len(policy.horizons))
    return [math.fsum(column) for column in zip(*rows, strict=True)]


def same(kept: list[float], fresh: list[float]) -> bool:
    return all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(kept, fresh, strict=True))


def snapshot(now: float, busy: int) -> Snapshot:
    return Snapshot(now, 10, 10 - busy, busy, 0, 0, 0, 0, 0, 0)


def test_a_wrap_up_that_starts_a_moment_after_now_leaves_no_phantom_agent() -> None:
    """Another process's clock can put a state change a second after the tick's `now`."""
    policy = PredictivePolicy()
    policy.observe(Event(CONNECTED, 0.0, 1, 8, None))
    policy.observe(Event(CONNECTED, 0.0, 2, 7, None))
    policy.observe(Event(TALK_ENDED, 11.5, 2, 7, 11.5))
    for now in (10.0, 11.6, 13.0):
        policy.calls_to_place(snapshot(now, 2))
        assert same(policy._freeing, afresh(policy, now))
    policy.observe(Event(WRAP_ENDED, 20.0, None, 7, 8.5))
    policy.calls_to_place(snapshot(25.0, 1))
    assert same(policy._freeing, afresh(policy, 25.0))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0.5, 40.0)), min_size=1, max_size=60))
def test_kept_sums_equal_fresh_sums_through_any_sequence_of_calls(steps) -> None:
    policy = PredictivePolicy()
    now = 0.0
    states: dict[int, int] = {}  # agent -> 0 idle, 1 talking, 2 wrapping
    for agent, pause in steps:
        now += pause
        state = states.get(agent, 0)
        if state == 0:
            policy.observe(Event(CONNECTED, now, agent, agent, None))
        elif state == 1:
            policy.observe(Event(TALK_ENDED, now, agent, agent, pause))
        else:
            policy.observe(Event(WRAP_ENDED, now, None, agent, pause))
        states[agent] = (state + 1) % 3
        busy = sum(1 for s in states.values() if s)
        policy.calls_to_place(snapshot(now + 0.5, busy))
        assert same(policy._freeing, afresh(policy, now + 0.5))
