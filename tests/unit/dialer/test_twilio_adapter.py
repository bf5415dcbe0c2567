"""The Twilio adapter against recorded request/response fixtures modelled on Twilio's
Programmable Voice documentation (fixtures/twilio/): the exact request the adapter must send
(method, URL, headers with basic auth, form body in order) and Twilio's answer; status and AMD
callbacks with their X-Twilio-Signature. The fake transport asserts and replays: no network."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from amicable.dialer.telephony.base import TelephonyProvider, UnableToPlaceCall
from amicable.dialer.telephony.twilio import (
    HttpResponse,
    SoftphoneCredentials,
    TransportError,
    TwilioProvider,
    access_token,
    agent_identity,
    bridge_twiml,
    compute_signature,
    parse_callback,
    validate_signature,
)

FIXTURES = Path(__file__).parent / "fixtures" / "twilio"
ACCOUNT_SID = "AC00000000000000000000000000000001"
AUTH_TOKEN = "fixture_auth_token_0000000000000"
NOW = datetime(2026, 4, 6, 14, 0, tzinfo=UTC)


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


class Replay:
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


def provider(transport):
    return TwilioProvider(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+12125550100",
        public_url="https://amicable.example.com",
        callback_number="+18005550199",
        transport=transport,
    )


def test_it_is_a_telephony_provider():
    assert isinstance(provider(Replay(load("create_call"))), TelephonyProvider)


def test_create_call_with_answering_machine_detection_and_status_callbacks():
    fixture = load("create_call")
    replay = Replay(fixture)

    sid = provider(replay).place_call(now=NOW, **fixture["input"])

    assert sid == fixture["response"]["body"]["sid"]
    assert len(replay.requests) == 1


def test_a_refused_call_raises_without_the_number_in_the_message():
    fixture = load("create_call_invalid_to")
    with pytest.raises(UnableToPlaceCall) as error:
        provider(Replay(fixture)).place_call(now=NOW, **fixture["input"])
    assert "21211" in str(error.value) and "555" not in str(error.value)


def test_network_failure_is_unable_to_place_call():
    def down(request):
        raise TransportError("URLError")

    with pytest.raises(UnableToPlaceCall, match="could not be reached"):
        provider(down).place_call(call_ref="1", to="+15185550134", now=NOW)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("bridge_to_agent", lambda p, i: p.bridge(i["call_id"], i["agent_id"])),
        ("safe_harbour", lambda p, i: p.play_safe_harbour_and_hang_up(i["call_id"])),
        ("hang_up", lambda p, i: p.hang_up(i["call_id"])),
    ],
)
def test_steering_a_live_call(name, action):
    fixture = load(name)
    replay = Replay(fixture)
    action(provider(replay), fixture["input"])
    assert len(replay.requests) == 1


def test_the_safe_harbour_message_names_us_and_a_number_and_nothing_about_the_debt():
    twiml = dict(load("safe_harbour")["request"]["form"])["Twiml"]
    assert (
        "Amicable" in twiml
        and "8 0 0 5 5 5 0 1 9 9" in twiml
        and twiml.endswith("<Hangup/></Response>")
    )
    assert "debt" not in twiml.lower()


def test_signature_matches_twilios_published_example():
    # The example in Twilio's "Validating requests" documentation.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert compute_signature(url, params.items(), "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


CALLBACKS = sorted(p.stem for p in FIXTURES.glob("callback_*.json"))


@pytest.mark.parametrize("name", CALLBACKS)
def test_recorded_callbacks_validate_and_parse(name):
    fixture = load(name)
    params = list(fixture["params"].items())
    assert validate_signature(fixture["url"], params, fixture["signature"], AUTH_TOKEN)

    event = parse_callback(fixture["params"], at=NOW)

    expected = fixture["expected"]
    if expected["kind"] is None:
        assert event is None
    else:
        assert event.kind == expected["kind"] and event.ring_seconds == expected["ring_seconds"]
        assert event.provider_call_id == fixture["params"]["CallSid"] and event.at == NOW


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url, params, sig, token: (url + "?x=1", params, sig, token),
        lambda url, params, sig, token: (url, [*params, ("Extra", "1")], sig, token),
        lambda url, params, sig, token: (url, params, sig, "another-token"),
        lambda url, params, sig, token: (url, params, "", token),
        lambda url, params, sig, token: (url, params, sig, ""),
        lambda url, params, sig, token: (
            url,
            [(k, "machine_start" if k == "AnsweredBy" else v) for k, v in params],
            sig,
            token,
        ),
    ],
)
def test_a_tampered_callback_is_refused(tamper):
    fixture = load("callback_amd_human")
    args = (fixture["url"], list(fixture["params"].items()), fixture["signature"], AUTH_TOKEN)
    assert not validate_signature(*tamper(*args))


def test_credentials_come_from_the_environment():
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+12125550100",
        "AMICABLE_PUBLIC_URL": "https://amicable.example.com/",
    }
    twilio = TwilioProvider.from_environment(env)
    assert twilio.status_callback_url == "https://amicable.example.com/dialer/twilio/status/"
    with pytest.raises(UnableToPlaceCall, match="TWILIO_ACCOUNT_SID"):
        TwilioProvider.from_environment({})
    without_address = {k: v for k, v in env.items() if k != "AMICABLE_PUBLIC_URL"}
    with pytest.raises(UnableToPlaceCall, match="set AMICABLE_PUBLIC_URL"):
        TwilioProvider.from_environment(without_address)


# -- the softphone's Access Token ----------------------------------------------------------


def softphone_credentials(fixture, *, twiml_app=True):
    return SoftphoneCredentials(
        account_sid=fixture["account_sid"],
        api_key_sid=fixture["api_key_sid"],
        api_key_secret=fixture["api_key_secret"],
        twiml_app_sid=fixture["twiml_app_sid"] if twiml_app else "",
    )


@pytest.mark.parametrize("case", ["with_twiml_app", "incoming_only"])
def test_access_tokens_are_byte_for_byte_those_of_twilios_helper_library(case):
    fixture = load("access_tokens")
    token = access_token(
        credentials=softphone_credentials(fixture, twiml_app=case == "with_twiml_app"),
        identity=fixture["identity"],
        now=datetime.fromtimestamp(fixture["issued_at"], UTC),
        ttl_seconds=fixture["ttl_seconds"],
    )

    assert token == fixture["tokens"][case]


def _decode(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_an_access_token_grants_incoming_calls_to_one_identity_and_is_signed_with_the_key_secret():
    fixture = load("access_tokens")
    token = access_token(
        credentials=softphone_credentials(fixture, twiml_app=False),
        identity=agent_identity(42),
        now=NOW,
        ttl_seconds=600,
    )

    header, claims, signature = token.split(".")
    assert _decode(header) == {"alg": "HS256", "cty": "twilio-fpa;v=1", "typ": "JWT"}
    body = _decode(claims)
    assert body["grants"] == {"voice": {"incoming": {"allow": True}}, "identity": "agent-42"}
    assert body["iss"] == fixture["api_key_sid"] and body["sub"] == fixture["account_sid"]
    assert body["nbf"] == int(NOW.timestamp()) and body["exp"] == int(NOW.timestamp()) + 600
    expected = hmac.new(
        fixture["api_key_secret"].encode(), f"{header}.{claims}".encode(), hashlib.sha256
    ).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
    # The identity the dialer bridges to is the one the token grants.
    assert "<Client>agent-42</Client>" in bridge_twiml(42)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"account_sid": "XX1"}, "must start with AC"),
        ({"api_key_sid": "AB1"}, "must start with AC"),
        ({"identity": ""}, "needs an identity"),
        ({"ttl_seconds": 0}, "between 1 and 86400"),
        ({"ttl_seconds": 86401}, "between 1 and 86400"),
    ],
)
def test_an_access_token_refuses_bad_input_with_a_clear_message(changes, message):
    fixture = load("access_tokens")
    credentials = softphone_credentials(fixture)
    fields = {k: changes[k] for k in ("account_sid", "api_key_sid") if k in changes}
    if fields:
        credentials = SoftphoneCredentials(**{**credentials.__dict__, **fields})
    with pytest.raises(ValueError, match=message):
        access_token(
            credentials=credentials,
            identity=changes.get("identity", "agent-1"),
            now=NOW,
            ttl_seconds=changes.get("ttl_seconds", 3600),
        )


def test_softphone_credentials_come_from_the_environment_or_are_absent():
    assert SoftphoneCredentials.from_environment({"TWILIO_ACCOUNT_SID": ACCOUNT_SID}) is None
    credentials = SoftphoneCredentials.from_environment(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_API_KEY_SID": "SK1",
            "TWILIO_API_KEY_SECRET": "secret",
        }
    )
    assert credentials == SoftphoneCredentials(ACCOUNT_SID, "SK1", "secret", "")


def test_a_signature_over_the_url_with_or_without_its_default_port_is_accepted():
    params = [("CallSid", "CA1"), ("CallStatus", "completed")]
    signed_with_port = compute_signature("https://dialer.example.com:443/hook", params, "tok")
    signed_without = compute_signature("https://dialer.example.com/hook", params, "tok")
    assert validate_signature("https://dialer.example.com/hook", params, signed_with_port, "tok")
    assert validate_signature("https://dialer.example.com:443/hook", params, signed_without, "tok")
    # Another port is another URL.
    signed_8443 = compute_signature("https://dialer.example.com:8443/hook", params, "tok")
    assert not validate_signature("https://dialer.example.com/hook", params, signed_8443, "tok")


def test_a_call_that_ended_is_its_end_even_when_the_amd_verdict_is_repeated():
    at = datetime(2026, 4, 6, 14, tzinfo=UTC)
    ended = parse_callback(
        {"CallSid": "CA1", "CallStatus": "completed", "AnsweredBy": "human"}, at=at
    )
    assert ended is not None and ended.kind == "completed"
    verdict = parse_callback(
        {"CallSid": "CA1", "CallStatus": "in-progress", "AnsweredBy": "human"}, at=at
    )
    assert verdict is not None and verdict.kind == "answered_live"


@pytest.mark.parametrize(
    ("sip_code", "kind"),
    [
        ("404", "invalid"),
        ("484", "invalid"),
        ("403", "no_answer"),
        ("503", "no_answer"),
        (None, "no_answer"),
    ],
)
def test_a_failed_call_is_a_dead_number_only_when_its_sip_response_says_so(sip_code, kind):
    """A call also fails for the account's sake (geographic permissions, a refused caller
    ID): that must not drop a good number from the campaign as not in service."""
    params = {"CallSid": "CA1", "CallStatus": "failed"}
    if sip_code is not None:
        params["SipResponseCode"] = sip_code
    event = parse_callback(params, at=datetime(2026, 4, 6, 14, tzinfo=UTC))
    assert event is not None and event.kind == kind
