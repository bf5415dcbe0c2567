"""The consumer's events re-arranged once, so each rule answers with a few look-ups.

`evaluate` is called before every dial, many times on the same history, so the work that does not
depend on the asked instant is done here once per `Facts`: every instant is turned into POSIX
seconds and a local day number, calls are sorted per "particular debt" with the ones that never
count (not connected, to the attorney, covered by consent) left out, and holds become intervals.
Whatever depends on the asked instant (what was known at ``now``) stays for the rules.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from amicable.compliance.core.events import (
    MESSAGE_DELIVERED_RESULTS,
    NOT_CONNECTED_RESULTS,
    Attorney,
    Bankruptcy,
    BureauReport,
    Call,
    Cease,
    Consent,
    ConsentRevoked,
    ConsumerCall,
    Deceased,
    Dispute,
    Email,
    Event,
    Letter,
    NotPersonsNumber,
    OptOut,
    Text,
    ValidationNotice,
    VerificationSent,
)

if TYPE_CHECKING:
    from amicable.compliance.core.facts import Facts

INF = float("inf")
CONSENT_DAYS = 7  # 14(b)(3)(i): "a period no longer than seven consecutive days"


@dataclass(slots=True)
class Series:
    """Events of one kind in time order: instants, local day numbers, and (for calls) the
    instant from which the call is known to have gone to someone else's number."""

    ts: list[float] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    wrong_from: list[float] = field(default_factory=list)
    any_wrong: bool = False

    def add(self, ts: float, day: int, wrong_from: float = INF) -> None:
        self.ts.append(ts)
        self.days.append(day)
        self.wrong_from.append(wrong_from)
        self.any_wrong = self.any_wrong or wrong_from != INF

    def days_known(self, *, first_day: int, known_ts: float) -> list[int]:
        """Local days of the events on or after ``first_day`` known at ``known_ts``."""
        lo = bisect_left(self.days, first_day)
        hi = bisect_right(self.ts, known_ts)
        if hi <= lo:
            return []
        if not self.any_wrong:
            return self.days[lo:hi]
        return [self.days[i] for i in range(lo, hi) if self.wrong_from[i] > known_ts]

    def count_known(self, *, first_day: int, known_ts: float) -> int:
        """How many events on or after local day ``first_day`` were known at ``known_ts``."""
        lo = bisect_left(self.days, first_day)
        hi = bisect_right(self.ts, known_ts)
        if hi <= lo:
            return 0
        if not self.any_wrong:
            return hi - lo
        return sum(1 for i in range(lo, hi) if self.wrong_from[i] > known_ts)

    def last_day_known(self, *, known_ts: float) -> int | None:
        """The local day of the latest event known at ``known_ts``."""
        hi = bisect_right(self.ts, known_ts)
        return self.days[hi - 1] if hi else None


@dataclass(frozen=True, slots=True)
class CallConsent:
    """A 14(b)(3)(i) consent for one particular debt: from when, for which local days, and the
    instant it ends early (a later conversation about the debt, or a revocation)."""

    at_ts: float
    days: tuple[int, ...]
    expires_ts: float


@dataclass(frozen=True, slots=True)
class Interval:
    """A hold in force from ``start_ts`` until ``end_ts`` (INF while open)."""

    start_ts: float
    end_ts: float

    def active(self, known_ts: float) -> bool:
        return self.start_ts <= known_ts < self.end_ts


@dataclass(frozen=True, slots=True)
class Contact:
    """A collector-initiated contact, as state overlays count them."""

    ts: float
    day: int
    medium: str
    debt_ids: tuple[str, ...]
    phone: str | None
    delivered: bool
    wrong_from: float


@dataclass(frozen=True, slots=True)
class Mailing:
    """A letter, notice or electronic message sent about a debt (for 1006.30(a))."""

    sent_on: date
    returned_on: date | None


