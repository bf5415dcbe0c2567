"""Options side by side, and custom arrangements checked against the creditor's authority."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.negotiation.core import (
    FREQUENCIES,
    Authority,
    UnableToProposeOptions,
    evaluate_arrangement,
    payment_capacity,
    propose_options,
    term_months,
)

TODAY = date(2026, 4, 6)
MERCY = Authority(min_settlement_rate=Decimal("0.70"), max_plan_months=12)


def by_kind(options):
    return {(option.kind, option.frequency): option for option in options}


def test_pay_in_full_settlement_and_three_plans_side_by_side():
    options = propose_options(
        balance=Decimal("1250.00"),
        disposable_monthly=Decimal("150.00"),
        authority=MERCY,
        today=TODAY,
    )
    assert [(o.kind, o.frequency) for o in options] == [
        ("PIF", None),
        ("SIF", None),
        ("PLAN", "WEEKLY"),
        ("PLAN", "BIWEEKLY"),
        ("PLAN", "MONTHLY"),
    ]
    table = by_kind(options)
    pif = table["PIF", None]
    assert (pif.total_paid, pif.discount, pif.number_of_payments) == (Decimal("1250.00"), 0, 1)
    assert pif.schedule[0].due_on == TODAY
    sif = table["SIF", None]
    assert sif.total_paid == Decimal("875.00")
    assert sif.discount == Decimal("375.00")
    assert sif.discount_rate == Decimal("0.3000")
    assert sif.within_authority
    monthly = table["PLAN", "MONTHLY"]
    assert monthly.number_of_payments == 9  # 1250 / 150 = 8.33 -> 9 payments
    assert monthly.payment_amount == Decimal("138.88")
    assert monthly.largest_payment == Decimal("138.96") <= Decimal("150.00")
    assert monthly.total_paid == Decimal("1250.00") and monthly.discount == 0
    assert monthly.term_months == 9 and monthly.within_authority and not monthly.reasons
    weekly = table["PLAN", "WEEKLY"]
    assert (
        weekly.largest_payment
        <= payment_capacity(disposable_monthly=Decimal("150.00"), frequency="WEEKLY")
        == Decimal("34.61")
    )


def test_settlement_floor_is_rounded_up_to_the_cent():
    options = propose_options(
        balance=Decimal("99.99"),
        disposable_monthly=None,
        authority=Authority(min_settlement_rate=Decimal("0.6667"), max_plan_months=6),
        today=TODAY,
    )
    # 99.99 x 0.6667 = 66.663333 -> 66.67, never 66.66
    assert by_kind(options)["SIF", None].total_paid == Decimal("66.67")


def test_no_settlement_when_the_creditor_allows_no_discount():
    options = propose_options(
        balance=Decimal("500.00"),
        disposable_monthly=Decimal("100.00"),
        authority=Authority(min_settlement_rate=Decimal("1"), max_plan_months=12),
        today=TODAY,
    )
    assert "SIF" not in {option.kind for option in options}


def test_when_no_plan_fits_the_longest_plan_is_proposed_for_approval():
    options = propose_options(
        balance=Decimal("1250.00"),
        disposable_monthly=Decimal("50.00"),
        authority=MERCY,
        today=TODAY,
    )
    monthly = by_kind(options)["PLAN", "MONTHLY"]
    assert monthly.number_of_payments == 12
    assert not monthly.within_authority
    assert monthly.reasons == (
        "needs supervisor approval: payment $104.24 a month exceeds disposable income "
        "$50.00 a month",
    )
    weekly = by_kind(options)["PLAN", "WEEKLY"]
    assert weekly.number_of_payments == 52 and weekly.term_months == 12
    assert not weekly.within_authority


def test_no_disposable_income_means_every_plan_needs_approval():
    options = propose_options(
        balance=Decimal("300.00"),
        disposable_monthly=Decimal("0.00"),
        authority=MERCY,
        today=TODAY,
    )
    plans = [option for option in options if option.kind == "PLAN"]
    assert plans and all(not plan.within_authority for plan in plans)
    assert "exceeds disposable income $0.00" in plans[0].reasons[0]


def test_share_of_disposable_income_limits_the_payment():
    options = propose_options(
        balance=Decimal("1000.00"),
        disposable_monthly=Decimal("200.00"),
        authority=MERCY,
        today=TODAY,
        share_of_disposable=Decimal("0.5"),
    )
    monthly = by_kind(options)["PLAN", "MONTHLY"]
    assert monthly.number_of_payments == 10 and monthly.largest_payment == Decimal("100.00")


def test_without_an_assessment_plans_use_the_longest_term_with_a_note():
    options = propose_options(
        balance=Decimal("1200.00"),
        disposable_monthly=None,
        authority=MERCY,
        today=TODAY,
        first_payment_on=date(2026, 4, 30),
    )
    monthly = by_kind(options)["PLAN", "MONTHLY"]
    assert monthly.number_of_payments == 12 and monthly.payment_amount == Decimal("100.00")
    assert monthly.within_authority and monthly.notes
    assert monthly.first_due_on == date(2026, 4, 30) and monthly.last_due_on == date(2027, 3, 30)


def test_a_one_month_limit_allows_no_monthly_plan_without_approval():
    options = propose_options(
        balance=Decimal("200.00"),
        disposable_monthly=Decimal("500.00"),
        authority=Authority(min_settlement_rate=Decimal("0.8"), max_plan_months=1),
        today=TODAY,
    )
    table = by_kind(options)
    assert table["PLAN", "WEEKLY"].within_authority  # 4 weekly payments fit in a month
    monthly = table["PLAN", "MONTHLY"]
    assert monthly.number_of_payments == 2 and not monthly.within_authority
    assert monthly.reasons == (
        "needs supervisor approval: term 2 months exceeds the creditor's limit 1 months",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"balance": Decimal("0")}, "zero balance"),
        ({"balance": Decimal("10.005")}, "whole number of cents"),
        ({"first_payment_on": date(2026, 4, 5)}, "in the past"),
        ({"share_of_disposable": Decimal("1.5")}, "share"),
    ],
)
def test_impossible_requests_are_refused(kwargs, message):
    arguments = {
        "balance": Decimal("100.00"),
        "disposable_monthly": Decimal("50.00"),
        "authority": MERCY,
        "today": TODAY,
        **kwargs,
    }
    with pytest.raises(UnableToProposeOptions, match=message):
        propose_options(**arguments)


# --- custom arrangements -------------------------------------------------------------------


def evaluate(**kwargs):
    arguments = {
        "balance": Decimal("1000.00"),
        "disposable_monthly": Decimal("100.00"),
        "authority": MERCY,
        "today": TODAY,
        "first_due_on": date(2026, 4, 15),
        **kwargs,
    }
    return evaluate_arrangement(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "kind", "within", "reasons"),
    [
        ({"total": Decimal("1000.00")}, "PIF", True, []),
        ({"total": Decimal("700.00")}, "SIF", True, []),
        ({"total": Decimal("699.99")}, "SIF", False, ["below the creditor's settlement floor"]),
        ({"total": Decimal("1000.00"), "count": 10}, "PLAN", True, []),
        (
            {"total": Decimal("1000.00"), "count": 8},
            "PLAN",
            False,
            ["payment $125.00 a month exceeds disposable income $100.00 a month"],
        ),
        (
            {"total": Decimal("1000.00"), "payment_amount": Decimal("50.00")},
            "PLAN",
            False,
            ["term 20 months exceeds the creditor's limit 12 months"],
        ),
        (
            {"total": Decimal("600.00"), "payment_amount": Decimal("40.00")},
            "PLAN",
            False,
            ["below the creditor's settlement floor", "term 15 months exceeds"],
        ),
        (
            {"total": Decimal("1000.00"), "count": 52, "frequency": "WEEKLY"},
            "PLAN",
            True,
            [],
        ),
        (
            {"total": Decimal("1000.00"), "count": 53, "frequency": "WEEKLY"},
            "PLAN",
            False,
            ["term 13 months exceeds the creditor's limit 12 months"],
        ),
    ],
)
def test_custom_arrangements_against_authority(kwargs, kind, within, reasons):
    option = evaluate(**kwargs)
    assert option.kind == kind
    assert option.within_authority is within
    assert len(option.reasons) == len(reasons)
    for reason, expected in zip(option.reasons, reasons, strict=True):
        assert reason.startswith("needs supervisor approval: ") and expected in reason
    assert sum(item.amount for item in option.schedule) == option.total_paid


@pytest.mark.parametrize(
    "kwargs",
    [
        {"total": Decimal("1000.01")},
        {"total": Decimal("0")},
        {"total": Decimal("100"), "first_due_on": date(2026, 4, 1)},
        {"total": Decimal("100"), "count": 2, "payment_amount": Decimal("50")},
        {"total": Decimal("100"), "count": 0},
    ],
)
def test_impossible_arrangements_are_refused(kwargs):
    with pytest.raises(UnableToProposeOptions):
        evaluate(**kwargs)


@pytest.mark.parametrize(
    ("count", "frequency", "months"),
    [(12, "MONTHLY", 12), (26, "BIWEEKLY", 12), (27, "BIWEEKLY", 13), (5, "WEEKLY", 2)],
)
def test_term_in_months(count, frequency, months):
    assert term_months(count=count, frequency=frequency) == months


# --- properties ----------------------------------------------------------------------------

balances = st.integers(min_value=1, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
incomes = st.one_of(
    st.none(), st.integers(min_value=0, max_value=500_000).map(lambda c: Decimal(c) / 100)
)
authorities = st.builds(
    Authority,
    min_settlement_rate=st.integers(min_value=1, max_value=10_000).map(
        lambda bp: Decimal(bp) / 10_000
    ),
    max_plan_months=st.integers(min_value=1, max_value=60),
)
shares = st.sampled_from([Decimal("1"), Decimal("0.8"), Decimal("0.5"), Decimal("0.25")])


@given(balance=balances, disposable=incomes, authority=authorities, share=shares)
def test_options_respect_authority_unless_marked(balance, disposable, authority, share):
    options = propose_options(
        balance=balance,
        disposable_monthly=disposable,
        authority=authority,
        today=TODAY,
        share_of_disposable=share,
    )
    floor = authority.settlement_floor(balance=balance)
    assert options[0].kind == "PIF" and options[0].total_paid == balance
    for option in options:
        assert sum(item.amount for item in option.schedule) == option.total_paid
        assert option.discount == balance - option.total_paid
        assert option.within_authority == (not option.reasons)
        assert option.total_paid >= floor  # settlement never below the floor
        assert option.total_paid <= balance
        if option.kind == "PLAN" and option.within_authority:
            assert option.term_months <= authority.max_plan_months
            if disposable is not None:
                capacity = payment_capacity(
                    disposable_monthly=disposable,
                    frequency=option.frequency,
                    share_of_disposable=share,
                )
                assert option.largest_payment <= capacity
    plans = {option.frequency for option in options if option.kind == "PLAN"}
    assert plans == (set(FREQUENCIES) if balance >= Decimal("0.02") else set())


@given(
    balance=balances,
    disposable=incomes,
    authority=authorities,
    total_share=st.integers(min_value=1, max_value=100),
    count=st.integers(min_value=1, max_value=80),
    frequency=st.sampled_from(FREQUENCIES),
)
def test_arrangements_outside_authority_are_always_marked(
    balance, disposable, authority, total_share, count, frequency
):
    total = (balance * total_share / 100).quantize(Decimal("0.01"))
    if total < Decimal("0.01") * count:
        return
    option = evaluate_arrangement(
        balance=balance,
        disposable_monthly=disposable,
        authority=authority,
        today=TODAY,
        total=total,
        count=count,
        frequency=frequency,
        first_due_on=TODAY,
    )
    assert sum(item.amount for item in option.schedule) == total
    below_floor = total < authority.settlement_floor(balance=balance)
    too_long = count > 1 and term_months(count=count, frequency=frequency) > (
        authority.max_plan_months
    )
    too_much = (
        count > 1
        and disposable is not None
        and option.largest_payment
        > payment_capacity(disposable_monthly=disposable, frequency=frequency)
    )
    assert option.within_authority == (not (below_floor or too_long or too_much))
    assert len(option.reasons) == below_floor + too_long + too_much
