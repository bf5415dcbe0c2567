"""Scenario files: moved to `amicable.dialer.core.scenario` so the dialer's simulated telephony
provider shares the simulator's world parameters; re-exported here unchanged."""

from amicable.dialer.core.scenario import (
    OUTCOME_NAMES,
    Z90,
    LogNormal,
    Outcomes,
    Scenario,
    Timing,
    UnableToLoadScenario,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "OUTCOME_NAMES",
    "Z90",
    "LogNormal",
    "Outcomes",
    "Scenario",
    "Timing",
    "UnableToLoadScenario",
    "load_scenario",
    "parse_scenario",
]
