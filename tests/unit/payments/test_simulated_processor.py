"""The simulated processor: documented test numbers, validation, idempotency, no card leaks."""

import logging
import pickle
from datetime import date
from decimal import Decimal

import pytest

from amicable.payments.processors.base import (
    BankAccount,
    Card,
    PaymentMethodInput,
    UnableToCharge,
    UnableToRefund,
    luhn_is_valid,
)
from amicable.payments.processors.simulated import (
    TEST_BANK_ACCOUNTS,
    TEST_CARDS,
    InMemoryIdempotencyStore,
    SimulatedProcessor,
)

TODAY = date(2026, 4, 6)


@pytest.fixture
def processor():
    return SimulatedProcessor(today=lambda: TODAY)


def card(number, *, exp_month=12, exp_year=2030, cvc="123"):
    return PaymentMethodInput(
        card=Card(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc, postal_code="1")
    )


def bank(account, routing="110000000"):
    return PaymentMethodInput(
        bank_account=BankAccount(
            routing_number=routing,
            account_number=account,
            account_type="CHECKING",
            holder_name="Dana Whitfield",
        )
    )


def charge(processor, method, *, key="k-1", amount="125.00"):
    return processor.charge(
        amount=Decimal(amount),
        currency="usd",
        method=method,
        idempotency_key=key,
        description="Payment on account M-1001",
        metadata={"debt_id": "D-1001"},
    )


@pytest.mark.parametrize(
    ("method", "status", "code", "last4", "brand"),
    [
        (card("4242 4242 4242 4242"), "SUCCEEDED", "", "4242", "visa"),
        (card("5555-5555-5555-4444"), "SUCCEEDED", "", "4444", "mastercard"),
        (card("378282246310005", cvc="1234"), "SUCCEEDED", "", "0005", "amex"),
        (card("4000 0000 0000 0002"), "DECLINED", "card_declined", "0002", "visa"),
        (card("4000 0000 0000 9995"), "DECLINED", "insufficient_funds", "9995", "visa"),
        (card("4000 0000 0000 0069"), "DECLINED", "expired_card", "0069", "visa"),
        (card("4000 0000 0000 0127"), "DECLINED", "incorrect_cvc", "0127", "visa"),
        (card("4000 0000 0000 0119"), "FAILED", "processing_error", "0119", "visa"),
        (card("4242 4242 4242 4241"), "DECLINED", "incorrect_number", "4241", "visa"),
        (
            card("4242424242424242", exp_year=2026, exp_month=3),
            "DECLINED",
            "expired_card",
            "4242",
            "visa",
        ),
        (card("4242424242424242", exp_year=2026, exp_month=4), "SUCCEEDED", "", "4242", "visa"),
        (
            card("4242424242424242", exp_month=13),
            "DECLINED",
            "invalid_expiry_month",
            "4242",
            "visa",
        ),
        (card("4242424242424242", cvc="12"), "DECLINED", "invalid_cvc", "4242", "visa"),
        (card("4111 1111 1111 1111"), "DECLINED", "test_mode_live_card", "1111", "visa"),
        (bank("000123456789"), "SUCCEEDED", "", "6789", ""),
        (bank("000111111116"), "FAILED", "account_closed", "1116", ""),
        (bank("000222222227"), "FAILED", "insufficient_funds", "2227", ""),
        (bank("000123456789", routing="110000001"), "FAILED", "invalid_routing_number", "6789", ""),
        (bank("999999999999"), "FAILED", "no_account", "9999", ""),
    ],
)
def test_documented_test_numbers(processor, method, status, code, last4, brand):
    result = charge(processor, method)
    assert (result.status, result.decline_code, result.last4, result.brand) == (
        status,
        code,
        last4,
        brand,
    )
    assert result.method_type == method.method_type
    assert result.processor_reference.startswith("sim_ch_")
    assert result.amount == Decimal("125.00")


def test_documented_numbers_are_valid_numbers():
    assert all(luhn_is_valid(number) for number in TEST_CARDS)
    assert all(len(number) == 12 for number in TEST_BANK_ACCOUNTS)


