"""Scenario files: the outbound-dialing world, read from TOML and checked field by field.

The world's parameters (outcome probabilities, ring, talk and wrap-up times) are shared by the
simulator (`amicable.simulation`, which re-exports this module as `amicable.simulation.scenario`)
and the dialer's simulated telephony provider, so both live in the pure core.

Every field has the default of the example in docs/dialer.md, so a scenario only states what
differs; unknown fields are errors (a typo must not silently fall back to a default). Every
error names the field, e.g. ``outcomes: probabilities sum to 0.9, must be 1``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTCOME_NAMES = ("live", "machine", "no_answer", "busy", "invalid")
Z90 = 1.2815515655446004  # the standard normal's 90th percentile


class UnableToLoadScenario(ValueError):
    """The scenario file is missing, is not TOML, or a field is wrong (the message says which)."""


@dataclass(frozen=True, slots=True)
class LogNormal:
    """A lognormal duration given by its underlying normal's mu and sigma.

    With no spread (p90 equal to the median, or cv 0) it is the constant `fixed`, kept exact so
    hand-computed scenarios are not disturbed by exp(log(x)) rounding.
    """

    mu: float
    sigma: float
    fixed: float | None = None

    @classmethod
    def from_median_p90(cls, median: float, p90: float) -> LogNormal:
        sigma = (math.log(p90) - math.log(median)) / Z90
        return cls(math.log(median), sigma, median if p90 == median else None)

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> LogNormal:
        sigma2 = math.log(1.0 + cv * cv)
        return cls(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2), mean if cv == 0 else None)

    @property
    def median(self) -> float:
        return math.exp(self.mu)


@dataclass(frozen=True, slots=True)
class Outcomes:
    live: float = 0.15
    machine: float = 0.30
    no_answer: float = 0.41
    busy: float = 0.04
    invalid: float = 0.10


@dataclass(frozen=True, slots=True)
class Timing:
    live_answer: LogNormal = LogNormal.from_median_p90(8.0, 15.0)
    machine_answer_mean: float = 20.0
    machine_answer_sd: float = 3.0
    no_answer_timeout: float = 26.0
    busy_detect: float = 2.0
    invalid_detect: float = 2.0
    amd_seconds: float = 2.5
    abandon_after: float = 2.0
    talk: LogNormal | None = LogNormal.from_mean_cv(300.0, 1.0)  # None: zero seconds
    wrap: LogNormal | None = LogNormal.from_mean_cv(45.0, 1.5)


@dataclass(frozen=True, slots=True)
class Scenario:
    seed: int = 7
    hours: float = 8.0
    agents: int = 20
    pacing: str = "predictive"
    pacing_options: dict[str, Any] = field(default_factory=dict)
    abandon_target: float = 0.03
    tick_seconds: float = 1.0
    outcomes: Outcomes = Outcomes()
    timing: Timing = Timing()

    @property
    def shift_seconds(self) -> float:
        return self.hours * 3600.0


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is fine
    except OSError as error:
        raise UnableToLoadScenario(f"cannot read the file ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise UnableToLoadScenario(
            f"not UTF-8 text (byte {error.start}); save the scenario as UTF-8"
        ) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnableToLoadScenario(f"not valid TOML ({error})") from error
    return parse_scenario(data)


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Build a Scenario from already-parsed TOML, checking every field."""
    top = dict(data)
    values: dict[str, Any] = {}
    _reject_unknown(
        "",
        top,
        {"seed", "hours", "agents", "pacing", "pacing_options", "abandon_target", "tick_seconds"}
        | {"outcomes", "timing"},
    )
    if "seed" in top:
        values["seed"] = _integer("seed", top["seed"])
    if "hours" in top:
        values["hours"] = _number("hours", top["hours"], minimum=0.0, exclusive=True)
    if "agents" in top:
        values["agents"] = _integer("agents", top["agents"], minimum=0)
    if "pacing" in top:
        if not isinstance(top["pacing"], str) or not top["pacing"].strip():
            raise UnableToLoadScenario("pacing: must be a non-empty string")
        values["pacing"] = top["pacing"].strip()
    if "pacing_options" in top:
        if not isinstance(top["pacing_options"], dict):
            raise UnableToLoadScenario("pacing_options: must be a table of keyword arguments")
        values["pacing_options"] = dict(top["pacing_options"])
    if "abandon_target" in top:
        values["abandon_target"] = _number(
            "abandon_target", top["abandon_target"], minimum=0.0, maximum=1.0
        )
    if "tick_seconds" in top:
        values["tick_seconds"] = _number(
            "tick_seconds", top["tick_seconds"], minimum=0.0, exclusive=True
        )
    if "outcomes" in top:
        values["outcomes"] = _parse_outcomes(_table("outcomes", top["outcomes"]))
    if "timing" in top:
        values["timing"] = _parse_timing(_table("timing", top["timing"]))
    scenario = Scenario(**values)
    ticks = scenario.shift_seconds / scenario.tick_seconds
    if ticks > MAX_TICKS:
        raise UnableToLoadScenario(
            f"hours = {scenario.hours} with tick_seconds = {scenario.tick_seconds} makes "
            f"{ticks:,.0f} ticks; at most {MAX_TICKS:,} (a month at 1 s is 2,678,400)"
        )
    return scenario


