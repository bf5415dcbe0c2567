"""How `predictive` sets its margin z from the abandonment budget (see `_tune_margin`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amicable.dialer.core import PredictivePolicy, Snapshot


def _snap(now: float, answers: int, abandoned: int, *, idle: int = 5) -> Snapshot:
    return Snapshot(now, 20, idle, 20 - idle, 0, 0, 0, answers * 7, answers, abandoned)


def _z_after_one_expected_abandon(answers: int, abandoned: int = 0) -> tuple[float, float]:
    """How far z moves when the dials placed bring one more expected abandon, and the ratio of
    actual to expected abandons it was scaled by. `_tune_margin` is called directly, so no
    dials are placed in between."""
    policy = PredictivePolicy()
    policy._tune_margin(_snap(3600.0, answers, abandoned))
    before = policy.z
    policy.expected_abandons += 1.0
    policy._tune_margin(_snap(3601.0, answers, abandoned))
    ratio = (abandoned + policy.prior_ratio * policy.prior_expected) / (
        policy.expected_abandons + policy.prior_expected
    )
    return policy.z - before, ratio


def test_an_expected_abandon_moves_the_margin_less_once_many_answers_are_in() -> None:
    early, ratio = _z_after_one_expected_abandon(100)
    late, _ = _z_after_one_expected_abandon(2_000)
    assert early > late > 0
    assert early == pytest.approx(0.3 * ratio)  # z_step while the estimates are young
    assert late >= 0.02 * ratio  # never below z_step_min


def test_expected_abandons_count_for_more_once_more_actual_abandons_are_seen() -> None:
    """The model's expected abandons are scaled by the actual abandons per expected one."""
    few, _ = _z_after_one_expected_abandon(400, abandoned=2)
    many, _ = _z_after_one_expected_abandon(400, abandoned=12)
    assert many > few > 0


def test_budget_saved_early_lets_the_margin_fall_faster() -> None:
    """Same answers, but one shift has spent none of its abandonment budget: the goal its
    feedback aims at for the rest of the shift is higher, so z falls faster per answer."""
    saved, spent = PredictivePolicy(), PredictivePolicy()
    saved._tune_margin(_snap(7200.0, 400, 0))
    spent._tune_margin(_snap(7200.0, 400, 10))
    z_saved, z_spent = saved.z, spent.z
    saved._tune_margin(_snap(7260.0, 420, 0))
    spent._tune_margin(_snap(7260.0, 420, 10))
    assert z_saved - saved.z > z_spent - spent.z > 0


def test_the_margin_does_not_fall_while_the_reserve_is_on() -> None:
    """Under the reserve the dials are safer, so fewer abandons are expected; z must not sink
    under it (and overshoot when the reserve ends)."""
    policy = PredictivePolicy()
    policy._tune_margin(_snap(3600.0, 300, 29))  # 30 allowed at 1,000 answers: 1 left
    assert policy.reserve > 0.0
    before = policy.z
    policy._tune_margin(_snap(3660.0, 320, 29))  # answers, and no abandon expected
    assert policy.z == before


def test_a_reserve_is_added_only_close_to_the_cap() -> None:
    far, near = PredictivePolicy(), PredictivePolicy()
    far.calls_to_place(_snap(3600.0, 300, 3))
    near.calls_to_place(_snap(3600.0, 300, 29))  # 30 allowed at 1,000 answers: 1 left
    assert far.reserve == 0.0
    assert 0.0 < near.reserve <= 1.5


def test_without_a_reserve_the_policy_reacts_as_before() -> None:
    policy = PredictivePolicy(reserve_abandons=0)
    policy.calls_to_place(_snap(3600.0, 300, 14))
    assert policy.reserve == 0.0


@settings(max_examples=80, deadline=None)
@given(
    now=st.floats(0, 30_000, allow_nan=False),
    idle=st.integers(0, 20),
    dialing=st.integers(0, 40),
    answers=st.integers(0, 5_000),
    data=st.data(),
)
def test_more_abandons_so_far_never_means_more_dials(
    now: float, idle: int, dialing: int, answers: int, data: st.DataObject
) -> None:
    fewer = data.draw(st.integers(0, answers))
    more = data.draw(st.integers(fewer, answers))

    def calls(abandoned: int) -> int:
        snapshot = Snapshot(
            now, 20, idle, 20 - idle, 0, dialing, 0, answers * 7, answers, abandoned
        )
        return PredictivePolicy().calls_to_place(snapshot)

    assert calls(more) <= calls(fewer)