def test_the_same_key_returns_the_first_result_without_charging_again(processor):
    first = charge(processor, card("4242424242424242"), key="pay-1")
    again = charge(processor, card("4242 4242 4242 4242"), key="pay-1")
    assert again == first
    assert len(processor.charges) == 1
    other = charge(processor, card("4242424242424242"), key="pay-2")
    assert other.processor_reference != first.processor_reference
    assert len(processor.charges) == 2


def test_a_declined_attempt_is_replayed_too(processor):
    first = charge(processor, card("4000000000009995"), key="pay-1")
    assert charge(processor, card("4000000000009995"), key="pay-1") == first
    assert len(processor.charges) == 1


def test_a_key_reused_for_a_different_charge_is_refused(processor):
    charge(processor, card("4242424242424242"), key="pay-1")
    with pytest.raises(UnableToCharge, match="different charge"):
        charge(processor, card("4242424242424242"), key="pay-1", amount="99.00")
    assert len(processor.charges) == 1


def test_a_shared_store_makes_two_processors_idempotent():
    store = InMemoryIdempotencyStore()
    one = SimulatedProcessor(today=lambda: TODAY, store=store)
    two = SimulatedProcessor(today=lambda: TODAY, store=store)
    assert charge(one, card("4242424242424242")) == charge(two, card("4242424242424242"))
    assert len(one.charges) + len(two.charges) == 1


@pytest.mark.parametrize(
    ("amount", "currency"), [("0", "usd"), ("-1", "usd"), ("1.005", "usd"), ("10", "eur")]
)
def test_invalid_amounts_are_refused(processor, amount, currency):
    with pytest.raises(UnableToCharge):
        processor.charge(
            amount=Decimal(amount),
            currency=currency,
            method=card("4242424242424242"),
            idempotency_key="k",
            description="",
            metadata={},
        )


def test_refunds(processor):
    paid = charge(processor, card("4242424242424242"), amount="100.00")
    refund = processor.refund(
        processor_reference=paid.processor_reference,
        amount=Decimal("40.00"),
        currency="usd",
        idempotency_key="r-1",
    )
    assert refund.status == "SUCCEEDED" and refund.amount == Decimal("40.00")
    assert (
        processor.refund(
            processor_reference=paid.processor_reference,
            amount=Decimal("40.00"),
            currency="usd",
            idempotency_key="r-1",
        )
        == refund
    )
    with pytest.raises(UnableToRefund, match="only 60.00"):
        processor.refund(
            processor_reference=paid.processor_reference,
            amount=Decimal("60.01"),
            currency="usd",
            idempotency_key="r-2",
        )
    declined = charge(processor, card("4000000000000002"), key="k-2")
    with pytest.raises(UnableToRefund):
        processor.refund(
            processor_reference=declined.processor_reference,
            amount=Decimal("1.00"),
            currency="usd",
            idempotency_key="r-3",
        )


def test_card_details_never_show_in_repr_logs_or_pickles(processor, caplog):
    method = PaymentMethodInput(
        card=Card(
            number="4000 0000 0000 9995",
            exp_month=11,
            exp_year=2031,
            cvc="987",
            postal_code="12207",
        )
    )
    text = f"{method!r} {method!s} {method}"
    for secret in ("4000000000009995", "4000 0000", "987", "2031", "12207"):
        assert secret not in text
    assert "9995" in text
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("amicable.payments").info("charging %s", method)
        result = charge(processor, method)
    assert "4000000000009995" not in caplog.text and "987" not in caplog.text
    assert "4000000000009995" not in repr(result)
    with pytest.raises(TypeError, match="never be persisted"):
        pickle.dumps(method)
    account = bank("000111111116")
    assert "000111111116" not in repr(account) and "110000000" not in repr(account)
    assert "Dana" not in repr(account)


def test_exactly_one_payment_method_is_required():
    with pytest.raises(UnableToCharge):
        PaymentMethodInput()
    with pytest.raises(UnableToCharge):
        PaymentMethodInput(
            card=Card(number="4242424242424242", exp_month=1, exp_year=2030, cvc="1"),
            processor_token="pm_x",
        )
