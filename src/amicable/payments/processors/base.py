"""The payment-processor interface, and the card/bank details that must never be kept.

`PaymentMethodInput` carries card or bank-account details from the form to the processor and
nowhere else. It is never stored (it refuses to be pickled, so it cannot slip into a session, a
cache or a task argument), and its ``repr``/``str`` show only the last four digits, so a log line,
a debugger or an error report never prints a full number. Exceptions raised here never include
the details either. What we keep about a payment is the `ChargeResult`: the processor's
reference, the status, the brand and the last four digits.

Outcomes: a charge the processor accepted is ``SUCCEEDED``; a card the issuer refused
(insufficient funds, expired card...) is ``DECLINED``; a bank debit that was refused (closed
account...) or a processing error is ``FAILED``; both carry a ``decline_code`` the desk can
explain to the person. ``PENDING`` is for bank debits a real processor accepted but that settle
days later (Stripe's ``processing``): the service should not treat them as money received.
`UnableToCharge` is for the cases where no answer about the money exists: invalid input we refuse
to send, configuration or network problems, an idempotency key reused for a different charge. When
it is raised after the request may have reached the processor, retrying with the same idempotency
key is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from amicable.kernel.errors import UnableTo

ChargeStatus = Literal["SUCCEEDED", "PENDING", "DECLINED", "FAILED"]
RefundStatus = Literal["SUCCEEDED", "PENDING", "FAILED"]
MethodType = Literal["CARD", "BANK_ACCOUNT", "PROCESSOR_TOKEN"]
AccountType = Literal["CHECKING", "SAVINGS"]


class UnableToCharge(UnableTo):
    """No charge could be made (or its outcome is unknown); the message never holds card data."""


class UnableToRefund(UnableTo):
    pass


def digits_only(value: str) -> str:
    """Card and account numbers as typed ("4242 4242-4242 4242") reduced to their digits."""
    return "".join(character for character in str(value) if character.isdigit())


def luhn_is_valid(number: str) -> bool:
    """The Luhn check digit (ISO/IEC 7812) that every card number carries."""
    digits = digits_only(number)
    if not 12 <= len(digits) <= 19:
        return False
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = int(character)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The card network from the number's prefix (enough for a receipt, not for routing)."""
    digits = digits_only(number)
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if digits[:2] in {"51", "52", "53", "54", "55"} or "2221" <= digits[:4] <= "2720":
        return "mastercard"
    if digits.startswith("6011") or digits.startswith("65"):
        return "discover"
    return "unknown"


def _mask(value: str) -> str:
    digits = digits_only(value)
    return f"…{digits[-4:]}" if len(digits) >= 4 else "…"


class _NeverPersisted:
    """Refuses pickling and copying so card or bank details cannot be stored by accident."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError(f"{type(self).__name__} must never be persisted or serialised")

    def __str__(self) -> str:
        return repr(self)


@dataclass(frozen=True, slots=True, repr=False)
class Card(_NeverPersisted):
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    postal_code: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "number", digits_only(self.number))

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def brand(self) -> str:
        return card_brand(self.number)

    def __repr__(self) -> str:
        return f"Card(number={_mask(self.number)!r}, exp=**/****, cvc=***, postal_code=***)"


@dataclass(frozen=True, slots=True, repr=False)
class BankAccount(_NeverPersisted):
    routing_number: str
    account_number: str
    account_type: AccountType
    holder_name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "routing_number", digits_only(self.routing_number))
        object.__setattr__(self, "account_number", digits_only(self.account_number))

    @property
    def last4(self) -> str:
        return self.account_number[-4:]

    def __repr__(self) -> str:
        return (
            f"BankAccount(routing_number={_mask(self.routing_number)!r}, "
            f"account_number={_mask(self.account_number)!r}, "
            f"account_type={self.account_type!r}, holder_name=***)"
        )


@dataclass(frozen=True, slots=True, repr=False)
class PaymentMethodInput(_NeverPersisted):
    """Exactly one of: a card, a bank account, or a processor token (e.g. a Stripe
    PaymentMethod id ``pm_...`` collected by the processor's own form, which keeps card numbers
    off our servers altogether: the preferred way in production)."""

    card: Card | None = None
    bank_account: BankAccount | None = None
    processor_token: str | None = None

    def __post_init__(self) -> None:
        given = [self.card, self.bank_account, self.processor_token]
        if sum(value is not None for value in given) != 1:
            raise UnableToCharge(
                "give exactly one payment method: a card, a bank account or a token"
            )

    @property
    def method_type(self) -> MethodType:
        if self.card is not None:
            return "CARD"
        if self.bank_account is not None:
            return "BANK_ACCOUNT"
        return "PROCESSOR_TOKEN"

    @property
    def last4(self) -> str:
        if self.card is not None:
            return self.card.last4
        if self.bank_account is not None:
            return self.bank_account.last4
        return ""

    def __repr__(self) -> str:
        if self.card is not None:
            return f"PaymentMethodInput(card={self.card!r})"
        if self.bank_account is not None:
            return f"PaymentMethodInput(bank_account={self.bank_account!r})"
        return f"PaymentMethodInput(processor_token={self.processor_token!r})"


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """What we keep about a charge attempt (safe to store and log: no full numbers)."""

    status: ChargeStatus
    processor_reference: str
    decline_code: str = ""
    message: str = ""
    last4: str = ""
    brand: str = ""
    method_type: MethodType = "CARD"
    amount: Decimal | None = None
    currency: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


@dataclass(frozen=True, slots=True)
class RefundResult:
    status: RefundStatus
    processor_reference: str
    charge_reference: str
    amount: Decimal
    message: str = ""


class PaymentProcessor(Protocol):
    """What the payments service needs from a processor.

    ``amount`` is a positive Decimal in the currency's major unit (dollars); ``currency`` an ISO
    4217 code (``"usd"``). The ``idempotency_key`` makes retries safe: the same key returns the
    first result and never charges twice. ``metadata`` goes to the processor as is: put ids
    there (debt, payment), never personal or card data.
    """

    name: str

    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        method: PaymentMethodInput,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult: ...

    def refund(
        self,
        *,
        processor_reference: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reason: str = "",
    ) -> RefundResult: ...
