"""Taking a payment: charge once, post to the ledger once, allocate by the creditor's rule.

A payment is keyed by an idempotency key the desk puts in the payment form when it is shown,
so a double click or a retried request finds the first payment instead of charging again:
1. a PENDING row is created under the key (unique), or the existing row is returned;
2. the processor is called outside any transaction, with the same key (it never charges a
   key twice either);
3. the result is stored and, on success, the ledger entry is posted (its own idempotency key
   derives from the payment's), all in one transaction; `payment_posted` is sent on commit.
A PENDING row whose process died between 2 and 3 is settled by asking the processor again
with the same key (`complete_pending_payment`), which returns the original charge.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Sum

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.kernel.money import ZERO, format_money, to_money
from amicable.payments.core.allocation import (
    AllocationRule,
    BucketAmounts,
    UnableToAllocate,
    allocate_payment,
)
from amicable.payments.gateway import configured_processor
from amicable.payments.models import Payment
from amicable.payments.processors.base import ChargeResult, PaymentMethodInput, UnableToCharge
from amicable.payments.signals import payment_posted
from amicable.portfolio.ledger import Buckets, post_ledger_entry
from amicable.portfolio.models import Debt, LedgerEntry

logger = logging.getLogger(__name__)
#: No processor call lasts this long: a payment PENDING for longer was left by a crash.
CHARGING_AT_MOST = timedelta(minutes=10)


class UnableToTakePayment(UnableTo):
    pass


def take_payment(
    *,
    debt_id: int,
    amount: Decimal,
    method: PaymentMethodInput,
    idempotency_key: str,
    now: datetime,
    actor_id: int | None = None,
    processor=None,
) -> Payment:
    processor = processor or configured_processor()
    key = idempotency_key.strip()
    if not 16 <= len(key) <= 100:
        raise UnableToTakePayment("the payment form is out of date; reload it and try again")
    payment = _register(
        debt_id=debt_id,
        amount=amount,
        method=method,
        key=key,
        now=now,
        actor_id=actor_id,
        processor_name=processor.name,
    )
    if payment.status != Payment.Status.PENDING or payment.processor_reference:
        return payment
    return _charge_and_record(payment=payment, method=method, processor=processor, now=now)


@transaction.atomic
def _register(*, debt_id, amount, method, key, now, actor_id, processor_name) -> Payment:
    existing = Payment.objects.select_for_update().filter(idempotency_key=key).first()
    if existing is not None:
        if existing.debt_id != debt_id or existing.amount != to_money(amount):
            raise UnableToTakePayment("this payment form was already used for another payment")
        if existing.status == Payment.Status.PENDING:
            raise UnableToTakePayment(
                "this payment is already being processed; wait a moment and refresh"
            )
        return existing
    # Locked: two payments on one debt at once (two agents, two keys) must not both pass the
    # balance check and both charge a card when only one can be posted.
    debt = Debt.objects.select_for_update().get(pk=debt_id)
    try:
        amount = to_money(amount)
    except Exception:
        raise UnableToTakePayment(f"amount: {amount!r} is not an amount") from None
    if amount <= ZERO:
        raise UnableToTakePayment("amount: must be more than $0.00")
    # Payments being charged right now. One a crash left PENDING (see
    # `complete_pending_payment`) stops counting after a while, so it cannot block the debt.
    in_progress = (
        Payment.objects.filter(
            debt_id=debt_id,
            status=Payment.Status.PENDING,
            requested_at__gte=now - CHARGING_AT_MOST,
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    if amount > debt.balance - in_progress:
        if in_progress:
            raise UnableToTakePayment(
                f"amount: {format_money(amount)} is more than the balance "
                f"{format_money(debt.balance)} less the {format_money(in_progress)} of payments "
                "being processed right now; wait a moment and refresh"
            )
        raise UnableToTakePayment(
            f"amount: {format_money(amount)} is more than the balance {format_money(debt.balance)}"
        )
    try:
        # A savepoint: the same form submitted twice at once finds no payment in either
        # request (there is no row to lock yet), and the second insert breaks the key's
        # unique constraint. That request is told to wait, as if it had seen the first.
        with transaction.atomic():
            return Payment.objects.create(
                debt=debt,
                amount=amount,
                method_type=method.method_type,
                last4=method.last4,
                brand=method.card.brand if method.card is not None else "",
                processor=processor_name,
                idempotency_key=key,
                requested_at=now,
                created_by_id=actor_id,
            )
    except IntegrityError:
        if not Payment.objects.filter(idempotency_key=key).exists():
            raise  # another constraint: not a second submission
        raise UnableToTakePayment(
            "this payment is already being processed; wait a moment and refresh"
        ) from None


def _charge_and_record(
    *, payment: Payment, method: PaymentMethodInput, processor, now: datetime
) -> Payment:
    debt = Debt.objects.select_related("creditor").get(pk=payment.debt_id)
    try:
        result = processor.charge(
            amount=payment.amount,
            currency="usd",
            method=method,
            idempotency_key=payment.idempotency_key,
            description=f"{debt.creditor.name} account {debt.account_number}",
            metadata={"payment_id": str(payment.pk), "debt_id": str(debt.pk)},
        )
    except UnableToCharge as error:
        result = ChargeResult(
            status="FAILED",
            processor_reference="",
            message=str(error),
            last4=payment.last4,
            method_type=method.method_type,
        )
    except Exception:
        logger.exception("payment %s: the processor call failed", payment.pk)
        result = ChargeResult(
            status="FAILED",
            processor_reference="",
            message="The payment processor could not be reached; nothing "
            "was charged. Try again in a moment.",
            last4=payment.last4,
            method_type=method.method_type,
        )
    return _record_result(payment_id=payment.pk, result=result, now=now)


@transaction.atomic
def _record_result(*, payment_id: int, result: ChargeResult, now: datetime) -> Payment:
    payment = (
        Payment.objects.select_for_update().select_related("debt__creditor").get(pk=payment_id)
    )
    if payment.status != Payment.Status.PENDING:
        return payment
    payment.status = result.status
    payment.processor_reference = result.processor_reference
    payment.decline_code = result.decline_code
    payment.message = result.message[:300]
    payment.brand = result.brand or payment.brand
    payment.completed_at = now
    if result.succeeded:
        debt = payment.debt
        try:
            taken = allocate_payment(
                amount=payment.amount,
                rule=cast(AllocationRule, debt.creditor.allocation_rule),  # a model choice
                balances=BucketAmounts(
                    principal=debt.principal_balance,
                    interest=debt.interest_balance,
                    fees=debt.fees_balance,
                ),
            )
        except UnableToAllocate as error:
            raise UnableToTakePayment(str(error)) from error
        entry = post_ledger_entry(
            debt_id=debt.pk,
            kind=LedgerEntry.Kind.PAYMENT,
            buckets=Buckets(principal=-taken.principal, interest=-taken.interest, fees=-taken.fees),
            effective_on=now.date(),
            recorded_at=now,
            idempotency_key=f"payment:{payment.idempotency_key}",
            description=f"Payment {payment.get_method_type_display().lower()} "
            f"…{payment.last4} (receipt R{payment.pk:08d})",
            created_by_id=payment.created_by_id,
        )
        payment.ledger_entry = entry
        debt.refresh_from_db(fields=["balance"])
        if debt.balance == ZERO and debt.status != Debt.Status.PAID:
            Debt.objects.filter(pk=debt.pk).update(status=Debt.Status.PAID)
            record_audit_event(
                at=now,
                actor_id=payment.created_by_id,
                action="debt.status_changed",
                object_type="Debt",
                object_id=debt.pk,
                details={"from": debt.status, "to": Debt.Status.PAID, "payment_id": payment.pk},
            )
        transaction.on_commit(
            lambda: payment_posted.send(
                sender=Payment, payment_id=payment.pk, debt_id=payment.debt_id
            )
        )
    payment.save()
    record_audit_event(
        at=now,
        actor_id=payment.created_by_id,
        action="payment.recorded",
        object_type="Debt",
        object_id=payment.debt_id,
        details={"payment_id": payment.pk, "status": payment.status},
    )
    return payment


def complete_pending_payment(
    *, payment_id: int, method: PaymentMethodInput, now: datetime, processor=None
) -> Payment:
    """Settle a payment left PENDING by a crash: the processor replays the first result."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    return _charge_and_record(
        payment=payment, method=method, processor=processor or configured_processor(), now=now
    )
