"""`amicable simulate SCENARIO.toml [...]`: run shifts and print the metrics.

A thin edge: parse the arguments, load the scenario, call `simulate`, render. Errors go to
stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from amicable.dialer.core.factory import UnableToBuildPolicy
from amicable.simulation.metrics import Metrics
from amicable.simulation.plot import render_svg
from amicable.simulation.runner import RunResult, simulate
from amicable.simulation.scenario import UnableToLoadScenario, load_scenario
from amicable.simulation.world import PolicyFailed

_ROWS = (
    ("dials", "{:d}"),
    ("live_answers", "{:d}"),
    ("connected", "{:d}"),
    ("abandoned", "{:d}"),
    ("abandon_rate", "{:.4f}"),
    ("agent_seconds", "{:.0f}"),
    ("talk_seconds", "{:.0f}"),
    ("wrap_seconds", "{:.0f}"),
    ("idle_seconds", "{:.0f}"),
    ("utilization", "{:.4f}"),
    ("talk_minutes_per_agent_hour", "{:.2f}"),
    ("mean_wait_to_connect", "{:.3f}"),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amicable simulate",
        description="Simulate outbound dialing shifts and print the pacing metrics.",
    )
    parser.add_argument("scenario", help="the scenario file (TOML)")
    parser.add_argument("--pacing", help="policy to use instead of the scenario's `pacing`")
    parser.add_argument("--seed", type=int, help="seed to use instead of the scenario's `seed`")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", metavar="FILE", help="write utilisation and abandonment (SVG)")
    parser.add_argument("--compare", metavar="P1,P2,...", help="run several policies side by side")
    parser.add_argument("--days", type=int, default=1, help="shifts to simulate (default 1)")
    return parser


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed usage or help already
        return int(exit_.code or 0)
    if args.days < 1:
        return _fail("--days: must be at least 1")
    if args.plot and not args.plot.lower().endswith(".svg"):
        return _fail(f"--plot {args.plot}: only .svg is supported (write e.g. shift.svg)")
    if args.compare and args.pacing:
        return _fail("--compare and --pacing: give one or the other")
    try:
        scenario = load_scenario(args.scenario)
    except UnableToLoadScenario as error:
        return _fail(f"{args.scenario}: {error}")
    if args.compare:
        policies = [p.strip() for p in args.compare.split(",") if p.strip()]
        if not policies:
            return _fail("--compare: name at least one policy")
    else:
        policies = [args.pacing or scenario.pacing]

    bucket = max(60.0, scenario.shift_seconds / 96) if args.plot else None
    results: list[RunResult] = []
    for pacing in policies:
        try:
            results.append(
                simulate(
                    scenario,
                    pacing=pacing,
                    seed=args.seed,
                    days=args.days,
                    series_bucket_seconds=bucket,
                )
            )
        except UnableToBuildPolicy as error:
            return _fail(str(error))
        except PolicyFailed as error:
            return _fail(f"pacing {pacing!r}: {error}")

    if args.plot:
        title = (
            f"{Path(args.scenario).name}: {scenario.agents} agents, {scenario.hours:g} h, "
            f"seed {results[0].seed}" + (" (first day)" if args.days > 1 else "")
        )
        svg = render_svg(
            {r.pacing: r.series for r in results},
            abandon_target=scenario.abandon_target,
            title=title,
        )
        try:
            Path(args.plot).write_text(svg, encoding="utf-8")
        except OSError as error:
            return _fail(f"--plot {args.plot}: cannot write ({error.strerror})")

    if args.json:
        payload: dict[str, Any]
        if args.compare:
            payload = {r.pacing: r.metrics.as_dict() for r in results}
        else:
            payload = results[0].metrics.as_dict()
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        out.write(format_table({r.pacing: r.metrics for r in results}))
        if args.plot:
            out.write(f"\nplot written to {args.plot}\n")
    return 0


def format_table(metrics_by_policy: dict[str, Metrics]) -> str:
    """Metrics as an aligned table, one column per policy."""
    names = list(metrics_by_policy)
    cells = [
        [fmt.format(getattr(metrics_by_policy[name], field)) for name in names]
        for field, fmt in _ROWS
    ]
    label_width = max(len(field) for field, _ in _ROWS)
    widths = [max(len(name), *(len(row[i]) for row in cells)) for i, name in enumerate(names)]
    lines = [
        " " * label_width + "  " + "  ".join(n.rjust(w) for n, w in zip(names, widths, strict=True))
    ]
    for (field, _), row in zip(_ROWS, cells, strict=True):
        lines.append(
            field.ljust(label_width)
            + "  "
            + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True))
        )
    return "\n".join(lines) + "\n"


def _fail(message: str) -> int:
    print(f"amicable simulate: error: {message}", file=sys.stderr)
    return 2
