"""A clairvoyant reference policy: the practical ceiling no real dialer can reach.

It reads the simulated world directly: when each busy agent will be free (their remaining talk
and wrap-up), and which dials in flight will bring a person and exactly when. It does not know
how the dials it has not placed yet will end, so it still gambles on new dials, with the
scenario's true live rate and ring-time distribution. Its rule is the same balance as
`predictive` (people answered by t must not outnumber agents free by t + patience, at every
horizon t), but with certainty where predictive has estimates, and the same feedback on its
margin z so that it, too, keeps abandonment at the campaign's target. It lives in the simulator
because it needs the world: it is a yardstick, not a dialer.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING

from amicable.dialer.core.pacing import Snapshot, progressive_count

if TYPE_CHECKING:
    from amicable.simulation.world import World


class ClairvoyantPolicy:
    def __init__(
        self,
        *,
        z: float = 1.0,
        z_step: float = 0.3,
        safety_margin: float = 0.008,
        horizons: tuple[float, ...] = (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 32),
    ) -> None:
        self.z = z
        self.z_step = z_step
        self.safety_margin = safety_margin
        self.goal = 0.0
        self._last_answers = 0
        self._last_abandoned = 0
        self.horizons = tuple(float(h) for h in horizons)
        self.world: World | None = None
        self._new_live: tuple[float, ...] = ()
        self._patience = 0.0

    def bind_world(self, world: World) -> None:
        """Called by the simulator before the first tick."""
        self.world = world
        timing = world.scenario.timing
        live = world.scenario.outcomes.live
        self._patience = timing.abandon_after
        self.goal = max(0.0, world.scenario.abandon_target - self.safety_margin)
        ring = timing.live_answer
        values = []
        for h in self.horizons:
            ring_by = h - timing.amd_seconds
            if ring_by <= 0:
                values.append(0.0)
            elif ring.sigma == 0:
                values.append(live if ring.median <= ring_by else 0.0)
            else:
                z = (math.log(ring_by) - ring.mu) / ring.sigma
                values.append(live * 0.5 * math.erfc(-z / math.sqrt(2.0)))
        self._new_live = tuple(values)

    def calls_to_place(self, snapshot: Snapshot) -> int:
        world = self.world
        if world is None:
            raise RuntimeError("ClairvoyantPolicy only runs inside the simulator")
        if snapshot.agents_logged_in <= 0:
            return 0
        floor = progressive_count(snapshot)
        answered = snapshot.live_answers - self._last_answers
        abandoned = snapshot.abandoned - self._last_abandoned
        self._last_answers, self._last_abandoned = snapshot.live_answers, snapshot.abandoned
        self.z = min(6.0, max(-1.0, self.z + self.z_step * (abandoned - self.goal * answered)))
        now = snapshot.now
        states = world.agent_state
        free_at = sorted(t for t, s in zip(world.agent_free_at, states, strict=True) if s != 0)
        arrivals = sorted(world.pending_live.values())
        best = math.inf
        for h, new_live in zip(self.horizons, self._new_live, strict=True):
            if new_live < 1e-9:
                continue
            agents = snapshot.agents_idle + bisect_right(free_at, now + h + self._patience)
            people = snapshot.calls_waiting + bisect_right(arrivals, now + h)
            headroom = agents - people
            # x + z * sqrt(x * (1 - new_live)) <= headroom, solved for x.
            spread = 1.0 - new_live
            disc = self.z * self.z * spread + 4.0 * headroom
            if disc < 0:
                return floor
            root = (-self.z * math.sqrt(spread) + math.sqrt(disc)) / 2.0
            x = root * root if root > 0 else 0.0
            best = min(best, x / new_live)
        if best is math.inf:
            best = 0.0
        return max(floor, int(best))
