"""The question asked of the engine (`Request`) and its answer (`Decision`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

Action = Literal["call", "text", "email", "letter", "bureau_report"]
ACTIONS: frozenset[str] = frozenset(get_args(Action))

# Why a letter is sent matters under a cease notice (1006.6(c)(2)) and a dispute (1006.38(d)(2)).
LetterPurpose = Literal["terminate_efforts", "invoke_remedy", "verification"]
PURPOSES: frozenset[str] = frozenset(get_args(LetterPurpose))


@dataclass(frozen=True, slots=True)
class Request:
    """A contact the caller wants to make now (the instant is `evaluate`'s ``now``).

    ``debt_ids``: the debts the contact is about; a call must be allowed for each of them.
    ``phone``/``address``: ids of the consumer's phone, email or postal address used.
    ``to``: "consumer" (default), "attorney" (the consumer's attorney) or "third_party"
    (location information, 1006.10). ``location_follow_up``: a third party the collector has
    already spoken with asked to be contacted again, or the collector reasonably believes their
    earlier answer was wrong or incomplete and that they now have the correct or complete
    location information (the two exceptions of 1006.10(c)). ``replying_to_consumer``: a reply
    through the same medium to a message the consumer sent (comments 6(b)(1)-2, 6(b)(2)-1,
    1006.14(h)(3)(ii)).
    ``autodialed``/``prerecorded`` and ``phone_type`` feed the TCPA rule. ``purpose`` marks the
    letters a cease notice or a dispute still allows. A bureau report is dated by the local day
    of ``now``.
    """

    action: Action
    debt_ids: tuple[str, ...] = ()
    phone: str | None = None
    address: str | None = None
    to: str = "consumer"
    location_follow_up: bool = False
    replying_to_consumer: bool = False
    autodialed: bool = False
    prerecorded: bool = False
    phone_type: str | None = None
    purpose: LetterPurpose | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that refuses the contact: a stable code, the citation and a plain sentence."""

    rule: str
    citation: str
    message: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer.

    ``allowed`` is True only when ``reasons`` is empty. ``calls_in_window`` gives, for each asked
    debt, the counted calls in the 7 consecutive local days ending on the asked day, including
    the asked call when it would count. ``next_allowed_at`` is the earliest instant at or after
    ``now`` when the same contact would be allowed given what is known now (``now`` itself when
    allowed), or None when no such instant is known: a hold that only the consumer or the
    collector can lift, or nothing within the search horizon. ``notes`` explain exceptions that
    were applied (e.g. a call excluded from the count by consent); they never refuse.
    """

    allowed: bool
    reasons: tuple[Reason, ...]
    calls_in_window: Mapping[str, int]
    next_allowed_at: datetime | None
    notes: tuple[str, ...] = field(default=())
