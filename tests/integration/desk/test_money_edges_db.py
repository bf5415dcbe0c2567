"""Money on the desk at its edges: stale approvals, counters after the balance moved, two
payments at once, payments before a plan, settlements kept, paid debts that owe again."""

from datetime import timedelta
from decimal import Decimal

import pytest

from amicable.negotiation.models import Arrangement, Installment
from amicable.negotiation.services import (
    UnableToArrange,
    UnableToDecideApproval,
    accept_counter,
    create_arrangement,
    decide_approval,
    refresh_arrangement,
)
from amicable.payments.models import Payment
from amicable.payments.processors.base import Card, PaymentMethodInput
from amicable.payments.processors.simulated import SimulatedProcessor
from amicable.payments.services import UnableToTakePayment, take_payment
from amicable.portfolio.ledger import Buckets, post_ledger_entry
from amicable.portfolio.models import Debt, LedgerEntry
from tests.conftest import person_row, write_placement_csv
from tests.integration.portfolio.test_placement_import import import_file

CARD = PaymentMethodInput(
    card=Card(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
)


@pytest.fixture
def debt(creditor_mercy, placement_csv, now):
    import_file(placement_csv, now)
    return Debt.objects.get(account_number="M-1001")  # 1,250.00 = 1000 + 200 + 50


@pytest.fixture
def processor(now):
    return SimulatedProcessor(today=lambda: now.date())


def _arrange(debt, agent, now, *, kind, total, count=1, first_due_on=None):
    return create_arrangement(
        debt_id=debt.pk,
        kind=kind,
        total=Decimal(total),
        count=count,
        frequency="MONTHLY",
        first_due_on=first_due_on or now.date(),
        actor_id=agent.pk,
        now=now,
        today=now.date(),
    )


def _pay(debt, processor, now, amount, key, agent=None):
    return take_payment(
        debt_id=debt.pk,
        amount=Decimal(amount),
        method=CARD,
        idempotency_key=key,
        now=now,
        processor=processor,
        actor_id=agent.pk if agent else None,
    )


@pytest.mark.django_db
def test_a_request_whose_arrangement_was_replaced_cannot_be_approved(
    debt, agent_alice, supervisor_sam, now
):
    first = _arrange(debt, agent_alice, now, kind="SETTLEMENT", total="700.00")  # below 875
    assert first.status == "PENDING_APPROVAL"
    # The agent then agrees something else: the first is cancelled ("one live per debt").
    _arrange(
        debt,
        agent_alice,
        now,
        kind="PLAN",
        total="1250.00",
        count=10,
        first_due_on=now.date() + timedelta(days=7),
    )
    first.approval.refresh_from_db()
    assert first.approval.status == "DECLINED"  # withdrawn: off the supervisors' queue
    with pytest.raises(UnableToDecideApproval, match="this request was already declined"):
        decide_approval(
            approval_id=first.approval.pk,
            decision="APPROVE",
            reason="ok",
            supervisor_id=supervisor_sam.pk,
            now=now,
        )
    live = Arrangement.objects.filter(debt=debt, status="ACTIVE").count()
    assert live == 1, f"{live} active arrangements on one debt"


@pytest.mark.django_db
def test_a_counter_accepted_after_the_balance_rose_is_not_activated_unchecked(
    debt, agent_alice, supervisor_sam, now
):
    first = _arrange(debt, agent_alice, now, kind="SETTLEMENT", total="700.00")
    decide_approval(
        approval_id=first.approval.pk,
        decision="COUNTER",
        reason="80% of 1,250",
        counter_total=Decimal("1000.00"),
        counter_payments=1,
        supervisor_id=supervisor_sam.pk,
        now=now,
    )
    post_ledger_entry(  # e.g. a re-imported file adds 1,000 of interest meanwhile
        debt_id=debt.pk,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        buckets=Buckets(interest=Decimal("1000")),
        effective_on=now.date(),
        recorded_at=now,
        idempotency_key="review-adj-1",
    )
    # 1,000 on 2,250 is 44%: below the creditor's 70% floor and not what the supervisor approved.
    with pytest.raises(UnableToArrange, match="the balance changed since the supervisor's counter"):
        accept_counter(
            approval_id=first.approval.pk,
            actor_id=agent_alice.pk,
            now=now,
            today=now.date(),
            first_due_on=now.date(),
        )
    assert not Arrangement.objects.filter(debt=debt, status="ACTIVE").exists()


@pytest.mark.django_db
def test_a_charge_that_cannot_be_posted_is_neither_lost_nor_left_pending(debt, now):
    inner = SimulatedProcessor(today=lambda: now.date())

    class Racing:  # a second agent takes a payment with another key while ours is at the bank
        name = inner.name

        def __init__(self):
            self.raced = False

        def charge(self, **kwargs):
            result = inner.charge(**kwargs)
            if not self.raced:
                self.raced = True
                with pytest.raises(UnableToTakePayment, match="being processed right now"):
                    _pay(debt, inner, now, "1000.00", "other-agent-key-0123456789")
            return result

    _pay(debt, Racing(), now, "1000.00", "our-key-0123456789abcdef")
    charged = sum((c.amount for c in inner.charges), Decimal("0"))
    posted = -sum(
        LedgerEntry.objects.filter(debt=debt, kind="PAYMENT").values_list("amount", flat=True)
    )
    stuck = list(
        Payment.objects.filter(status="PENDING").values_list("amount", "processor_reference")
    )
    assert charged == posted, f"charged {charged}, posted {posted}, refunded 0, pending {stuck}"


@pytest.mark.django_db
def test_a_payment_taken_before_the_plan_was_agreed_does_not_pay_its_first_installment(
    debt, agent_alice, processor, now
):
    _pay(debt, processor, now, "250.00", "down-payment-0123456789")  # 14:00, balance 1,000
    later = now + timedelta(hours=1)
    plan = _arrange(
        debt,
        agent_alice,
        later,
        kind="PLAN",
        total="1000.00",
        count=4,
        first_due_on=later.date() + timedelta(days=30),
    )
    refresh_arrangement(arrangement_id=plan.pk, today=later.date(), now=later)
    first = Installment.objects.get(arrangement=plan, number=1)
    assert first.paid == 0, f"installment 1 shows {first.paid} paid ({first.status})"


@pytest.mark.django_db
def test_a_kept_settlement_settles_the_debt(debt, agent_alice, processor, now):
    deal = _arrange(debt, agent_alice, now, kind="SETTLEMENT", total="875.00")  # the 70% floor
    assert deal.status == "ACTIVE"
    _pay(debt, processor, now, "875.00", "settlement-0123456789")
    refresh_arrangement(arrangement_id=deal.pk, today=now.date(), now=now)
    deal.refresh_from_db()
    debt.refresh_from_db()
    assert deal.status == "KEPT"
    assert (debt.status, debt.balance) == ("SETTLED", Decimal("0.00")), (debt.status, debt.balance)


@pytest.mark.django_db
def test_a_paid_debt_that_owes_again_after_a_reimport_is_not_left_paid(
    debt, processor, now, tmp_path
):
    _pay(debt, processor, now, "1250.00", "pay-all-0123456789")
    debt.refresh_from_db()
    assert debt.status == "PAID"
    later = now + timedelta(days=10)
    import_file(
        write_placement_csv(
            tmp_path / "again.csv", [person_row("M-1001", balance="1300.00", interest="250.00")]
        ),
        later,
    )
    debt.refresh_from_db()
    assert debt.balance == Decimal("50.00")
    assert debt.status == "ACTIVE", f"status {debt.status} with {debt.balance} owed"


@pytest.mark.django_db
def test_a_counter_must_be_a_positive_amount_in_cents(debt, agent_alice, supervisor_sam, now):
    from amicable.negotiation.services import UnableToDecideApproval

    first = _arrange(debt, agent_alice, now, kind="SETTLEMENT", total="700.00")
    with pytest.raises(UnableToDecideApproval):
        decide_approval(
            approval_id=first.approval.pk,
            decision="COUNTER",
            reason="r",
            counter_total=Decimal("-100"),
            counter_payments=1,
            supervisor_id=supervisor_sam.pk,
            now=now,
        )


@pytest.mark.django_db
def test_a_declined_card_posts_nothing_and_no_number_is_kept(debt, processor, now, caplog):
    import json

    from amicable.identity.models import AuditEvent

    number = "4000000000000002"
    declined = take_payment(
        debt_id=debt.pk,
        amount=Decimal("100"),
        idempotency_key="declined-0123456789",
        method=PaymentMethodInput(card=Card(number=number, exp_month=12, exp_year=2030, cvc="987")),
        now=now,
        processor=processor,
    )
    assert declined.status == "DECLINED" and declined.ledger_entry is None
    debt.refresh_from_db()
    assert debt.balance == Decimal("1250.00")
    stored = json.dumps(
        [list(Payment.objects.values()), list(AuditEvent.objects.values("details"))], default=str
    )
    assert number not in stored and number not in caplog.text


@pytest.mark.django_db
def test_a_payment_a_crash_left_pending_stops_blocking_the_debt_after_a_while(debt, processor, now):
    from datetime import timedelta

    Payment.objects.create(  # a crash between registering and charging
        debt=debt,
        amount=Decimal("1000.00"),
        method_type="CARD",
        last4="4242",
        processor=processor.name,
        idempotency_key="crashed-0123456789abcdef",
        requested_at=now,
    )
    with pytest.raises(UnableToTakePayment, match="being processed right now"):
        _pay(debt, processor, now + timedelta(minutes=1), "1000.00", "soon-after-0123456789")

    later = _pay(debt, processor, now + timedelta(minutes=11), "1000.00", "later-0123456789ab")

    assert later.status == "SUCCEEDED"