@dataclass
class History:
    """Look-up tables built from `Facts` (see module docstring)."""

    zones: tuple[ZoneInfo, ...]
    debt_ids: tuple[str, ...]
    key_of: dict[str, str]
    phone_place: dict[str, str | None]
    phone_kind: dict[str, str]
    address_place: dict[str, str | None]
    work_emails: frozenset[str]
    any_holds: bool = False
    counted_calls: dict[str, Series] = field(default_factory=dict)
    third_party_calls: dict[tuple[str | None, str], Series] = field(default_factory=dict)
    # Conversations with third parties (location information), per number called.
    third_party_talks: dict[str | None, Series] = field(default_factory=dict)
    conversations: dict[str, Series] = field(default_factory=dict)
    call_consents: dict[str, list[CallConsent]] = field(default_factory=dict)
    tcpa_consents: list[tuple[float, str | None]] = field(default_factory=list)
    tcpa_revocations: list[tuple[float, str | None]] = field(default_factory=list)
    wrong_numbers: dict[str, float] = field(default_factory=dict)
    attorney: dict[str, list[Interval]] = field(default_factory=dict)
    cease: dict[str, list[Interval]] = field(default_factory=dict)
    bankruptcy: dict[str, list[Interval]] = field(default_factory=dict)
    deceased_ts: float = INF
    disputes: dict[str, list[tuple[float, Dispute]]] = field(default_factory=dict)
    verifications: dict[str, list[float]] = field(default_factory=dict)
    opt_outs: list[tuple[float, OptOut]] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    contact_days: list[int] = field(default_factory=list)
    contact_ts: list[float] = field(default_factory=list)
    mailings: dict[str, list[Mailing]] = field(default_factory=dict)
    first_spoke_ts: dict[str, float] = field(default_factory=dict)
    notices: dict[str, list[ValidationNotice]] = field(default_factory=dict)

    @property
    def day_zone(self) -> ZoneInfo:
        """The zone whose calendar defines the consumer's days (RULES.md §8.2)."""
        return self.zones[0]

    def day_of(self, at: datetime) -> int:
        """The consumer-local day number (date ordinal) of an instant."""
        return at.astimezone(self.zones[0]).toordinal()

    def latest_day_of(self, at: datetime) -> int:
        """The latest local date of an instant among the consumer's zones: a conversation at
        22:30 in Los Angeles is already the next day in New York, and the seven quiet days
        after it must hold in every place the consumer may be (a consumer can call at any
        hour, so this is not only about calls at unlawful hours)."""
        return max(at.astimezone(zone).toordinal() for zone in self.zones)

    def start_of_day(self, day: int) -> datetime:
        """Local midnight starting day number ``day``, in the day zone."""
        return datetime.combine(date.fromordinal(day), time(0), tzinfo=self.zones[0])

    def keys(self, debt_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The particular debts (14(b)(4)) the given debts belong to; () means all debts."""
        ids = debt_ids or self.debt_ids
        seen: dict[str, None] = {}
        for debt_id in ids:
            seen[self.key_of.get(debt_id, debt_id)] = None
        return tuple(seen)

    def ids(self, debt_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The debts an event or request is about; () means all debts."""
        return debt_ids or self.debt_ids

    def phone_scope(self, phone: str | None) -> str:
        """'other' for numbers tied to work, 'personal' for residence, cell and unknown ones."""
        return "other" if self.phone_place.get(phone or "") == "work" else "personal"

    @classmethod
    def build(cls, facts: Facts) -> History:
        consumer = facts.consumer
        zones = tuple(ZoneInfo(key) for key in consumer.time_zones)
        history = cls(
            zones=zones,
            debt_ids=tuple(d.id for d in facts.debts),
            key_of={d.id: d.frequency_key for d in facts.debts},
            phone_place={p.id: p.place for p in consumer.phones},
            phone_kind={p.id: p.kind for p in consumer.phones},
            address_place={a.id: a.place for a in consumer.addresses},
            work_emails=frozenset(e.id for e in consumer.emails if e.work),
        )
        timed = sorted(
            ((history._instant(event), n, event) for n, event in enumerate(facts.events)),
            key=lambda item: (item[0], item[1]),
        )
        history._index_conversations_and_knowledge(timed)
        history._index_consents(timed)
        history._index_contacts(timed)
        history._index_holds(timed)
        return history

    def _instant(self, event: Event) -> float:
        """POSIX seconds of an event; day-dated events sort at the start of their local day."""
        at = getattr(event, "at", None)
        if at is not None:
            return at.timestamp()
        on: date = event.on  # type: ignore[union-attr]
        return datetime.combine(on, time(0), tzinfo=self.zones[0]).timestamp()

    def _index_conversations_and_knowledge(self, timed: list[tuple[float, int, Event]]) -> None:
        """Conversations per particular debt, wrong numbers, and when consumers first spoke."""
        conversations: dict[str, Series] = defaultdict(Series)
        for ts, _, event in timed:
            if isinstance(event, Call):
                if event.result != "conversation" or event.to != "consumer":
                    continue
                # The debts the call was about, and any others discussed in it (a call about
                # one debt in which the consumer raised another was a conversation about both).
                about = event.debt_ids
                if event.discussed is not None and event.debt_ids:
                    about = tuple(dict.fromkeys((*event.debt_ids, *event.discussed)))
            elif isinstance(event, ConsumerCall):
                about = event.debt_ids
            else:
                if isinstance(event, NotPersonsNumber):
                    self.wrong_numbers.setdefault(event.phone, ts)
                continue
            day = self.latest_day_of(event.at)
            for key in self.keys(about):
                conversations[key].add(ts, day)
            for debt_id in self.ids(about):
                self.first_spoke_ts.setdefault(debt_id, ts)
        self.conversations = dict(conversations)

    def _index_consents(self, timed: list[tuple[float, int, Event]]) -> None:
        """Call-frequency consents with their days and early end; TCPA consents as given."""
        revocations: dict[str, list[float]] = defaultdict(list)
        for ts, _, event in timed:
            if isinstance(event, ConsentRevoked):
                if event.kind == "tcpa":
                    self.tcpa_revocations.append((ts, event.phone))
                else:
                    for key in self.keys(event.debt_ids):
                        revocations[key].append(ts)
        consents: dict[str, list[CallConsent]] = defaultdict(list)
        for ts, _, event in timed:
            if not isinstance(event, Consent):
                continue
            if event.kind == "tcpa":
                self.tcpa_consents.append((ts, event.phone))
                continue
            first_day = self.day_of(event.at)
            last_day = first_day + CONSENT_DAYS - 1
            if event.for_dates is None:
                days = tuple(range(first_day, last_day + 1))
            else:
                wanted = sorted({d.toordinal() for d in event.for_dates})
                days = tuple(d for d in wanted if first_day <= d <= last_day)
            for key in self.keys(event.debt_ids):
                ends = [INF]
                talks = self.conversations.get(key)
                if talks is not None:
                    i = bisect_right(talks.ts, ts)
                    if i < len(talks.ts):
                        ends.append(talks.ts[i])
                ends.extend(r for r in revocations.get(key, ()) if r >= ts)
                consents[key].append(CallConsent(at_ts=ts, days=days, expires_ts=min(ends)))
        self.call_consents = dict(consents)

    def covered_by_consent(self, key: str, *, ts: float, day: int) -> bool:
        """Whether a call placed at ``ts`` on local ``day`` is excluded by a consent
        (14(b)(3)(i)). The call in which a conversation ends a consent is still covered."""
        for consent in self.call_consents.get(key, ()):
            if consent.at_ts <= ts <= consent.expires_ts and day in consent.days:
                return True
        return False

    def _index_contacts(self, timed: list[tuple[float, int, Event]]) -> None:
        """Counted calls per particular debt, third-party calls, state-overlay contacts,
        mailings for passive collection, validation notices."""
        counted: dict[str, Series] = defaultdict(Series)
        third: dict[tuple[str | None, str], Series] = defaultdict(Series)
        talks: dict[str | None, Series] = defaultdict(Series)
        mailings: dict[str, list[Mailing]] = defaultdict(list)
        notices: dict[str, list[ValidationNotice]] = defaultdict(list)
        for ts, _, event in timed:
            if isinstance(event, Call):
                self._index_call(event, ts, counted, third, talks)
            elif isinstance(event, Text):
                day = self.day_of(event.at)
                wrong = self.wrong_numbers.get(event.phone or "", INF)
                ids = self.ids(event.debt_ids)
                self._add_contact(Contact(ts, day, "text", ids, event.phone, True, wrong))
                for debt_id in ids:
                    mailings[debt_id].append(Mailing(date.fromordinal(day), None))
            elif isinstance(event, Email):
                day = self.day_of(event.at)
                ids = self.ids(event.debt_ids)
                self._add_contact(Contact(ts, day, "email", ids, None, True, INF))
                for debt_id in ids:
                    mailings[debt_id].append(Mailing(date.fromordinal(day), event.returned_on))
            elif isinstance(event, Letter):
                ids = self.ids(event.debt_ids)
                day = event.on.toordinal()
                self._add_contact(Contact(ts, day, "letter", ids, None, True, INF))
                for debt_id in ids:
                    mailings[debt_id].append(Mailing(event.on, event.returned_on))
            elif isinstance(event, ValidationNotice):
                for debt_id in self.ids(event.debt_ids):
                    mailings[debt_id].append(Mailing(event.on, event.returned_on))
                    notices[debt_id].append(event)
        self.counted_calls = dict(counted)
        self.third_party_calls = dict(third)
        self.third_party_talks = dict(talks)
        self.mailings = dict(mailings)
        self.notices = {k: sorted(v, key=lambda n: n.on) for k, v in notices.items()}

    def _index_call(
        self,
        call: Call,
        ts: float,
        counted: dict[str, Series],
        third: dict[tuple[str | None, str], Series],
        talks: dict[str | None, Series],
    ) -> None:
        """File one placed call under every particular debt it counts toward (14(b)(3), (4))."""
        if call.result in NOT_CONNECTED_RESULTS or call.to == "attorney":
            return  # 14(b)(3)(ii) not connected; 14(b)(3)(iii) the consumer's attorney
        day = self.day_of(call.at)
        wrong = self.wrong_numbers.get(call.phone or "", INF)
        if call.to == "third_party":
            for key in self.keys(call.debt_ids):
                third[(call.phone, key)].add(ts, day)
            if call.result == "conversation":
                talks[call.phone].add(ts, day)
            return
        delivered = call.result in MESSAGE_DELIVERED_RESULTS
        ids = self.ids(call.debt_ids)
        self._add_contact(Contact(ts, day, "call", ids, call.phone, delivered, wrong))
        for key in self.keys(call.debt_ids):
            if not self.covered_by_consent(key, ts=ts, day=day):
                counted[key].add(ts, day, wrong)

    def _add_contact(self, contact: Contact) -> None:
        self.contacts.append(contact)
        self.contact_days.append(contact.day)
        self.contact_ts.append(contact.ts)

    def _index_holds(self, timed: list[tuple[float, int, Event]]) -> None:
        """Attorney, cease and bankruptcy intervals per debt; disputes and verifications."""
        for kind, table in ((Attorney, self.attorney), (Cease, self.cease)):
            _intervals(timed, kind, self, table)
        _intervals(timed, Bankruptcy, self, self.bankruptcy)
        for ts, _, event in timed:
            if isinstance(event, Deceased):
                self.deceased_ts = min(self.deceased_ts, ts)
            elif isinstance(event, Dispute):
                for debt_id in self.ids(event.debt_ids):
                    self.disputes.setdefault(debt_id, []).append((ts, event))
            elif isinstance(event, VerificationSent):
                for debt_id in self.ids(event.debt_ids):
                    self.verifications.setdefault(debt_id, []).append(ts)
            elif isinstance(event, OptOut):
                self.opt_outs.append((ts, event))
            elif isinstance(event, BureauReport):
                pass  # history only; a past report does not change what is allowed
        self.any_holds = (
            bool(self.attorney or self.cease or self.bankruptcy or self.disputes)
            or self.deceased_ts != INF
        )


def _intervals(
    timed: list[tuple[float, int, Event]],
    kind: type[Attorney] | type[Cease] | type[Bankruptcy],
    history: History,
    table: dict[str, list[Interval]],
) -> None:
    """Turn start/``ended`` events of one hold kind into intervals per debt."""
    open_since: dict[str, float] = {}
    for ts, _, event in timed:
        if not isinstance(event, kind):
            continue
        for debt_id in history.ids(event.debt_ids):
            if not event.ended:
                open_since.setdefault(debt_id, ts)
            elif debt_id in open_since:
                table.setdefault(debt_id, []).append(Interval(open_since.pop(debt_id), ts))
    for debt_id, start in open_since.items():
        table.setdefault(debt_id, []).append(Interval(start, INF))
