"""What happened with a consumer, as plain records the rules read.

The vocabulary is the one of the `compliance check` scenario format (docs/compliance.md), so a
scenario file, a test and the database layer all describe history the same way. The database layer
translates its contact-attempt ledger, consents and holds into these records; nothing here knows
about the database.

Conventions shared by every event:

* ``at`` is a timezone-aware instant (when the collector placed the call, sent the message, or
  *received* the consumer's notice: a cease or dispute is complete on receipt, comment 6(c)(1)-1).
  Events dated by day only (letters, validation notices, bureau reports) carry ``on`` instead,
  a date in the consumer's local calendar.
* ``debt_ids`` names the debts the event is about. An empty tuple means *every* debt of the
  consumer: a hold without debts holds them all, and a call without debts counts toward all of
  them (the conservative reading of 14(b)(4), which lets a collector pick one debt instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

CallResult = Literal[
    "no_answer",
    "voicemail_limited_content",
    "voicemail_no_message",
    "ringless_voicemail",
    "abandoned",
    "conversation",
    "busy",
    "not_in_service",
]
CALL_RESULTS: frozenset[str] = frozenset(get_args(CallResult))

# Comment 14(b)(3)(ii)-1: a busy signal or a not-in-service indication does not connect, so the
# call does not count. Everything else (ringing, voicemail, answered then dropped) connects.
NOT_CONNECTED_RESULTS: frozenset[str] = frozenset({"busy", "not_in_service"})

# Results where a person or a voicemail actually received something from the collector. Used by
# state overlays when the agency decides unanswered attempts are not "communications" (Policy).
MESSAGE_DELIVERED_RESULTS: frozenset[str] = frozenset(
    {"conversation", "voicemail_limited_content", "ringless_voicemail", "abandoned"}
)

Party = Literal["consumer", "attorney", "third_party"]
PARTIES: frozenset[str] = frozenset(get_args(Party))

Medium = Literal["call", "text", "email", "letter"]
MEDIA: frozenset[str] = frozenset(get_args(Medium))

ConsentKind = Literal["calls", "tcpa"]
CONSENT_KINDS: frozenset[str] = frozenset(get_args(ConsentKind))


@dataclass(frozen=True, slots=True)
class Call:
    """A telephone call the collector placed (a ringless voicemail is a call, comment 14(b)-1).

    ``debt_ids`` are the debts the call counts toward (14(b)(4): the debts discussed or named in
    a voicemail; for an unanswered call, the debt the collector chose). ``discussed`` lists
    other debts talked about in a conversation (comment 14(b)(4)-2.vi: the consumer raises
    another debt): the conversation counts for them and for ``debt_ids`` alike, the cautious
    reading whichever way a caller fills it in.
    """

    at: datetime
    result: CallResult
    debt_ids: tuple[str, ...] = ()
    phone: str | None = None
    to: Party = "consumer"
    discussed: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ConsumerCall:
    """The consumer called the collector and they talked (starts the 7-day period, 14(b)(2)(i)(B)).

    It is not a call *placed* by the collector, so it never counts toward the 7-in-7 cap.
    """

    at: datetime
    debt_ids: tuple[str, ...] = ()
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Email:
    """An email the collector sent. ``returned_on`` is the day a bounce was received, if any."""

    at: datetime
    debt_ids: tuple[str, ...] = ()
    address: str | None = None
    returned_on: date | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """A text message the collector sent (not a telephone call, comment 14(b)-1)."""

    at: datetime
    debt_ids: tuple[str, ...] = ()
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    """A letter placed in the mail on ``on``; ``returned_on`` if it came back undeliverable."""

    on: date
    debt_ids: tuple[str, ...] = ()
    content: str | None = None
    address: str | None = None
    returned_on: date | None = None


@dataclass(frozen=True, slots=True)
class ValidationNotice:
    """The 1006.34 validation notice, provided on ``on`` by ``medium`` ("mail" or "email")."""

    on: date
    debt_ids: tuple[str, ...] = ()
    medium: str = "mail"
    returned_on: date | None = None


@dataclass(frozen=True, slots=True)
class Consent:
    """Prior consent given directly to the collector (never to the creditor, comment 6(b)(4)(i)-2).

    ``kind="calls"``: consent to further calls about the debts (14(b)(3)(i)), for the listed
    ``for_dates`` (consumer-local days) or, when absent, for 7 consecutive days starting the day
    it was received. ``kind="tcpa"``: prior express consent to autodialed or prerecorded calls
    and texts to ``phone`` (any phone when ``phone`` is None).
    """

    at: datetime
    debt_ids: tuple[str, ...] = ()
    for_dates: tuple[date, ...] | None = None
    kind: ConsentKind = "calls"
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ConsentRevoked:
    """The consumer took back a consent of the same ``kind`` (and ``phone``, for TCPA)."""

    at: datetime
    debt_ids: tuple[str, ...] = ()
    kind: ConsentKind = "calls"
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class NotPersonsNumber:
    """The collector learned ``phone`` is not the consumer's (comment 14(b)(2)(i)-3)."""

    at: datetime
    phone: str


@dataclass(frozen=True, slots=True)
class Attorney:
    """The collector learned the consumer is represented about these debts (1006.6(b)(2)).

    ``ended=True`` records the end of the bar: representation ended, the attorney consented to
    direct communication, or failed to respond within a reasonable time.
    """

    at: datetime
    debt_ids: tuple[str, ...] = ()
    ended: bool = False


@dataclass(frozen=True, slots=True)
class Cease:
    """A written refusal to pay or cease-communication notice, received at ``at`` (1006.6(c))."""

    at: datetime
    debt_ids: tuple[str, ...] = ()
    ended: bool = False


@dataclass(frozen=True, slots=True)
class OptOut:
    """The consumer asked the collector to stop using an address, a number or a whole medium.

    ``address``: stop emails to that address (1006.6(e), for every debt, comment 14(h)(1)-3.ii).
    ``phone``: stop texts to that number, or calls to it when ``medium="call"``.
    ``medium`` alone: stop that medium entirely, e.g. "stop calling" (comment 14(h)(1)-3.i).
    """

    at: datetime
    address: str | None = None
    phone: str | None = None
    medium: Medium | None = None


@dataclass(frozen=True, slots=True)
class Dispute:
    """A dispute received at ``at``. Only a written one pauses collection (1006.38(d)(2)).

    ``sent_on`` is when the consumer sent it, if known: with Policy it decides whether a dispute
    that arrived after the validation period was still submitted within it.
    """

    at: datetime
    debt_ids: tuple[str, ...] = ()
    in_writing: bool = True
    sent_on: date | None = None


@dataclass(frozen=True, slots=True)
class VerificationSent:
    """Verification (or a judgment copy) was sent: collection may resume (1006.38(d)(2)(i))."""

    at: datetime
    debt_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BureauReport:
    """The debt was furnished to a consumer reporting agency on ``on``."""

    on: date
    debt_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bankruptcy:
    """The consumer filed for bankruptcy (automatic stay); ``ended=True`` when the stay lifted."""

    at: datetime
    debt_ids: tuple[str, ...] = ()
    ended: bool = False


@dataclass(frozen=True, slots=True)
class Deceased:
    """The collector learned the consumer died: talk only to the estate's representative."""

    at: datetime


Event = (
    Call
    | ConsumerCall
    | Email
    | Text
    | Letter
    | ValidationNotice
    | Consent
    | ConsentRevoked
    | NotPersonsNumber
    | Attorney
    | Cease
    | OptOut
    | Dispute
    | VerificationSent
    | BureauReport
    | Bankruptcy
    | Deceased
)
