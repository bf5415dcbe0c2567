"""The pacing interface: what a policy is told, and what it answers.

A pacing policy decides, every tick, how many new calls to place. It sees a `Snapshot` of the
campaign (counts only, so the same policy runs in the simulator and against live telephony) and
may learn from an `Event` stream describing each call and each agent. Nothing here knows about
Django, the database or the clock: time is the `now` / `time` the caller hands in, in seconds
since the start of the shift.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol, runtime_checkable

# Event kinds, in the order a call lives through them. A dial that is picked up (by a person or
# a machine) reports PICKED_UP first, when the line is answered and answering-machine
# detection starts (answer supervision: a live dialer knows this before it knows who answered).
# A dial ends in exactly one of ANSWERED_LIVE, ANSWERED_MACHINE, NO_ANSWER, BUSY or INVALID; a
# live answer then ends in CONNECTED (followed by TALK_ENDED and WRAP_ENDED for the agent) or
# ABANDONED.
DIAL_PLACED = "dial_placed"
PICKED_UP = "picked_up"
ANSWERED_LIVE = "answered_live"
ANSWERED_MACHINE = "answered_machine"
NO_ANSWER = "no_answer"
BUSY = "busy"
INVALID = "invalid"
CONNECTED = "connected"
ABANDONED = "abandoned"
TALK_ENDED = "talk_ended"
WRAP_ENDED = "wrap_ended"

EVENT_KINDS = (
    DIAL_PLACED,
    PICKED_UP,
    ANSWERED_LIVE,
    ANSWERED_MACHINE,
    NO_ANSWER,
    BUSY,
    INVALID,
    CONNECTED,
    ABANDONED,
    TALK_ENDED,
    WRAP_ENDED,
)

# The kinds that end a dial without a person waiting for an agent.
NON_LIVE_OUTCOMES = (ANSWERED_MACHINE, NO_ANSWER, BUSY, INVALID)


class Snapshot(NamedTuple):
    """The campaign as the dialer sees it at one tick (counts, never identities).

    Immutable; a NamedTuple rather than a frozen dataclass because the simulator builds one
    per tick and an event per call step, millions in a 30-day run, and a NamedTuple is built
    three to four times faster."""

    now: float  # seconds since the start of the shift
    agents_logged_in: int
    agents_idle: int
    agents_talking: int
    agents_wrapping: int
    calls_dialing: int  # placed, not yet resolved nor waiting
    calls_waiting: int  # people who answered and wait for an agent
    dials: int  # cumulative since the start of the shift
    live_answers: int  # cumulative
    abandoned: int  # cumulative


class Event(NamedTuple):
    """One thing that happened to a call or an agent, for policies that learn.

    `seconds` is the duration the event closes, where there is one:
      dial_placed       None
      picked_up         ring time, dial to pick-up (a person or a machine; not yet known which)
      answered_live     ring time, dial to pick-up (the person is waiting from `time`, which
                        is pick-up + answering-machine detection)
      answered_machine  ring time, dial to pick-up (`time` is when the line is released)
      no_answer         ring time until the timeout
      busy, invalid     time to detect the tone
      connected         how long the person waited for an agent (often 0)
      abandoned         how long the person waited before being abandoned
      talk_ended        talk time
      wrap_ended        after-call work time (the agent is idle from `time`)
    """

    kind: str
    time: float
    call_id: int | None = None
    agent_id: int | None = None
    seconds: float | None = None


@runtime_checkable
class PacingPolicy(Protocol):
    """Anything with `calls_to_place`; `observe(event)` is optional and looked up at run time."""

    def calls_to_place(self, snapshot: Snapshot) -> int: ...


def progressive_count(snapshot: Snapshot) -> int:
    """Lines needed for one call per idle agent, counting calls already on their way.

    Used by several policies as a floor: on its own, one line per idle agent never abandons
    anyone, because every person who answers has an idle agent reserved for them.
    """
    if snapshot.agents_logged_in <= 0:
        return 0
    return max(0, snapshot.agents_idle - snapshot.calls_dialing - snapshot.calls_waiting)
