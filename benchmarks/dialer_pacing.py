"""Dialer pacing figures: predictive against ViciDial's best and the clairvoyant ceiling, and speed.

    uv run python benchmarks/dialer_pacing.py              # everything (a few minutes, 2 cores)
    uv run python benchmarks/dialer_pacing.py --quick      # small grid, 2 seeds, no 30 days
    uv run python benchmarks/dialer_pacing.py --scenarios base_20_agents --skip-speed

For each scenario in benchmarks/scenarios/ and each seed it runs `predictive`, a grid of ViciDial
configurations (dial method x available_only_ratio_tally x dial-level cap x diff target) and the
clairvoyant reference. The best ViciDial configuration is the one with the highest mean
utilisation among those whose abandon rate is at most the target on every seed.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from _machine import describe
from amicable.dialer.core.vicidial import ViciDialAdaptivePolicy
from amicable.simulation.runner import simulate
from amicable.simulation.scenario import Scenario, load_scenario

SCENARIOS = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIOS = ("base_5_agents", "base_20_agents", "base_100_agents", "low_answer_20_agents")

VICIDIAL_GRID = {
    "dial_method": ("ADAPT_HARD_LIMIT", "ADAPT_AVERAGE", "ADAPT_TAPERED"),
    "available_only_ratio_tally": (False, True),
    "adaptive_maximum_level": (1.5, 2.0, 2.5, 3.0, 4.0),
    "adaptive_dl_diff_target": (-1, 0, 1),
}
QUICK_GRID = {
    "dial_method": ("ADAPT_HARD_LIMIT", "ADAPT_AVERAGE"),
    "available_only_ratio_tally": (False, True),
    "adaptive_maximum_level": (2.0, 3.0),
    "adaptive_dl_diff_target": (0,),
}


def _run(job: tuple[str, str, dict[str, Any] | None, int]) -> tuple[float, float]:
    """One shift: (utilisation, abandon rate). Top-level so worker processes can run it."""
    scenario_name, pacing, vicidial_options, seed = job
    scenario = load_scenario(SCENARIOS / f"{scenario_name}.toml")
    if vicidial_options is None:
        result = simulate(scenario, pacing=pacing, seed=seed)
    else:
        options = dict(vicidial_options, abandon_target=scenario.abandon_target)
        result = simulate(
            scenario, seed=seed, policy_factory=lambda: ViciDialAdaptivePolicy(**options)
        )
    return result.metrics.utilization, result.metrics.abandon_rate


def _label(options: dict[str, Any]) -> str:
    return (
        f"{options['dial_method']} tally={'Y' if options['available_only_ratio_tally'] else 'N'} "
        f"cap={options['adaptive_maximum_level']:g} diff={options['adaptive_dl_diff_target']:+d}"
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _fmt(values: list[tuple[float, float]]) -> str:
    return "  ".join(f"{u:.4f}/{a:.4f}" for u, a in values)


def bench_scenario(
    name: str, seeds: list[int], grid: dict[str, tuple[Any, ...]], pool: ProcessPoolExecutor
) -> None:
    scenario: Scenario = load_scenario(SCENARIOS / f"{name}.toml")
    target = scenario.abandon_target
    print(
        f"\n== {name}: {scenario.agents} agents, {scenario.hours:g} h, "
        f"live {scenario.outcomes.live:g}, abandon target {target:g}, seeds {seeds}"
    )
    print("   (each cell: utilisation/abandon_rate)")

    predictive = list(pool.map(_run, [(name, "predictive", None, s) for s in seeds]))
    clairvoyant = list(pool.map(_run, [(name, "clairvoyant", None, s) for s in seeds]))
    configs = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    jobs = [(name, "vicidial", options, s) for options in configs for s in seeds]
    flat = list(pool.map(_run, jobs, chunksize=4))
    vicidial = [flat[i * len(seeds) : (i + 1) * len(seeds)] for i in range(len(configs))]

    eligible = [
        (i, _mean([u for u, _ in runs]))
        for i, runs in enumerate(vicidial)
        if all(a <= target for _, a in runs)
    ]
    pred_util = _mean([u for u, _ in predictive])
    clair_util = _mean([u for u, _ in clairvoyant])
    print(
        f"   predictive   {_fmt(predictive)}   mean util {pred_util:.4f}  "
        f"max abandon {max(a for _, a in predictive):.4f}  "
        f"min util {min(u for u, _ in predictive):.4f}"
    )
    if eligible:
        best_index, best_util = max(eligible, key=lambda item: item[1])
        print(
            f"   vicidial     {_fmt(vicidial[best_index])}   mean util {best_util:.4f}  "
            f"best of {len(configs)}: {_label(configs[best_index])} "
            f"({len(eligible)} within the target)"
        )
        per_seed = [p[0] / v[0] for p, v in zip(predictive, vicidial[best_index], strict=True)]
        wins = sum(1 for r in per_seed if r > 1.0)
        print(
            f"   predictive / best vicidial: {pred_util / best_util:.4f} "
            f"(per seed {' '.join(f'{r:.4f}' for r in per_seed)}; "
            f"predictive ahead on {wins} of {len(per_seed)} seeds)"
        )
    else:
        print(f"   vicidial     no configuration of {len(configs)} kept abandonment within target")
    print(f"   clairvoyant  {_fmt(clairvoyant)}   mean util {clair_util:.4f}")
    per_seed = [p[0] / c[0] for p, c in zip(predictive, clairvoyant, strict=True)]
    print(
        f"   predictive / clairvoyant: {pred_util / clair_util:.4f} "
        f"(per seed {' '.join(f'{r:.4f}' for r in per_seed)})"
    )


def bench_speed(days: int) -> None:
    scenario = load_scenario(SCENARIOS / "base_100_agents.toml")
    print("\n== speed (predictive, one core)")
    print(f"   {describe()}")
    started = time.perf_counter()
    result = simulate(scenario, pacing="predictive", seed=1)
    seconds = time.perf_counter() - started
    print(f"   100 agents x 8 h: {seconds:.2f} s  ({result.metrics.dials} dials)")
    if days:
        started = time.perf_counter()
        result = simulate(scenario, pacing="predictive", seed=1, days=days)
        seconds = time.perf_counter() - started
        print(
            f"   100 agents x {days} days: {seconds:.1f} s  ({result.metrics.dials} dials, "
            f"utilisation {result.metrics.utilization:.4f}, "
            f"abandon rate {result.metrics.abandon_rate:.4f})"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS))
    parser.add_argument("--seeds", type=int, default=5, help="seeds 1..N (default 5)")
    parser.add_argument("--quick", action="store_true", help="small grid, 2 seeds, no 30 days")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-pacing", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--days", type=int, default=30, help="days for the long speed run")
    args = parser.parse_args(argv)
    seeds = list(range(1, (2 if args.quick else args.seeds) + 1))
    grid = QUICK_GRID if args.quick else VICIDIAL_GRID
    if not args.skip_pacing:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            for name in args.scenarios.split(","):
                bench_scenario(name.strip(), seeds, grid, pool)
    if not args.skip_speed:
        bench_speed(0 if args.quick else args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
