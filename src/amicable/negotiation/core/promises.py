"""Is a promise to pay, or a plan's installment, kept, broken or still pending?

A promise is KEPT when payments made on or before its due date (plus any grace days) add up to
its amount; BROKEN once that date has passed without full payment; PENDING otherwise. A promise
paid in full early is KEPT at once. Payments after the deadline do not make a broken promise
kept: they are still money received (the ledger has them), but the promise was not kept, and the
kept-rate KPI must say so.

For plans, payments are allocated in date order to the earliest installment not yet paid in
full (an overpayment runs on to the next one), and each installment is then judged like a
promise. The plan is BROKEN as soon as one installment is broken, KEPT when all are kept, and
PENDING in between; ``arrears`` says how much is overdue today so a service can decide whether
a caught-up plan goes back to work or is reinstated.

Callers pass only the payments that count towards the arrangement (made since it was agreed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from amicable.kernel.errors import UnableTo
from amicable.kernel.money import ZERO
from amicable.negotiation.core.schedule import Installment

PromiseStatus = Literal["PENDING", "KEPT", "BROKEN"]
Payment = tuple[date, Decimal]


class UnableToJudgePromise(UnableTo):
    pass


def promise_status(
    *,
    due_on: date,
    amount: Decimal,
    payments: Iterable[Payment],
    today: date,
    grace_days: int = 0,
) -> PromiseStatus:
    """PENDING, KEPT (paid in full by ``due_on`` + ``grace_days``) or BROKEN (that day passed)."""
    if amount <= ZERO:
        raise UnableToJudgePromise("a promise must be for a positive amount")
    if grace_days < 0:
        raise UnableToJudgePromise("grace days cannot be negative")
    deadline = due_on + timedelta(days=grace_days)
    paid_in_time = sum(
        (Decimal(paid) for paid_on, paid in payments if paid_on <= deadline and paid_on <= today),
        ZERO,
    )
    if paid_in_time >= amount:
        return "KEPT"
    if today > deadline:
        return "BROKEN"
    return "PENDING"


@dataclass(frozen=True, slots=True)
class InstallmentStatus:
    """One installment with what was allocated to it and its status.

    ``paid_in_full_on`` is the date of the payment that completed it (possibly after the
    deadline: then the status is BROKEN but the desk can show "paid late").
    """

    due_on: date
    amount: Decimal
    paid: Decimal
    paid_in_full_on: date | None
    status: PromiseStatus

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


@dataclass(frozen=True, slots=True)
class PlanStatus:
    status: PromiseStatus
    installments: tuple[InstallmentStatus, ...]
    total_paid: Decimal
    arrears: Decimal
    unapplied: Decimal

    @property
    def kept_count(self) -> int:
        return sum(1 for item in self.installments if item.status == "KEPT")

    @property
    def broken_count(self) -> int:
        return sum(1 for item in self.installments if item.status == "BROKEN")

    @property
    def next_due(self) -> InstallmentStatus | None:
        """The earliest installment not yet paid in full."""
        return next((item for item in self.installments if item.outstanding > ZERO), None)


def plan_status(
    *,
    installments: Sequence[Installment],
    payments: Iterable[Payment],
    today: date,
    grace_days: int = 0,
) -> PlanStatus:
    """Allocate payments (by date) to the earliest unpaid installment and judge each one.

    Payments dated after ``today`` are ignored (not received yet). ``unapplied`` is what was
    paid beyond the plan's total.
    """
    if grace_days < 0:
        raise UnableToJudgePromise("grace days cannot be negative")
    if not installments:
        raise UnableToJudgePromise("a plan needs at least one installment")
    ordered = sorted(installments, key=lambda item: item.due_on)
    paid = [ZERO] * len(ordered)
    completed_on: list[date | None] = [None] * len(ordered)
    unapplied = ZERO
    index = 0
    for paid_on, amount in sorted(payments, key=lambda payment: payment[0]):
        if paid_on > today:
            continue
        remaining = Decimal(amount)
        while remaining > ZERO and index < len(ordered):
            take = min(remaining, ordered[index].amount - paid[index])
            paid[index] += take
            remaining -= take
            if paid[index] == ordered[index].amount:
                completed_on[index] = paid_on
                index += 1
        unapplied += remaining

    statuses = []
    arrears = ZERO
    for item, item_paid, done_on in zip(ordered, paid, completed_on, strict=True):
        deadline = item.due_on + timedelta(days=grace_days)
        status: PromiseStatus
        if done_on is not None and done_on <= deadline:
            status = "KEPT"
        elif today > deadline:
            status = "BROKEN"
        else:
            status = "PENDING"
        if today > deadline:
            arrears += item.amount - item_paid
        statuses.append(
            InstallmentStatus(
                due_on=item.due_on,
                amount=item.amount,
                paid=item_paid,
                paid_in_full_on=done_on,
                status=status,
            )
        )
    overall: PromiseStatus
    if any(item.status == "BROKEN" for item in statuses):
        overall = "BROKEN"
    elif all(item.status == "KEPT" for item in statuses):
        overall = "KEPT"
    else:
        overall = "PENDING"
    return PlanStatus(
        status=overall,
        installments=tuple(statuses),
        total_paid=sum(paid, ZERO),
        arrears=arrears,
        unapplied=unapplied,
    )
