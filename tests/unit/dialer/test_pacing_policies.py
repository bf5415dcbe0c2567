"""Property and table tests of the pacing core: pure, no simulator, no Django."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amicable.dialer.core import (
    Event,
    PredictivePolicy,
    ProgressivePolicy,
    RatioPolicy,
    Snapshot,
    ViciDialAdaptivePolicy,
)
from amicable.dialer.core.pacing import progressive_count


@st.composite
def snapshots(draw: st.DrawFn, *, logged_in: int | None = None) -> Snapshot:
    agents = draw(st.integers(0, 120)) if logged_in is None else logged_in
    idle = draw(st.integers(0, agents))
    talking = draw(st.integers(0, agents - idle))
    wrapping = agents - idle - talking
    dials = draw(st.integers(0, 100_000))
    live = draw(st.integers(0, dials))
    return Snapshot(
        now=draw(st.floats(0, 30_000, allow_nan=False)),
        agents_logged_in=agents,
        agents_idle=idle,
        agents_talking=talking,
        agents_wrapping=wrapping,
        calls_dialing=draw(st.integers(0, 400)),
        calls_waiting=draw(st.integers(0, 20)),
        dials=dials,
        live_answers=live,
        abandoned=draw(st.integers(0, live)),
    )


POLICY_MAKERS = {
    "progressive": ProgressivePolicy,
    "ratio:2.5": lambda: RatioPolicy(2.5),
    "vicidial-hard": lambda: ViciDialAdaptivePolicy(dial_method="ADAPT_HARD_LIMIT"),
    "vicidial-average-tally": lambda: ViciDialAdaptivePolicy(
        dial_method="ADAPT_AVERAGE", available_only_ratio_tally=True, adaptive_maximum_level=4.0
    ),
    "predictive": PredictivePolicy,
}


@pytest.mark.parametrize("name", POLICY_MAKERS)
@settings(max_examples=60, deadline=None)
@given(sequence=st.lists(snapshots(), min_size=1, max_size=5))
def test_never_negative_and_always_an_int(name: str, sequence: list[Snapshot]) -> None:
    policy = POLICY_MAKERS[name]()
    for snapshot in sorted(sequence, key=lambda s: s.now):
        calls = policy.calls_to_place(snapshot)
        assert isinstance(calls, int)
        assert calls >= 0


@pytest.mark.parametrize("name", POLICY_MAKERS)
@settings(max_examples=40, deadline=None)
@given(snapshot=snapshots(logged_in=0))
def test_never_dials_when_no_agent_is_logged_in(name: str, snapshot: Snapshot) -> None:
    assert POLICY_MAKERS[name]().calls_to_place(snapshot) == 0


@settings(max_examples=80, deadline=None)
@given(snapshot=snapshots(), data=st.data())
def test_predictive_backs_off_to_progressive_when_abandonment_is_over_target(
    snapshot: Snapshot, data: st.DataObject
) -> None:
    answers = data.draw(st.integers(1_000, 5_000))  # `guard_min_answers` and more
    over = data.draw(st.integers(int(0.03 * answers) + 1, answers))
    under = data.draw(st.integers(0, int(0.03 * answers)))
    base = dict(
        now=snapshot.now,
        agents_logged_in=snapshot.agents_logged_in,
        agents_idle=snapshot.agents_idle,
        agents_talking=snapshot.agents_talking,
        agents_wrapping=snapshot.agents_wrapping,
        calls_dialing=snapshot.calls_dialing,
        calls_waiting=snapshot.calls_waiting,
        dials=answers * 7,
        live_answers=answers,
    )
    over_target = Snapshot(**base, abandoned=over)
    under_target = Snapshot(**base, abandoned=under)
    backed_off = PredictivePolicy(abandon_target=0.03).calls_to_place(over_target)
    assert backed_off == progressive_count(over_target)
    assert backed_off <= PredictivePolicy(abandon_target=0.03).calls_to_place(under_target)


def test_the_cap_of_a_small_team_is_reckoned_on_the_answers_its_shift_is_on_course_for() -> None:
    # 5 agents, 7 hours into an 8-hour shift, 350 answers so far: on course for 400, so 3%
    # allows 12 abandons, not the 30 that 1,000 answers would.
    small = Snapshot(7 * 3600.0, 5, 3, 2, 0, 0, 0, 2_400, 350, 12)
    policy = PredictivePolicy(abandon_target=0.03, shift_hours=8.0)
    assert policy._cap_basis(small) == pytest.approx(400.0)
    # A larger team is reckoned on at least 1,000 answers (it is on course for 1,760).
    assert policy._cap_basis(Snapshot(3600.0, 20, 3, 17, 0, 0, 0, 2_000, 220, 3)) == pytest.approx(
        1_000.0
    )


def test_predictive_raises_its_margin_after_abandons() -> None:
    def margin(abandoned: int) -> float:
        policy = PredictivePolicy()
        policy.calls_to_place(Snapshot(0.0, 10, 5, 5, 0, 0, 0, 100, 20, 0))
        policy.calls_to_place(Snapshot(1.0, 10, 5, 5, 0, 0, 0, 110, 22, abandoned))
        return policy.z

    assert margin(2) > margin(0)


def test_predictive_never_dials_less_than_progressive() -> None:
    policy = PredictivePolicy()
    snapshot = Snapshot(0.0, 20, 20, 0, 0, 0, 0, 0, 0, 0)
    assert policy.calls_to_place(snapshot) >= 20


def test_predictive_learns_from_events_and_dials_ahead_of_agents_freeing() -> None:
    """Calls last 40 s, wrap-up 10 s, people answer 10 s after the dial. When every agent is
    42 s into a call (learned in 5-s bins) all will be free in about 10 s: it dials now,
    although nobody is idle."""
    policy = PredictivePolicy()
    call = 0
    for tenth in range(0, 12000, 5):
        t = tenth / 10
        call += 1
        policy.observe(Event("dial_placed", t, call_id=call))
        if call % 5 == 0:
            policy.observe(Event("answered_live", t + 10.0, call_id=call, seconds=8.0))
        else:
            policy.observe(Event("no_answer", t + 26.0, call_id=call, seconds=26.0))
    for agent in range(10):
        for start in range(0, 1100, 60):
            policy.observe(Event("connected", float(start), call_id=1, agent_id=agent, seconds=0.0))
            policy.observe(Event("talk_ended", start + 40.0, 1, agent, 40.0))
            policy.observe(Event("wrap_ended", start + 50.0, None, agent, 10.0))
        policy.observe(Event("connected", 1148.0, call_id=1, agent_id=agent, seconds=0.0))
    policy.in_flight.clear()
    busy = Snapshot(1190.0, 10, 0, 10, 0, 0, 0, 400, 80, 0)
    assert policy.calls_to_place(busy) > 0  # progressive would place none


def test_ratio_keeps_x_lines_per_idle_agent() -> None:
    snapshot = Snapshot(0.0, 10, 4, 6, 0, 3, 1, 0, 0, 0)
    assert RatioPolicy(2.5).calls_to_place(snapshot) == 10 - 3 - 1
    assert ProgressivePolicy().calls_to_place(snapshot) == 0


def test_ratio_rejects_a_non_positive_ratio() -> None:
    with pytest.raises(ValueError):
        RatioPolicy(0)


# -- ViciDial ----------------------------------------------------------------------------------


def test_vicidial_places_level_times_agents_minus_calls_in_progress() -> None:
    # Tally N counts ready + in-call agents: round(2.0 * (2 + 8)) - (dialing 5 + waiting 0 +
    # talking 8) = 7.
    policy = ViciDialAdaptivePolicy(auto_dial_level=2.0)
    assert policy.calls_to_place(Snapshot(0.0, 12, 2, 8, 2, 5, 0, 0, 0, 0)) == 7
    # Tally Y counts ready agents only and adds the calls already with agents back.
    tally = ViciDialAdaptivePolicy(auto_dial_level=2.0, available_only_ratio_tally="Y")
    assert tally.calls_to_place(Snapshot(0.0, 12, 2, 8, 2, 1, 0, 0, 0, 0)) == 3


def test_vicidial_raises_the_level_when_agents_wait() -> None:
    policy = ViciDialAdaptivePolicy(adaptive_maximum_level=3.0)
    for t in range(16):
        policy.calls_to_place(Snapshot(float(t), 10, 5, 5, 0, 0, 0, 10, 1, 0))
    # differential 5 ready - 0 waiting over 10 agents: level 1.0 * (1 + 0.5)
    assert policy.dial_level == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("method", "expected_level"), [("ADAPT_HARD_LIMIT", 1.0), ("ADAPT_AVERAGE", 1.25)]
)
def test_vicidial_drop_limit_since_the_start_cuts_the_level(
    method: str, expected_level: float
) -> None:
    policy = ViciDialAdaptivePolicy(dial_method=method, auto_dial_level=2.5)
    # 100 dials, 20 answers, 2 drops = 10% of answers, over the 3% limit.
    for t in range(16):
        policy.calls_to_place(Snapshot(float(t), 10, 0, 10, 0, 0, 0, 100, 20, 2))
    assert policy.dial_level == pytest.approx(expected_level)


def test_vicidial_tapered_scales_by_the_day_left() -> None:
    policy = ViciDialAdaptivePolicy(
        dial_method="ADAPT_TAPERED",
        auto_dial_level=2.0,
        shift_start_hourmin=1500,
        adaptive_latest_server_time=2100,
    )
    for t in range(16):
        policy.calls_to_place(Snapshot(float(t), 10, 0, 10, 0, 0, 0, 100, 20, 2))
    # At 15:00 there are 600 "HHMM units" left: level 2.0 * 0.6.
    assert policy.dial_level == pytest.approx(1.2)


def test_vicidial_rejects_an_unknown_dial_method() -> None:
    with pytest.raises(ValueError, match="dial_method"):
        ViciDialAdaptivePolicy(dial_method="RATIO")
