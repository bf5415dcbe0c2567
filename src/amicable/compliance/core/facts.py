"""What the collector knows about a consumer: who they are, their debts, and what happened.

`Facts` is the single input the rules read besides the request and the clock. It is cheap to build
(plain records, no parsing) and, once built, pre-arranges the history in an index so that
`evaluate` can be called many times on it (the dialer asks before every dial).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from amicable.compliance.core.events import Event

if TYPE_CHECKING:
    from amicable.compliance.core.history import History

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """A standing "don't contact me then" the consumer gave (comment 6(b)(1)-1).

    ``weekdays`` uses Python's numbering (0 = Monday). The window is ``start`` (included) to
    ``end`` (excluded) in the consumer's local time; ``end=None`` means until midnight, so
    ``InconvenientTime(weekdays=frozenset({5, 6}))`` is "no time on weekends". ``until`` is the
    last local day the designation holds, when the consumer limited it (comment 6(b)(1)-1.i:
    "Tuesdays and Thursdays through the end of the calendar year").
    """

    weekdays: frozenset[int]
    start: time = time(0, 0)
    end: time | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number of the consumer. ``kind``: "mobile", "landline" or "unknown".

    ``place`` ties the number to a place ("home", "work") when the collector knows it
    (comment 6(b)(1)(ii)-1: landlines are tied to a place, mobiles are not).
    """

    id: str
    kind: str = "unknown"
    place: str | None = None


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """An email address; ``work`` when the employer provides it (1006.22(f)(3))."""

    id: str
    work: bool = False


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A mailing address, tied to a ``place`` such as "home" (comment 6(b)(1)-1.iii)."""

    id: str
    place: str | None = "home"


@dataclass(frozen=True, slots=True)
class Consumer:
    """The person contacted.

    ``time_zones`` holds every IANA zone the collector's information points to (area codes of
    every phone, every address); a contact must be convenient in all of them (comment
    6(b)(1)(i)-2). The first zone also defines the consumer's calendar day for the
    seven-consecutive-day counts (RULES.md §8.2). ``state`` (two letters) and ``city`` select
    state and city overlays. ``employer_prohibits_contact`` records that the consumer said they
    cannot take collection calls or emails at work (1006.6(b)(3)).
    """

    time_zones: tuple[str, ...]
    state: str | None = None
    city: str | None = None
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    inconvenient_places: frozenset[str] = frozenset()
    phones: tuple[Phone, ...] = ()
    emails: tuple[EmailAddress, ...] = ()
    addresses: tuple[PostalAddress, ...] = ()
    employer_prohibits_contact: bool = False

    def __post_init__(self) -> None:
        if not self.time_zones:
            raise ValueError("a consumer needs at least one time zone")
        for key in self.time_zones:
            ZoneInfo(key)  # fail early on an unknown zone


@dataclass(frozen=True, slots=True)
class Debt:
    """One debt in collection.

    Student loans serviced under one account number when the collector obtained them are one
    "particular debt" for call frequency (14(b)(4), comment 14(b)(4)-2.vii): give them the same
    ``student_loan_account``.
    """

    id: str
    type: str = "other"
    student_loan_account: str | None = None

    @property
    def frequency_key(self) -> str:
        """The name of the "particular debt" this debt belongs to for 1006.14(b)."""
        if self.type == "student_loan" and self.student_loan_account:
            return f"student_loan:{self.student_loan_account}"
        return self.id


@dataclass(frozen=True)
class Facts:
    """The consumer, their debts, and the events so far, in any order.

    Only events at or before the evaluation's ``now`` are taken into account, so the same Facts
    can be evaluated at several instants. The index (`history`) is built on first use and kept.
    """

    consumer: Consumer
    debts: tuple[Debt, ...]
    events: tuple[Event, ...] = ()

    @cached_property
    def history(self) -> History:
        """The events arranged for fast look-ups (built once per Facts)."""
        from amicable.compliance.core.history import History

        return History.build(self)
