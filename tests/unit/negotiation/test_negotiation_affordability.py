"""Affordability: lines normalised to monthly, totals by category, signed and planning figures."""

from decimal import Decimal

import pytest

from amicable.negotiation.core import (
    EXPENSE_CATEGORIES,
    Expense,
    Income,
    UnableToAssessAffordability,
    assess_affordability,
    monthly_amount,
)


@pytest.mark.parametrize(
    ("amount", "frequency", "monthly"),
    [
        ("100.00", "MONTHLY", "100.00"),
        ("100.00", "WEEKLY", "433.33"),  # x 52 / 12
        ("600.00", "BIWEEKLY", "1300.00"),  # x 26 / 12
        ("45.00", "WEEKLY", "195.00"),
        ("0.01", "BIWEEKLY", "0.02"),
    ],
)
def test_amounts_are_normalised_to_monthly_in_cents(amount, frequency, monthly):
    assert monthly_amount(amount=Decimal(amount), frequency=frequency) == Decimal(monthly)


def test_disposable_income_is_income_minus_expenses_by_category():
    result = assess_affordability(
        incomes=[
            Income(source="wages", amount=Decimal("600.00"), frequency="BIWEEKLY"),
            Income(source="child support", amount=Decimal("200.00")),
        ],
        expenses=[
            Expense(category="HOUSING", amount=Decimal("850.00")),
            Expense(category="FOOD", amount=Decimal("75.00"), frequency="WEEKLY"),
            Expense(category="TRANSPORT", amount=Decimal("45.00"), frequency="WEEKLY"),
            Expense(category="UTILITIES", amount=Decimal("120.00")),
            Expense(category="OTHER_DEBTS", amount=Decimal("60.00"), label="car loan"),
        ],
    )
    assert result.monthly_income == Decimal("1500.00")
    assert result.expenses_by_category["FOOD"] == Decimal("325.00")
    assert result.expenses_by_category["TRANSPORT"] == Decimal("195.00")
    assert result.expenses_by_category["CHILDCARE"] == Decimal("0.00")
    assert list(result.expenses_by_category) == list(EXPENSE_CATEGORIES)
    assert result.monthly_expenses == Decimal("1550.00")
    assert result.net_monthly == Decimal("-50.00")
    assert result.disposable_monthly == Decimal("0.00")
    assert result.has_shortfall


def test_totals_are_the_sum_of_the_rounded_lines():
    result = assess_affordability(
        incomes=[Income(source="a", amount=Decimal("10.01"), frequency="WEEKLY")] * 3,
        expenses=[],
    )
    # 10.01 x 52 / 12 = 43.376... -> 43.38 per line, as shown on screen.
    assert result.monthly_income == Decimal("130.14")
    assert result.disposable_monthly == result.net_monthly == Decimal("130.14")


@pytest.mark.parametrize(
    ("incomes", "expenses"),
    [
        ([Income(source="wages", amount=Decimal("-1"))], []),
        ([], [Expense(category="GAMBLING", amount=Decimal("10"))]),
        ([], [Expense(category="FOOD", amount=Decimal("-10"))]),
        ([Income(source="wages", amount=100.0)], []),
    ],
)
def test_impossible_lines_are_refused(incomes, expenses):
    with pytest.raises(UnableToAssessAffordability):
        assess_affordability(incomes=incomes, expenses=expenses)
