"""The Stripe adapter against recorded request/response fixtures modelled on Stripe's docs.

Each fixture in fixtures/stripe/ holds the input, the exact request the adapter must send
(method, URL, headers including Idempotency-Key, form body in order) and Stripe's response. The
fake transport asserts the request and replays the response: no network.
"""

import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from amicable.payments.processors.base import (
    BankAccount,
    Card,
    PaymentMethodInput,
    UnableToCharge,
    UnableToRefund,
)
from amicable.payments.processors.stripe import (
    HttpResponse,
    StripeProcessor,
    TransportError,
)

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
SECRET_KEY = "sk_test_amicable_fixture_key"


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


class Replay:
    """A transport that checks the request against the fixture and returns its response."""

    def __init__(self, fixture):
        self.fixture = fixture
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        expected = self.fixture["request"]
        assert request.method == expected["method"]
        assert request.url == expected["url"]
        assert request.headers == expected["headers"]
        assert parse_qsl(request.body.decode("ascii")) == [tuple(p) for p in expected["form"]]
        response = self.fixture["response"]
        return HttpResponse(
            status=response["status"],
            headers=response["headers"],
            body=json.dumps(response["body"]).encode(),
        )


def method_from(data):
    if "card" in data:
        return PaymentMethodInput(card=Card(**data["card"]))
    if "bank_account" in data:
        return PaymentMethodInput(bank_account=BankAccount(**data["bank_account"]))
    return PaymentMethodInput(processor_token=data["processor_token"])


def run_charge(name):
    fixture = load(name)
    transport = Replay(fixture)
    processor = StripeProcessor(secret_key=SECRET_KEY, transport=transport)
    given = fixture["input"]
    result = processor.charge(
        amount=Decimal(given["amount"]),
        currency=given["currency"],
        method=method_from(given["method"]),
        idempotency_key=given["idempotency_key"],
        description=given["description"],
        metadata=given["metadata"],
    )
    assert len(transport.requests) == 1
    return result, transport


@pytest.mark.parametrize(
    ("fixture", "status", "reference", "code", "last4", "brand", "amount"),
    [
        (
            "payment_intent_succeeded",
            "SUCCEEDED",
            "pi_3PgBnpLkdIwHu7ix0wzXQZ1a",
            "",
            "4242",
            "visa",
            "125.00",
        ),
        (
            "idempotent_replay",
            "SUCCEEDED",
            "pi_3PgBnpLkdIwHu7ix0wzXQZ1a",
            "",
            "4242",
            "visa",
            "125.00",
        ),
        (
            "card_declined",
            "DECLINED",
            "pi_3PgBoqLkdIwHu7ix1Declined",
            "generic_decline",
            "0002",
            "visa",
            "125.00",
        ),
        (
            "insufficient_funds",
            "DECLINED",
            "pi_3PgBpALkdIwHu7ix1NoFunds",
            "insufficient_funds",
            "9995",
            "visa",
            "125.00",
        ),
        (
            "expired_card",
            "DECLINED",
            "pi_3PgBpQLkdIwHu7ix1Expired",
            "expired_card",
            "0069",
            "visa",
            "125.00",
        ),
        (
            "payment_method_token_succeeded",
            "SUCCEEDED",
            "pi_3PgBqRLkdIwHu7ix0Elements",
            "",
            "4444",
            "mastercard",
            "80.25",
        ),
        (
            "bank_account_processing",
            "PENDING",
            "pi_3PgBrSLkdIwHu7ix0AchDebit",
            "",
            "6789",
            "STRIPE TEST BANK",
            "50.00",
        ),
    ],
)
def test_charges_map_stripe_responses(fixture, status, reference, code, last4, brand, amount):
    result, _ = run_charge(fixture)
    assert result.status == status
    assert result.processor_reference == reference
    assert result.decline_code == code
    assert (result.last4, result.brand) == (last4, brand)
    assert result.amount == Decimal(amount) and result.currency == "usd"


