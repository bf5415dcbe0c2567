"""The compliance use cases: the contact chokepoint, results, facts, explanations, eligibility.

`authorize_contact` is the one way to get permission to contact a consumer. In one
transaction it locks the consumer's row, gathers the facts, evaluates the rules and records
the attempt (allowed or refused), so concurrent dialers and agents are serialised per consumer
and can never exceed a cap. Its latency is mostly round trips, so it makes few: the lock, one
read of everything else, one insert of the attempt with its debts (PostgreSQL). On SQLite
the settings open every transaction with ``BEGIN IMMEDIATE``, which serialises all writers
(``select_for_update`` is a no-op there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import cast
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from amicable.compliance import core
from amicable.compliance.facts import ConsumerFacts, fetch_prepared, gather_facts
from amicable.compliance.models import ComplianceFact, ContactAttempt, ContactAttemptDebt
from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.portfolio.models import ContactPoint, Debt

POLICY = core.DEFAULT_POLICY


class UnableToAuthorizeContact(UnableTo):
    """The request itself is invalid (unknown consumer, debt or contact point)."""


class UnableToRecordResult(UnableTo):
    pass


class UnableToRecordFact(UnableTo):
    pass


class UnableToExplain(UnableTo):
    pass


CHANNEL_ACTIONS: dict[str, str] = {
    ContactAttempt.Channel.CALL: "call",
    ContactAttempt.Channel.TEXT: "text",
    ContactAttempt.Channel.EMAIL: "email",
    ContactAttempt.Channel.LETTER: "letter",
    ContactAttempt.Channel.BUREAU_REPORT: "bureau_report",
}
# Which kind of contact point each channel goes through.
CHANNEL_POINT_KIND = {
    "call": ContactPoint.Kind.PHONE,
    "text": ContactPoint.Kind.PHONE,
    "email": ContactPoint.Kind.EMAIL,
    "letter": ContactPoint.Kind.ADDRESS,
}
HOLD_RULES = ("dispute", "cease", "attorney", "bankruptcy", "deceased")


@dataclass(frozen=True)
class Authorization:
    attempt_id: int
    allowed: bool
    decision: core.Decision


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    next_allowed_at: datetime | None


def _channel(channel: str) -> str:
    value = channel.strip().upper()
    if value not in CHANNEL_ACTIONS:
        choices = ", ".join(c.lower() for c in CHANNEL_ACTIONS)
        raise UnableToAuthorizeContact(f"Unknown channel {channel!r}: use one of {choices}.")
    return value


def _request(
    *,
    bundle: ConsumerFacts,
    debt_ids: Iterable[int],
    channel: str,
    contact_point_id: int | None,
    to: str = "consumer",
    autodialed: bool = False,
    location_follow_up: bool = False,
    error: type[UnableTo] = UnableToAuthorizeContact,
) -> core.Request:
    """The core request for a contact through one of the consumer's contact points."""
    action = CHANNEL_ACTIONS[_channel(channel)]
    unknown = [d for d in debt_ids if d not in bundle.debt_ids]
    if unknown:
        raise error(f"Debt {unknown[0]} is not one of this consumer's debts.")
    phone = address = None
    phone_type = None
    if contact_point_id is not None:
        point = bundle.points.get(contact_point_id)
        if point is None:
            raise error(f"Contact point {contact_point_id} is not one of this consumer's.")
        wanted = CHANNEL_POINT_KIND.get(action)
        if wanted is None or point.kind != wanted:
            raise error(f"A {action} cannot go to a {point.kind.lower()} contact point.")
        if point.kind == ContactPoint.Kind.PHONE:
            phone = str(contact_point_id)
            phone_type = (point.phone_type or "unknown").lower()
        else:
            address = str(contact_point_id)
    if to not in core.events.PARTIES:
        raise error(f"Unknown recipient {to!r}: use consumer, attorney or third_party.")
    return core.Request(
        action=action,  # type: ignore[arg-type]  # checked against CHANNEL_ACTIONS
        debt_ids=tuple(str(d) for d in debt_ids),
        phone=phone,
        address=address,
        to=to,
        location_follow_up=location_follow_up,
        autodialed=autodialed,
        phone_type=phone_type,
    )


def reasons_json(decision: core.Decision) -> list[dict[str, str]]:
    return [
        {"rule": r.rule, "citation": r.citation, "message": r.message} for r in decision.reasons
    ]


