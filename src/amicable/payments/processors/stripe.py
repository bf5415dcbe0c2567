"""A Stripe adapter over Stripe's documented REST API (PaymentIntents), standard library only.

A charge is one request: ``POST /v1/payment_intents`` with ``confirm=true``, the amount in cents,
the currency, and the payment method, form-encoded, with an ``Idempotency-Key`` header (Stripe
saves the first response for a key and replays it, with ``Idempotent-Replayed: true``, so a
retried or double-clicked submission never charges twice) and the secret key as a bearer token.
``expand[0]=payment_method`` returns the card's brand and last four digits for the receipt.

Card data in production: sending raw card numbers to Stripe's API needs special permission
from Stripe (and puts our servers in PCI DSS scope beyond SAQ A). In production the card is
collected by Stripe Elements (or a Stripe-hosted page) in the browser, which returns a
PaymentMethod id (``pm_...``); pass it as ``PaymentMethodInput(processor_token="pm_...")`` and no
card number ever reaches our servers. Raw card fields (``payment_method_data[card][...]``) are
supported for accounts that have that permission and for Stripe's test mode with test numbers.
Bank accounts are sent as a ``us_bank_account`` PaymentMethod with an offline mandate (the agent
records the person's authorisation on the call); Stripe answers ``processing`` and the debit
settles days later, which we report as ``PENDING``.

Outcomes: ``succeeded`` is SUCCEEDED; ``processing`` PENDING; a ``card_error`` (HTTP 402) is
DECLINED with Stripe's ``decline_code`` (or its ``code`` when there is none, e.g.
``expired_card``), and FAILED for ``processing_error``; ``requires_action`` (3-D Secure, which an
agent-keyed payment cannot complete) is DECLINED ``authentication_required``. Everything else
(bad key, invalid request, reused idempotency key, rate limit, Stripe or network down) raises
`UnableToCharge`; for network and 5xx errors the outcome is unknown and retrying with the same
idempotency key is safe.

Configuration: the caller reads the secret key from the environment (``STRIPE_SECRET_KEY``) and
passes it to the constructor; this module reads no settings. The HTTP transport is injectable so
the tests replay recorded request/response fixtures.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from amicable.kernel.http_transport import (  # noqa: F401  (part of this adapter's API)
    HttpRequest,
    HttpResponse,
    Transport,
    TransportError,
    urllib_transport,
)
from amicable.kernel.money import ZERO, to_money
from amicable.payments.processors.base import (
    ChargeResult,
    ChargeStatus,
    PaymentMethodInput,
    RefundResult,
    RefundStatus,
    UnableToCharge,
    UnableToRefund,
)

API_BASE = "https://api.stripe.com"
SUPPORTED_CURRENCIES = frozenset({"usd"})  # two-decimal currencies only: amounts go in cents
_REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
_LONG_DIGITS = re.compile(r"\d[\d -]{6,}\d")


class StripeProcessor:
    """The `PaymentProcessor` for Stripe. ``secret_key`` comes from ``STRIPE_SECRET_KEY``."""

    name = "stripe"

    def __init__(
        self,
        *,
        secret_key: str,
        transport: Transport = urllib_transport,
        api_base: str = API_BASE,
        api_version: str | None = None,
    ) -> None:
        if not secret_key or not secret_key.startswith(("sk_", "rk_")):
            raise UnableToCharge("set STRIPE_SECRET_KEY to a Stripe secret key (sk_...)")
        self._secret_key = secret_key
        self._transport = transport
        self._api_base = api_base.rstrip("/")
        self._api_version = api_version

    def __repr__(self) -> str:
        return f"StripeProcessor(secret_key='{self._secret_key[:8]}…', api_base={self._api_base!r})"

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
        cents = _cents(amount, currency=currency, error=UnableToCharge)
        if not idempotency_key:
            raise UnableToCharge("an idempotency key is required")
        form: list[tuple[str, str]] = [
            ("amount", str(cents)),
            ("currency", currency.lower()),
            ("confirm", "true"),
            ("description", description),
            *_method_fields(method),
            *((f"metadata[{key}]", str(value)) for key, value in sorted(metadata.items())),
            ("expand[0]", "payment_method"),
        ]
        response = self._post("/v1/payment_intents", form, idempotency_key, error=UnableToCharge)
        payload = _json(response, error=UnableToCharge)
        if 200 <= response.status < 300:
            return _charge_result(payload, method=method)
        stripe_error = payload.get("error") or {}
        if stripe_error.get("type") == "card_error":
            return _card_error_result(stripe_error, method=method, cents=cents, currency=currency)
        raise UnableToCharge(_failure_message(response.status, stripe_error))

    def refund(
        self,
        *,
        processor_reference: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reason: str = "",
    ) -> RefundResult:
        """``POST /v1/refunds`` for (part of) a PaymentIntent; ``reason`` is sent as Stripe's
        ``reason`` when it is one of Stripe's codes, otherwise as metadata."""
        cents = _cents(amount, currency=currency, error=UnableToRefund)
        if not idempotency_key:
            raise UnableToRefund("an idempotency key is required")
        form = [("payment_intent", processor_reference), ("amount", str(cents))]
        if reason in _REFUND_REASONS:
            form.append(("reason", reason))
        elif reason:
            form.append(("metadata[reason]", reason))
        response = self._post("/v1/refunds", form, idempotency_key, error=UnableToRefund)
        payload = _json(response, error=UnableToRefund)
        if not 200 <= response.status < 300:
            raise UnableToRefund(_failure_message(response.status, payload.get("error") or {}))
        stripe_status = payload.get("status")
        status: RefundStatus = (
            "SUCCEEDED"
            if stripe_status == "succeeded"
            else "FAILED"
            if stripe_status in {"failed", "canceled"}
            else "PENDING"
        )
        return RefundResult(
            status=status,
            processor_reference=str(payload.get("id", "")),
            charge_reference=processor_reference,
            amount=to_money(Decimal(int(payload.get("amount", cents))) / 100),
            message=str(payload.get("failure_reason") or ""),
        )

    def _post(
        self,
        path: str,
        form: list[tuple[str, str]],
        idempotency_key: str,
        *,
        error: type[Exception],
    ) -> HttpResponse:
        headers = {
            "Authorization": f"Bearer {self._secret_key}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": idempotency_key,
        }
        if self._api_version:
            headers["Stripe-Version"] = self._api_version
        request = HttpRequest(
            method="POST",
            url=f"{self._api_base}{path}",
            headers=headers,
            body=urlencode(form).encode("ascii"),
        )
        try:
            return self._transport(request)
        except TransportError as failure:
            raise error(
                f"could not reach Stripe ({failure}); the outcome is unknown: retry with the same "
                "idempotency key"
            ) from None


