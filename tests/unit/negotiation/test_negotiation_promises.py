"""Promises and plan installments: pending, kept (paid in full in time) or broken."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.negotiation.core import (
    Installment,
    UnableToJudgePromise,
    build_schedule,
    plan_status,
    promise_status,
)

DUE = date(2026, 5, 1)
D = Decimal


@pytest.mark.parametrize(
    ("payments", "today", "grace", "status"),
    [
        ([], date(2026, 4, 20), 0, "PENDING"),
        ([], date(2026, 5, 1), 0, "PENDING"),  # due today: not broken yet
        ([], date(2026, 5, 2), 0, "BROKEN"),
        ([(date(2026, 4, 25), D("100.00"))], date(2026, 4, 26), 0, "KEPT"),  # early
        ([(date(2026, 5, 1), D("100.00"))], date(2026, 6, 1), 0, "KEPT"),
        ([(date(2026, 4, 28), D("60.00")), (date(2026, 5, 1), D("40.00"))], DUE, 0, "KEPT"),
        ([(date(2026, 5, 1), D("99.99"))], date(2026, 5, 2), 0, "BROKEN"),
        ([(date(2026, 5, 1), D("99.99"))], date(2026, 5, 1), 0, "PENDING"),
        ([(date(2026, 5, 3), D("100.00"))], date(2026, 5, 4), 0, "BROKEN"),  # late
        ([(date(2026, 5, 3), D("100.00"))], date(2026, 5, 4), 3, "KEPT"),  # within grace
        ([], date(2026, 5, 4), 3, "PENDING"),
        ([], date(2026, 5, 5), 3, "BROKEN"),
        ([(date(2026, 4, 30), D("150.00"))], date(2026, 4, 30), 0, "KEPT"),  # overpaid
    ],
)
def test_promise_status(payments, today, grace, status):
    assert (
        promise_status(
            due_on=DUE, amount=D("100.00"), payments=payments, today=today, grace_days=grace
        )
        == status
    )


def test_promise_must_be_for_a_positive_amount():
    with pytest.raises(UnableToJudgePromise):
        promise_status(due_on=DUE, amount=D("0"), payments=[], today=DUE)


PLAN = build_schedule(total=D("300.00"), count=3, frequency="MONTHLY", first_due_on=DUE)


def statuses(result):
    return [item.status for item in result.installments]


def test_payments_go_to_the_earliest_unpaid_installment():
    result = plan_status(
        installments=PLAN,
        payments=[(date(2026, 4, 30), D("150.00")), (date(2026, 5, 30), D("50.00"))],
        today=date(2026, 6, 2),
    )
    assert [item.paid for item in result.installments] == [D("100.00"), D("100.00"), D("0")]
    assert statuses(result) == ["KEPT", "KEPT", "PENDING"]
    assert result.status == "PENDING" and result.arrears == 0
    assert result.next_due.due_on == date(2026, 7, 1)


def test_a_missed_installment_breaks_the_plan_and_shows_arrears():
    result = plan_status(
        installments=PLAN,
        payments=[(date(2026, 5, 1), D("100.00")), (date(2026, 6, 5), D("30.00"))],
        today=date(2026, 6, 10),
    )
    assert statuses(result) == ["KEPT", "BROKEN", "PENDING"]
    assert result.status == "BROKEN" and result.broken_count == 1
    assert result.arrears == D("70.00")


def test_a_late_catch_up_stays_broken_but_shows_when_it_was_paid():
    result = plan_status(
        installments=PLAN,
        payments=[(date(2026, 5, 1), D("100.00")), (date(2026, 6, 5), D("100.00"))],
        today=date(2026, 6, 10),
    )
    second = result.installments[1]
    assert second.status == "BROKEN" and second.paid_in_full_on == date(2026, 6, 5)
    assert result.arrears == 0


def test_a_plan_paid_in_time_is_kept_and_overpayment_is_unapplied():
    result = plan_status(
        installments=PLAN,
        payments=[(date(2026, 5, 1), D("320.00"))],
        today=date(2026, 8, 1),
    )
    assert result.status == "KEPT" and result.kept_count == 3
    assert result.unapplied == D("20.00") and result.total_paid == D("300.00")


def test_future_payments_are_ignored():
    result = plan_status(
        installments=PLAN, payments=[(date(2026, 5, 20), D("300.00"))], today=date(2026, 5, 10)
    )
    assert result.status == "BROKEN" and result.total_paid == 0


installment_amounts = st.lists(
    st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c) / 100),
    min_size=1,
    max_size=12,
)
payment_lists = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400),
        st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c) / 100),
    ),
    max_size=15,
)


@given(amounts=installment_amounts, payments=payment_lists, today=st.integers(0, 420))
def test_allocation_never_loses_or_invents_money(amounts, payments, today):
    start = date(2026, 1, 1)
    installments = [
        Installment(due_on=date.fromordinal(start.toordinal() + 30 * i), amount=amount)
        for i, amount in enumerate(amounts)
    ]
    dated = [(date.fromordinal(start.toordinal() + day), amount) for day, amount in payments]
    on = date.fromordinal(start.toordinal() + today)
    result = plan_status(installments=installments, payments=dated, today=on)
    received = sum((amount for paid_on, amount in dated if paid_on <= on), Decimal(0))
    assert result.total_paid + result.unapplied == received
    assert all(0 <= item.paid <= item.amount for item in result.installments)
    # earliest first: a later installment has money only if every earlier one is paid in full
    for earlier, later in zip(result.installments, result.installments[1:], strict=False):
        if later.paid > 0:
            assert earlier.paid == earlier.amount
    assert result.status in {"PENDING", "KEPT", "BROKEN"}
    assert (result.status == "KEPT") == all(i.status == "KEPT" for i in result.installments)