@transaction.atomic
def authorize_contact(
    *,
    consumer_id: int,
    debt_ids: list[int],
    channel: str,
    now: datetime,
    contact_point_id: int | None = None,
    actor_id: int | None = None,
    source: str = "DESK",
    autodialed: bool = False,
    to: str = "consumer",
    campaign: str = "",
    location_follow_up: bool = False,
) -> Authorization:
    """May this contact happen now? Records the attempt, allowed or refused, and says why.

    ``debt_ids`` are the debts the contact is about (what a call counts toward); empty means
    every debt of the consumer. ``location_follow_up`` claims an exception of 1006.10(c) for
    contacting a third party again (kept in the attempt's notes, for an audit). Raises
    `UnableToAuthorizeContact` only for an invalid request; a refusal is an `Authorization`
    with ``allowed=False`` and the reasons.
    """
    channel = _channel(channel)
    source = source.upper()
    if source not in ContactAttempt.Source.values:
        raise UnableToAuthorizeContact(f"Unknown source {source!r}.")
    to = to.lower()
    bundle = gather_facts(
        consumer_ids=[consumer_id],
        now=now,
        lock=True,
        count_later=True,
        policy=POLICY,
        one_read=True,
    ).get(consumer_id)
    if bundle is None:
        raise UnableToAuthorizeContact(f"No consumer {consumer_id}.")
    about = list(dict.fromkeys(debt_ids)) or list(bundle.debt_ids)
    if not about:
        raise UnableToAuthorizeContact("This consumer has no debts to contact them about.")
    request = _request(
        bundle=bundle,
        debt_ids=about,
        channel=channel,
        contact_point_id=contact_point_id,
        to=to,
        autodialed=autodialed,
        location_follow_up=location_follow_up,
    )
    decision = core.evaluate(request, bundle.facts, now, policy=POLICY)
    reasons = reasons_json(decision)
    attempt = ContactAttempt(
        consumer_id=consumer_id,
        channel=channel,
        to=to.upper(),
        contact_point_id=contact_point_id,
        requested_at=now,
        allowed=decision.allowed,
        reasons=reasons,
        rules="".join(f",{r['rule']}" for r in reasons) + ("," if reasons else ""),
        calls_in_window=dict(decision.calls_in_window),
        notes=list(decision.notes),
        next_allowed_at=None if decision.allowed else decision.next_allowed_at,
        actor_id=actor_id,
        source=source,
        campaign=campaign[:100],
        autodialed=autodialed,
    )
    attempt_id = _insert_attempt(attempt, about)
    return Authorization(attempt_id=attempt_id, allowed=decision.allowed, decision=decision)


