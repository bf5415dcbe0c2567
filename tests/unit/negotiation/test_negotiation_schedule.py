"""Schedules: equal payments, the remainder on the last one, exact totals, clamped month ends."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.negotiation.core import (
    FREQUENCIES,
    UnableToBuildSchedule,
    add_months,
    build_schedule,
)


@pytest.mark.parametrize(
    ("total", "count", "amounts"),
    [
        ("100.00", 3, ["33.33", "33.33", "33.34"]),
        ("1250.00", 12, ["104.16"] * 11 + ["104.24"]),
        ("10.00", 4, ["2.50"] * 4),
        ("0.05", 3, ["0.01", "0.01", "0.03"]),
        ("875.00", 1, ["875.00"]),
    ],
)
def test_equal_payments_with_the_remainder_on_the_last(total, count, amounts):
    schedule = build_schedule(
        total=Decimal(total), count=count, frequency="MONTHLY", first_due_on=date(2026, 5, 1)
    )
    assert [item.amount for item in schedule] == [Decimal(a) for a in amounts]
    assert sum(item.amount for item in schedule) == Decimal(total)


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (
            date(2026, 1, 31),
            [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)],
        ),
        (
            date(2028, 1, 31),  # leap year
            [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)],
        ),
        (
            date(2026, 11, 30),
            [date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)],
        ),
        (
            date(2026, 8, 15),
            [date(2026, 8, 15), date(2026, 9, 15), date(2026, 10, 15), date(2026, 11, 15)],
        ),
    ],
)
def test_monthly_dates_keep_the_first_day_clamped_to_month_end(first, expected):
    schedule = build_schedule(
        total=Decimal("400.00"), count=4, frequency="MONTHLY", first_due_on=first
    )
    assert [item.due_on for item in schedule] == expected


def test_weekly_and_biweekly_dates():
    weekly = build_schedule(
        total=Decimal("30.00"), count=3, frequency="WEEKLY", first_due_on=date(2026, 12, 25)
    )
    assert [item.due_on for item in weekly] == [
        date(2026, 12, 25),
        date(2027, 1, 1),
        date(2027, 1, 8),
    ]
    biweekly = build_schedule(
        total=Decimal("30.00"), count=3, frequency="BIWEEKLY", first_due_on=date(2026, 2, 20)
    )
    assert [item.due_on for item in biweekly] == [
        date(2026, 2, 20),
        date(2026, 3, 6),
        date(2026, 3, 20),
    ]


@pytest.mark.parametrize(
    ("total", "count", "frequency"),
    [
        ("0.02", 3, "MONTHLY"),  # not a cent for each payment
        ("10.001", 2, "MONTHLY"),  # fractions of a cent
        ("10.00", 0, "MONTHLY"),
        ("10.00", 2, "DAILY"),
    ],
)
def test_impossible_schedules_are_refused(total, count, frequency):
    with pytest.raises(UnableToBuildSchedule):
        build_schedule(
            total=Decimal(total), count=count, frequency=frequency, first_due_on=date(2026, 1, 1)
        )


cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@given(
    total=cents,
    count=st.integers(min_value=1, max_value=120),
    frequency=st.sampled_from(FREQUENCIES),
    first=days,
)
def test_a_schedule_sums_to_the_total_to_the_cent(total, count, frequency, first):
    if total < Decimal("0.01") * count:
        with pytest.raises(UnableToBuildSchedule):
            build_schedule(total=total, count=count, frequency=frequency, first_due_on=first)
        return
    schedule = build_schedule(total=total, count=count, frequency=frequency, first_due_on=first)
    amounts = [item.amount for item in schedule]
    assert len(schedule) == count
    assert sum(amounts) == total
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)
    assert len(set(amounts[:-1])) <= 1  # equal payments...
    assert Decimal(0) <= amounts[-1] - amounts[0] < Decimal("0.01") * count  # ...and the rest
    dates = [item.due_on for item in schedule]
    assert dates == sorted(dates) and len(set(dates)) == count and dates[0] == first


@given(first=days, months=st.integers(min_value=0, max_value=60))
def test_monthly_due_dates_are_based_on_the_first_day(first, months):
    due = add_months(start=first, months=months)
    assert (due.year - first.year) * 12 + due.month - first.month == months
    next_month_first = add_months(start=due.replace(day=1), months=1)
    last_day = (next_month_first - date.resolution).day
    assert due.day == min(first.day, last_day)
