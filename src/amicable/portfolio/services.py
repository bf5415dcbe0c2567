"""Use cases of the portfolio that are not the import (see imports.py) or the ledger."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.portfolio.models import Creditor


class UnableToCreateCreditor(UnableTo):
    pass


_RATE_DECIMALS = 4  # what the rate columns keep
_CODE_LENGTH: int = Creditor._meta.get_field("code").max_length or 32
_NAME_LENGTH: int = Creditor._meta.get_field("name").max_length or 200


def _rate(value: str | Decimal, *, field: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise UnableToCreateCreditor(f"{field}: {value!r} is not a number") from None
    if not rate.is_finite():
        raise UnableToCreateCreditor(f"{field}: {value!r} is not a number")
    if rate.as_tuple().exponent < -_RATE_DECIMALS:  # type: ignore[operator]
        raise UnableToCreateCreditor(
            f"{field}: {value!r} has more than {_RATE_DECIMALS} decimals (e.g. 0.3125)"
        )
    if not (low <= rate <= high):
        raise UnableToCreateCreditor(f"{field}: {rate} must be between {low} and {high}")
    return rate


def normalize_creditor_code(code: str) -> str:
    """Creditor codes are kept lower-case: `ACME` and `acme` name the same creditor."""
    return code.strip().lower()


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
    code = normalize_creditor_code(code)
    if not code or not all((ch.isascii() and ch.isalnum()) or ch in "-_" for ch in code):
        raise UnableToCreateCreditor(
            f"code: {code!r} must be letters, digits, '-' or '_' (it is used in file names)"
        )
    if len(code) > _CODE_LENGTH:
        raise UnableToCreateCreditor(
            f"code: is {len(code)} characters long; at most {_CODE_LENGTH}"
        )
    if not name.strip():
        raise UnableToCreateCreditor("name: must not be blank")
    if len(name.strip()) > _NAME_LENGTH:
        raise UnableToCreateCreditor(
            f"name: is {len(name.strip())} characters long; at most {_NAME_LENGTH}"
        )
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
