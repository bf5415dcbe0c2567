"""The collector's desk through HTTP: a whole call, the wrong-party path, approvals,
payments, dispositions and callbacks."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from amicable.compliance.api import ComplianceFact, ContactAttempt
from amicable.dialer.agents import set_agent_state
from amicable.negotiation.models import ApprovalRequest, Arrangement
from amicable.payments.models import Payment
from amicable.portfolio.models import Consumer, ContactPoint, Debt
from amicable.strategy.models import Callback, CallSession, DeskLock, Disposition
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(creditor_mercy, placement_csv, now):
    import_file(placement_csv, now - timedelta(days=40))
    return Consumer.objects.get(ssn_last4="6789")  # Dana: two debts, 1,250.00 and 99.99


@pytest.fixture
def desk(client, agent_alice, frozen_clock):
    client.force_login(agent_alice)
    set_agent_state(agent_id=agent_alice.pk, state="READY", now=frozen_clock)
    return client


def open_dana(desk, dana) -> CallSession:
    response = desk.post(reverse("desk_open", args=[dana.pk]))
    assert response.status_code == 302, response
    return CallSession.objects.get(consumer=dana, ended_at__isnull=True)


def verify(desk, session, **answers):
    return desk.post(reverse("desk_verify", args=[session.pk]), answers, follow=True)


def test_next_account_serves_and_locks_an_account(desk, portfolio, client_factory_agent):
    response = desk.post(reverse("desk_next"))
    assert response.status_code == 302 and "/desk/calls/" in response.url
    session = CallSession.objects.get()
    assert DeskLock.objects.filter(consumer=session.consumer).exists()

    other = client_factory_agent("agent_bob")
    other.post(reverse("desk_next"))
    second = CallSession.objects.exclude(pk=session.pk).first()
    assert second is None or second.consumer_id != session.consumer_id


def test_the_screen_shows_no_debt_before_verification(desk, portfolio):
    session = open_dana(desk, portfolio)

    body = desk.get(reverse("desk_session", args=[session.pk])).content.decode()

    assert "Dana Whitfield" in body and "Identity not verified" in body
    for secret in ("1,250.00", "Mercy Hospital", "M-1001", "$1,349.99"):
        assert secret not in body
    assert "Please call" in body  # the limited-content script


def test_wrong_party_path_never_shows_a_balance(desk, portfolio):
    session = open_dana(desk, portfolio)
    phone = ContactPoint.objects.get(consumer=portfolio, kind="PHONE")
    desk.post(reverse("desk_call", args=[session.pk]), {"phone": phone.pk})
    desk.post(reverse("desk_wrong_party", args=[session.pk]))

    body = desk.get(reverse("desk_session", args=[session.pk])).content.decode()
    assert "Not the person" in body and "1,250.00" not in body and "Mercy" not in body
    refused = desk.post(
        reverse("desk_dispose", args=[session.pk]), {"code": "PROMISE"}, follow=True
    )
    assert "verified right-party contact" in refused.content.decode()

    desk.post(reverse("desk_dispose", args=[session.pk]), {"code": "WRONG_NUMBER"})

    phone.refresh_from_db()
    assert phone.status == ContactPoint.Status.WRONG_NUMBER
    assert ComplianceFact.objects.filter(consumer=portfolio, kind="NOT_PERSONS_NUMBER").exists()
    assert Disposition.objects.get().code == "WRONG_NUMBER"


def test_failed_verification_keeps_the_account_hidden(desk, portfolio):
    session = open_dana(desk, portfolio)
    response = verify(desk, session, dob="1980-03-01", ssn4="6789")
    assert "did not match" in response.content.decode()
    session.refresh_from_db()
    assert session.verified_at is None


def test_a_whole_call_within_authority(desk, portfolio, frozen_clock):
    session = open_dana(desk, portfolio)
    phone = ContactPoint.objects.get(consumer=portfolio, kind="PHONE")
    called = desk.post(reverse("desk_call", args=[session.pk]), {"phone": phone.pk}, follow=True)
    assert "Call allowed" in called.content.decode()
    attempt = ContactAttempt.objects.get()
    assert attempt.allowed

    verified = verify(desk, session, dob="1980-02-29", zip="12207")
    assert "Identity confirmed" in verified.content.decode()
    assert "attempt to collect a debt" in verified.content.decode()
    assert "Record hardship" not in verified.content.decode()  # negotiation waits
    page = desk.post(reverse("desk_disclosure", args=[session.pk]), follow=True)
    body = page.content.decode()
    assert "$1,349.99" in body and "Record hardship" in body

    desk.post(
        reverse("desk_hardship", args=[session.pk]),
        {
            "reason": "JOB_LOSS",
            "notes": "Laid off in March",
            "income": "2400",
            "income_frequency": "MONTHLY",
            "expense_housing": "1200",
            "expense_food": "500",
            "expense_utilities": "200",
        },
    )
    page = desk.get(reverse("desk_session", args=[session.pk])).content.decode()
    assert "disposable $500.00/mo" in page
    assert 'data-testid="option-plan-monthly"' in page

    debt = Debt.objects.get(account_number="M-1001")
    desk.post(
        reverse("desk_arrangement", args=[session.pk]),
        {
            "debt": debt.pk,
            "kind": "PLAN",
            "total": "1250.00",
            "count": "5",
            "frequency": "MONTHLY",
            "first_due_on": "2026-04-15",
        },
    )
    plan = Arrangement.objects.get()
    assert plan.status == "ACTIVE" and plan.installments.count() == 5
    assert sum(i.amount for i in plan.installments.all()) == Decimal("1250.00")

    key = "k" * 32
    paid = desk.post(
        reverse("desk_payment", args=[session.pk]),
        {
            "debt": debt.pk,
            "idempotency_key": key,
            "amount": "250.00",
            "method": "CARD",
            "card_number": "4242 4242 4242 4242",
            "exp_month": "12",
            "exp_year": "2030",
            "cvc": "123",
            "postal_code": "12207",
        },
        follow=True,
    )
    assert "Payment received" in paid.content.decode()
    again = desk.post(
        reverse("desk_payment", args=[session.pk]),
        {
            "debt": debt.pk,
            "idempotency_key": key,
            "amount": "250.00",
            "method": "CARD",
            "card_number": "4242 4242 4242 4242",
            "exp_month": "12",
            "exp_year": "2030",
            "cvc": "123",
        },
        follow=True,
    )
    assert "Payment received" in again.content.decode()
    assert Payment.objects.count() == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1000.00")
    assert debt.fees_balance == Decimal("0.00")  # fees, then interest, then principal
    assert debt.ledger_entries.filter(kind="PAYMENT").count() == 1
    payment = Payment.objects.get()
    assert "4242424242424242" not in str(payment.__dict__)

    desk.post(reverse("desk_dispose", args=[session.pk]), {"code": "PROMISE", "note": "Plan"})
    attempt.refresh_from_db()
    assert attempt.result == "conversation"
    assert Disposition.objects.get().code == "PROMISE"
    assert not DeskLock.objects.exists()


def test_plan_outside_authority_goes_to_a_supervisor(
    desk, portfolio, client, supervisor_sam, frozen_clock
):
    session = open_dana(desk, portfolio)
    verify(desk, session, dob="1980-02-29", ssn4="6789")
    desk.post(reverse("desk_disclosure", args=[session.pk]))
    debt = Debt.objects.get(account_number="M-1001")
    desk.post(
        reverse("desk_arrangement", args=[session.pk]),
        {
            "debt": debt.pk,
            "kind": "SETTLEMENT",
            "total": "500.00",
            "count": "1",
            "frequency": "MONTHLY",
            "first_due_on": "2026-04-20",
            "agent_note": "Lost job",
        },
    )
    arrangement = Arrangement.objects.get()
    assert arrangement.status == "PENDING_APPROVAL"
    approval = ApprovalRequest.objects.get()

    from django.test import Client

    boss = Client()
    boss.force_login(supervisor_sam)
    queue = boss.get(reverse("supervisor_approvals")).content.decode()
    assert "Dana Whitfield" in queue and "Lost job" in queue
    assert desk.get(reverse("supervisor_approvals")).status_code == 403
    boss.post(
        reverse("supervisor_decide", args=[approval.pk]),
        {
            "decision": "COUNTER",
            "reason": "Can do 60%",
            "counter_total": "750.00",
            "counter_payments": "3",
        },
    )

    page = desk.get(reverse("desk_session", args=[session.pk])).content.decode()
    assert "Can do 60%" in page and "Counter: $750.00 in 3 payment(s)" in page
    assert "Countered by supervisor" in page and "Declined by supervisor" not in page
    desk.post(reverse("desk_take_counter", args=[session.pk]), {"approval": approval.pk})
    accepted = Arrangement.objects.filter(status="ACTIVE").get()
    assert accepted.total == Decimal("750.00") and accepted.installments.count() == 3

    again = desk.post(  # a second press, or a retry: nothing more
        reverse("desk_take_counter", args=[session.pk]), {"approval": approval.pk}, follow=True
    )
    assert "already accepted" in again.content.decode()
    assert Arrangement.objects.filter(status="ACTIVE").get() == accepted
    assert Arrangement.objects.count() == 2
    assert "They accept the counter" not in again.content.decode()


def test_declined_card_posts_nothing(desk, portfolio):
    session = open_dana(desk, portfolio)
    verify(desk, session, dob="1980-02-29", ssn4="6789")
    desk.post(reverse("desk_disclosure", args=[session.pk]))
    debt = Debt.objects.get(account_number="M-1001")
    page = desk.post(
        reverse("desk_payment", args=[session.pk]),
        {
            "debt": debt.pk,
            "idempotency_key": "d" * 32,
            "amount": "100.00",
            "method": "CARD",
            "card_number": "4000 0000 0000 0002",
            "exp_month": "12",
            "exp_year": "2030",
            "cvc": "123",
        },
        follow=True,
    )
    assert "declined" in page.content.decode().lower()
    debt.refresh_from_db()
    assert debt.balance == Decimal("1250.00")


@pytest.mark.parametrize(
    "code, kind",
    [
        ("CEASE", "CEASE"),
        ("DISPUTE", "DISPUTE"),
        ("ATTORNEY", "ATTORNEY"),
        ("BANKRUPTCY", "BANKRUPTCY"),
        ("DECEASED", "DECEASED"),
    ],
)
def test_dispositions_that_create_holds(desk, portfolio, code, kind):
    session = open_dana(desk, portfolio)
    verify(desk, session, dob="1980-02-29", ssn4="6789")
    desk.post(reverse("desk_dispose", args=[session.pk]), {"code": code})
    assert ComplianceFact.objects.filter(consumer=portfolio, kind=kind).exists()
    assert Disposition.objects.get().code == code
    again = open_dana(desk, portfolio)
    phone = ContactPoint.objects.get(consumer=portfolio, kind="PHONE")
    refused = desk.post(reverse("desk_call", args=[again.pk]), {"phone": phone.pk}, follow=True)
    assert "not allowed" in refused.content.decode()


def test_callback_is_refused_at_night_and_comes_back_first(
    desk, portfolio, frozen_clock, agent_alice
):
    session = open_dana(desk, portfolio)
    verify(desk, session, dob="1980-02-29", ssn4="6789")
    night = desk.post(
        reverse("desk_dispose", args=[session.pk]),
        {
            "code": "CALLBACK",
            "callback_on": "2026-04-07",
            "callback_time": "22:30",
            "zone": "America/New_York",
        },
        follow=True,
    )
    assert "not allowed" in night.content.decode()
    desk.post(
        reverse("desk_dispose", args=[session.pk]),
        {
            "code": "CALLBACK",
            "callback_on": "2026-04-06",
            "callback_time": "11:30",
            "zone": "America/New_York",
        },
    )
    callback = Callback.objects.get()
    assert callback.agent == agent_alice

    from amicable.kernel.clock import freeze

    with freeze(frozen_clock + timedelta(minutes=95)):
        response = desk.post(reverse("desk_next"))
    served = CallSession.objects.order_by("-id").first()
    assert served.consumer_id == portfolio.pk and "/desk/calls/" in response.url


def test_notes_and_timeline(desk, portfolio):
    session = open_dana(desk, portfolio)
    verify(desk, session, dob="1980-02-29", ssn4="6789")
    desk.post(reverse("desk_note", args=[session.pk]), {"text": "Prefers mornings"})
    page = desk.get(reverse("desk_session", args=[session.pk])).content.decode()
    assert "Prefers mornings" in page and re.search(r"Placement balance", page)


def test_clients_and_compliance_cannot_use_the_desk(client, client_clio_of_mercy, compliance_carla):
    client.force_login(client_clio_of_mercy)
    assert client.get(reverse("desk_home")).status_code == 403
    client.force_login(compliance_carla)
    assert client.post(reverse("desk_next")).status_code == 403


def test_account_screen_query_count_is_fixed(desk, portfolio, django_assert_max_num_queries):
    session = open_dana(desk, portfolio)
    verify(desk, session, dob="1980-02-29", ssn4="6789")
    desk.post(reverse("desk_disclosure", args=[session.pk]))
    with django_assert_max_num_queries(45):
        desk.get(reverse("desk_session", args=[session.pk]))


@pytest.mark.parametrize(
    "code, result, phone_status",
    [
        ("NO_ANSWER", "no_answer", "VALID"),
        ("BUSY", "busy", "VALID"),
        ("DISCONNECTED", "not_in_service", "DISCONNECTED"),
        ("LEFT_MESSAGE", "voicemail_limited_content", "VALID"),
        ("THIRD_PARTY", "voicemail_no_message", "VALID"),
        ("WRONG_NUMBER", "voicemail_no_message", "WRONG_NUMBER"),
    ],
)
def test_call_outcomes_are_recorded_on_the_attempt(desk, portfolio, code, result, phone_status):
    session = open_dana(desk, portfolio)
    phone = ContactPoint.objects.get(consumer=portfolio, kind="PHONE")
    desk.post(reverse("desk_call", args=[session.pk]), {"phone": phone.pk})

    desk.post(reverse("desk_dispose", args=[session.pk]), {"code": code})

    attempt = ContactAttempt.objects.get()
    phone.refresh_from_db()
    assert (attempt.result, phone.status) == (result, phone_status)
    assert Disposition.objects.get().code == code


@pytest.mark.parametrize("code", ["PAID", "REFUSED", "HARDSHIP"])
def test_right_party_outcomes_record_a_conversation(desk, portfolio, code):
    session = open_dana(desk, portfolio)
    phone = ContactPoint.objects.get(consumer=portfolio, kind="PHONE")
    desk.post(reverse("desk_call", args=[session.pk]), {"phone": phone.pk})
    verify(desk, session, dob="1980-02-29", ssn4="6789")

    desk.post(reverse("desk_dispose", args=[session.pk]), {"code": code})

    assert ContactAttempt.objects.get().result == "conversation"
    assert Disposition.objects.get().code == code


@pytest.mark.parametrize(
    ("state", "reason", "message"),
    [
        ("ON_CALL", "", "Choose Ready or Pause."),
        ("WRAP_UP", "", "Choose Ready or Pause."),
        ("LOGGED_OUT", "", "Choose Ready or Pause."),
        ("PAUSED", "Anything I like", "Choose a reason for the pause"),
    ],
)
def test_the_desk_sets_only_ready_or_a_listed_pause(desk, agent_alice, state, reason, message):
    from amicable.dialer.agents import current_state

    response = desk.post(reverse("desk_status"), {"state": state, "reason": reason}, follow=True)
    assert message in response.content.decode()
    assert current_state(agent_id=agent_alice.pk).state == "READY"

    desk.post(reverse("desk_status"), {"state": "PAUSED", "reason": "Lunch"})
    paused = current_state(agent_id=agent_alice.pk)
    assert (paused.state, paused.reason) == ("PAUSED", "Lunch")


def test_a_second_call_in_a_session_waits_for_the_first_ones_outcome(desk, portfolio):
    session = open_dana(desk, portfolio)
    phone = portfolio.contact_points.filter(kind="PHONE").first()
    desk.post(reverse("desk_call", args=[session.pk]), {"phone": phone.pk})

    again = desk.post(reverse("desk_call", args=[session.pk]), {"phone": phone.pk}, follow=True)

    assert "record its outcome first" in again.content.decode()
    assert ContactAttempt.objects.filter(consumer=portfolio, allowed=True).count() == 1


@pytest.mark.parametrize(("origin", "kept"), [("INBOUND", "INBOUND"), ("PREVIEW", "SEARCH")])
def test_the_account_page_opens_the_person_in_the_desk(desk, portfolio, origin, kept):
    page = desk.get(reverse("account_detail", args=[portfolio.pk])).content.decode()
    assert 'data-testid="open-in-desk"' in page and "The person is calling in" in page

    response = desk.post(reverse("desk_open", args=[portfolio.pk]), {"origin": origin})

    session = CallSession.objects.get(consumer=portfolio, ended_at__isnull=True)
    assert response["Location"] == reverse("desk_session", args=[session.pk])
    assert session.origin == kept  # only search or inbound can be chosen here


def test_a_client_user_is_not_offered_the_desk(client, client_clio_of_mercy, portfolio):
    client.force_login(client_clio_of_mercy)
    page = client.get(reverse("account_detail", args=[portfolio.pk])).content.decode()
    assert 'data-testid="open-in-desk"' not in page
