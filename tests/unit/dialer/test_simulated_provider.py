"""The simulated telephony provider draws from the simulator's world: same seed, same sequence
of dial outcomes and ring times; `speed` scales time."""

from datetime import UTC, datetime, timedelta

import pytest

from amicable.dialer.core.scenario import Scenario
from amicable.dialer.telephony.simulated import SimulatedProvider
from amicable.simulation.world import World

NOW = datetime(2026, 4, 6, 14, 0, tzinfo=UTC)


class DialTwentyAtOnce:
    def __init__(self):
        self.ends = {}

    def calls_to_place(self, snapshot):
        return 20 if snapshot.now == 0 else 0

    def observe(self, event):
        if event.kind in {"answered_live", "answered_machine", "no_answer", "busy", "invalid"}:
            self.ends[event.call_id] = (event.kind, event.seconds)


def test_the_same_seed_gives_the_simulators_outcomes_and_ring_times():
    scenario = Scenario(seed=11, hours=0.05, agents=0)
    policy = DialTwentyAtOnce()
    World(scenario, policy, seed=scenario.seed).run()

    provider = SimulatedProvider(scenario=scenario)
    ids = [provider.place_call(call_ref=str(n), to="+15185550134", now=NOW) for n in range(1, 21)]
    events = {e.provider_call_id: e for e in provider.poll_events(now=NOW + timedelta(hours=1))}

    for n, call_id in enumerate(ids, start=1):
        kind, ring = policy.ends[n]
        assert events[call_id].kind == kind
        assert events[call_id].ring_seconds == pytest.approx(ring)


def test_events_come_when_due_and_speed_scales_time():
    provider = SimulatedProvider(scenario=Scenario(seed=3), speed=10)
    call_id = provider.place_call(call_ref="1", to="+15185550134", now=NOW)
    assert provider.poll_events(now=NOW) == []
    (event,) = provider.poll_events(now=NOW + timedelta(seconds=3))  # 26 s at most, / 10
    assert event.provider_call_id == call_id and event.at <= NOW + timedelta(seconds=2.9)
    assert provider.poll_events(now=NOW + timedelta(hours=1)) == []


def test_a_line_picked_up_is_reported_before_who_answered():
    scenario = Scenario(seed=5)
    provider = SimulatedProvider(scenario=scenario, speed=2)
    ids = [provider.place_call(call_ref=str(n), to="+15185550134", now=NOW) for n in range(40)]
    events = provider.poll_events(now=NOW + timedelta(hours=1))

    by_call: dict[str, list] = {}
    for event in events:
        by_call.setdefault(event.provider_call_id, []).append(event)
    answered = 0
    for call_id in ids:
        kinds = [e.kind for e in by_call[call_id]]
        if kinds[-1] in {"answered_live", "answered_machine"}:
            answered += 1
            picked, verdict = by_call[call_id]
            assert kinds == ["picked_up", kinds[-1]]
            assert picked.ring_seconds == verdict.ring_seconds
            assert picked.at == NOW + timedelta(seconds=picked.ring_seconds)
            detection = timedelta(seconds=scenario.timing.amd_seconds / 2)
            assert verdict.at - picked.at == pytest.approx(detection, abs=timedelta(microseconds=2))
        else:
            assert len(kinds) == 1  # no answer, busy, invalid: nobody picked up
    assert 5 <= answered <= 35
