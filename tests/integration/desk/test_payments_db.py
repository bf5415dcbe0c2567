"""Payments against the database: once only, allocated by the creditor's rule."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from amicable.payments.models import Payment
from amicable.payments.processors.base import Card, PaymentMethodInput
from amicable.payments.processors.simulated import SimulatedProcessor
from amicable.payments.services import UnableToTakePayment, take_payment
from amicable.portfolio.models import Debt
from tests.integration.portfolio.test_placement_import import import_file

CARD = PaymentMethodInput(
    card=Card(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
)


@pytest.fixture
def debt(creditor_mercy, placement_csv, now):
    import_file(placement_csv, now)
    return Debt.objects.get(account_number="M-1001")


@pytest.fixture
def processor(now):
    return SimulatedProcessor(today=lambda: now.date())


@pytest.mark.django_db
def test_a_retried_payment_charges_and_posts_once(debt, processor, now):
    for _ in range(3):
        payment = take_payment(
            debt_id=debt.pk,
            amount=Decimal("100"),
            method=CARD,
            idempotency_key="retry-key-0123456789",
            now=now,
            processor=processor,
        )
    assert payment.status == "SUCCEEDED" and len(processor.charges) == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1150.00")
    assert (debt.fees_balance, debt.interest_balance) == (Decimal("0.00"), Decimal("150.00"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule, expected",
    [
        ("FEES_INTEREST_PRINCIPAL", ("1000.00", "150.00", "0.00")),
        ("PRINCIPAL_FIRST", ("900.00", "200.00", "50.00")),
        ("INTEREST_FEES_PRINCIPAL", ("1000.00", "100.00", "50.00")),
    ],
)
def test_allocation_follows_the_creditors_rule(debt, processor, now, rule, expected):
    debt.creditor.allocation_rule = rule
    debt.creditor.save(update_fields=["allocation_rule"])
    take_payment(
        debt_id=debt.pk,
        amount=Decimal("100"),
        method=CARD,
        idempotency_key=f"rule-{rule}-0123456789",
        now=now,
        processor=processor,
    )
    debt.refresh_from_db()
    assert (
        str(debt.principal_balance),
        str(debt.interest_balance),
        str(debt.fees_balance),
    ) == expected


@pytest.mark.django_db
def test_more_than_the_balance_is_refused(debt, processor, now):
    with pytest.raises(UnableToTakePayment, match="more than the balance"):
        take_payment(
            debt_id=debt.pk,
            amount=Decimal("5000"),
            method=CARD,
            idempotency_key="too-much-0123456789",
            now=now,
            processor=processor,
        )
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_paying_the_whole_balance_marks_the_debt_paid(debt, processor, now):
    take_payment(
        debt_id=debt.pk,
        amount=Decimal("1250.00"),
        method=CARD,
        idempotency_key="all-of-it-0123456789",
        now=now,
        processor=processor,
    )
    debt.refresh_from_db()
    assert debt.balance == 0 and debt.status == "PAID"


@pytest.mark.django_db(transaction=True)
def test_double_submission_at_once_posts_once(creditor_mercy, placement_csv, now):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent submissions are exercised on PostgreSQL")
    import_file(placement_csv, now)
    debt = Debt.objects.get(account_number="M-1001")
    processor = SimulatedProcessor(today=lambda: now.date())
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        try:  # any other exception (a unique-key error, say) ends this request in a 500
            barrier.wait()
            take_payment(
                debt_id=debt.pk,
                amount=Decimal("50"),
                method=CARD,
                idempotency_key="double-click-0123456789",
                now=now,
                processor=processor,
            )
            outcomes.append("ok")
        except UnableToTakePayment:
            outcomes.append("in progress")
        except Exception as error:
            outcomes.append(f"failed: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    debt.refresh_from_db()
    assert debt.balance == Decimal("1200.00") and len(processor.charges) == 1
    assert Payment.objects.count() == 1 and "ok" in outcomes
    assert set(outcomes) <= {"ok", "in progress"}, outcomes


@pytest.mark.django_db
def test_a_payment_left_pending_by_a_crash_is_completed_once(debt, processor, now):
    from amicable.payments.services import _register, complete_pending_payment

    pending = _register(
        debt_id=debt.pk,
        amount=Decimal("75"),
        method=CARD,
        key="crashed-key-0123456789",
        now=now,
        actor_id=None,
        processor_name=processor.name,
    )
    with pytest.raises(UnableToTakePayment, match="already being processed"):
        take_payment(
            debt_id=debt.pk,
            amount=Decimal("75"),
            method=CARD,
            idempotency_key="crashed-key-0123456789",
            now=now,
            processor=processor,
        )

    for _ in range(2):
        done = complete_pending_payment(
            payment_id=pending.pk, method=CARD, now=now, processor=processor
        )
    assert done.status == "SUCCEEDED" and len(processor.charges) == 1
    debt.refresh_from_db()
    assert debt.balance == Decimal("1175.00")


@pytest.mark.django_db
def test_paying_in_full_records_the_debts_change_of_status(debt, processor, now):
    from amicable.identity.models import AuditEvent

    take_payment(
        debt_id=debt.pk,
        amount=Decimal("1250.00"),
        method=CARD,
        idempotency_key="all-of-it-audit-0123456789",
        now=now,
        processor=processor,
    )

    debt.refresh_from_db()
    assert debt.status == "PAID"
    event = AuditEvent.objects.get(action="debt.status_changed", object_id=str(debt.pk))
    assert (event.details["from"], event.details["to"]) == ("ACTIVE", "PAID")
