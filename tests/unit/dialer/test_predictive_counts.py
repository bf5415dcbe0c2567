"""The discrete counts `predictive` uses for small teams: agents freed, people arriving."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amicable.dialer.core.predictive import _add_chance, _count_pmf, _no_agent_chance


def _exact(chances: list[float]) -> list[float]:
    """The exact distribution of a sum of independent chances (Poisson-binomial)."""
    pmf = [1.0]
    for p in chances:
        pmf = _add_chance(pmf, p)
    return pmf


def _moments(pmf: list[float]) -> tuple[float, float]:
    mean = sum(k * p for k, p in enumerate(pmf))
    return mean, sum((k - mean) ** 2 * p for k, p in enumerate(pmf))


def _cdf(pmf: list[float]) -> list[float]:
    out, total = [], 0.0
    for p in pmf:
        total += p
        out.append(total)
    return out


@given(st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=30))
@settings(max_examples=200, deadline=None)
def test_count_keeps_the_mean_and_about_the_variance(chances: list[float]) -> None:
    mean = sum(chances)
    variance = sum(p * (1 - p) for p in chances)
    pmf = _count_pmf(mean, variance)
    assert all(p >= 0 for p in pmf)
    assert sum(pmf) == pytest.approx(1.0, abs=1e-6)
    got_mean, got_variance = _moments(pmf)
    assert got_mean == pytest.approx(mean, abs=1e-4)
    # A binomial has n whole trials, so its variance is matched only roughly.
    assert got_variance <= mean + 1e-4
    assert got_variance == pytest.approx(variance, abs=0.25 + 0.1 * variance)


def test_many_small_chances_make_a_poisson() -> None:
    pmf = _count_pmf(2.0, 2.0)
    assert pmf[0] == pytest.approx(math.exp(-2.0))
    assert pmf[3] == pytest.approx(math.exp(-2.0) * 8 / 6)


def test_no_agent_chance_by_hand() -> None:
    sure_person = [0.0, 1.0]
    no_frees = [1.0]
    assert _no_agent_chance([1.0], no_frees, 0) == 1.0  # nobody idle: the person is alone
    assert _no_agent_chance([1.0], no_frees, 1) == 0.0  # one idle agent for them
    assert _no_agent_chance(sure_person, no_frees, 1) == 1.0  # someone else takes that agent
    assert _no_agent_chance(sure_person, _cdf([0.5, 0.5]), 1) == pytest.approx(0.5)
    # Two people waiting already and one idle agent: two agents must free up.
    assert _no_agent_chance([1.0], _cdf([0.25, 0.5, 0.25]), -1) == pytest.approx(0.75)


def test_the_fitted_counts_give_about_the_exact_risk() -> None:
    """20 agents on a typical tick: three wrapping, the rest talking; a dozen dials ringing."""
    frees = [0.45, 0.3, 0.2] + [0.03] * 17
    people = [0.16, 0.15, 0.12, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01, 0.01]
    for idle in (0, 1, 2, 3):
        exact = _no_agent_chance(_exact(people), _cdf(_exact(frees)), idle)
        fitted = _no_agent_chance(
            _count_pmf(sum(people), sum(p * (1 - p) for p in people)),
            _cdf(_count_pmf(sum(frees), sum(p * (1 - p) for p in frees))),
            idle,
        )
        assert fitted == pytest.approx(exact, rel=0.1, abs=1e-3)
