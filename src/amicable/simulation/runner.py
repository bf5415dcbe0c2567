"""Run a scenario with a policy for one or more days and collect the metrics.

Each day is an independent shift: a fresh world (everyone idle, nothing in flight, counters at
zero, `now` from 0) with its own random streams derived from the seed and the day number, and a
fresh policy, as if the dialer were restarted every morning. Metrics are summed over the days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amicable.dialer.core.factory import UnableToBuildPolicy, make_policy
from amicable.dialer.core.pacing import PacingPolicy
from amicable.simulation.clairvoyant import ClairvoyantPolicy
from amicable.simulation.metrics import Metrics, SeriesPoint, Totals
from amicable.simulation.scenario import Scenario
from amicable.simulation.world import World

CLAIRVOYANT = "clairvoyant"


@dataclass(slots=True)
class RunResult:
    pacing: str
    seed: int
    days: int
    metrics: Metrics
    series: list[SeriesPoint] = field(default_factory=list)  # the first day, if asked for


def build_policy(
    scenario: Scenario, pacing: str | None = None, options: dict[str, Any] | None = None
) -> PacingPolicy:
    """Build the policy for a run: "clairvoyant" here, anything else through the dialer core.

    Without explicit `options`, the scenario's `pacing_options` go to the scenario's own policy
    only; a different policy named on the command line is built with its defaults.
    """
    spec = (pacing or scenario.pacing).strip()
    if options is None:
        options = scenario.pacing_options if spec == scenario.pacing else {}
    if spec == CLAIRVOYANT:
        try:
            return ClairvoyantPolicy(**options)
        except (TypeError, ValueError) as error:
            raise UnableToBuildPolicy(f"pacing {spec!r}: bad pacing_options ({error})") from error
    if spec == "predictive" and "shift_hours" not in options:
        # The shift's length is known here: predictive spreads its abandonment budget over
        # it (a 1-hour scenario planned as 8 hours spends the budget eight times too fast).
        options = {**options, "shift_hours": scenario.hours}
    return make_policy(spec, options, abandon_target=scenario.abandon_target)


def simulate(
    scenario: Scenario,
    *,
    pacing: str | None = None,
    seed: int | None = None,
    days: int = 1,
    options: dict[str, Any] | None = None,
    series_bucket_seconds: float | None = None,
    policy_factory: Any = None,
) -> RunResult:
    """Simulate `days` shifts. `policy_factory()` (if given) replaces building from `pacing`."""
    if days < 1:
        raise ValueError("days must be at least 1")
    spec = (pacing or scenario.pacing).strip()
    seed = scenario.seed if seed is None else seed
    totals = Totals()
    series: list[SeriesPoint] = []
    for day in range(days):
        policy = policy_factory() if policy_factory else build_policy(scenario, spec, options)
        world = World(
            scenario,
            policy,
            seed=f"{seed}:{day}",
            series_bucket_seconds=series_bucket_seconds if day == 0 else None,
        )
        day_totals = world.run()
        if day == 0:
            series = day_totals.series
        totals.add(day_totals)
    return RunResult(pacing=spec, seed=seed, days=days, metrics=totals.metrics(), series=series)
