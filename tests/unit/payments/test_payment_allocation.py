"""Allocation of a payment across principal, interest and fees by the creditor's rule."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.payments.core import (
    ALLOCATION_RULES,
    BucketAmounts,
    UnableToAllocate,
    allocate_payment,
)

D = Decimal
BALANCES = BucketAmounts(principal=D("1000.00"), interest=D("200.00"), fees=D("50.00"))


@pytest.mark.parametrize(
    ("rule", "amount", "expected"),
    [
        ("FEES_INTEREST_PRINCIPAL", "30.00", ("0", "0", "30.00")),
        ("FEES_INTEREST_PRINCIPAL", "100.00", ("0", "50.00", "50.00")),
        ("FEES_INTEREST_PRINCIPAL", "300.00", ("50.00", "200.00", "50.00")),
        ("INTEREST_FEES_PRINCIPAL", "220.00", ("0", "200.00", "20.00")),
        ("INTEREST_FEES_PRINCIPAL", "300.00", ("50.00", "200.00", "50.00")),
        ("PRINCIPAL_FIRST", "1100.00", ("1000.00", "100.00", "0")),
        ("PRINCIPAL_FIRST", "1250.00", ("1000.00", "200.00", "50.00")),
        ("PRO_RATA", "125.00", ("100.00", "20.00", "5.00")),
        ("PRO_RATA", "100.00", ("80.00", "16.00", "4.00")),
        # 10.01 x 0.8 = 8.008 -> 8.00, x 0.16 = 1.6016 -> 1.60, x 0.04 = 0.4004 -> 0.40;
        # the cent left goes to the largest bucket (principal).
        ("PRO_RATA", "10.01", ("8.01", "1.60", "0.40")),
    ],
)
def test_rules(rule, amount, expected):
    allocated = allocate_payment(amount=D(amount), balances=BALANCES, rule=rule)
    assert (allocated.principal, allocated.interest, allocated.fees) == tuple(map(D, expected))
    assert allocated.total == D(amount)


def test_pro_rata_remainder_moves_on_when_the_largest_bucket_is_full():
    balances = BucketAmounts(principal=D("0.34"), interest=D("0.33"), fees=D("0.33"))
    allocated = allocate_payment(amount=D("0.99"), balances=balances, rule="PRO_RATA")
    assert allocated.principal <= D("0.34")
    assert allocated.total == D("0.99")
    assert (allocated.principal, allocated.interest, allocated.fees) == (
        D("0.34"),
        D("0.33"),
        D("0.32"),
    )


def test_paying_the_whole_balance_clears_every_bucket():
    for rule in ALLOCATION_RULES:
        assert allocate_payment(amount=D("1250.00"), balances=BALANCES, rule=rule) == BALANCES


@pytest.mark.parametrize(
    ("amount", "balances", "rule", "message"),
    [
        ("1250.01", BALANCES, "PRO_RATA", "more than the balance"),
        ("0", BALANCES, "PRO_RATA", "positive"),
        ("-5", BALANCES, "PRINCIPAL_FIRST", "positive"),
        ("1.001", BALANCES, "PRINCIPAL_FIRST", "cents"),
        ("10", BALANCES, "NEWEST_FIRST", "unknown allocation rule"),
        ("10", BucketAmounts(principal=D("-1"), fees=D("20")), "PRO_RATA", "negative"),
        ("10", BucketAmounts(), "PRO_RATA", "more than the balance"),
    ],
)
def test_impossible_allocations_are_refused(amount, balances, rule, message):
    with pytest.raises(UnableToAllocate, match=message):
        allocate_payment(amount=D(amount), balances=balances, rule=rule)


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@given(
    principal=cents,
    interest=cents,
    fees=cents,
    share=st.fractions(min_value=0, max_value=1),
    rule=st.sampled_from(ALLOCATION_RULES),
)
def test_allocation_sums_exactly_and_never_exceeds_a_bucket(principal, interest, fees, share, rule):
    balances = BucketAmounts(principal=principal, interest=interest, fees=fees)
    total_cents = int(balances.total * 100)
    amount_cents = int(total_cents * share)
    if amount_cents == 0:
        return
    amount = Decimal(amount_cents) / 100
    allocated = allocate_payment(amount=amount, balances=balances, rule=rule)
    assert allocated.total == amount
    for name, value in allocated.as_dict().items():
        assert D(0) <= value <= balances.as_dict()[name]
        assert value == value.quantize(D("0.01"))
    if rule == "PRO_RATA":
        # each bucket is within a few cents of its exact share
        for name, value in allocated.as_dict().items():
            exact = amount * balances.as_dict()[name] / balances.total
            assert abs(value - exact) < D("0.03")
