"""Draws from the outbound-dialing world: what one dial ends in, and how long things take.

Pure: the caller owns the random generators. The draws follow the simulator's conventions
(`amicable.simulation.world`): one uniform for the outcome, then a Gaussian for a live or
machine ring time, from the "calls" stream; talk then wrap-up from the "talk" stream. So the
dialer's simulated telephony provider, seeded like the simulator, meets the same sequence of
dial outcomes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from amicable.dialer.core.pacing import (
    ANSWERED_LIVE,
    ANSWERED_MACHINE,
    BUSY,
    INVALID,
    NO_ANSWER,
)
from amicable.dialer.core.scenario import LogNormal, Outcomes, Timing


@dataclass(frozen=True, slots=True)
class DialDraw:
    """What a dial will end in (`kind`, one of the event kinds that end a dial), the seconds
    from dialing to pick-up or tone (`ring_seconds`), and when the line resolves after placing
    it (`resolves_after`: pick-up + answering-machine detection for live and machine)."""

    kind: str
    ring_seconds: float
    resolves_after: float


def streams(seed: int | str) -> tuple[random.Random, random.Random]:
    """The simulator's two random streams for a seed: dials, then connected calls."""
    return random.Random(f"{seed}:calls"), random.Random(f"{seed}:talk")


def draw_dial(rng: random.Random, outcomes: Outcomes, timing: Timing) -> DialDraw:
    u = rng.random()
    t_live = outcomes.live
    t_machine = t_live + outcomes.machine
    t_noanswer = t_machine + outcomes.no_answer
    t_busy = t_noanswer + outcomes.busy
    if u < t_live:
        dist = timing.live_answer
        ring = (
            dist.fixed if dist.fixed is not None else math.exp(dist.mu + dist.sigma * rng.gauss())
        )
        return DialDraw(ANSWERED_LIVE, ring, ring + timing.amd_seconds)
    if u < t_machine:
        ring = max(1.0, timing.machine_answer_mean + timing.machine_answer_sd * rng.gauss())
        return DialDraw(ANSWERED_MACHINE, ring, ring + timing.amd_seconds)
    if u < t_noanswer:
        return DialDraw(NO_ANSWER, timing.no_answer_timeout, timing.no_answer_timeout)
    if u < t_busy:
        return DialDraw(BUSY, timing.busy_detect, timing.busy_detect)
    return DialDraw(INVALID, timing.invalid_detect, timing.invalid_detect)


def draw_duration(rng: random.Random, dist: LogNormal | None) -> float:
    """A lognormal duration (None: zero seconds; no spread: the exact constant)."""
    if dist is None:
        return 0.0
    if dist.fixed is not None:
        return dist.fixed
    return math.exp(dist.mu + dist.sigma * rng.gauss())