def _method_fields(method: PaymentMethodInput) -> list[tuple[str, str]]:
    if method.processor_token is not None:
        return [("payment_method", method.processor_token)]
    if method.card is not None:
        card = method.card
        fields = [
            ("payment_method_types[0]", "card"),
            ("payment_method_data[type]", "card"),
            ("payment_method_data[card][number]", card.number),
            ("payment_method_data[card][exp_month]", str(int(card.exp_month))),
            ("payment_method_data[card][exp_year]", str(int(card.exp_year))),
            ("payment_method_data[card][cvc]", card.cvc),
        ]
        if card.postal_code:
            fields.append(
                ("payment_method_data[billing_details][address][postal_code]", card.postal_code)
            )
        return fields
    account = method.bank_account
    assert account is not None
    return [
        ("payment_method_types[0]", "us_bank_account"),
        ("payment_method_data[type]", "us_bank_account"),
        ("payment_method_data[us_bank_account][routing_number]", account.routing_number),
        ("payment_method_data[us_bank_account][account_number]", account.account_number),
        ("payment_method_data[us_bank_account][account_holder_type]", "individual"),
        ("payment_method_data[us_bank_account][account_type]", account.account_type.lower()),
        ("payment_method_data[billing_details][name]", account.holder_name),
        ("mandate_data[customer_acceptance][type]", "offline"),
    ]