def _insert_attempt(attempt: ContactAttempt, debt_ids: list[int]) -> int:
    """Insert a new attempt and its debts; return its id.

    On PostgreSQL one prepared statement does both (a data-modifying ``WITH``): one round
    trip fewer on the chokepoint. Elsewhere (SQLite has no such ``WITH``) the ORM inserts them.
    """
    if connection.vendor != "postgresql":
        attempt.save()
        ContactAttemptDebt.objects.bulk_create(
            [ContactAttemptDebt(attempt_id=attempt.pk, debt_id=debt_id) for debt_id in debt_ids]
        )
        return attempt.pk
    fields = [
        f
        for f in ContactAttempt._meta.concrete_fields
        if not f.primary_key and f.name not in ("result", "result_at")
    ]
    # A concrete field always has a column (the stubs allow None for the others).
    columns = ", ".join(connection.ops.quote_name(cast(str, f.column)) for f in fields)
    values = [f.get_db_prep_save(getattr(attempt, f.attname), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"WITH new AS (INSERT INTO {ContactAttempt._meta.db_table} ({columns}, result) "  # noqa: S608 - names from models
        f"VALUES ({placeholders}, '') RETURNING id), "
        f"links AS (INSERT INTO {ContactAttemptDebt._meta.db_table} (attempt_id, debt_id) "
        "SELECT new.id, d FROM new, unnest(%s::bigint[]) AS d) SELECT id FROM new"
    )
    return fetch_prepared(sql, [*values, list(debt_ids)])[0][0]


@transaction.atomic
def record_attempt_result(*, attempt_id: int, result: str, at: datetime) -> None:
    """The outcome of an allowed attempt, once. Recording the same result again is a no-op;
    a different one raises `UnableToRecordResult` (the ledger is append-only)."""
    if result not in ContactAttempt.Result.values:
        raise UnableToRecordResult(
            f"Unknown result {result!r}: use one of {', '.join(ContactAttempt.Result.values)}."
        )
    row = ContactAttempt.objects.filter(pk=attempt_id).values_list(
        "consumer_id", "allowed", "channel"
    )
    found = row.first()
    if found is None:
        raise UnableToRecordResult(f"No contact attempt {attempt_id}.")
    consumer_id, allowed, channel = found
    if not allowed:
        raise UnableToRecordResult("This attempt was refused; it cannot have a result.")
    if channel != ContactAttempt.Channel.CALL:
        raise UnableToRecordResult("Only calls have a result.")
    # Same lock as the chokepoint: a result changes what the next authorization sees.
    list(_lock_consumer(consumer_id))
    updated = ContactAttempt.objects.filter(pk=attempt_id, result="").update(
        result=result, result_at=at
    )
    if updated:
        return
    recorded = ContactAttempt.objects.filter(pk=attempt_id).values_list("result", flat=True)[0]
    if recorded != result:
        raise UnableToRecordResult(
            f"Attempt {attempt_id} already has the result {recorded!r}; it cannot change."
        )


def _lock_consumer(consumer_id: int):
    from amicable.portfolio.models import Consumer

    return Consumer.objects.select_for_update().filter(pk=consumer_id).values_list("id")


FACT_DETAILS: dict[str, frozenset[str]] = {
    ComplianceFact.Kind.CONSUMER_CALL: frozenset(),
    ComplianceFact.Kind.VALIDATION_NOTICE: frozenset({"medium", "returned_on"}),
    ComplianceFact.Kind.CONSENT: frozenset({"consent_kind", "for_dates", "given_by", "method"}),
    ComplianceFact.Kind.CONSENT_REVOKED: frozenset({"consent_kind", "given_by", "method"}),
    ComplianceFact.Kind.NOT_PERSONS_NUMBER: frozenset({"method"}),
    ComplianceFact.Kind.ATTORNEY: frozenset({"method"}),
    ComplianceFact.Kind.CEASE: frozenset({"in_writing", "method"}),
    ComplianceFact.Kind.OPT_OUT: frozenset({"medium", "method"}),
    ComplianceFact.Kind.DISPUTE: frozenset({"in_writing", "sent_on", "method"}),
    ComplianceFact.Kind.VERIFICATION_SENT: frozenset({"medium"}),
    ComplianceFact.Kind.BANKRUPTCY: frozenset({"chapter", "case_number"}),
    ComplianceFact.Kind.DECEASED: frozenset({"method"}),
    ComplianceFact.Kind.BUREAU_REPORT: frozenset({"bureau"}),
    ComplianceFact.Kind.LETTER: frozenset({"content", "returned_on"}),
    ComplianceFact.Kind.INCONVENIENT_TIME: frozenset({"days", "from", "to", "until"}),
    ComplianceFact.Kind.INCONVENIENT_PLACE: frozenset({"place"}),
    ComplianceFact.Kind.EMPLOYER_PROHIBITS_CONTACT: frozenset(),
}
CAN_END = frozenset(
    {
        ComplianceFact.Kind.ATTORNEY,
        ComplianceFact.Kind.CEASE,
        ComplianceFact.Kind.BANKRUPTCY,
        ComplianceFact.Kind.INCONVENIENT_TIME,
        ComplianceFact.Kind.INCONVENIENT_PLACE,
        ComplianceFact.Kind.EMPLOYER_PROHIBITS_CONTACT,
    }
)
DAY_DATED = frozenset(
    {
        ComplianceFact.Kind.VALIDATION_NOTICE,
        ComplianceFact.Kind.BUREAU_REPORT,
        ComplianceFact.Kind.LETTER,
    }
)
# Facts that must name a contact point, and which kinds of point they accept.
POINT_KINDS: dict[str, set[str]] = {
    ComplianceFact.Kind.NOT_PERSONS_NUMBER: {ContactPoint.Kind.PHONE},
    ComplianceFact.Kind.CONSUMER_CALL: {ContactPoint.Kind.PHONE},
    ComplianceFact.Kind.CONSENT: {ContactPoint.Kind.PHONE},
    ComplianceFact.Kind.CONSENT_REVOKED: {ContactPoint.Kind.PHONE},
    ComplianceFact.Kind.OPT_OUT: set(ContactPoint.Kind.values),
    ComplianceFact.Kind.LETTER: {ContactPoint.Kind.ADDRESS},
}
MEDIA = ("call", "text", "email", "letter")


def _iso_day(value: object, name: str) -> str:
    if isinstance(value, datetime):
        raise UnableToRecordFact(f"{name} must be a date, not a time.")
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UnableToRecordFact(f"{name} must be a date (YYYY-MM-DD), not {value!r}.") from None


def _clean_details(kind: str, details: dict) -> dict:
    allowed = FACT_DETAILS[kind]
    unknown = sorted(set(details) - allowed)
    if unknown:
        accepted = ", ".join(sorted(allowed)) or "none"
        raise UnableToRecordFact(
            f"A {kind.lower()} fact does not take {', '.join(unknown)} (accepted: {accepted})."
        )
    clean = {k: v for k, v in details.items() if v is not None}
    if "consent_kind" in clean and clean["consent_kind"] not in core.events.CONSENT_KINDS:
        raise UnableToRecordFact("consent_kind must be 'calls' or 'tcpa'.")
    if "for_dates" in clean:
        clean["for_dates"] = [_iso_day(d, "for_dates") for d in clean["for_dates"]]
    for name in ("sent_on", "returned_on", "until"):
        if name in clean:
            clean[name] = _iso_day(clean[name], name)
    if "medium" in clean:
        media = ("mail", "email") if kind != ComplianceFact.Kind.OPT_OUT else MEDIA
        if clean["medium"] not in media:
            raise UnableToRecordFact(f"medium must be one of {', '.join(media)}.")
    if "in_writing" in clean and not isinstance(clean["in_writing"], bool):
        raise UnableToRecordFact("in_writing must be true or false.")
    if kind == ComplianceFact.Kind.INCONVENIENT_TIME:
        days = clean.get("days") or []
        if not days or any(d not in core.facts.WEEKDAYS for d in days):
            raise UnableToRecordFact("days must list weekdays among Mon, Tue, ... Sun.")
        for name in ("from", "to"):
            if name in clean and clean[name] != "24:00":
                try:
                    time.fromisoformat(clean[name])
                except (TypeError, ValueError):
                    raise UnableToRecordFact(f"{name} must be a time HH:MM.") from None
        start, end = clean.get("from", "00:00"), clean.get("to", "24:00")
        if _minute_of_day(end) <= _minute_of_day(start):
            raise UnableToRecordFact(
                f"from {start} to {end} crosses midnight (or is empty): record it as two "
                f"times, from {start} to 24:00 and from 00:00 to {end}."
            )
    if kind == ComplianceFact.Kind.INCONVENIENT_PLACE and not clean.get("place"):
        raise UnableToRecordFact("An inconvenient place needs a place (e.g. home, work).")
    for key in ("given_by", "method", "content", "bureau", "case_number", "chapter"):
        if key in clean:
            clean[key] = str(clean[key])[:200]
    return clean


@transaction.atomic
def record_fact(
    *,
    consumer_id: int,
    kind: str,
    at: datetime,
    debt_ids: list[int] | None = None,
    actor_id: int | None = None,
    **details,
) -> ComplianceFact:
    """Append one compliance fact and, when it is about a contact point, update the point's
    status, consent or opt-out fields to match.

    Details by kind (all optional unless said): ``contact_point_id`` (required for
    not_persons_number; a phone for consent/consent_revoked with ``consent_kind="tcpa"``),
    ``on`` (the day of a letter, validation notice or bureau report), ``ended`` (ends an
    attorney, cease, bankruptcy or designation), ``consent_kind`` ("calls" or "tcpa"),
    ``for_dates``, ``given_by`` and ``method`` (provenance), ``medium``, ``in_writing``,
    ``sent_on``, ``returned_on``, ``content``, ``days``/``from``/``to``/``until`` (an
    inconvenient time), ``place``. Raises `UnableToRecordFact` with a clear message.
    """
    kind = kind.strip().upper()
    if kind not in ComplianceFact.Kind.values:
        kinds = ", ".join(k.lower() for k in ComplianceFact.Kind.values)
        raise UnableToRecordFact(f"Unknown fact {kind.lower()!r}: use one of {kinds}.")
    if at.tzinfo is None:
        raise UnableToRecordFact("at must be a timezone-aware time.")
    contact_point_id = details.pop("contact_point_id", None)
    on = details.pop("on", None)
    ended = bool(details.pop("ended", False))
    recorded_at = details.pop("recorded_at", None) or at
    details = _clean_details(kind, details)
    if ended and kind not in CAN_END:
        raise UnableToRecordFact(f"A {kind.lower()} fact cannot be ended.")
    if on is not None:
        if kind not in DAY_DATED:
            raise UnableToRecordFact(f"A {kind.lower()} fact is dated by at, not on.")
        on = date.fromisoformat(_iso_day(on, "on"))
    consumer = _lock_consumer(consumer_id).first()
    if consumer is None:
        raise UnableToRecordFact(f"No consumer {consumer_id}.")
    debts = list(dict.fromkeys(debt_ids or []))
    if debts:
        found = set(
            Debt.objects.filter(consumer_id=consumer_id, pk__in=debts).values_list("pk", flat=True)
        )
        missing = [d for d in debts if d not in found]
        if missing:
            raise UnableToRecordFact(f"Debt {missing[0]} is not one of this consumer's debts.")
    point = None
    if contact_point_id is not None:
        point = ContactPoint.objects.filter(pk=contact_point_id, consumer_id=consumer_id).first()
        if point is None:
            raise UnableToRecordFact(
                f"Contact point {contact_point_id} is not one of this consumer's."
            )
        accepted = POINT_KINDS.get(kind)
        if accepted is None or point.kind not in accepted:
            raise UnableToRecordFact(f"A {kind.lower()} fact cannot name a {point.kind.lower()}.")
        details["point_kind"] = point.kind
    elif kind == ComplianceFact.Kind.NOT_PERSONS_NUMBER:
        raise UnableToRecordFact("not_persons_number needs the contact_point_id of the phone.")
    elif kind == ComplianceFact.Kind.OPT_OUT and not details.get("medium"):
        raise UnableToRecordFact("An opt-out needs a contact_point_id or a medium.")
    consent_kind = details.get("consent_kind", "calls")
    if kind in (ComplianceFact.Kind.CONSENT, ComplianceFact.Kind.CONSENT_REVOKED):
        if consent_kind == "tcpa" and point is None:
            raise UnableToRecordFact("A TCPA consent is for one phone: give contact_point_id.")
    fact = ComplianceFact(
        consumer_id=consumer_id,
        kind=kind,
        contact_point=point,
        at=at,
        on=on,
        ended=ended,
        details=details,
        recorded_by_id=actor_id,
        recorded_at=recorded_at,
    )
    fact.save()
    if debts:
        fact.debts.set(debts)
    if point is not None:
        _update_point(point, fact, consent_kind=consent_kind)
    if actor_id is not None:
        record_audit_event(
            at=recorded_at,
            actor_id=actor_id,
            action=f"compliance.fact.{kind.lower()}",
            object_type="Consumer",
            object_id=consumer_id,
            details={"fact_id": fact.pk, "debt_ids": debts, "ended": ended},
        )
    return fact


def _update_point(point: ContactPoint, fact: ComplianceFact, *, consent_kind: str) -> None:
    Kind = ComplianceFact.Kind
    details = fact.details
    who = details.get("given_by", "")[:100]
    how = details.get("method", "")[:100]
    if fact.kind == Kind.NOT_PERSONS_NUMBER:
        point.status = ContactPoint.Status.WRONG_NUMBER
        point.save(update_fields=["status"])
    elif fact.kind in (Kind.CONSENT, Kind.CONSENT_REVOKED) and consent_kind == "tcpa":
        granted = fact.kind == Kind.CONSENT
        point.consent = ContactPoint.Consent.GRANTED if granted else ContactPoint.Consent.REVOKED
        point.consent_at = fact.at
        point.consent_by = who
        point.consent_method = how
        point.save(update_fields=["consent", "consent_at", "consent_by", "consent_method"])
    elif fact.kind == Kind.OPT_OUT and (
        point.kind != ContactPoint.Kind.PHONE or details.get("medium") is None
    ):
        # The point's opt-out flag means "stop using this address / number" (for a phone:
        # no texts and no calls); an opt-out of one medium at a number stays a fact only.
        if point.opted_out_at is None:
            point.opted_out_at = fact.at
            point.opted_out_by = who
            point.opted_out_method = how
            point.save(update_fields=["opted_out_at", "opted_out_by", "opted_out_method"])


def _bundle_for_debt(debt_id: int, at: datetime) -> tuple[ConsumerFacts, int]:
    consumer_id = Debt.objects.filter(pk=debt_id).values_list("consumer_id", flat=True).first()
    if consumer_id is None:
        raise UnableToExplain(f"No debt {debt_id}.")
    bundle = gather_facts(consumer_ids=[consumer_id], now=at, policy=POLICY, one_read=True)[
        consumer_id
    ]
    return bundle, consumer_id


def explain_debt(
    *, debt_id: int, at: datetime, channel: str = "call", contact_point_id: int | None = None
) -> core.Decision:
    """What `authorize_contact` would answer for this debt at ``at`` (knowing only what was
    recorded by then). Nothing is recorded."""
    bundle, _ = _bundle_for_debt(debt_id, at)
    try:
        request = _request(
            bundle=bundle,
            debt_ids=[debt_id],
            channel=channel,
            contact_point_id=contact_point_id,
            error=UnableToExplain,
        )
    except UnableToAuthorizeContact as error:
        raise UnableToExplain(error.message) from None
    return core.evaluate(request, bundle.facts, at, policy=POLICY)


# --- the desk's compliance panel -------------------------------------------------------------


@dataclass(frozen=True)
class LocalTime:
    zone: str
    local: datetime
    within_hours: bool


@dataclass(frozen=True)
class DebtWindow:
    debt_id: int
    calls_in_window: int
    attempts_left: int
    allowed: bool
    next_allowed_at: datetime | None
    reasons: tuple[core.Reason, ...]


@dataclass(frozen=True)
class Hold:
    rule: str
    citation: str
    message: str
    debt_ids: tuple[int, ...]


@dataclass(frozen=True)
class ValidationDates:
    debt_ids: tuple[int, ...]
    notice_sent_on: date
    assumed_received_on: date
    ends_on: date
    in_period: bool


@dataclass(frozen=True)
class PhoneConsent:
    contact_point_id: int
    value: str
    phone_type: str
    tcpa_consent: str  # "granted", "revoked" or "unknown"
    consent_at: datetime | None
    opted_out: bool
    wrong_number: bool


@dataclass(frozen=True)
class ComplianceSnapshot:
    consumer_id: int
    now: datetime
    local_times: tuple[LocalTime, ...]
    call_permitted_now: bool
    debts: tuple[DebtWindow, ...]
    holds: tuple[Hold, ...]
    validation: tuple[ValidationDates, ...]
    phones: tuple[PhoneConsent, ...]
    next_allowed_at: datetime | None


def compliance_snapshot(*, consumer_id: int, now: datetime) -> ComplianceSnapshot:
    """Everything the desk's compliance panel shows, from one gathering of the facts."""
    bundle = gather_facts(consumer_ids=[consumer_id], now=now, policy=POLICY, one_read=True).get(
        consumer_id
    )
    if bundle is None:
        raise UnableToExplain(f"No consumer {consumer_id}.")
    facts = bundle.facts
    earliest, latest = POLICY.earliest_local_time, POLICY.latest_local_time
    local_times = []
    for key in facts.consumer.time_zones:
        local = now.astimezone(ZoneInfo(key))
        local_times.append(LocalTime(key, local, earliest <= local.time() <= latest))
    windows: list[DebtWindow] = []
    holds: dict[tuple[str, str, str], list[int]] = {}
    for debt_id in bundle.debt_ids:
        key = str(debt_id)
        call = core.evaluate(core.Request("call", (key,)), facts, now, policy=POLICY)
        counted = core.evaluate(core.Request("letter", (key,)), facts, now, policy=POLICY)
        in_window = counted.calls_in_window.get(key, 0)
        windows.append(
            DebtWindow(
                debt_id=debt_id,
                calls_in_window=in_window,
                attempts_left=max(0, POLICY.max_calls_in_seven_days - in_window),
                allowed=call.allowed,
                next_allowed_at=call.next_allowed_at,
                reasons=call.reasons,
            )
        )
        for reason in call.reasons:
            if reason.rule in HOLD_RULES:
                holds.setdefault((reason.rule, reason.citation, reason.message), []).append(debt_id)
    times = [w.next_allowed_at for w in windows if w.next_allowed_at is not None]
    points = _phone_consents(consumer_id)
    return ComplianceSnapshot(
        consumer_id=consumer_id,
        now=now,
        local_times=tuple(local_times),
        call_permitted_now=any(w.allowed for w in windows),
        debts=tuple(windows),
        holds=tuple(Hold(r, c, m, tuple(ids)) for (r, c, m), ids in holds.items()),
        validation=_validation_dates(bundle, now),
        phones=points,
        next_allowed_at=min(times) if times else None,
    )


def _phone_consents(consumer_id: int) -> tuple[PhoneConsent, ...]:
    return tuple(
        PhoneConsent(
            contact_point_id=point.pk,
            value=point.value,
            phone_type=point.phone_type.lower() or "unknown",
            tcpa_consent=point.consent.lower(),
            consent_at=point.consent_at,
            opted_out=point.opted_out_at is not None,
            wrong_number=point.status == ContactPoint.Status.WRONG_NUMBER,
        )
        for point in ContactPoint.objects.filter(
            consumer_id=consumer_id, kind=ContactPoint.Kind.PHONE
        ).order_by("-is_primary", "id")
    )


def _validation_dates(bundle: ConsumerFacts, now: datetime) -> tuple[ValidationDates, ...]:
    """The period of the latest notice not returned, per group of debts it covers."""
    latest: dict[int, core.ValidationNotice] = {}
    for event in bundle.facts.events:
        if not isinstance(event, core.ValidationNotice) or event.returned_on is not None:
            continue
        covered = [int(d) for d in event.debt_ids] or list(bundle.debt_ids)
        for debt_id in covered:
            if debt_id not in latest or latest[debt_id].on <= event.on:
                latest[debt_id] = event
    today = now.astimezone(ZoneInfo(bundle.facts.consumer.time_zones[0])).date()
    groups: dict[date, list[int]] = {}
    for debt_id, notice in latest.items():
        groups.setdefault(notice.on, []).append(debt_id)
    out = []
    for sent_on, debt_ids in sorted(groups.items()):
        period = core.validation_period(
            sent_on, include_observed=POLICY.observed_holidays_extend_receipt
        )
        out.append(
            ValidationDates(
                debt_ids=tuple(sorted(debt_ids)),
                notice_sent_on=period.notice_sent_on,
                assumed_received_on=period.assumed_received_on,
                ends_on=period.ends_on,
                in_period=today <= period.ends_on,
            )
        )
    return tuple(out)


# --- batch eligibility -------------------------------------------------------------------------

ELIGIBILITY_CHUNK = 20000


def eligible_debts(
    *, debt_ids: list[int] | None, now: datetime, channel: str = "call"
) -> dict[int, Eligibility]:
    """May each debt be contacted now through ``channel`` (to the consumer, no particular
    contact point), and if not, when next? ``debt_ids=None`` means the whole portfolio.

    Debts are read in chunks of consumers, a handful of raw queries per chunk; consumers whose
    facts look alike to the rules (nothing on record, or only calls with the same shape) share
    one evaluation, the others get their own `Facts` (see `eligibility`).
    """
    from amicable.compliance.eligibility import eligibility_for

    action = CHANNEL_ACTIONS[_channel(channel)]
    grouped = eligibility_for(
        debt_ids=debt_ids, now=now, action=action, policy=POLICY, chunk=ELIGIBILITY_CHUNK
    )
    # Most debts share an answer: one (frozen) Eligibility per distinct answer, not per debt
    # (answers: allowed, next_allowed_at and its zone).
    out: dict[int, Eligibility] = {}
    for answer, ids in grouped.items():
        out.update(dict.fromkeys(ids, Eligibility(answer[0], answer[1])))
    return out


def _minute_of_day(text: str) -> int:
    """HH:MM (already checked) as minutes since midnight; "24:00" is the end of the day."""
    if text == "24:00":
        return 24 * 60
    moment = time.fromisoformat(text)
    return moment.hour * 60 + moment.minute
