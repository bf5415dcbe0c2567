"""The working state of one evaluation, shared by the rule modules.

Each rule module has a ``check(c: Check)`` function that reads the request and the history and,
when the contact is not allowed, calls `Check.refuse` with the reason and the earliest instant at
which *that* rule might stop refusing (None when only a new event can lift it). The engine takes
the latest of those instants as the next candidate for ``next_allowed_at``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from amicable.compliance.core.decision import Reason, Request
from amicable.compliance.core.facts import Consumer
from amicable.compliance.core.history import History
from amicable.compliance.core.policy import Policy
from amicable.compliance.core.states import Overlay

# Media through which the collector communicates with the consumer (bureau reports are not).
CONSUMER_MEDIA: frozenset[str] = frozenset({"call", "text", "email", "letter"})
TIMED_MEDIA: frozenset[str] = frozenset({"call", "text", "email"})
_SEARCHING = Reason(rule="", citation="", message="")  # stands for any refusal while searching
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(slots=True)
class Check:
    """One evaluation: the request at instant ``at``, knowing the events up to ``known_ts``.

    ``local`` holds ``at`` in each of the consumer's zones (same order as ``history.zones``);
    ``debt_ids`` are the asked debts (every debt when the request names none);
    ``day`` is the consumer-local day number (date ordinal) in the day zone, ``known_day`` the
    day of ``known_ts`` (the evaluation's ``now``).
    """

    request: Request
    consumer: Consumer
    history: History
    policy: Policy
    at: datetime
    known_ts: float
    known_day: int
    local: tuple[datetime, ...]
    day: int
    overlays: tuple[Overlay, ...]
    want_counts: bool
    debt_ids: tuple[str, ...]
    reasons: list[Reason] = field(default_factory=list)
    retry: list[datetime | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def to_consumer(self) -> bool:
        """Whether the contact goes to the consumer (not their attorney or a third party)."""
        return self.request.to == "consumer"

    def refuse(
        self,
        *,
        rule: str,
        citation: str,
        message: str | Callable[[], str],
        retry_at: datetime | None,
    ) -> None:
        """Record a refusal and when this rule might next allow the contact.

        ``message`` may be a function producing the text: while searching for the next allowed
        instant only the retry instants matter, and formatting dates is the slowest part.
        """
        if not self.want_counts:
            self.reasons.append(_SEARCHING)
        else:
            text = message() if callable(message) else message
            self.reasons.append(Reason(rule=rule, citation=citation, message=text))
        self.retry.append(retry_at)

    def note(self, message: str) -> None:
        """Record an exception that was applied (only in the first pass, not while searching)."""
        if self.want_counts:
            self.notes.append(message)


def day_text(day: int) -> str:
    """A day number as a readable date, e.g. 'Wed 2026-04-08'."""
    d = date.fromordinal(day)
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.isoformat()}"


def clock_text(local: datetime) -> str:
    """A local instant as 'Wed 07:00' (strftime is slow and locale-dependent)."""
    return f"{WEEKDAY_NAMES[local.weekday()]} {local.hour:02d}:{local.minute:02d}"
