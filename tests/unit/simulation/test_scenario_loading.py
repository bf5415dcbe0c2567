"""Scenario files: defaults, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.dialer.core.scenario import LogNormal
from amicable.simulation import UnableToLoadScenario, load_scenario, parse_scenario

BENCHMARK_SCENARIOS = Path(__file__).parents[3] / "benchmarks" / "scenarios"


def test_the_issue_example_loads_with_its_values() -> None:
    scenario = load_scenario(BENCHMARK_SCENARIOS / "base_20_agents.toml")
    assert scenario.agents == 20
    assert scenario.outcomes.live == 0.15
    assert scenario.timing.live_answer.median == pytest.approx(8.0)
    assert scenario.timing.abandon_after == 2.0
    assert scenario == parse_scenario({})  # the example is also the default


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "outcomes": {
                    "live": 0.1,
                    "machine": 0.3,
                    "no_answer": 0.4,
                    "busy": 0.05,
                    "invalid": 0.05,
                }
            },
            "outcomes: probabilities sum to 0.9, must be 1",
        ),
        ({"agnets": 3}, "agnets: unknown field"),
        ({"agents": -1}, "agents: must be at least 0"),
        ({"agents": 2.5}, "agents: must be a whole number"),
        ({"hours": 0}, "hours: must be more than 0"),
        ({"tick_seconds": "1"}, "tick_seconds: must be a number"),
        ({"abandon_target": 1.5}, "abandon_target: must be at most 1"),
        ({"pacing": ""}, "pacing: must be a non-empty string"),
        ({"pacing_options": 3}, "pacing_options: must be a table"),
        ({"outcomes": {"live": -0.1, "machine": 1.1}}, "outcomes.live: must be at least 0"),
        ({"outcomes": {"human": 1.0}}, "outcomes.human: unknown field"),
        ({"timing": {"talk": {"mean": 300}, "ring": 3}}, "timing.ring: unknown field"),
        ({"timing": {"live_answer": {"median": 8}}}, "timing.live_answer.p90: missing"),
        (
            {"timing": {"live_answer": {"median": 8, "p90": 5}}},
            r"timing.live_answer: p90 \(5\) must be at least the median \(8\)",
        ),
        ({"timing": {"wrap": {"mean": 45, "cv": -1}}}, "timing.wrap.cv: must be at least 0"),
        ({"timing": {"talk": 300}}, "timing.talk: must be a table"),
        ({"timing": {"amd_seconds": -2.5}}, "timing.amd_seconds: must be at least 0"),
    ],
)
def test_errors_name_the_field(data: dict, message: str) -> None:
    with pytest.raises(UnableToLoadScenario, match=message):
        parse_scenario(data)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(UnableToLoadScenario, match="cannot read"):
        load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("agents = = 3\n")
    with pytest.raises(UnableToLoadScenario, match="not valid TOML"):
        load_scenario(bad)


def test_a_duration_without_its_spread_keeps_the_default_spread(tmp_path) -> None:
    path = tmp_path / "spread.toml"
    path.write_bytes(
        b"\xef\xbb\xbf"  # a byte-order mark, as some editors write
        + b"[timing]\ntalk = { mean = 200.0 }\nwrap = { mean = 30.0 }\n"
        + b"machine_answer = { mean = 18.0 }\n"
    )
    timing = load_scenario(path).timing
    assert timing.talk == LogNormal.from_mean_cv(200.0, 1.0)
    assert timing.wrap == LogNormal.from_mean_cv(30.0, 1.5)
    assert timing.machine_answer_sd == 3.0
