"""Installment schedules: equal payments on regular dates that add up to the agreed total.

Why the remainder goes on the last payment: the person sees one regular amount ("$83.33 a
month") and a last payment that squares the total to the cent. Regular payments are the total
divided by the count rounded DOWN to the cent, so the last payment is the regular amount plus
fewer than ``count`` cents: never negative, never zero, and every schedule sums exactly to the
total.

Monthly dates keep the first date's day of month, clamped to the month's end: a plan starting on
January 31 falls due on February 28 (29 in a leap year), March 31, April 30... Each date is
computed from the first date, not from the previous (clamped) one, so the plan does not drift to
the 28th after February.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Literal, get_args

from amicable.kernel.errors import UnableTo
from amicable.kernel.money import CENT, ZERO, to_money

Frequency = Literal["WEEKLY", "BIWEEKLY", "MONTHLY"]
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)

# Payments per year for each frequency: the one table every conversion uses.
PERIODS_PER_YEAR: dict[Frequency, int] = {"WEEKLY": 52, "BIWEEKLY": 26, "MONTHLY": 12}


class UnableToBuildSchedule(UnableTo):
    pass


@dataclass(frozen=True, slots=True)
class Installment:
    """One payment of a plan: the amount due on a date."""

    due_on: date
    amount: Decimal


def add_months(*, start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months, the day clamped to the month's end."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def due_date(*, first_due_on: date, frequency: Frequency, index: int) -> date:
    """The due date of installment number ``index`` (0 is the first)."""
    if frequency == "WEEKLY":
        return first_due_on + timedelta(weeks=index)
    if frequency == "BIWEEKLY":
        return first_due_on + timedelta(weeks=2 * index)
    if frequency == "MONTHLY":
        return add_months(start=first_due_on, months=index)
    raise UnableToBuildSchedule(f"unknown frequency {frequency!r}")


def regular_amount(*, total: Decimal, count: int) -> Decimal:
    """The amount of every installment but the last: the total / count, rounded down."""
    return (Decimal(total) / count).quantize(CENT, rounding=ROUND_DOWN)


def build_schedule(
    *, total: Decimal, count: int, frequency: Frequency, first_due_on: date
) -> list[Installment]:
    """``count`` equal installments summing exactly to ``total``; the remainder on the last one.

    Raises `UnableToBuildSchedule` when the total is not a positive amount in cents or is too
    small to give every installment at least one cent.
    """
    if frequency not in PERIODS_PER_YEAR:
        raise UnableToBuildSchedule(f"unknown frequency {frequency!r}")
    if count < 1:
        raise UnableToBuildSchedule("a schedule needs at least one payment")
    total = Decimal(total)
    if total != to_money(total):
        raise UnableToBuildSchedule(f"the total {total} is not a whole number of cents")
    if total < CENT * count:
        raise UnableToBuildSchedule(
            f"a total of {to_money(total)} cannot be split into {count} payments of at least 0.01"
        )
    regular = regular_amount(total=total, count=count)
    last = to_money(total - regular * (count - 1))
    amounts = [regular] * (count - 1) + [last]
    assert last > ZERO and sum(amounts, ZERO) == total
    return [
        Installment(
            due_on=due_date(first_due_on=first_due_on, frequency=frequency, index=index),
            amount=amount,
        )
        for index, amount in enumerate(amounts)
    ]
