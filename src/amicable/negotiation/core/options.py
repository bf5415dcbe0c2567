"""Negotiation options side by side, and whether a custom arrangement is within authority.

The creditor gives agents a settlement authority (`Authority`): the lowest share of the balance
they may accept as a settlement, and the longest plan they may agree. An arrangement outside it
is not refused here: it is marked ``within_authority=False`` with plain reasons, so the desk can
send it to a supervisor instead of leaving the agent with nothing to offer.

Plans are built to fit what the person can really pay: each installment is at most a share
(default 100%) of the disposable income for its period (monthly income x 12/52 for a weekly
payment, rounded down to the cent so "fits" is never a rounding error away from "does not").
Lump sums (pay in full, settlement) are not checked against the monthly disposable income: they
usually come from savings, family or a tax refund, and the person says whether they can pay.

Terms are counted in months of payments: 12 monthly, 26 bi-weekly or 52 weekly payments are a
12-month term; a 53rd weekly payment makes it 13 months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Literal

from amicable.kernel.errors import UnableTo
from amicable.kernel.money import CENT, ZERO, format_money, to_money
from amicable.negotiation.core.schedule import (
    FREQUENCIES,
    PERIODS_PER_YEAR,
    Frequency,
    Installment,
    build_schedule,
)

OptionKind = Literal["PIF", "SIF", "PLAN"]

DEFAULT_SHARE_OF_DISPOSABLE = Decimal("1")
MIN_PLAN_PAYMENTS = 2  # one payment is a lump sum (PIF or SIF), not a plan
RATE_PLACES = Decimal("0.0001")

_PERIOD_WORDS: dict[Frequency, str] = {
    "WEEKLY": "a week",
    "BIWEEKLY": "every two weeks",
    "MONTHLY": "a month",
}


class UnableToProposeOptions(UnableTo):
    pass


@dataclass(frozen=True, slots=True)
class Authority:
    """The creditor's settlement authority for agents (from the creditor's settings).

    ``min_settlement_rate``: the lowest settlement as a share of the balance (0.70 = 70%).
    ``max_plan_months``: the longest plan agents may agree without approval.
    """

    min_settlement_rate: Decimal
    max_plan_months: int

    def __post_init__(self) -> None:
        rate = Decimal(self.min_settlement_rate)
        if not ZERO < rate <= 1:
            raise UnableToProposeOptions(
                "the minimum settlement rate must be above 0 and at most 1"
            )
        if self.max_plan_months < 1:
            raise UnableToProposeOptions("the longest plan must be at least one month")

    def settlement_floor(self, *, balance: Decimal) -> Decimal:
        """The lowest lump sum within authority: balance x rate, rounded UP to the cent."""
        return (Decimal(balance) * Decimal(self.min_settlement_rate)).quantize(
            CENT, rounding=ROUND_CEILING
        )

    def max_payments(self, *, frequency: Frequency) -> int:
        """How many payments at ``frequency`` fit in ``max_plan_months``."""
        return self.max_plan_months * PERIODS_PER_YEAR[frequency] // 12


@dataclass(frozen=True, slots=True)
class Option:
    """One arrangement the agent can offer, with everything the person needs to decide.

    ``payment_amount`` is the regular installment (the last one may be up to a few cents more:
    see `build_schedule`); ``largest_payment`` is the one that must fit. ``reasons`` say why the
    option needs a supervisor's approval (empty when ``within_authority``); ``notes`` are
    informational (e.g. affordability not assessed). ``term_months`` is 0 for a lump sum.
    """

    kind: OptionKind
    frequency: Frequency | None
    total_paid: Decimal
    discount: Decimal
    discount_rate: Decimal
    number_of_payments: int
    payment_amount: Decimal
    schedule: tuple[Installment, ...]
    term_months: int
    within_authority: bool
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def largest_payment(self) -> Decimal:
        return max(installment.amount for installment in self.schedule)

    @property
    def first_due_on(self) -> date:
        return self.schedule[0].due_on

    @property
    def last_due_on(self) -> date:
        return self.schedule[-1].due_on


def term_months(*, count: int, frequency: Frequency) -> int:
    """The term of ``count`` payments at ``frequency`` in whole months (rounded up)."""
    return math.ceil(Fraction(count * 12, PERIODS_PER_YEAR[frequency]))


def payment_capacity(
    *,
    disposable_monthly: Decimal,
    frequency: Frequency,
    share_of_disposable: Decimal = DEFAULT_SHARE_OF_DISPOSABLE,
) -> Decimal:
    """The most one installment at ``frequency`` may be: a share of the disposable income for the
    period, rounded DOWN to the cent (a plan that fits must fit to the cent)."""
    per_period = (
        Decimal(disposable_monthly)
        * Decimal(share_of_disposable)
        * 12
        / PERIODS_PER_YEAR[frequency]
    )
    return max(per_period.quantize(CENT, rounding=ROUND_DOWN), ZERO)


def propose_options(
    *,
    balance: Decimal,
    disposable_monthly: Decimal | None,
    authority: Authority,
    today: date,
    first_payment_on: date | None = None,
    share_of_disposable: Decimal = DEFAULT_SHARE_OF_DISPOSABLE,
) -> list[Option]:
    """Pay in full, a settlement at the floor, and a weekly, bi-weekly and monthly plan.

    Each plan uses the fewest payments whose largest installment fits the disposable income
    (at least two). When no plan within the creditor's longest term fits, the plan at the
    longest allowed term is still proposed, marked ``within_authority=False`` with the reason.
    Without an affordability assessment (``disposable_monthly is None``) plans use the longest
    allowed term and carry a note saying affordability was not assessed.
    """
    balance = _check_balance(balance)
    first_due_on = _first_due_on(today=today, first_payment_on=first_payment_on)
    _check_share(share_of_disposable)
    options = [_lump_sum(kind="PIF", balance=balance, total=balance, first_due_on=first_due_on)]
    floor = authority.settlement_floor(balance=balance)
    if floor < balance:
        options.append(
            _lump_sum(kind="SIF", balance=balance, total=floor, first_due_on=first_due_on)
        )
    for frequency in FREQUENCIES:
        plan = _fitting_plan(
            balance=balance,
            disposable_monthly=disposable_monthly,
            authority=authority,
            frequency=frequency,
            first_due_on=first_due_on,
            share_of_disposable=share_of_disposable,
        )
        if plan is not None:
            options.append(plan)
    return options


def evaluate_arrangement(
    *,
    balance: Decimal,
    disposable_monthly: Decimal | None,
    authority: Authority,
    today: date,
    total: Decimal,
    first_due_on: date,
    count: int | None = None,
    payment_amount: Decimal | None = None,
    frequency: Frequency = "MONTHLY",
    share_of_disposable: Decimal = DEFAULT_SHARE_OF_DISPOSABLE,
) -> Option:
    """A custom arrangement the agent and the person worked out, checked against authority.

    A lump sum is ``count=1`` (the default when neither ``count`` nor ``payment_amount`` is
    given); a plan gives either ``count`` or the regular ``payment_amount`` (the count is then
    the fewest payments of at most that amount). ``total`` below the balance is a settlement.
    Reasons for approval: the total is below the settlement floor; the term exceeds the
    creditor's limit; a plan installment exceeds the disposable income. Impossible arrangements
    (more than the balance, a date in the past, both count and amount) raise
    `UnableToProposeOptions`.
    """
    balance = _check_balance(balance)
    _check_share(share_of_disposable)
    total = Decimal(total)
    if total != to_money(total) or total <= ZERO:
        raise UnableToProposeOptions("the total must be a positive amount in cents")
    if total > balance:
        raise UnableToProposeOptions(
            f"the total {format_money(total)} is more than the balance {format_money(balance)}"
        )
    if first_due_on < today:
        raise UnableToProposeOptions("the first payment cannot be due in the past")
    if frequency not in PERIODS_PER_YEAR:
        raise UnableToProposeOptions(f"unknown frequency {frequency!r}")
    if count is not None and payment_amount is not None:
        raise UnableToProposeOptions("give either the number of payments or the payment amount")
    if payment_amount is not None:
        payment_amount = Decimal(payment_amount)
        if payment_amount <= ZERO or payment_amount != to_money(payment_amount):
            raise UnableToProposeOptions("the payment amount must be a positive amount in cents")
        count = math.ceil(total / payment_amount)
    count = 1 if count is None else count
    if count < 1:
        raise UnableToProposeOptions("an arrangement needs at least one payment")

    reasons: list[str] = []
    floor = authority.settlement_floor(balance=balance)
    if total < floor:
        reasons.append(
            f"needs supervisor approval: total {format_money(total)} is below the creditor's "
            f"settlement floor {format_money(floor)} "
            f"({_percent(authority.min_settlement_rate)} of {format_money(balance)})"
        )
    if count == 1:
        kind: OptionKind = "PIF" if total == balance else "SIF"
        option = _lump_sum(kind=kind, balance=balance, total=total, first_due_on=first_due_on)
        return _with(option, reasons=tuple(reasons))

    if total < CENT * count:
        raise UnableToProposeOptions(f"{format_money(total)} cannot be split into {count} payments")
    schedule = build_schedule(
        total=total, count=count, frequency=frequency, first_due_on=first_due_on
    )
    months = term_months(count=count, frequency=frequency)
    if months > authority.max_plan_months:
        reasons.append(_term_reason(months=months, limit=authority.max_plan_months))
    notes: tuple[str, ...] = ()
    largest = max(installment.amount for installment in schedule)
    if disposable_monthly is None:
        notes = (_NOT_ASSESSED,)
    else:
        capacity = payment_capacity(
            disposable_monthly=disposable_monthly,
            frequency=frequency,
            share_of_disposable=share_of_disposable,
        )
        if largest > capacity:
            reasons.append(_payment_reason(payment=largest, capacity=capacity, frequency=frequency))
    return _plan(
        balance=balance,
        schedule=schedule,
        frequency=frequency,
        reasons=tuple(reasons),
        notes=notes,
    )


_NOT_ASSESSED = "affordability not assessed: check the payment with the person"


def _fitting_plan(
    *,
    balance: Decimal,
    disposable_monthly: Decimal | None,
    authority: Authority,
    frequency: Frequency,
    first_due_on: date,
    share_of_disposable: Decimal,
) -> Option | None:
    if balance < CENT * MIN_PLAN_PAYMENTS:
        return None  # too small to split: pay in full
    longest = authority.max_payments(frequency=frequency)
    reasons: list[str] = []
    if longest < MIN_PLAN_PAYMENTS:
        # e.g. a one-month limit: no monthly plan fits; the shortest plan needs approval.
        longest = MIN_PLAN_PAYMENTS
        reasons.append(
            _term_reason(
                months=term_months(count=longest, frequency=frequency),
                limit=authority.max_plan_months,
            )
        )
    longest = min(longest, int(balance / CENT))  # every installment at least one cent
    if disposable_monthly is None:
        schedule = build_schedule(
            total=balance, count=longest, frequency=frequency, first_due_on=first_due_on
        )
        return _plan(
            balance=balance,
            schedule=schedule,
            frequency=frequency,
            reasons=tuple(reasons),
            notes=(_NOT_ASSESSED,),
        )
    capacity = payment_capacity(
        disposable_monthly=disposable_monthly,
        frequency=frequency,
        share_of_disposable=share_of_disposable,
    )
    count = _fewest_payments(balance=balance, capacity=capacity, longest=longest)
    if count is not None:
        schedule = build_schedule(
            total=balance, count=count, frequency=frequency, first_due_on=first_due_on
        )
        return _plan(
            balance=balance, schedule=schedule, frequency=frequency, reasons=tuple(reasons)
        )
    schedule = build_schedule(
        total=balance, count=longest, frequency=frequency, first_due_on=first_due_on
    )
    largest = max(installment.amount for installment in schedule)
    reasons.append(_payment_reason(payment=largest, capacity=capacity, frequency=frequency))
    return _plan(balance=balance, schedule=schedule, frequency=frequency, reasons=tuple(reasons))


def _fewest_payments(*, balance: Decimal, capacity: Decimal, longest: int) -> int | None:
    """The fewest payments (at least two, at most ``longest``) whose largest one fits."""
    if capacity <= ZERO:
        return None
    count = max(MIN_PLAN_PAYMENTS, math.ceil(balance / capacity))
    while count <= longest:
        regular = (balance / count).quantize(CENT, rounding=ROUND_DOWN)
        last = balance - regular * (count - 1)
        if last <= capacity:
            return count
        count += 1  # the last payment's extra cents tipped it over: one more payment
    return None


def _lump_sum(*, kind: OptionKind, balance: Decimal, total: Decimal, first_due_on: date) -> Option:
    discount = balance - total
    return Option(
        kind=kind,
        frequency=None,
        total_paid=total,
        discount=discount,
        discount_rate=_rate(discount, balance),
        number_of_payments=1,
        payment_amount=total,
        schedule=(Installment(due_on=first_due_on, amount=total),),
        term_months=0,
        within_authority=True,
    )


def _plan(
    *,
    balance: Decimal,
    schedule: list[Installment],
    frequency: Frequency,
    reasons: tuple[str, ...],
    notes: tuple[str, ...] = (),
) -> Option:
    total = sum((installment.amount for installment in schedule), ZERO)
    discount = balance - total
    return Option(
        kind="PLAN",
        frequency=frequency,
        total_paid=total,
        discount=discount,
        discount_rate=_rate(discount, balance),
        number_of_payments=len(schedule),
        payment_amount=schedule[0].amount,
        schedule=tuple(schedule),
        term_months=term_months(count=len(schedule), frequency=frequency),
        within_authority=not reasons,
        reasons=reasons,
        notes=notes,
    )


def _with(option: Option, *, reasons: tuple[str, ...]) -> Option:
    return Option(
        kind=option.kind,
        frequency=option.frequency,
        total_paid=option.total_paid,
        discount=option.discount,
        discount_rate=option.discount_rate,
        number_of_payments=option.number_of_payments,
        payment_amount=option.payment_amount,
        schedule=option.schedule,
        term_months=option.term_months,
        within_authority=not reasons,
        reasons=reasons,
        notes=option.notes,
    )


def _payment_reason(*, payment: Decimal, capacity: Decimal, frequency: Frequency) -> str:
    period = _PERIOD_WORDS[frequency]
    return (
        f"needs supervisor approval: payment {format_money(payment)} {period} exceeds "
        f"disposable income {format_money(capacity)} {period}"
    )


def _term_reason(*, months: int, limit: int) -> str:
    return (
        f"needs supervisor approval: term {months} months exceeds the creditor's limit "
        f"{limit} months"
    )


def _rate(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(RATE_PLACES)


def _percent(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}%"


def _check_balance(balance: Decimal) -> Decimal:
    if isinstance(balance, float):
        raise UnableToProposeOptions("money must be a Decimal, not a float")
    balance = Decimal(balance)
    if balance != to_money(balance):
        raise UnableToProposeOptions(f"the balance {balance} is not a whole number of cents")
    if balance <= ZERO:
        raise UnableToProposeOptions("there is nothing to negotiate on a zero balance")
    return balance


def _check_share(share: Decimal) -> None:
    if not ZERO < Decimal(share) <= 1:
        raise UnableToProposeOptions("the share of disposable income must be above 0 and at most 1")


def _first_due_on(*, today: date, first_payment_on: date | None) -> date:
    if first_payment_on is None:
        return today
    if first_payment_on < today:
        raise UnableToProposeOptions("the first payment cannot be due in the past")
    return first_payment_on
