"""Pick-ups (answer supervision) tell the predictive policy which ringing lines hold a person
before answering-machine detection does."""

from __future__ import annotations

from amicable.dialer.core import Event, PredictivePolicy, Snapshot


def trained_policy() -> tuple[PredictivePolicy, float, int]:
    """600 dials, one a second: people pick up at 8 s, machines at 20 s, the rest ring out.
    Detection takes 2.5 s after the pick-up."""
    policy = PredictivePolicy(abandon_target=0.03)
    for call in range(1, 601):
        placed = float(call)
        policy.observe(Event("dial_placed", placed, call))
        if call % 5 == 0:
            policy.observe(Event("picked_up", placed + 8, call, None, 8.0))
            policy.observe(Event("answered_live", placed + 10.5, call, None, 8.0))
        elif call % 5 in (1, 2):
            policy.observe(Event("picked_up", placed + 20, call, None, 20.0))
            policy.observe(Event("answered_machine", placed + 22.5, call, None, 20.0))
        else:
            policy.observe(Event("no_answer", placed + 26, call, None, 26.0))
    return policy, 640.0, 601


def dials_with_one_line_at_nine_seconds(*, picked_up: bool) -> int:
    policy, now, call = trained_policy()
    policy.observe(Event("dial_placed", now - 9, call))
    if picked_up:
        policy.observe(Event("picked_up", now - 1, call, None, 8.0))
    # Three agents, two idle, one line dialing.
    return policy.calls_to_place(Snapshot(now, 3, 2, 1, 0, 1, 0, 600, 120, 0))


def test_a_line_picked_up_when_people_answer_counts_as_a_person_on_the_way() -> None:
    # Ringing at 9 s with no pick-up: people answer at 8 s, so this line will not bring one,
    # and the policy dials ahead for both idle agents. Picked up at 8 s: a person arrives in
    # 1.5 s for one of them, so it dials only for the other (what progressive would).
    assert dials_with_one_line_at_nine_seconds(picked_up=False) == 3
    assert dials_with_one_line_at_nine_seconds(picked_up=True) == 1


def test_the_policy_learns_who_picks_up_when_and_how_long_detection_takes() -> None:
    policy, now, _ = trained_policy()
    policy.calls_to_place(Snapshot(now, 3, 3, 0, 0, 0, 0, 600, 120, 0))  # refreshes its tables
    assert policy.outcomes.arrival_delay == 2.5
    live_at_8 = policy._pick_live[8] / policy._pick_all[8]
    live_at_20 = policy._pick_live[20] / policy._pick_all[20]
    assert live_at_8 > 0.99 and live_at_20 < 0.01
