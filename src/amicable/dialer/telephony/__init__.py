"""Telephony adapters: the protocol (`base`), the simulated provider and Twilio."""

from __future__ import annotations

from amicable.dialer.telephony.base import (
    CALL_EVENT_KINDS,
    CallEvent,
    TelephonyProvider,
    UnableToPlaceCall,
)

__all__ = [
    "CALL_EVENT_KINDS",
    "CallEvent",
    "TelephonyProvider",
    "UnableToPlaceCall",
    "make_provider",
]


def make_provider(name: str, *, speed: float = 1.0, scenario=None, seed=None) -> TelephonyProvider:
    """The provider named on the command line: "simulated" (default) or "twilio"."""
    if name == "simulated":
        from amicable.dialer.telephony.simulated import SimulatedProvider

        return SimulatedProvider(scenario=scenario, speed=speed, seed=seed)
    if name == "twilio":
        from amicable.dialer.telephony.twilio import TwilioProvider

        return TwilioProvider.from_environment()
    raise UnableToPlaceCall(f"unknown telephony provider {name!r}: use simulated or twilio")
