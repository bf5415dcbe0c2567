"""The simulated world: exact small shifts worked out by hand, determinism, policies."""

from __future__ import annotations

from typing import Any

import pytest

from amicable.dialer.core import Event, Snapshot
from amicable.simulation import parse_scenario, simulate


def tiny(**overrides: Any) -> dict[str, Any]:
    """One agent, everything deterministic: every dial is answered by a person after 8 s."""
    data: dict[str, Any] = {
        "seed": 1,
        "hours": 0.1,  # 360 s
        "agents": 1,
        "pacing": "progressive",
        "outcomes": {"live": 1.0},
        "timing": {
            "live_answer": {"median": 8.0, "p90": 8.0},
            "amd_seconds": 2.0,
            "abandon_after": 2.0,
            "talk": {"mean": 100.0, "cv": 0.0},
            "wrap": {"mean": 20.0, "cv": 0.0},
        },
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def test_progressive_one_agent_by_hand() -> None:
    # Dials at 0, 130 and 260 s; each person waits from +10 s, talks 100 s, wraps 20 s. The
    # third call (talk from 270 s) is cut by the end of the shift at 360 s.
    metrics = simulate(parse_scenario(tiny())).metrics
    assert (metrics.dials, metrics.live_answers, metrics.connected, metrics.abandoned) == (
        3,
        3,
        3,
        0,
    )
    assert metrics.talk_seconds == pytest.approx(100 + 100 + 90)
    assert metrics.wrap_seconds == pytest.approx(20 + 20)
    assert metrics.agent_seconds == pytest.approx(360)
    assert metrics.idle_seconds == pytest.approx(30)
    assert metrics.utilization == pytest.approx(330 / 360)
    assert metrics.talk_minutes_per_agent_hour == pytest.approx(290 / 60 / 0.1)
    assert metrics.mean_wait_to_connect == 0
    assert metrics.abandon_rate == 0


def test_ratio_two_abandons_the_second_person_by_hand() -> None:
    # Two dials per idle moment (0, 130, 260 s): one person talks, the other waits 2 s and is
    # abandoned.
    metrics = simulate(parse_scenario(tiny()), pacing="ratio:2").metrics
    assert (metrics.dials, metrics.live_answers, metrics.connected, metrics.abandoned) == (
        6,
        6,
        3,
        3,
    )
    assert metrics.abandon_rate == pytest.approx(0.5)


def test_an_agent_freed_exactly_at_the_deadline_takes_the_waiting_person() -> None:
    # Two people wait from 10 s; the agent talks 8 s, so frees at 18 s, exactly when the second
    # person's 8 s of patience run out: connected (after waiting 8 s), not abandoned.
    scenario = parse_scenario(
        tiny(
            hours=20 / 3600,
            timing={"talk": {"mean": 8.0, "cv": 0.0}, "wrap": {"mean": 0.0}, "abandon_after": 8.0},
        )
    )
    metrics = simulate(scenario, pacing="ratio:2").metrics
    assert (metrics.dials, metrics.connected, metrics.abandoned) == (2, 2, 0)
    assert metrics.mean_wait_to_connect == pytest.approx(4.0)
    assert metrics.talk_seconds == pytest.approx(8 + 2)


def test_machines_only_never_reach_an_agent() -> None:
    # A machine answers after 20 s, detection takes 2 s: one line per 22 s, dialled on the
    # next whole-second tick, so at 0, 22, 44, ..., 352 s.
    scenario = parse_scenario(
        tiny(outcomes={"live": 0.0, "machine": 1.0}, timing={"machine_answer": {"mean": 20.0}})
    )
    metrics = simulate(scenario).metrics
    assert metrics.dials == 17
    assert (metrics.live_answers, metrics.connected, metrics.utilization) == (0, 0, 0.0)


def test_a_pick_up_is_reported_at_the_ring_time_before_who_answered() -> None:
    events: list[Event] = []

    class Listening:
        def calls_to_place(self, snapshot: Snapshot) -> int:
            return 1 if snapshot.now in (0.0, 1.0) else 0

        def observe(self, event: Event) -> None:
            events.append(event)

    data = tiny(
        outcomes={"live": 0.5, "machine": 0.5}, timing={"machine_answer": {"mean": 20.0, "sd": 0.0}}
    )
    simulate(parse_scenario(data), policy_factory=Listening)

    by_call: dict[int, list[Event]] = {}
    for event in events:
        if event.call_id is not None:
            by_call.setdefault(event.call_id, []).append(event)
    assert len(by_call) == 2
    seen = set()
    for call_events in by_call.values():
        placed, picked, verdict = call_events[:3]
        assert [placed.kind, picked.kind] == ["dial_placed", "picked_up"]
        assert picked.time == pytest.approx(placed.time + picked.seconds)
        assert verdict.time == pytest.approx(picked.time + 2.0)  # answering-machine detection
        seen.add(verdict.kind)
    assert seen == {"answered_live", "answered_machine"}


def test_a_fixed_seed_gives_identical_results_and_another_seed_differs() -> None:
    scenario = parse_scenario({"agents": 10, "hours": 0.5})
    first = simulate(scenario, pacing="predictive", seed=3).metrics
    again = simulate(scenario, pacing="predictive", seed=3).metrics
    other = simulate(scenario, pacing="predictive", seed=4).metrics
    assert first == again
    assert first != other


class Recorder:
    """A plug-in style policy that records what it is told."""

    def __init__(self, ratio: float = 1.0) -> None:
        self.ratio = ratio
        self.outcomes: dict[int, str] = {}
        self.snapshots: list[Snapshot] = []

    def observe(self, event: Event) -> None:
        if event.kind not in ("dial_placed", "connected", "talk_ended", "wrap_ended", "abandoned"):
            self.outcomes[event.call_id] = event.kind

    def calls_to_place(self, snapshot: Snapshot) -> int:
        self.snapshots.append(snapshot)
        return max(0, int(self.ratio * snapshot.agents_idle) - snapshot.calls_dialing)


def test_dial_outcomes_do_not_depend_on_the_policy() -> None:
    scenario = parse_scenario({"agents": 5, "hours": 0.25})
    slow, fast = Recorder(1.0), Recorder(3.0)
    simulate(scenario, policy_factory=lambda: slow)
    simulate(scenario, policy_factory=lambda: fast)
    common = sorted(set(slow.outcomes) & set(fast.outcomes))
    assert len(common) > 30
    assert [slow.outcomes[c] for c in common] == [fast.outcomes[c] for c in common]


def test_snapshots_add_up() -> None:
    recorder = Recorder(2.0)
    simulate(parse_scenario({"agents": 7, "hours": 0.25}), policy_factory=lambda: recorder)
    for s in recorder.snapshots:
        assert s.agents_idle + s.agents_talking + s.agents_wrapping == s.agents_logged_in == 7
        assert 0 <= s.abandoned <= s.live_answers <= s.dials
    assert [s.now for s in recorder.snapshots[:3]] == [0.0, 1.0, 2.0]


def test_a_plug_in_policy_runs_by_name_with_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    module = types.ModuleType("test_plugin_pacing")
    module.Recorder = Recorder  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "test_plugin_pacing", module)
    scenario = parse_scenario(
        tiny(pacing="test_plugin_pacing:Recorder", pacing_options={"ratio": 2.0})
    )
    assert simulate(scenario).metrics.abandoned == 3  # behaves like ratio:2 above


def test_days_add_up_and_each_day_is_a_fresh_shift() -> None:
    scenario = parse_scenario(tiny())
    one = simulate(scenario).metrics
    three = simulate(scenario, days=3).metrics
    assert three.agent_seconds == pytest.approx(3 * one.agent_seconds)
    assert three.dials == 3 * one.dials  # deterministic world: every day is the same


@pytest.mark.parametrize("pacing", ["predictive", "clairvoyant", "vicidial", "ratio:1.5"])
def test_policies_run_a_short_realistic_shift(pacing: str) -> None:
    scenario = parse_scenario({"agents": 10, "hours": 0.5})
    metrics = simulate(scenario, pacing=pacing, seed=2).metrics
    assert metrics.dials > 0
    assert 0.0 < metrics.utilization <= 1.0
    assert metrics.connected + metrics.abandoned <= metrics.live_answers


def test_series_buckets_cover_the_shift() -> None:
    result = simulate(parse_scenario({"agents": 5, "hours": 0.5}), series_bucket_seconds=300)
    assert len(result.series) == 6
    assert result.series[-1].end == pytest.approx(1800)
    assert all(0.0 <= p.utilization <= 1.0 for p in result.series)