#: The simulator schedules every tick of the shift up front: a bound on its memory and time.
MAX_TICKS = 10_000_000


def _parse_outcomes(table: dict[str, Any]) -> Outcomes:
    _reject_unknown("outcomes.", table, set(OUTCOME_NAMES))
    probabilities = {
        name: _number(f"outcomes.{name}", table.get(name, 0.0), minimum=0.0, maximum=1.0)
        for name in OUTCOME_NAMES
    }
    total = sum(probabilities.values())
    if abs(total - 1.0) > 1e-9:
        raise UnableToLoadScenario(f"outcomes: probabilities sum to {total:g}, must be 1")
    return Outcomes(**probabilities)


def _parse_timing(table: dict[str, Any]) -> Timing:
    known = {
        "live_answer",
        "machine_answer",
        "no_answer_timeout",
        "busy_detect",
        "invalid_detect",
        "amd_seconds",
        "abandon_after",
        "talk",
        "wrap",
    }
    _reject_unknown("timing.", table, known)
    values: dict[str, Any] = {}
    if "live_answer" in table:
        spec = _table("timing.live_answer", table["live_answer"])
        _reject_unknown("timing.live_answer.", spec, {"median", "p90"})
        median = _number(
            "timing.live_answer.median",
            _required("timing.live_answer", spec, "median"),
            minimum=0.0,
            exclusive=True,
        )
        p90 = _number(
            "timing.live_answer.p90",
            _required("timing.live_answer", spec, "p90"),
            minimum=0.0,
            exclusive=True,
        )
        if p90 < median:
            raise UnableToLoadScenario(
                f"timing.live_answer: p90 ({p90:g}) must be at least the median ({median:g})"
            )
        values["live_answer"] = LogNormal.from_median_p90(median, p90)
    if "machine_answer" in table:
        spec = _table("timing.machine_answer", table["machine_answer"])
        _reject_unknown("timing.machine_answer.", spec, {"mean", "sd"})
        values["machine_answer_mean"] = _number(
            "timing.machine_answer.mean",
            _required("timing.machine_answer", spec, "mean"),
            minimum=0.0,
        )
        values["machine_answer_sd"] = _number(
            "timing.machine_answer.sd", spec.get("sd", _DEFAULT_MACHINE_SD), minimum=0.0
        )
    for name in (
        "no_answer_timeout",
        "busy_detect",
        "invalid_detect",
        "amd_seconds",
        "abandon_after",
    ):
        if name in table:
            values[name] = _number(f"timing.{name}", table[name], minimum=0.0)
    for name in ("talk", "wrap"):
        if name in table:
            spec = _table(f"timing.{name}", table[name])
            _reject_unknown(f"timing.{name}.", spec, {"mean", "cv"})
            mean = _number(
                f"timing.{name}.mean", _required(f"timing.{name}", spec, "mean"), minimum=0.0
            )
            # A missing cv is the default's (1.0 for talk, 1.5 for wrap-up), as documented.
            cv = _number(f"timing.{name}.cv", spec.get("cv", _DEFAULT_CV[name]), minimum=0.0)
            values[name] = None if mean == 0 else LogNormal.from_mean_cv(mean, cv)
    return Timing(**values)


_DEFAULT_CV = {"talk": 1.0, "wrap": 1.5}
_DEFAULT_MACHINE_SD = 3.0


# -- small checkers: each raises UnableToLoadScenario naming the field --------------------------


def _reject_unknown(prefix: str, table: dict[str, Any], known: set[str]) -> None:
    for key in table:
        if key not in known:
            where = prefix.rstrip(".") or "scenario"
            raise UnableToLoadScenario(
                f"{prefix}{key}: unknown field (allowed in {where}: {', '.join(sorted(known))})"
            )


def _table(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnableToLoadScenario(f"{name}: must be a table, got {value!r}")
    return value


def _required(name: str, table: dict[str, Any], key: str) -> Any:
    if key not in table:
        raise UnableToLoadScenario(f"{name}.{key}: missing")
    return table[key]


def _integer(name: str, value: Any, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnableToLoadScenario(f"{name}: must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise UnableToLoadScenario(f"{name}: must be at least {minimum}, got {value}")
    return value


def _number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UnableToLoadScenario(f"{name}: must be a number, got {value!r}")
    value = float(value)
    if minimum is not None:
        if exclusive and value <= minimum:
            raise UnableToLoadScenario(f"{name}: must be more than {minimum:g}, got {value:g}")
        if not exclusive and value < minimum:
            raise UnableToLoadScenario(f"{name}: must be at least {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise UnableToLoadScenario(f"{name}: must be at most {maximum:g}, got {value:g}")
    return value
