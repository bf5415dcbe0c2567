"""A simulated telephony provider: the simulator's world, in real (or scaled) time.

Each dial's outcome and ring time are drawn when it is placed, exactly as the simulator does
(`amicable.dialer.core.calls.draw_dial`, with the scenario's outcome probabilities and timing),
and reported by `poll_events` once that moment has come. A person who answers stays on the line
until the agent's call ends (the desk hangs up) or the dialer abandons them; machines are
detected and released. `speed` divides every duration: with speed 10 a 20-second ring takes 2 s,
so tests and demos need not wait.

It keeps its calls in memory: it lives in the dialer loop's process, which is the only caller.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from datetime import datetime, timedelta

from amicable.dialer.core.calls import draw_dial
from amicable.dialer.core.scenario import Scenario
from amicable.dialer.telephony.base import (
    ANSWERED_LIVE,
    ANSWERED_MACHINE,
    COMPLETED,
    PICKED_UP,
    CallEvent,
    UnableToPlaceCall,
)

_ACTIONS_KEPT = 10_000


class SimulatedProvider:
    name = "simulated"

    def __init__(
        self,
        *,
        scenario: Scenario | None = None,
        speed: float = 1.0,
        seed: int | str | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be more than 0")
        self.scenario = scenario or Scenario()
        self.speed = speed
        self.rng = random.Random(f"{self.scenario.seed if seed is None else seed}:calls")
        self._due: list[tuple[datetime, int, CallEvent]] = []
        self._seq = itertools.count()
        self._live: set[str] = set()  # calls with a person on the line
        self._ids = itertools.count(1)
        #: What the dialer asked, in order, for tests and the demo's log:
        #: ("place" | "bridge" | "safe_harbour" | "hang_up", call id, detail). The demo's loop
        #: runs for days, so only the latest `_ACTIONS_KEPT` are kept.
        self.actions: deque[tuple[str, str, object]] = deque(maxlen=_ACTIONS_KEPT)

    def place_call(self, *, call_ref: str, to: str, now: datetime) -> str:
        if not to:
            raise UnableToPlaceCall("no number to call")
        call_id = f"SIM{next(self._ids):06d}-{call_ref}"
        draw = draw_dial(self.rng, self.scenario.outcomes, self.scenario.timing)
        ring = draw.ring_seconds / self.speed
        if draw.kind in (ANSWERED_LIVE, ANSWERED_MACHINE):
            # Answer supervision: the pick-up is known before detection says who answered.
            picked_at = now + timedelta(seconds=ring)
            picked = CallEvent(call_id, PICKED_UP, picked_at, ring)
            heapq.heappush(self._due, (picked_at, next(self._seq), picked))
        at = now + timedelta(seconds=draw.resolves_after / self.speed)
        event = CallEvent(call_id, draw.kind, at, ring)
        heapq.heappush(self._due, (at, next(self._seq), event))
        self.actions.append(("place", call_id, call_ref))
        return call_id

    def poll_events(self, *, now: datetime) -> list[CallEvent]:
        events = []
        while self._due and self._due[0][0] <= now:
            _, _, event = heapq.heappop(self._due)
            if event.kind == ANSWERED_LIVE:
                self._live.add(event.provider_call_id)
            events.append(event)
        return events

    def bridge(self, call_id: str, agent_id: int) -> None:
        self.actions.append(("bridge", call_id, agent_id))

    def play_safe_harbour_and_hang_up(self, call_id: str) -> None:
        self.actions.append(("safe_harbour", call_id, None))
        self._live.discard(call_id)

    def hang_up(self, call_id: str) -> None:
        self.actions.append(("hang_up", call_id, None))
        self._live.discard(call_id)

    def remote_hang_up(self, call_id: str, *, at: datetime) -> None:
        """Make the person hang up (tests): reported as COMPLETED at `at`."""
        heapq.heappush(self._due, (at, next(self._seq), CallEvent(call_id, COMPLETED, at)))
