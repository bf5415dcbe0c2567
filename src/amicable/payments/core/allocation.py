"""Allocating a payment across a debt's balance buckets by the creditor's rule.

The creditor decides which part of a balance a payment reduces first (it matters for interest
accrual, remittance and credit reporting). The rule codes are the creditor's
``allocation_rule`` choices:

- ``FEES_INTEREST_PRINCIPAL``: fees, then interest, then principal (the default);
- ``INTEREST_FEES_PRINCIPAL``: interest, then fees, then principal;
- ``PRINCIPAL_FIRST``: principal, then interest, then fees;
- ``PRO_RATA``: each bucket gets its share of the balance, rounded down to the cent; the
  cents left over go to the largest bucket (ties: principal, interest, fees), or to the next
  largest when the largest is full, so no bucket ever gets more than it holds.

The result is the POSITIVE amount taken from each bucket; it sums exactly to the payment. The
ledger records a payment as a reduction, so the service posting it negates each bucket
(``Buckets(principal=-allocated.principal, ...)``). Keeping the sign out of this function keeps
the rule readable and the same for payments, reversals and remittance reports.

A payment larger than the balance cannot be allocated (`UnableToAllocate`): an overpayment is a
decision (refund it, or hold it as a credit) for the service to make, not a rounding question.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Literal, get_args

from amicable.kernel.errors import UnableTo
from amicable.kernel.money import CENT, ZERO, format_money, to_money

AllocationRule = Literal[
    "FEES_INTEREST_PRINCIPAL", "INTEREST_FEES_PRINCIPAL", "PRINCIPAL_FIRST", "PRO_RATA"
]
ALLOCATION_RULES: tuple[AllocationRule, ...] = get_args(AllocationRule)

BUCKETS = ("principal", "interest", "fees")  # also the tie-break order for PRO_RATA
_WATERFALLS: dict[str, tuple[str, ...]] = {
    "FEES_INTEREST_PRINCIPAL": ("fees", "interest", "principal"),
    "INTEREST_FEES_PRINCIPAL": ("interest", "fees", "principal"),
    "PRINCIPAL_FIRST": ("principal", "interest", "fees"),
}


class UnableToAllocate(UnableTo):
    pass


@dataclass(frozen=True, slots=True)
class BucketAmounts:
    """An amount per bucket: balances going in, allocated (positive) amounts coming out."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in BUCKETS}


def allocate_payment(
    *, amount: Decimal, balances: BucketAmounts, rule: AllocationRule
) -> BucketAmounts:
    """Split ``amount`` across ``balances`` by ``rule``; positive amounts per bucket.

    Raises `UnableToAllocate` for an amount that is not positive whole cents, a negative or
    fractional-cent balance, an unknown rule, or an amount above the total balance.
    """
    amount = _cents(amount, what="the payment")
    if amount <= ZERO:
        raise UnableToAllocate("a payment must be a positive amount")
    held = {
        name: _cents(value, what=f"the {name} balance")
        for name, value in balances.as_dict().items()
    }
    if any(value < ZERO for value in held.values()):
        raise UnableToAllocate("a bucket balance cannot be negative")
    total = sum(held.values(), ZERO)
    if amount > total:
        raise UnableToAllocate(
            f"the payment {format_money(amount)} is more than the balance {format_money(total)}; "
            "refund the difference or hold it as a credit"
        )
    if rule == "PRO_RATA":
        allocated = _pro_rata(amount=amount, held=held, total=total)
    elif rule in _WATERFALLS:
        allocated = _waterfall(amount=amount, held=held, order=_WATERFALLS[rule])
    else:
        raise UnableToAllocate(f"unknown allocation rule {rule!r}")
    return BucketAmounts(**allocated)


def _waterfall(
    *, amount: Decimal, held: dict[str, Decimal], order: tuple[str, ...]
) -> dict[str, Decimal]:
    allocated = dict.fromkeys(BUCKETS, ZERO)
    remaining = amount
    for name in order:
        take = min(remaining, held[name])
        allocated[name] = take
        remaining -= take
    return allocated


def _pro_rata(*, amount: Decimal, held: dict[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    allocated = {
        name: (amount * held[name] / total).quantize(CENT, rounding=ROUND_DOWN) for name in BUCKETS
    }
    remainder = amount - sum(allocated.values(), ZERO)
    # Largest bucket first; the stable sort keeps BUCKETS order for ties.
    for name in sorted(BUCKETS, key=lambda bucket: held[bucket], reverse=True):
        take = min(remainder, held[name] - allocated[name])
        allocated[name] += take
        remainder -= take
    return allocated


def _cents(value: Decimal, *, what: str) -> Decimal:
    if isinstance(value, float):
        raise UnableToAllocate(f"{what} must be a Decimal, not a float")
    value = Decimal(value)
    if value != to_money(value):
        raise UnableToAllocate(f"{what} ({value}) is not a whole number of cents")
    return to_money(value)
