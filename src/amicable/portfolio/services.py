"""Use cases of the portfolio that are not the import (see imports.py) or the ledger."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.portfolio.models import Creditor


class UnableToCreateCreditor(UnableTo):
    pass


def _rate(value: str | Decimal, *, field: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise UnableToCreateCreditor(f"{field}: {value!r} is not a number") from None
    if not (low <= rate <= high):
        raise UnableToCreateCreditor(f"{field}: {rate} must be between {low} and {high}")
    return rate


@transaction.atomic
def create_creditor(
    *,
    code: str,
    name: str,
    now: datetime,
    fee_rate: str | Decimal = "0.30",
    min_settlement_rate: str | Decimal = "0.70",
    max_plan_months: int = 12,
    industry: str = Creditor.Industry.OTHER,
    actor_id: int | None = None,
) -> Creditor:
    code = code.strip().lower()
    if not code or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise UnableToCreateCreditor(
            f"code: {code!r} must be letters, digits, '-' or '_' (it is used in file names)"
        )
    if not name.strip():
        raise UnableToCreateCreditor("name: must not be blank")
    if Creditor.objects.filter(code=code).exists():
        raise UnableToCreateCreditor(f"code: a creditor with code {code!r} already exists")
    if industry not in Creditor.Industry.values:
        raise UnableToCreateCreditor(
            f"industry: {industry!r} is not one of {', '.join(Creditor.Industry.values)}"
        )
    if not 1 <= int(max_plan_months) <= 120:
        raise UnableToCreateCreditor("max_plan_months: must be between 1 and 120")
    creditor = Creditor.objects.create(
        code=code,
        name=name.strip(),
        industry=industry,
        created_at=now,
        contingency_fee_rate=_rate(fee_rate, field="fee_rate", low=Decimal(0), high=Decimal(1)),
        min_settlement_rate=_rate(
            min_settlement_rate, field="min_settlement_rate", low=Decimal("0.01"), high=Decimal(1)
        ),
        max_plan_months=int(max_plan_months),
    )
    record_audit_event(
        at=now,
        actor_id=actor_id,
        action="creditor.created",
        object_type="Creditor",
        object_id=creditor.pk,
    )
    return creditor
