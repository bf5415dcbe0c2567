"""The learned duration curves past the durations seen: no certainty from a handful of them."""

import math
import random

from amicable.dialer.core.estimates import Survival


def _ends_within(curve: Survival, elapsed: float, window: float) -> float:
    alive = curve.at(elapsed)
    return 1.0 - curve.at(elapsed + window) / alive


def test_where_durations_are_plenty_the_curve_is_kaplan_meier() -> None:
    curve = Survival(1.0, 100.0, prior=())
    for seconds in [10.5] * 50 + [20.5] * 50:
        curve.add(seconds)
    curve.refresh(running=[])
    assert curve.at(5.0) == 1.0
    assert curve.at(15.0) == 0.5


def test_an_agent_past_the_longest_wrap_up_seen_is_not_sure_to_be_free_soon() -> None:
    # Exponential durations (mean 100 s): whatever has lasted, the next 10 s end it with
    # a chance of 1 - e^(-0.1), about 0.095. Kaplan-Meier alone says 1.0 past the longest.
    rng = random.Random(7)
    curve = Survival(1.0, 3000.0, prior=())
    durations = [rng.expovariate(1 / 100) for _ in range(2000)]
    for seconds in durations:
        curve.add(seconds)
    curve.refresh(running=[])
    expected = 1.0 - math.exp(-0.1)
    for elapsed in (300.0, 500.0, max(durations) - 5.0, max(durations) + 50.0):
        assert abs(_ends_within(curve, elapsed, 10.0) - expected) < 0.04, elapsed


def test_running_durations_count_in_the_tail() -> None:
    # Ten calls ended at 50 s, thirty are still running at 400 s: the tail's hazard is
    # fitted to all forty that went past the cut, so a 400 s call is not about to end.
    curve = Survival(1.0, 3000.0, prior=())
    for _ in range(10):
        curve.add(50.5)
    curve.refresh(running=[400.5] * 30)
    assert _ends_within(curve, 420.0, 10.0) < 0.05


def test_durations_all_still_running_past_the_cut_are_not_about_to_end() -> None:
    # Nothing ended past the cut: one ending is counted over their time there, rather than
    # the hazard of the one bin before the cut (here ln 3 a second, "certain" within 10 s).
    curve = Survival(1.0, 1800.0, prior=(120.0, 180.0))
    for _ in range(200):
        curve.add(30.5)
    for _ in range(30):
        curve.add(200.5)
    curve.refresh(running=[600.5] * 15)
    assert _ends_within(curve, 600.0, 10.0) < 0.01
