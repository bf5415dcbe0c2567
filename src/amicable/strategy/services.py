"""The collectors' use cases: take the next account, verify, disclose, call, dispose.

Every contact goes through `compliance.api.authorize_contact`; every outcome that changes
what compliance must know (a wrong number, a cease request, a dispute, an attorney, a
bankruptcy, a death) is recorded there as a fact in the same transaction as the disposition.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from amicable.compliance import api as compliance
from amicable.dialer import services as dialer
from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.kernel.ids import storable_id
from amicable.negotiation.models import Arrangement
from amicable.portfolio.models import Consumer, ContactPoint, Debt, fold
from amicable.strategy.models import (
    Callback,
    CallSession,
    DeskLock,
    Disposition,
    Note,
    WorkState,
)

LOCK_MINUTES = 30
REST_AFTER_WORK = timedelta(hours=20)
CALLBACK_GRACE = timedelta(minutes=15)


class UnableToWorkAccount(UnableTo):
    pass


class UnableToDispose(UnableTo):
    pass


def required_checks() -> int:
    """How many identity checks prove a right-party contact (setting AMICABLE_RPC_CHECKS)."""
    return int(getattr(settings, "AMICABLE_RPC_CHECKS", 2))


# -- claiming accounts -------------------------------------------------------------------


def _claim(*, consumer_id: int, agent_id: int, origin: str, now: datetime) -> CallSession | None:
    """Lock the account for this agent, or None when another agent holds it."""
    with transaction.atomic():
        DeskLock.objects.filter(consumer_id=consumer_id, expires_at__lt=now).delete()
        mine = DeskLock.objects.filter(consumer_id=consumer_id, agent_id=agent_id).first()
        if mine is not None:
            return mine.session
        language = (
            Consumer.objects.filter(pk=consumer_id)
            .values_list("preferred_language", flat=True)
            .first()
            or "EN"
        )
        try:
            with transaction.atomic():
                session = CallSession.objects.create(
                    agent_id=agent_id,
                    consumer_id=consumer_id,
                    origin=origin,
                    started_at=now,
                    language=language,
                )
                DeskLock.objects.create(
                    consumer_id=consumer_id,
                    agent_id=agent_id,
                    session=session,
                    locked_at=now,
                    expires_at=now + timedelta(minutes=LOCK_MINUTES),
                )
        except IntegrityError:
            return None
        state, created = WorkState.objects.get_or_create(
            consumer_id=consumer_id, defaults={"last_worked_at": now, "sessions": 1}
        )
        if not created:
            WorkState.objects.filter(pk=consumer_id).update(
                last_worked_at=now, sessions=state.sessions + 1
            )
        record_audit_event(
            at=now,
            actor_id=agent_id,
            action="desk.account_opened",
            object_type="Consumer",
            object_id=consumer_id,
            details={"session_id": session.pk, "origin": origin},
        )
        return session


def open_account(*, agent_id: int, consumer_id: int, origin: str, now: datetime) -> CallSession:
    """Open an account in the desk (from search, an inbound call or the dialer's screen pop)."""
    if not storable_id(consumer_id) or not Consumer.objects.filter(pk=consumer_id).exists():
        raise UnableToWorkAccount("There is no such account.")
    session = _claim(consumer_id=consumer_id, agent_id=agent_id, origin=origin, now=now)
    if session is None:
        raise UnableToWorkAccount("Another agent is working this account right now.")
    return session


def _callable_now(debt_ids: list[int], now: datetime) -> set[int]:
    verdicts = compliance.eligible_debts(debt_ids=debt_ids, now=now)
    return {debt_id for debt_id, verdict in verdicts.items() if verdict.allowed}


def _candidates(*, agent_id: int, now: datetime, limit: int) -> list[int]:
    """Consumers to offer, best first (see docs/desk.md, "The queue"):
    1. callbacks due, this agent's first (others' after a 15-minute grace);
    2. broken promises and plans;
    3. active debts never worked, newest placement and largest balance first, then debts
       not worked for a day, least recently worked first."""
    locked = DeskLock.objects.filter(expires_at__gte=now).values("consumer_id")
    due = Callback.objects.filter(completed_at__isnull=True, due_at__lte=now).exclude(
        consumer_id__in=locked
    )
    ordered: list[int] = list(
        due.filter(agent_id=agent_id)
        .order_by("due_at", "id")
        .values_list("consumer_id", flat=True)[:limit]
    )
    ordered += list(
        due.filter(due_at__lte=now - CALLBACK_GRACE)
        .exclude(agent_id=agent_id)
        .order_by("due_at", "id")
        .values_list("consumer_id", flat=True)[:limit]
    )
    rested = WorkState.objects.filter(last_worked_at__gt=now - REST_AFTER_WORK).values(
        "consumer_id"
    )
    ordered += list(
        Arrangement.objects.filter(status=Arrangement.Status.BROKEN)
        .exclude(consumer_id__in=locked)
        .exclude(consumer_id__in=rested)
        .order_by("status_changed_at", "id")
        .values_list("consumer_id", flat=True)[:limit]
    )
    active = Debt.objects.filter(status=Debt.Status.ACTIVE, balance__gt=0).exclude(
        consumer_id__in=locked
    )
    worked = WorkState.objects.values("consumer_id")
    ordered += list(
        active.exclude(consumer_id__in=worked)
        .order_by("-placed_at", "-balance", "id")
        .values_list("consumer_id", flat=True)[:limit]
    )
    ordered += list(
        WorkState.objects.filter(last_worked_at__lte=now - REST_AFTER_WORK)
        .exclude(consumer_id__in=locked)
        .filter(consumer_id__in=active.values("consumer_id"))
        .order_by("last_worked_at", "consumer_id")
        .values_list("consumer_id", flat=True)[:limit]
    )
    return list(dict.fromkeys(ordered))  # without repeats, in order


def work_queue_debt_ids(*, people: int, now: datetime) -> list[int]:
    """The active debts of the next `people` people of the work queue (the desk's order, as
    no agent in particular would get it), for a campaign made from the queue."""
    consumer_ids = _candidates(agent_id=0, now=now, limit=people)[:people]
    return list(
        Debt.objects.filter(
            consumer_id__in=consumer_ids, status=Debt.Status.ACTIVE, balance__gt=0
        ).values_list("id", flat=True)
    )


def next_account(*, agent_id: int, now: datetime, batch: int = 25) -> CallSession | None:
    """The next account this agent should work, locked to them, or None when nothing can
    be called now. Accounts that compliance says may not be called now are skipped. An agent
    who joined a running preview campaign works that campaign's list instead."""
    campaign = dialer.preview_campaign(agent_id=agent_id)
    for _ in range(4):
        if campaign is not None:
            candidates = dialer.preview_candidates(campaign=campaign, now=now, limit=batch)
        else:
            candidates = _candidates(agent_id=agent_id, now=now, limit=batch)
        if not candidates:
            return None
        debts_by_consumer: dict[int, list[int]] = {}
        for debt_id, consumer_id in Debt.objects.filter(
            consumer_id__in=candidates, status=Debt.Status.ACTIVE
        ).values_list("id", "consumer_id"):
            debts_by_consumer.setdefault(consumer_id, []).append(debt_id)
        callable_debts = _callable_now([d for ids in debts_by_consumer.values() for d in ids], now)
        for consumer_id in candidates:
            if not any(d in callable_debts for d in debts_by_consumer.get(consumer_id, [])):
                continue
            session = _claim(consumer_id=consumer_id, agent_id=agent_id, origin="PREVIEW", now=now)
            if session is not None:
                if campaign is not None:
                    dialer.member_previewed(campaign=campaign, consumer_id=consumer_id, now=now)
                Callback.objects.filter(
                    consumer_id=consumer_id, completed_at__isnull=True, due_at__lte=now
                ).update(session=session)
                return session
        batch *= 4
    return None


def session_for_agent(*, session_id: int, agent_id: int) -> CallSession:
    session = CallSession.objects.select_related("consumer").filter(pk=session_id).first()
    if session is None or session.agent_id != agent_id:
        raise UnableToWorkAccount("This call is not yours.")
    return session


def _open_session(session_id: int, agent_id: int) -> CallSession:
    session = session_for_agent(session_id=session_id, agent_id=agent_id)
    if session.ended_at is not None:
        raise UnableToWorkAccount("This call has ended; take the next account.")
    return session


# -- right-party verification and disclosure ----------------------------------------------


@dataclass(frozen=True)
class VerificationResult:
    passed: tuple[str, ...]
    failed: tuple[str, ...]
    verified: bool


def _matches(check: str, answer: str, consumer: Consumer, addresses: list[ContactPoint]) -> bool:
    answer = answer.strip()
    if not answer:
        return False
    if check == "dob":
        try:
            given = date.fromisoformat(answer)
        except ValueError:
            return False
        return consumer.date_of_birth is not None and given == consumer.date_of_birth
    if check == "ssn4":
        return bool(consumer.ssn_last4) and answer[-4:] == consumer.ssn_last4
    if check == "zip":
        return any(a.zip_code[:5] == answer[:5] for a in addresses if a.zip_code)
    if check == "street":
        said = fold(answer).replace(".", "")
        return any(
            fold(a.address1).replace(".", "").startswith(said[:6]) and len(said) >= 4
            for a in addresses
            if a.address1
        )
    return False


@transaction.atomic
def verify_identity(
    *, session_id: int, agent_id: int, answers: dict[str, str], now: datetime
) -> VerificationResult:
    """Compare what the person said with what we know. Only which checks passed is kept."""
    session = _open_session(session_id, agent_id)
    consumer = session.consumer
    addresses = list(consumer.contact_points.filter(kind=ContactPoint.Kind.ADDRESS))
    given = {k: v for k, v in answers.items() if k in {"dob", "ssn4", "zip", "street"} and v}
    passed = tuple(k for k, v in given.items() if _matches(k, v, consumer, addresses))
    failed = tuple(k for k in given if k not in passed)
    checks = sorted(set(session.verification_checks) | set(passed))
    verified = len(checks) >= required_checks() and not failed
    session.verification_checks = checks
    if verified and session.verified_at is None:
        session.verified_at = now
    session.save(update_fields=["verification_checks", "verified_at"])
    record_audit_event(
        at=now,
        actor_id=agent_id,
        action="desk.identity_checked",
        object_type="Consumer",
        object_id=consumer.pk,
        details={
            "passed": list(passed),
            "failed": list(failed),
            "verified": session.verified_at is not None,
        },
    )
    return VerificationResult(passed, failed, session.verified_at is not None)


@transaction.atomic
def mark_wrong_party(*, session_id: int, agent_id: int, now: datetime) -> CallSession:
    session = _open_session(session_id, agent_id)
    session.wrong_party = True
    session.save(update_fields=["wrong_party"])
    return session


@transaction.atomic
def confirm_disclosure(*, session_id: int, agent_id: int, now: datetime) -> CallSession:
    session = _open_session(session_id, agent_id)
    if not session.may_discuss_debt:
        raise UnableToWorkAccount("Verify the person's identity before the disclosure.")
    session.disclosure_at = session.disclosure_at or now
    session.save(update_fields=["disclosure_at"])
    record_audit_event(
        at=now,
        actor_id=agent_id,
        action="desk.disclosure_read",
        object_type="Consumer",
        object_id=session.consumer_id,
        details={"session_id": session.pk},
    )
    return session


# -- calls ---------------------------------------------------------------------------------


def place_call(*, session_id: int, agent_id: int, contact_point_id: int, now: datetime):
    """Ask compliance, record the attempt, and (when allowed) tie the call to the session."""
    session = _open_session(session_id, agent_id)
    if session.attempt_id is not None and (
        compliance.ContactAttempt.objects.filter(pk=session.attempt_id, result="").exists()
    ):
        # The call on this session (the dialer's, or one placed here) has no outcome yet: a
        # second call would be a second attempt, and leave the first one without a result.
        raise UnableToWorkAccount(
            "You are on a call with this person already: record its outcome first."
        )
    debt_ids = list(
        Debt.objects.filter(consumer_id=session.consumer_id, status=Debt.Status.ACTIVE).values_list(
            "id", flat=True
        )
    )
    if not debt_ids:
        raise UnableToWorkAccount("This person has no active debt to call about.")
    authorization = compliance.authorize_contact(
        consumer_id=session.consumer_id,
        debt_ids=debt_ids,
        channel="call",
        now=now,
        contact_point_id=contact_point_id,
        actor_id=agent_id,
        source="DESK",
    )
    if authorization.allowed:
        CallSession.objects.filter(pk=session.pk).update(
            attempt_id=authorization.attempt_id, phone_id=contact_point_id
        )
    return authorization


# -- outcomes ------------------------------------------------------------------------------

#: What each disposition tells compliance about the call that was placed.
CALL_RESULTS = {
    "NO_ANSWER": "no_answer",
    "BUSY": "busy",
    "DISCONNECTED": "not_in_service",
    "LEFT_MESSAGE": "voicemail_limited_content",
    # A call answered by someone else connected (it counts) but was no conversation with
    # the person (comment 14(b)(2)(i)-3), so it does not start the 7-day quiet period.
    "THIRD_PARTY": "voicemail_no_message",
    "WRONG_NUMBER": "voicemail_no_message",
}
RIGHT_PARTY_CODES = {
    "PROMISE",
    "PAID",
    "REFUSED",
    "DISPUTE",
    "HARDSHIP",
    "CALLBACK",
    "CEASE",
    "ATTORNEY",
    "BANKRUPTCY",
    "DECEASED",
}
#: Dispositions that become compliance facts (holds and number status).
FACTS = {
    "CEASE": "CEASE",
    "DISPUTE": "DISPUTE",
    "ATTORNEY": "ATTORNEY",
    "BANKRUPTCY": "BANKRUPTCY",
    "DECEASED": "DECEASED",
}


@transaction.atomic
def record_disposition(
    *,
    session_id: int,
    agent_id: int,
    code: str,
    now: datetime,
    note: str = "",
    callback_at: datetime | None = None,
) -> Disposition:
    """Close the call with its outcome and apply what it means (see FACTS, CALL_RESULTS)."""
    session = _open_session(session_id, agent_id)
    if code not in Disposition.Code.values:
        raise UnableToDispose(f"{code!r} is not an outcome code")
    if code in RIGHT_PARTY_CODES and code != "DECEASED" and not session.may_discuss_debt:
        raise UnableToDispose(
            "This outcome needs a verified right-party contact; verify the person first, or "
            "choose third party, wrong number or limited-content message."
        )
    if (
        code == "PROMISE"
        and not Arrangement.objects.filter(
            consumer_id=session.consumer_id,
            created_by_id=agent_id,
            created_at__gte=session.started_at,
        ).exists()
    ):
        raise UnableToDispose("Record the promise or plan before closing with this outcome.")
    if code == "CALLBACK":
        if callback_at is None:
            raise UnableToDispose("Choose when to call back.")
        _check_callback_time(session.consumer_id, callback_at, now)
    if code in {"WRONG_NUMBER", "DISCONNECTED"} and session.phone_id is None:
        raise UnableToDispose("Place the call to the number first, so we know which number.")

    if session.attempt_id is not None:
        result = "conversation" if code in RIGHT_PARTY_CODES else CALL_RESULTS.get(code)
        if result:
            compliance.record_attempt_result(attempt_id=session.attempt_id, result=result, at=now)
    if code in RIGHT_PARTY_CODES and session.attempt_id is None and session.origin == "INBOUND":
        compliance.record_fact(
            consumer_id=session.consumer_id, kind="CONSUMER_CALL", at=now, actor_id=agent_id
        )
    if code == "WRONG_NUMBER":
        compliance.record_fact(
            consumer_id=session.consumer_id,
            kind="NOT_PERSONS_NUMBER",
            at=now,
            actor_id=agent_id,
            contact_point_id=session.phone_id,
            method="told on the call",
        )
    if code == "DISCONNECTED":
        assert session.phone_id is not None  # checked above
        ContactPoint.objects.filter(pk=session.phone_id).update(
            status=ContactPoint.Status.DISCONNECTED
        )
    if code in FACTS:
        details: dict[str, Any] = {"method": "told on the call"}
        if code in {"CEASE", "DISPUTE"}:
            details["in_writing"] = False
        if code == "BANKRUPTCY":
            details = {}
        compliance.record_fact(
            consumer_id=session.consumer_id, kind=FACTS[code], at=now, actor_id=agent_id, **details
        )
    if code == "BANKRUPTCY":
        Consumer.objects.filter(pk=session.consumer_id).update(in_bankruptcy=True)
    if code == "DECEASED":
        Consumer.objects.filter(pk=session.consumer_id).update(is_deceased=True)
    Callback.objects.filter(session=session, completed_at__isnull=True).exclude(
        due_at__gt=now
    ).update(completed_at=now)
    if code == "CALLBACK":
        assert callback_at is not None  # checked above
        _book_callback(session=session, agent_id=agent_id, at=callback_at, now=now, note=note)
    if note.strip():
        Note.objects.create(
            consumer_id=session.consumer_id, author_id=agent_id, at=now, text=note.strip()
        )
    disposition = Disposition.objects.create(
        session=session,
        consumer_id=session.consumer_id,
        agent_id=agent_id,
        at=now,
        code=code,
        note=note.strip(),
    )
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    DeskLock.objects.filter(session=session).delete()
    record_audit_event(
        at=now,
        actor_id=agent_id,
        action="desk.disposition",
        object_type="Consumer",
        object_id=session.consumer_id,
        details={"session_id": session.pk, "code": code},
    )
    return disposition


#: Frequency limits do not stop a callback the person asked for: their request is prior
#: consent to a call on that day (12 CFR 1006.14(b)(3)(i)), recorded with the callback.
FREQUENCY_RULES = {"call_frequency", "call_after_conversation", "state_frequency"}


def _check_callback_time(consumer_id: int, at: datetime, now: datetime) -> None:
    """Refuse callback times that compliance forbids (hours at the person's location, times
    and places they called inconvenient, holds); `at` is in the person's time zone."""
    if at <= now:
        raise UnableToDispose("The callback time must be in the future.")
    if at > now + timedelta(days=60):
        raise UnableToDispose("Book callbacks within the next 60 days.")
    for debt_id in Debt.objects.filter(
        consumer_id=consumer_id, status=Debt.Status.ACTIVE
    ).values_list("id", flat=True):
        decision = compliance.explain_debt(debt_id=debt_id, at=at, channel="call")
        blocking = [r for r in decision.reasons if r.rule not in FREQUENCY_RULES]
        if blocking:
            raise UnableToDispose(
                "That time is not allowed: " + " ".join(r.message for r in blocking)
            )


def _book_callback(
    *, session: CallSession, agent_id: int, at: datetime, now: datetime, note: str
) -> Callback:
    compliance.record_fact(
        consumer_id=session.consumer_id,
        kind="CONSENT",
        at=now,
        actor_id=agent_id,
        consent_kind="calls",
        for_dates=[at.date().isoformat()],
        given_by="consumer",
        method="asked to be called back",
    )
    return Callback.objects.create(
        consumer_id=session.consumer_id,
        agent_id=agent_id,
        due_at=at,
        note=note[:300],
        created_at=now,
        session=session,
    )


@transaction.atomic
def schedule_callback(
    *, session_id: int, agent_id: int, at: datetime, now: datetime, note: str = ""
) -> Callback:
    """Book a callback without closing the call (the person asked to talk later)."""
    session = _open_session(session_id, agent_id)
    if not session.may_discuss_debt:
        raise UnableToDispose("Verify the person before booking a callback with them.")
    _check_callback_time(session.consumer_id, at, now)
    return _book_callback(session=session, agent_id=agent_id, at=at, now=now, note=note)


@transaction.atomic
def add_note(*, consumer_id: int, author_id: int, text: str, now: datetime) -> Note:
    if not text.strip():
        raise UnableToWorkAccount("A note cannot be empty.")
    return Note.objects.create(
        consumer_id=consumer_id, author_id=author_id, at=now, text=text.strip()[:5000]
    )
