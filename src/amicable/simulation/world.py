"""The outbound-dialing world: one shift, event by event, in simulated time.

Semantics (docs/dialer.md has the long form):
- Every tick the policy is asked how many calls to place; each dial occupies a line until its
  outcome resolves. A dial ends as live, machine, no_answer, busy or invalid, drawn at placement.
- A person who answers becomes "waiting for an agent" at pick-up + amd_seconds. They are
  connected at once to the longest-idle agent if one is idle; otherwise they queue (FIFO) and
  are abandoned if not connected within abandon_after seconds. Abandoned calls never reach an
  agent.
- A connected call lasts a lognormal talk time, then the agent does lognormal wrap-up work and
  is idle again (or takes the first waiting person at once).
- A policy that observes events is told when a line is picked up (`picked_up`, a person or a
  machine, before detection says which), as a live dialer's answer supervision tells it.
- Events at the same instant are handled in this order: agents finishing wrap-up, agents
  finishing talk, lines resolving without a person, people starting to wait, abandonment
  deadlines, the policy's tick, then pick-ups. So an agent freed exactly at a deadline still
  gets the call, and the policy always sees the state after everything that happened at that
  instant.
- Nothing at or after the end of the shift is simulated; talk and wrap time is counted up to it.

Randomness comes from two streams seeded from the scenario seed: one for dials (outcome and
ring time of the n-th dial) and one for connections (talk and wrap of the n-th connected call).
So two policies face the same sequence of dial outcomes and call lengths, and the comparison
between them is not blurred by luck.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from typing import Any

from amicable.dialer.core.pacing import (
    ABANDONED,
    ANSWERED_LIVE,
    ANSWERED_MACHINE,
    BUSY,
    CONNECTED,
    DIAL_PLACED,
    INVALID,
    NO_ANSWER,
    PICKED_UP,
    TALK_ENDED,
    WRAP_ENDED,
    Event,
    Snapshot,
)
from amicable.simulation.metrics import SeriesPoint, Totals
from amicable.simulation.scenario import LogNormal, Scenario

# Event codes double as the order of events at the same instant (lower first).
_WRAP_END = 0
_TALK_END = 1
_RESOLVE = 2  # a line ends without a person: machine, no answer, busy, invalid
_WAITING = 3  # a person has answered and passed answering-machine detection
_ABANDON = 4  # a waiting person's deadline
_TICK = 5
_PICKUP = 6  # a line is picked up (person or machine); only sent to policies that observe

#: A policy asking for more dials than this in one tick has gone wrong (a runaway count would
#: fill memory with calls): the run stops with a clear message.
DIALS_PER_AGENT_PER_TICK = 100
MIN_DIAL_LIMIT = 1000

# Agent states.
IDLE = 0
TALKING = 1
WRAPPING = 2

# Call outcomes, as the index into the outcome kinds below.
LIVE = 0
MACHINE = 1
NOANSWER = 2
BUSYTONE = 3
INVALIDNUM = 4
_OUTCOME_KINDS = (ANSWERED_LIVE, ANSWERED_MACHINE, NO_ANSWER, BUSY, INVALID)

# Call states after placement.
_DIALING = 0
_WAITING_STATE = 1
_DONE = 2


class Call:
    """One dial. Everything random about it is drawn when it is placed."""

    __slots__ = ("id", "placed_at", "outcome", "ring", "ends_at", "state", "waiting_since")

    def __init__(self, call_id: int, placed_at: float, outcome: int, ring: float, ends_at: float):
        self.id = call_id
        self.placed_at = placed_at
        self.outcome = outcome
        self.ring = ring  # seconds from dial to pick-up (or to the tone / timeout)
        self.ends_at = ends_at  # when the line resolves: waiting starts, or the line is released
        self.state = _DIALING
        self.waiting_since = 0.0


class World:
    """One shift of one campaign. Build it, call `run()` once, read the returned Totals.

    Read-only attributes a clairvoyant reference policy may look at (see `bind_world`):
    `scenario`, `agent_state`, `agent_free_at` (when each busy agent will be idle again),
    `pending_live` (call id -> when that in-flight call's person will start waiting).
    """

    def __init__(
        self,
        scenario: Scenario,
        policy: Any,
        *,
        seed: int | str,
        series_bucket_seconds: float | None = None,
    ) -> None:
        self.scenario = scenario
        self.policy = policy
        self.calls_random = random.Random(f"{seed}:calls")
        self.talk_random = random.Random(f"{seed}:talk")
        self.series_bucket_seconds = series_bucket_seconds
        n = scenario.agents
        self.agent_state = [IDLE] * n
        self.agent_free_at = [0.0] * n
        self.pending_live: dict[int, float] = {}
        self.now = 0.0

    def run(self) -> Totals:
        """Simulate the shift. A plug-in policy that raises, or answers something that is not
        a number of calls, stops it with `PolicyFailed` saying what and when."""
        try:
            return self._run()
        except PolicyFailed:
            raise
        except Exception as error:
            if not _raised_by_policy(error):
                raise
            raise PolicyFailed(
                f"the pacing policy failed {self.now:.0f} s into the shift: "
                f"{type(error).__name__}: {error}"
            ) from error

    def _run(self) -> Totals:
        scenario = self.scenario
        timing = scenario.timing
        outcomes = scenario.outcomes
        policy = self.policy
        observe = getattr(policy, "observe", None)
        bind_world = getattr(policy, "bind_world", None)
        if bind_world is not None:
            bind_world(self)

        end = scenario.shift_seconds
        tick = scenario.tick_seconds
        n_agents = scenario.agents
        dial_limit = max(MIN_DIAL_LIMIT, DIALS_PER_AGENT_PER_TICK * n_agents)
        amd = timing.amd_seconds
        abandon_after = timing.abandon_after

        # Cumulative outcome thresholds for one uniform draw.
        t_live = outcomes.live
        t_machine = t_live + outcomes.machine
        t_noanswer = t_machine + outcomes.no_answer
        t_busy = t_noanswer + outcomes.busy
        live_mu, live_sigma = timing.live_answer.mu, timing.live_answer.sigma
        live_fixed = timing.live_answer.fixed
        machine_mean, machine_sd = timing.machine_answer_mean, timing.machine_answer_sd
        talk_dist, wrap_dist = timing.talk, timing.wrap

        rand = self.calls_random.random
        gauss = self.calls_random.gauss
        talk_gauss = self.talk_random.gauss
        exp = math.exp

        agent_state = self.agent_state
        agent_free_at = self.agent_free_at
        pending_live = self.pending_live
        idle_agents: deque[int] = deque(range(n_agents))  # longest idle on the left
        waiting: deque[Call] = deque()

        heap: list[tuple[float, int, int, Any]] = []
        push = heapq.heappush
        pop = heapq.heappop
        seq = 0

        dials = live_answers = connected = abandoned = 0
        talking = wrapping = dialing = 0
        talk_seconds = wrap_seconds = wait_seconds = 0.0

        bucket = self.series_bucket_seconds or 0.0  # 0: no series
        n_buckets = int(math.ceil(end / bucket)) if bucket else 0
        busy_in_bucket = [0.0] * n_buckets
        lives_in_bucket = [0] * n_buckets
        abandons_in_bucket = [0] * n_buckets

        def add_busy(start: float, stop: float) -> None:
            # Spread busy time [start, stop) over the plot's buckets.
            b = int(start // bucket)
            while start < stop and b < n_buckets:
                edge = min(stop, (b + 1) * bucket)
                busy_in_bucket[b] += edge - start
                start = edge
                b += 1

        def connect(call: Call, agent: int, now: float) -> None:
            nonlocal connected, wait_seconds, talking, talk_seconds, wrap_seconds, seq
            call.state = _DONE
            wait = now - call.waiting_since
            connected += 1
            wait_seconds += wait
            talk = _draw(talk_dist, talk_gauss)
            wrap = _draw(wrap_dist, talk_gauss)
            agent_state[agent] = TALKING
            talking += 1
            talk_end = now + talk
            agent_free_at[agent] = talk_end + wrap
            talk_seconds += min(talk_end, end) - now
            if talk_end < end:
                wrap_seconds += min(talk_end + wrap, end) - talk_end
            if bucket:
                add_busy(now, min(talk_end + wrap, end))
            seq += 1
            push(heap, (talk_end, _TALK_END, seq, (agent, call.id, talk, wrap)))
            if observe is not None:
                observe(Event(CONNECTED, now, call.id, agent, wait))

        n_ticks = int(math.ceil(end / tick - 1e-9))
        for k in range(n_ticks):
            push(heap, (k * tick, _TICK, k, None))
        seq = n_ticks

        while heap:
            now, code, _, payload = pop(heap)
            if now >= end:
                break
            self.now = now

            if code == _TICK:
                snapshot = Snapshot(
                    now,
                    n_agents,
                    len(idle_agents),
                    talking,
                    wrapping,
                    dialing,
                    len(waiting),
                    dials,
                    live_answers,
                    abandoned,
                )
                wanted = policy.calls_to_place(snapshot)
                if type(wanted) is not int:
                    wanted = _dial_count(wanted, now)
                if wanted > dial_limit:
                    raise PolicyFailed(
                        f"the pacing policy asked for {wanted:,} dials {now:.0f} s into the "
                        f"shift; the simulator places at most {dial_limit:,} a tick "
                        f"({DIALS_PER_AGENT_PER_TICK} per agent, at least {MIN_DIAL_LIMIT:,})"
                    )
                for _ in range(max(0, int(wanted))):
                    dials += 1
                    dialing += 1
                    u = rand()
                    if u < t_live:
                        outcome = LIVE
                        if live_fixed is None:
                            ring = exp(live_mu + live_sigma * gauss())
                        else:
                            ring = live_fixed
                        ends_at = now + ring + amd
                        code_out = _WAITING
                        pending_live[dials] = ends_at
                    elif u < t_machine:
                        outcome = MACHINE
                        ring = max(1.0, machine_mean + machine_sd * gauss())
                        ends_at = now + ring + amd
                        code_out = _RESOLVE
                    elif u < t_noanswer:
                        outcome = NOANSWER
                        ring = timing.no_answer_timeout
                        ends_at = now + ring
                        code_out = _RESOLVE
                    elif u < t_busy:
                        outcome = BUSYTONE
                        ring = timing.busy_detect
                        ends_at = now + ring
                        code_out = _RESOLVE
                    else:
                        outcome = INVALIDNUM
                        ring = timing.invalid_detect
                        ends_at = now + ring
                        code_out = _RESOLVE
                    call = Call(dials, now, outcome, ring, ends_at)
                    seq += 1
                    push(heap, (ends_at, code_out, seq, call))
                    if observe is not None and outcome <= MACHINE and amd > 0:
                        seq += 1
                        push(heap, (now + ring, _PICKUP, seq, call))
                    if observe is not None:
                        observe(Event(DIAL_PLACED, now, call.id))

            elif code == _WAITING:
                call = payload
                dialing -= 1
                live_answers += 1
                del pending_live[call.id]
                if bucket:
                    lives_in_bucket[int(now // bucket)] += 1
                if observe is not None:
                    if amd == 0:  # picked up and detected at once: the pick-up comes first
                        observe(Event(PICKED_UP, now, call.id, None, call.ring))
                    observe(Event(ANSWERED_LIVE, now, call.id, None, call.ring))
                call.waiting_since = now
                if idle_agents:
                    connect(call, idle_agents.popleft(), now)
                else:
                    call.state = _WAITING_STATE
                    waiting.append(call)
                    seq += 1
                    push(heap, (now + abandon_after, _ABANDON, seq, call))

            elif code == _RESOLVE:
                call = payload
                dialing -= 1
                call.state = _DONE
                if observe is not None:
                    if amd == 0 and call.outcome == MACHINE:  # the pick-up comes first
                        observe(Event(PICKED_UP, now, call.id, None, call.ring))
                    observe(Event(_OUTCOME_KINDS[call.outcome], now, call.id, None, call.ring))

            elif code == _TALK_END:
                agent, call_id, talk, wrap = payload
                agent_state[agent] = WRAPPING
                talking -= 1
                wrapping += 1
                seq += 1
                push(heap, (now + wrap, _WRAP_END, seq, (agent, wrap)))
                if observe is not None:
                    observe(Event(TALK_ENDED, now, call_id, agent, talk))

            elif code == _WRAP_END:
                agent, wrap = payload
                wrapping -= 1
                if observe is not None:
                    observe(Event(WRAP_ENDED, now, None, agent, wrap))
                if waiting:
                    connect(waiting.popleft(), agent, now)
                else:
                    agent_state[agent] = IDLE
                    idle_agents.append(agent)

            elif code == _PICKUP:
                observe(Event(PICKED_UP, now, payload.id, None, payload.ring))  # type: ignore[misc]

            else:  # _ABANDON
                call = payload
                if call.state == _WAITING_STATE:
                    call.state = _DONE
                    if waiting[0] is call:
                        waiting.popleft()
                    else:  # cannot happen with a fixed abandon_after, kept for safety
                        waiting.remove(call)
                    abandoned += 1
                    if bucket:
                        abandons_in_bucket[int(now // bucket)] += 1
                    if observe is not None:
                        observe(Event(ABANDONED, now, call.id, None, now - call.waiting_since))

        totals = Totals(
            agents=n_agents,
            hours=scenario.hours,
            dials=dials,
            live_answers=live_answers,
            connected=connected,
            abandoned=abandoned,
            talk_seconds=talk_seconds,
            wrap_seconds=wrap_seconds,
            wait_seconds=wait_seconds,
            agent_seconds=n_agents * end,
        )
        if bucket:
            totals.series = _series(
                bucket, end, n_agents, busy_in_bucket, lives_in_bucket, abandons_in_bucket
            )
        return totals


class PolicyFailed(Exception):
    """The pacing policy raised, or answered something that is not a number of calls."""


def _dial_count(wanted: Any, now: float) -> int:
    """`calls_to_place`'s answer as a count: a whole number (a float is rounded down)."""
    if (
        isinstance(wanted, bool)
        or not isinstance(wanted, (int, float))
        or not math.isfinite(wanted)
    ):
        raise PolicyFailed(
            f"the pacing policy answered {wanted!r} {now:.0f} s into the shift; "
            "calls_to_place must return a number of calls"
        )
    return int(wanted)


def _raised_by_policy(error: BaseException) -> bool:
    """Did the error come from the policy's code (a frame outside this module)?"""
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename != __file__:
            return True
        traceback = traceback.tb_next
    return False


def _draw(dist: LogNormal | None, gauss: Any) -> float:
    """A lognormal duration (None: zero seconds; no spread: the exact constant)."""
    if dist is None:
        return 0.0
    if dist.fixed is not None:
        return dist.fixed
    return math.exp(dist.mu + dist.sigma * gauss())


def _series(
    bucket: float,
    end: float,
    n_agents: int,
    busy: list[float],
    lives: list[int],
    abandons: list[int],
) -> list[SeriesPoint]:
    points = []
    total_lives = total_abandons = 0
    for b, busy_seconds in enumerate(busy):
        start = b * bucket
        stop = min(end, start + bucket)
        total_lives += lives[b]
        total_abandons += abandons[b]
        capacity = n_agents * (stop - start)
        points.append(
            SeriesPoint(
                start=start,
                end=stop,
                utilization=busy_seconds / capacity if capacity else 0.0,
                abandon_rate=total_abandons / total_lives if total_lives else 0.0,
                bucket_abandon_rate=abandons[b] / lives[b] if lives[b] else 0.0,
            )
        )
    return points