def test_the_exact_request_for_a_card_payment():
    _, transport = run_charge("payment_intent_succeeded")
    request = transport.requests[0]
    assert request.url == "https://api.stripe.com/v1/payment_intents"
    assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert request.headers["Idempotency-Key"] == "pay-M-1001-0001"
    body = request.body.decode("ascii")
    assert body.startswith("amount=12500&currency=usd&confirm=true&description=Payment+on+")
    assert "payment_method_data%5Bcard%5D%5Bnumber%5D=4242424242424242" in body
    assert body.endswith("expand%5B0%5D=payment_method")


def test_a_replay_gives_the_same_result_as_the_first_answer():
    first, _ = run_charge("payment_intent_succeeded")
    replayed, transport = run_charge("idempotent_replay")
    assert replayed == first
    assert transport.fixture["response"]["headers"]["Idempotent-Replayed"] == "true"


def test_declines_carry_stripe_message_for_the_desk():
    result, _ = run_charge("insufficient_funds")
    assert result.message == "Your card has insufficient funds."


def test_a_key_reused_with_other_parameters_raises():
    with pytest.raises(UnableToCharge, match="idempotency key was already used"):
        run_charge("idempotency_error")


def test_refund():
    fixture = load("refund_succeeded")
    processor = StripeProcessor(secret_key=SECRET_KEY, transport=Replay(fixture))
    given = fixture["input"]
    refund = processor.refund(
        processor_reference=given["processor_reference"],
        amount=Decimal(given["amount"]),
        currency=given["currency"],
        idempotency_key=given["idempotency_key"],
        reason=given["reason"],
    )
    assert refund.status == "SUCCEEDED"
    assert refund.processor_reference == "re_3PgBnpLkdIwHu7ix0Refund1"
    assert refund.amount == Decimal("25.00")


def answering(status, body):
    def transport(request):
        return HttpResponse(status=status, body=json.dumps(body).encode())

    return transport


def card_method():
    return PaymentMethodInput(
        card=Card(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
    )


def charge_with(transport):
    return StripeProcessor(secret_key=SECRET_KEY, transport=transport).charge(
        amount=Decimal("10.00"),
        currency="usd",
        method=card_method(),
        idempotency_key="k",
        description="",
        metadata={},
    )


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}, "key"),
        (429, {"error": {"type": "invalid_request_error", "code": "rate_limit"}}, "rate limit"),
        (500, {"error": {"type": "api_error", "message": "oops"}}, "outcome is unknown"),
        (
            400,
            {
                "error": {
                    "type": "invalid_request_error",
                    "code": "parameter_missing",
                    "message": "Missing required param: amount.",
                }
            },
            "parameter_missing",
        ),
    ],
)
def test_errors_that_are_not_declines_raise(status, body, message):
    with pytest.raises(UnableToCharge, match=message):
        charge_with(answering(status, body))


def test_a_network_failure_says_the_outcome_is_unknown():
    def down(request):
        raise TransportError("TimeoutError")

    with pytest.raises(UnableToCharge, match="retry with the same idempotency key"):
        charge_with(down)


def test_card_numbers_in_stripe_messages_are_scrubbed():
    body = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "message": "Card 4242 4242 4242 4242 was declined",
        }
    }
    result = charge_with(answering(402, body))
    assert "4242 4242" not in result.message and "[redacted]" in result.message


def test_requires_action_is_a_decline_the_agent_can_explain():
    body = {"id": "pi_1", "status": "requires_action", "amount": 1000, "currency": "usd"}
    result = charge_with(answering(200, body))
    assert (result.status, result.decline_code) == ("DECLINED", "authentication_required")


def test_the_secret_key_is_required_and_never_shown():
    with pytest.raises(UnableToCharge, match="STRIPE_SECRET_KEY"):
        StripeProcessor(secret_key="")
    assert SECRET_KEY not in repr(StripeProcessor(secret_key=SECRET_KEY))


def test_refund_errors_raise():
    body = {"error": {"type": "invalid_request_error", "code": "charge_already_refunded"}}
    processor = StripeProcessor(secret_key=SECRET_KEY, transport=answering(400, body))
    with pytest.raises(UnableToRefund, match="charge_already_refunded"):
        processor.refund(
            processor_reference="pi_1",
            amount=Decimal("1.00"),
            currency="usd",
            idempotency_key="r",
        )
