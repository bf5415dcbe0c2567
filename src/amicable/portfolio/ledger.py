"""Posting to a debt's append-only ledger.

Every change of a balance goes through `post_ledger_entry`: it locks the debt, appends the
entry (once: the idempotency key is unique) and updates the cached bucket balances in the
same transaction, so the cache can never drift from the ledger.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.kernel.money import ZERO, to_money
from amicable.portfolio.models import Debt, LedgerEntry


class UnableToPostLedgerEntry(UnableTo):
    pass


@dataclass(frozen=True)
class Buckets:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees


@transaction.atomic
def post_ledger_entry(
    *,
    debt_id: int,
    kind: str,
    buckets: Buckets,
    effective_on: date,
    recorded_at: datetime,
    idempotency_key: str,
    description: str = "",
    created_by_id: int | None = None,
    placement_id: int | None = None,
    reverses_id: int | None = None,
) -> LedgerEntry:
    """Append one entry; posting the same idempotency key again returns the first entry."""
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.debt_id != debt_id or existing.amount != to_money(buckets.total):
            raise UnableToPostLedgerEntry(
                f"idempotency key {idempotency_key!r} was already used for a different entry"
            )
        return existing
    debt = Debt.objects.select_for_update().get(pk=debt_id)
    principal, interest, fees = (
        to_money(v) for v in (buckets.principal, buckets.interest, buckets.fees)
    )
    new_balances = (
        debt.principal_balance + principal,
        debt.interest_balance + interest,
        debt.fees_balance + fees,
    )
    if any(value < 0 for value in new_balances):
        raise UnableToPostLedgerEntry(
            f"this entry would make a bucket of debt {debt} negative "
            f"(principal {new_balances[0]}, interest {new_balances[1]}, fees {new_balances[2]})"
        )
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                debt_id=debt_id,
                kind=kind,
                principal=principal,
                interest=interest,
                fees=fees,
                amount=principal + interest + fees,
                effective_on=effective_on,
                recorded_at=recorded_at,
                idempotency_key=idempotency_key,
                description=description,
                created_by_id=created_by_id,
                placement_id=placement_id,
                reverses_id=reverses_id,
            )
    except IntegrityError:  # a concurrent post with the same key won the race
        return LedgerEntry.objects.get(idempotency_key=idempotency_key)
    debt.principal_balance, debt.interest_balance, debt.fees_balance = new_balances
    debt.balance = sum(new_balances, ZERO)
    fields = ["principal_balance", "interest_balance", "fees_balance", "balance"]
    reopened = debt.status == Debt.Status.PAID and debt.balance > ZERO
    if reopened:  # a paid debt that owes again (a later file adds interest) is worked again
        debt.status = Debt.Status.ACTIVE
        fields.append("status")
    debt.save(update_fields=fields)
    record_audit_event(
        at=recorded_at,
        actor_id=created_by_id,
        action="ledger.posted",
        object_type="Debt",
        object_id=debt_id,
        details={"entry_id": entry.pk, "kind": kind},
    )
    if reopened:
        record_audit_event(
            at=recorded_at,
            actor_id=created_by_id,
            action="debt.status_changed",
            object_type="Debt",
            object_id=debt_id,
            details={"from": Debt.Status.PAID, "to": Debt.Status.ACTIVE, "entry_id": entry.pk},
        )
    return entry
