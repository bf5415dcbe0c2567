"""What the dialer needs from a telephony provider, and what it hears back.

The dialer loop places calls, learns how each dial ended (`CallEvent`), bridges a person who
answered to an agent, or plays the safe-harbour message and hangs up when no agent is free.
A provider either produces events itself (`poll_events`, the simulated provider) or receives
them as HTTP callbacks (Twilio), which the web process stores as `ProviderEvent` rows that the
loop reads; such providers return nothing from `poll_events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

# Event kinds: the pacing core's pick-up and dial-ending kinds, plus the end of an answered call.
PICKED_UP = "picked_up"  # the line was answered; answering-machine detection is running
ANSWERED_LIVE = "answered_live"
ANSWERED_MACHINE = "answered_machine"
NO_ANSWER = "no_answer"
BUSY = "busy"
INVALID = "invalid"
COMPLETED = "completed"  # the line ended (the person hung up, or after our hang-up)

CALL_EVENT_KINDS = (PICKED_UP, ANSWERED_LIVE, ANSWERED_MACHINE, NO_ANSWER, BUSY, INVALID, COMPLETED)

#: What the safe-harbour message says (47 CFR 64.1200(a)(7)(i)(A) and 16 CFR 310.4(b)(4)(iii):
#: within two seconds of the greeting, the caller's name and a number to call back; no sales
#: or collection content). Kept limited-content: it names neither the debt nor the creditor.
SAFE_HARBOUR_MESSAGE = (
    "Hello, this is Amicable calling. We are sorry we could not connect you. "
    "Please call us back at {callback_number}. Thank you."
)


class UnableToPlaceCall(Exception):
    """The provider refused or could not be reached; the call was not placed."""


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One thing a provider reports about a call: `kind` is one of CALL_EVENT_KINDS, `at`
    when it happened, `ring_seconds` the time from dialing to pick-up or tone when known."""

    provider_call_id: str
    kind: str
    at: datetime
    ring_seconds: float | None = None


@runtime_checkable
class TelephonyProvider(Protocol):
    name: str

    def place_call(self, *, call_ref: str, to: str, now: datetime) -> str:
        """Dial `to` (E.164); returns the provider's call id. `call_ref` is our DialerCall id.
        Raises UnableToPlaceCall when the call could not be placed."""
        ...

    def poll_events(self, *, now: datetime) -> list[CallEvent]:
        """Events that happened by `now`, oldest first (callback-driven providers: none)."""
        ...

    def bridge(self, call_id: str, agent_id: int) -> None:
        """Connect the answered call to the agent's phone or browser."""
        ...

    def play_safe_harbour_and_hang_up(self, call_id: str) -> None: ...

    def hang_up(self, call_id: str) -> None: ...
