"""The affordability assessment: what a person can pay each month after essential spending.

People tell us amounts the way they are paid or billed: "$600 every two weeks", "$45 a week
for gas". Each line is converted to a monthly amount (weekly x 52/12, bi-weekly x 26/12) and
rounded to the cent line by line, so the totals are exactly the sum of the lines the agent and
the person see on screen.

Disposable income is income minus expenses. The signed figure is kept (a person who spends more
than they earn is shown a shortfall, not a zero), but plans are built on ``disposable_monthly``,
which is never below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from amicable.kernel.errors import UnableTo
from amicable.kernel.money import ZERO, to_money
from amicable.negotiation.core.schedule import PERIODS_PER_YEAR, Frequency

# The standard expense categories, in the order the desk shows them.
EXPENSE_CATEGORIES: tuple[str, ...] = (
    "HOUSING",
    "UTILITIES",
    "FOOD",
    "TRANSPORT",
    "CHILDCARE",
    "MEDICAL",
    "INSURANCE",
    "OTHER_DEBTS",
    "OTHER",
)


class UnableToAssessAffordability(UnableTo):
    pass


def monthly_amount(*, amount: Decimal, frequency: Frequency) -> Decimal:
    """An amount paid at ``frequency`` expressed per month, rounded to the cent."""
    if frequency not in PERIODS_PER_YEAR:
        raise UnableToAssessAffordability(f"unknown frequency {frequency!r}")
    return to_money(Decimal(amount) * PERIODS_PER_YEAR[frequency] / 12)


def per_period_amount(*, monthly: Decimal, frequency: Frequency) -> Decimal:
    """A monthly amount expressed per payment period (weekly = monthly x 12/52), to the cent."""
    return to_money(Decimal(monthly) * 12 / PERIODS_PER_YEAR[frequency])


@dataclass(frozen=True, slots=True)
class Income:
    """One source of income (wages, benefits, support...) as the person receives it."""

    source: str
    amount: Decimal
    frequency: Frequency = "MONTHLY"


@dataclass(frozen=True, slots=True)
class Expense:
    """One essential expense, in one of `EXPENSE_CATEGORIES`."""

    category: str
    amount: Decimal
    frequency: Frequency = "MONTHLY"
    label: str = ""


@dataclass(frozen=True, slots=True)
class Affordability:
    """The result of an assessment; all amounts monthly, in cents.

    ``net_monthly`` is signed (negative: a shortfall); ``disposable_monthly`` is the amount
    plans are built on and never below zero.
    """

    income_by_source: Mapping[str, Decimal]
    expenses_by_category: Mapping[str, Decimal]
    monthly_income: Decimal
    monthly_expenses: Decimal
    net_monthly: Decimal
    disposable_monthly: Decimal
    lines: tuple[Income | Expense, ...] = field(default=())

    @property
    def has_shortfall(self) -> bool:
        return self.net_monthly < ZERO


def assess_affordability(
    *, incomes: Iterable[Income], expenses: Iterable[Expense]
) -> Affordability:
    """Normalise every line to monthly, total income and expenses by category, and subtract.

    Raises `UnableToAssessAffordability` for a negative amount or an unknown category.
    """
    incomes = tuple(incomes)
    expenses = tuple(expenses)
    income_by_source: dict[str, Decimal] = {}
    for income in incomes:
        _check_amount(income.amount, what=f"income {income.source!r}")
        monthly = monthly_amount(amount=income.amount, frequency=income.frequency)
        income_by_source[income.source] = income_by_source.get(income.source, ZERO) + monthly
    by_category = dict.fromkeys(EXPENSE_CATEGORIES, ZERO)
    for expense in expenses:
        if expense.category not in by_category:
            raise UnableToAssessAffordability(
                f"unknown expense category {expense.category!r}; "
                f"use one of {', '.join(EXPENSE_CATEGORIES)}"
            )
        _check_amount(expense.amount, what=f"expense {expense.category.lower()}")
        by_category[expense.category] += monthly_amount(
            amount=expense.amount, frequency=expense.frequency
        )
    monthly_income = sum(income_by_source.values(), ZERO)
    monthly_expenses = sum(by_category.values(), ZERO)
    net = monthly_income - monthly_expenses
    return Affordability(
        income_by_source=MappingProxyType(income_by_source),
        expenses_by_category=MappingProxyType(by_category),
        monthly_income=monthly_income,
        monthly_expenses=monthly_expenses,
        net_monthly=net,
        disposable_monthly=max(net, ZERO),
        lines=(*incomes, *expenses),
    )


def _check_amount(amount: Decimal, *, what: str) -> None:
    if isinstance(amount, float):
        raise UnableToAssessAffordability(f"{what}: money must be a Decimal, not a float")
    if Decimal(amount) < 0:
        raise UnableToAssessAffordability(f"{what}: an amount cannot be negative")
