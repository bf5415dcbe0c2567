"""The call-center simulator: a scenario (TOML) and a pacing policy in, shift metrics out.

`simulate(scenario, pacing=..., seed=...)` runs shifts in simulated time; `load_scenario(path)`
reads and checks a scenario file; `amicable simulate` (see `cli.main`) is the command line.
"""

from amicable.simulation.metrics import Metrics
from amicable.simulation.runner import RunResult, build_policy, simulate
from amicable.simulation.scenario import (
    Scenario,
    UnableToLoadScenario,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "Metrics",
    "RunResult",
    "Scenario",
    "UnableToLoadScenario",
    "build_policy",
    "load_scenario",
    "parse_scenario",
    "simulate",
]
