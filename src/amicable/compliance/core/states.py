"""State and city rules that add to the federal ones, kept as data with effective dates.

Each `Overlay` applies to consumers whose ``Consumer.state`` (and, for a city rule,
``Consumer.city``) match, on the local days between ``effective_from`` and ``effective_until``.
An overlay can add a contact window (``earliest``/``latest``; the stricter of federal and state
wins, so Washington's 7:30 a.m. start never makes an 8:00 a.m. federal refusal go away) and
frequency caps.

To add a state or a city: append an `Overlay` to `OVERLAYS` below, with its citation and dates,
and a test in tests/unit/compliance/test_state_overlay_rules.py; or, for an agency-specific rule,
pass ``Policy(overlays=OVERLAYS + (my_overlay,))`` without touching this file. A changed rule is a
new Overlay whose ``effective_from`` is the day after the old one's ``effective_until``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

CapScope = Literal["debt", "consumer"]
PhoneScope = Literal["any", "personal", "other"]


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most ``limit`` collector-initiated contacts in any ``window_days`` consecutive days.

    ``per``: counted per debt or across all the consumer's debts. ``media``: which contacts
    count ("call", "text", "email", "letter"). ``phone_scope`` narrows calls and texts to the
    consumer's residence/cell/personal numbers ("personal": numbers not tied to work) or to
    other numbers ("other": numbers tied to work). Replies to the consumer are never counted or
    capped (both Massachusetts and Washington exempt responses to the debtor).
    """

    limit: int
    window_days: int
    per: CapScope
    media: frozenset[str]
    phone_scope: PhoneScope = "any"
    description: str = ""


@dataclass(frozen=True, slots=True)
class Overlay:
    """One jurisdiction's additions, in force on [effective_from, effective_until]."""

    code: str
    name: str
    citation: str
    state: str
    city: str | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    earliest: time | None = None
    latest: time | None = None
    caps: tuple[FrequencyCap, ...] = ()

    def applies(self, *, state: str | None, city: str | None, on: date) -> bool:
        """Whether this overlay governs a consumer in ``state``/``city`` on local day ``on``."""
        if state is None or state.upper() != self.state:
            return False
        if self.city is not None and (city is None or city.casefold() != self.city.casefold()):
            return False
        if self.effective_from is not None and on < self.effective_from:
            return False
        return self.effective_until is None or on <= self.effective_until


MASSACHUSETTS = Overlay(
    code="MA",
    name="Massachusetts",
    citation="209 CMR 18.16(1)(d); 940 CMR 7.04(1)(f)",
    state="MA",
    # In force well before Reg F; the exact start date was not verified (RULES.md §0).
    effective_from=None,
    caps=(
        FrequencyCap(
            limit=2,
            window_days=7,
            per="debt",
            media=frozenset({"call", "text"}),
            phone_scope="personal",
            description="calls or texts to the residence or cell phone",
        ),
        FrequencyCap(
            limit=2,
            window_days=30,
            per="debt",
            media=frozenset({"call", "text"}),
            phone_scope="other",
            description="calls or texts to other numbers",
        ),
    ),
)

WASHINGTON = Overlay(
    code="WA",
    name="Washington",
    citation="RCW 19.16.250(13)",
    state="WA",
    effective_from=None,
    earliest=time(7, 30),
    latest=time(21, 0),
    caps=(
        FrequencyCap(
            limit=3,
            window_days=7,
            per="consumer",
            media=frozenset({"call", "text", "email"}),
            description="communications in any form",
        ),
    ),
)

OVERLAYS: tuple[Overlay, ...] = (MASSACHUSETTS, WASHINGTON)


def overlays_in_force(
    overlays: tuple[Overlay, ...], *, state: str | None, city: str | None, on: date
) -> tuple[Overlay, ...]:
    """The overlays that govern a consumer in ``state``/``city`` on local day ``on``."""
    if state is None:
        return ()
    return tuple(o for o in overlays if o.applies(state=state, city=city, on=on))