def _charge_result(intent: dict[str, Any], *, method: PaymentMethodInput) -> ChargeResult:
    last4, brand = _method_details(intent.get("payment_method"), method=method)
    stripe_status = intent.get("status")
    status: ChargeStatus
    code = ""
    message = ""
    if stripe_status == "succeeded":
        status, message = "SUCCEEDED", "Payment approved."
    elif stripe_status == "processing":
        status, message = "PENDING", "Bank debit submitted; it settles in a few business days."
    elif stripe_status == "requires_action":
        status, code = "DECLINED", "authentication_required"
        message = "The card issuer asks the cardholder to authenticate; use another card."
    else:
        last_error = intent.get("last_payment_error") or {}
        status = "DECLINED"
        code = last_error.get("decline_code") or last_error.get("code") or str(stripe_status)
        message = _scrub(last_error.get("message") or f"Stripe status {stripe_status}")
    return ChargeResult(
        status=status,
        processor_reference=str(intent.get("id", "")),
        decline_code=code,
        message=message,
        last4=last4,
        brand=brand,
        method_type=method.method_type,
        amount=to_money(Decimal(int(intent.get("amount", 0))) / 100),
        currency=str(intent.get("currency", "")),
    )


def _card_error_result(
    stripe_error: dict[str, Any], *, method: PaymentMethodInput, cents: int, currency: str
) -> ChargeResult:
    intent = stripe_error.get("payment_intent") or {}
    code = stripe_error.get("decline_code") or stripe_error.get("code") or "card_declined"
    last4, brand = _method_details(
        intent.get("payment_method") or stripe_error.get("payment_method"), method=method
    )
    return ChargeResult(
        status="FAILED" if code == "processing_error" else "DECLINED",
        processor_reference=str(intent.get("id") or stripe_error.get("charge") or ""),
        decline_code=str(code),
        message=_scrub(stripe_error.get("message") or "The card was declined."),
        last4=last4,
        brand=brand,
        method_type=method.method_type,
        amount=to_money(Decimal(cents) / 100),
        currency=currency.lower(),
    )


def _method_details(payment_method: Any, *, method: PaymentMethodInput) -> tuple[str, str]:
    """Last four digits and brand from the expanded PaymentMethod, else from our input."""
    if isinstance(payment_method, dict):
        card = payment_method.get("card") or {}
        bank = payment_method.get("us_bank_account") or {}
        if card:
            return str(card.get("last4", "")), str(card.get("brand", ""))
        if bank:
            return str(bank.get("last4", "")), str(bank.get("bank_name", ""))
    brand = method.card.brand if method.card is not None else ""
    return method.last4, brand


def _failure_message(status: int, stripe_error: dict[str, Any]) -> str:
    kind = stripe_error.get("type", "")
    code = stripe_error.get("code", "")
    detail = _scrub(stripe_error.get("message") or "")
    if status == 401 or kind == "authentication_error":
        return "Stripe rejected the secret key: check STRIPE_SECRET_KEY"
    if kind == "idempotency_error" or status == 409:
        return "this idempotency key was already used for a different request"
    if status == 429 or kind == "rate_limit_error":
        return "Stripe is rate limiting requests; retry with the same idempotency key shortly"
    if status >= 500 or kind == "api_error":
        return "Stripe had an error; the outcome is unknown: retry with the same idempotency key"
    return f"Stripe refused the request ({status} {kind} {code}): {detail}".strip()


def _json(response: HttpResponse, *, error: type[Exception]) -> dict[str, Any]:
    try:
        payload = json.loads(response.body or b"{}")
    except ValueError:
        raise error(f"Stripe answered {response.status} with a body that is not JSON") from None
    if not isinstance(payload, dict):
        raise error(f"Stripe answered {response.status} with an unexpected body")
    return payload


def _cents(amount: Decimal, *, currency: str, error: type[Exception]) -> int:
    if isinstance(amount, float):
        raise error("money must be a Decimal, not a float")
    if currency.lower() not in SUPPORTED_CURRENCIES:
        raise error(f"unsupported currency {currency!r}")
    amount = Decimal(amount)
    if amount != to_money(amount) or amount <= ZERO:
        raise error("the amount must be a positive number of cents")
    return int(to_money(amount) * 100)


def _scrub(text: str) -> str:
    """Remove anything that looks like a card or account number from a message we keep."""
    return _LONG_DIGITS.sub("[redacted]", str(text))
