"""A simulated payment processor for the demo and the tests: no network, no real money.

It behaves like a real processor where it matters to us: documented test numbers give
documented outcomes, card numbers are checked (Luhn, expiry, CVC), and an idempotency key
replays the first result without charging again. Numbers that are not in the tables below are
declined (``test_mode_live_card`` / ``no_account``), so nobody is tempted to type a real card
into the demo.

Test cards (any CVC of 3 digits, 4 for Amex; any future expiry; any postal code):

================  ==========================================================
4242424242424242  succeeds (Visa)
5555555555554444  succeeds (Mastercard)
378282246310005   succeeds (American Express)
6011111111111117  succeeds (Discover)
4000000000000002  DECLINED ``card_declined``
4000000000009995  DECLINED ``insufficient_funds``
4000000000000069  DECLINED ``expired_card``
4000000000000127  DECLINED ``incorrect_cvc``
4000000000000119  FAILED ``processing_error``
================  ==========================================================

A number failing the Luhn check is DECLINED ``incorrect_number``; an expiry before this month
``expired_card``; a month outside 1-12 ``invalid_expiry_month``; a malformed CVC
``invalid_cvc``.

Test bank accounts (routing number 110000000):

============  ======================================
000123456789  succeeds
000111111116  FAILED ``account_closed``
000222222227  FAILED ``insufficient_funds``
============  ======================================

A routing number failing the ABA checksum is FAILED ``invalid_routing_number``. Bank debits
succeed at once here; a real processor would report them as PENDING until they settle.

The store of idempotency keys is pluggable (`IdempotencyStore`): in memory by default, shared
by the processes of a demo when the service layer passes a database- or cache-backed one. The
store keeps only results and a fingerprint (amount, currency, method type, last four digits),
never card or account numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from amicable.kernel.money import ZERO, to_money
from amicable.payments.processors.base import (
    BankAccount,
    Card,
    ChargeResult,
    ChargeStatus,
    PaymentMethodInput,
    RefundResult,
    UnableToCharge,
    UnableToRefund,
    luhn_is_valid,
)

SUPPORTED_CURRENCIES = frozenset({"usd"})
TEST_ROUTING_NUMBER = "110000000"

# number -> (status, decline_code, message)
TEST_CARDS: dict[str, tuple[ChargeStatus, str, str]] = {
    "4242424242424242": ("SUCCEEDED", "", "Payment approved."),
    "5555555555554444": ("SUCCEEDED", "", "Payment approved."),
    "378282246310005": ("SUCCEEDED", "", "Payment approved."),
    "6011111111111117": ("SUCCEEDED", "", "Payment approved."),
    "4000000000000002": ("DECLINED", "card_declined", "The card was declined."),
    "4000000000009995": ("DECLINED", "insufficient_funds", "The card has insufficient funds."),
    "4000000000000069": ("DECLINED", "expired_card", "The card has expired."),
    "4000000000000127": ("DECLINED", "incorrect_cvc", "The card's security code is incorrect."),
    "4000000000000119": (
        "FAILED",
        "processing_error",
        "An error occurred while processing the card. Try again in a little while.",
    ),
}

# account number (at TEST_ROUTING_NUMBER) -> (status, decline_code, message)
TEST_BANK_ACCOUNTS: dict[str, tuple[ChargeStatus, str, str]] = {
    "000123456789": ("SUCCEEDED", "", "Bank debit accepted."),
    "000111111116": ("FAILED", "account_closed", "The bank account has been closed."),
    "000222222227": ("FAILED", "insufficient_funds", "The bank account has insufficient funds."),
}


class IdempotencyStore(Protocol):
    """Remembers the first result for each idempotency key."""

    def get(self, key: str) -> tuple[str, ChargeResult | RefundResult] | None: ...

    def put(self, key: str, fingerprint: str, result: ChargeResult | RefundResult) -> None: ...


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self._results: dict[str, tuple[str, ChargeResult | RefundResult]] = {}

    def get(self, key: str) -> tuple[str, ChargeResult | RefundResult] | None:
        return self._results.get(key)

    def put(self, key: str, fingerprint: str, result: ChargeResult | RefundResult) -> None:
        self._results.setdefault(key, (fingerprint, result))


@dataclass(frozen=True, slots=True)
class SimulatedCharge:
    """A charge the simulator actually processed (what a processor's dashboard would list)."""

    reference: str
    amount: Decimal
    currency: str
    status: ChargeStatus
    last4: str
    description: str


class SimulatedProcessor:
    """The `PaymentProcessor` for the demo and tests.

    ``today`` is a callable (the entry point passes the clock; tests pass a fixed date) because
    expiry checks need a date and this module never reads the clock.
    """

    name = "simulated"

    def __init__(self, *, today: Callable[[], date], store: IdempotencyStore | None = None) -> None:
        self._today = today
        self._store: IdempotencyStore = store if store is not None else InMemoryIdempotencyStore()
        self.charges: list[SimulatedCharge] = []
        self.refunds: list[RefundResult] = []

    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        method: PaymentMethodInput,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        amount = _check_amount(amount, currency=currency, error=UnableToCharge)
        if not idempotency_key:
            raise UnableToCharge("an idempotency key is required")
        fingerprint = f"{amount}|{currency.lower()}|{method.method_type}|{method.last4}"
        key = f"charge:{idempotency_key}"
        remembered = self._store.get(key)
        if remembered is not None:
            first_fingerprint, first_result = remembered
            if first_fingerprint != fingerprint or not isinstance(first_result, ChargeResult):
                raise UnableToCharge("this idempotency key was already used for a different charge")
            return first_result
        reference = "sim_ch_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        if method.card is not None:
            status, code, message = self._card_outcome(method.card)
            brand = method.card.brand
        elif method.bank_account is not None:
            status, code, message = _bank_outcome(method.bank_account)
            brand = ""
        else:
            raise UnableToCharge("the simulated processor takes card or bank details, not tokens")
        result = ChargeResult(
            status=status,
            processor_reference=reference,
            decline_code=code,
            message=message,
            last4=method.last4,
            brand=brand,
            method_type=method.method_type,
            amount=amount,
            currency=currency.lower(),
        )
        self.charges.append(
            SimulatedCharge(
                reference=reference,
                amount=amount,
                currency=currency.lower(),
                status=status,
                last4=method.last4,
                description=description,
            )
        )
        self._store.put(key, fingerprint, result)
        return result

    def refund(
        self,
        *,
        processor_reference: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reason: str = "",
    ) -> RefundResult:
        amount = _check_amount(amount, currency=currency, error=UnableToRefund)
        if not idempotency_key:
            raise UnableToRefund("an idempotency key is required")
        fingerprint = f"{processor_reference}|{amount}|{currency.lower()}"
        key = f"refund:{idempotency_key}"
        remembered = self._store.get(key)
        if remembered is not None:
            first_fingerprint, first_result = remembered
            if first_fingerprint != fingerprint or not isinstance(first_result, RefundResult):
                raise UnableToRefund("this idempotency key was already used for a different refund")
            return first_result
        charge = next(
            (
                item
                for item in self.charges
                if item.reference == processor_reference and item.status == "SUCCEEDED"
            ),
            None,
        )
        if charge is None:
            raise UnableToRefund(f"no successful charge {processor_reference!r} to refund")
        refunded = sum(
            (item.amount for item in self.refunds if item.charge_reference == processor_reference),
            ZERO,
        )
        if amount > charge.amount - refunded:
            raise UnableToRefund(
                f"cannot refund {amount}: only {charge.amount - refunded} of the charge is left"
            )
        result = RefundResult(
            status="SUCCEEDED",
            processor_reference="sim_re_"
            + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24],
            charge_reference=processor_reference,
            amount=amount,
            message=reason,
        )
        self.refunds.append(result)
        self._store.put(key, fingerprint, result)
        return result

    def _card_outcome(self, card: Card) -> tuple[ChargeStatus, str, str]:
        if not luhn_is_valid(card.number):
            return "DECLINED", "incorrect_number", "The card number is incorrect."
        if not 1 <= int(card.exp_month) <= 12:
            return "DECLINED", "invalid_expiry_month", "The card's expiry month is invalid."
        today = self._today()
        if (int(card.exp_year), int(card.exp_month)) < (today.year, today.month):
            return "DECLINED", "expired_card", "The card has expired."
        cvc_length = 4 if card.brand == "amex" else 3
        if not (card.cvc.isdigit() and len(card.cvc) == cvc_length):
            return "DECLINED", "invalid_cvc", "The card's security code is invalid."
        return TEST_CARDS.get(
            card.number,
            (
                "DECLINED",
                "test_mode_live_card",
                "The simulated processor only accepts the documented test cards.",
            ),
        )


def aba_routing_is_valid(routing_number: str) -> bool:
    """The ABA routing-number checksum (weights 3, 7, 1)."""
    if len(routing_number) != 9 or not routing_number.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing_number, weights, strict=True)) % 10 == 0


def _bank_outcome(account: BankAccount) -> tuple[ChargeStatus, str, str]:
    if not aba_routing_is_valid(account.routing_number):
        return "FAILED", "invalid_routing_number", "The routing number is invalid."
    if account.routing_number == TEST_ROUTING_NUMBER and account.account_number in (
        TEST_BANK_ACCOUNTS
    ):
        return TEST_BANK_ACCOUNTS[account.account_number]
    return (
        "FAILED",
        "no_account",
        "The simulated processor only accepts the documented test bank accounts.",
    )


def _check_amount(amount: Decimal, *, currency: str, error: type[Exception]) -> Decimal:
    if isinstance(amount, float):
        raise error("money must be a Decimal, not a float")
    if currency.lower() not in SUPPORTED_CURRENCIES:
        raise error(f"unsupported currency {currency!r}")
    amount = Decimal(amount)
    if amount != to_money(amount) or amount <= ZERO:
        raise error("the amount must be a positive number of cents")
    return to_money(amount)
