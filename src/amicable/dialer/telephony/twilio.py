"""A Twilio adapter over Programmable Voice's documented REST API, standard library only.

Placing a call: ``POST /2010-04-01/Accounts/{AccountSid}/Calls.json`` (form-encoded, HTTP basic
auth with the Account SID and Auth Token) with ``To``, ``From``, ``Twiml`` (what the answered
call hears while the dialer decides: a short pause), ``MachineDetection`` (``Enable``: a verdict
as soon as Twilio knows who answered), ``AsyncAmd=true`` with ``AsyncAmdStatusCallback`` (the
call proceeds while detection runs; the verdict ``AnsweredBy`` is POSTed to our callback),
``StatusCallback`` with ``StatusCallbackEvent`` ``initiated ringing answered completed``, and
``Timeout`` (seconds of ringing before no-answer). Twilio answers 201 with the Call resource;
its ``sid`` (``CA...``) is the provider call id.

Steering a live call: ``POST .../Calls/{Sid}.json`` with new ``Twiml`` replaces what the call
is doing: ``<Dial><Client>agent-7</Client></Dial>`` bridges the person to the agent's browser
(Twilio Voice SDK identity ``agent-{id}``); ``<Say>`` the safe-harbour message then
``<Hangup/>`` abandons politely; ``Status=completed`` hangs up.

Callbacks (to ``/dialer/twilio/status/``) carry ``CallSid``, ``CallStatus`` (queued, initiated,
ringing, in-progress, completed, busy, failed, no-answer, canceled) and, from asynchronous AMD,
``AnsweredBy`` (human, machine_start, machine_end_beep, machine_end_silence,
machine_end_other, fax, unknown). Each is signed: ``X-Twilio-Signature`` is the base64 HMAC-SHA1,
keyed with the Auth Token, of the full URL Twilio called followed by every POST parameter's name
and value, sorted by name, with no separators. `validate_signature` checks it in constant time.

The agent's softphone: the agent's browser runs the Twilio Voice JavaScript SDK, registered
as ``agent-{id}``, with an Access Token we sign (`access_token`): a JWT (HS256, header ``cty``
``twilio-fpa;v=1``) signed with an API Key's secret, issued by the API Key (``iss``, ``SK...``)
for the account (``sub``), carrying the identity and a Voice grant that allows incoming calls
(and outgoing ones through a TwiML App, when one is configured).

Configuration: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_FROM_NUMBER`` and the
public base URL of this installation (``AMICABLE_PUBLIC_URL``) are read by the caller
(`from_environment`); the softphone also needs ``TWILIO_API_KEY_SID`` and
``TWILIO_API_KEY_SECRET`` (and optionally ``TWILIO_TWIML_APP_SID``); the HTTP transport is
injectable, so tests replay recorded fixtures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit
from xml.sax.saxutils import escape

from amicable.dialer.telephony.base import (
    ANSWERED_LIVE,
    ANSWERED_MACHINE,
    BUSY,
    COMPLETED,
    INVALID,
    NO_ANSWER,
    PICKED_UP,
    SAFE_HARBOUR_MESSAGE,
    CallEvent,
    UnableToPlaceCall,
)
from amicable.kernel.http_transport import (  # noqa: F401  (part of this adapter's API)
    HttpRequest,
    HttpResponse,
    Transport,
    TransportError,
    urllib_transport,
)

API_BASE = "https://api.twilio.com"
STATUS_CALLBACK_PATH = "/dialer/twilio/status/"
#: What the person hears between answering and the dialer's decision (AMD, then an agent).
HOLD_TWIML = '<Response><Pause length="60"/></Response>'

#: CallStatus values that end a dial without anyone answering, as event kinds.
_FINAL_STATUSES = {
    "busy": BUSY,
    "no-answer": NO_ANSWER,
    "failed": NO_ANSWER,  # unless its SIP response says the number does not exist, below
    "canceled": NO_ANSWER,
    "completed": COMPLETED,
}
#: SIP responses (RFC 3261) that say the number itself is not in service: not found, gone,
#: address incomplete, does not exist anywhere. A call fails for other reasons too (the
#: account's geographic permissions, a caller ID Twilio refuses, a carrier outage), and
#: those must not mark a good number dead and drop the person from the campaign: they end
#: the dial as unanswered, retried later.
_NUMBER_NOT_IN_SERVICE_SIP = {"404", "410", "484", "604"}
_HUMAN = {"human", "unknown"}  # unknown: treat as a person (never leave a person in silence)


# -- request validation ----------------------------------------------------------------------


def compute_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature for a POST to `url` with form `params`."""
    data = url + "".join(f"{name}{value}" for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def validate_signature(
    url: str, params: Iterable[tuple[str, str]], signature: str, auth_token: str
) -> bool:
    """Whether `signature` is Twilio's for this request. Like Twilio's own validators, the URL
    is also tried with and without its default port (Twilio may sign either)."""
    if not signature or not auth_token:
        return False
    params = list(params)
    for candidate in _with_and_without_default_port(url):
        expected = compute_signature(candidate, params, auth_token)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return True
    return False


def _with_and_without_default_port(url: str) -> list[str]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if default is None or "@" in parts.netloc or parts.port not in (None, default):
        return [url]
    host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    variants = (
        parts._replace(netloc=host).geturl(),
        parts._replace(netloc=f"{host}:{default}").geturl(),
    )
    return [url, *(variant for variant in variants if variant != url)]


def parse_callback(params: Mapping[str, str], *, at: datetime) -> CallEvent | None:
    """The dialer's event for one status or AMD callback (None: nothing the dialer acts on,
    e.g. ``ringing``). ``in-progress`` without ``AnsweredBy`` is the pick-up: the AMD verdict
    follows, and the pacing policy already counts on a likely person."""
    call_sid = params.get("CallSid", "")
    if not call_sid:
        return None
    status = params.get("CallStatus", "")
    final = _FINAL_STATUSES.get(status)
    if status == "failed" and params.get("SipResponseCode", "") in _NUMBER_NOT_IN_SERVICE_SIP:
        final = INVALID
    if final is not None:
        # First: a status callback of a call that ended may repeat the AMD verdict
        # (`AnsweredBy`), and the end is what happened now. CallDuration is the time the call
        # was up, not the ring time: the loop measures the ring from when it placed the call.
        return CallEvent(call_sid, final, at, None)
    answered_by = params.get("AnsweredBy", "")
    if answered_by:
        kind = ANSWERED_LIVE if answered_by in _HUMAN else ANSWERED_MACHINE
        return CallEvent(call_sid, kind, at, None)
    if status == "in-progress":
        return CallEvent(call_sid, PICKED_UP, at, None)
    return None


# -- the provider ----------------------------------------------------------------------------


class TwilioProvider:
    """The `TelephonyProvider` for Twilio. Callback-driven: `poll_events` returns nothing; the
    status-callback view stores events for the loop."""

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        public_url: str,
        transport: Transport = urllib_transport,
        api_base: str = API_BASE,
        machine_detection: str = "Enable",
        ring_timeout_seconds: int = 26,
        callback_number: str = "",
    ) -> None:
        if not account_sid.startswith("AC") or not auth_token or not from_number:
            raise UnableToPlaceCall(
                "set TWILIO_ACCOUNT_SID (AC...), TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
            )
        if not public_url.startswith(("https://", "http://")):
            raise UnableToPlaceCall(
                "set AMICABLE_PUBLIC_URL to this installation's public https address: Twilio "
                "sends its status callbacks there"
            )
        if machine_detection not in {"Enable", "DetectMessageEnd"}:
            raise UnableToPlaceCall("machine_detection must be Enable or DetectMessageEnd")
        self.account_sid = account_sid
        self._auth_token = auth_token
        self.from_number = from_number
        self.status_callback_url = public_url.rstrip("/") + STATUS_CALLBACK_PATH
        self._transport = transport
        self._api_base = api_base.rstrip("/")
        self.machine_detection = machine_detection
        self.ring_timeout_seconds = ring_timeout_seconds
        self.callback_number = callback_number or from_number

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **kwargs) -> TwilioProvider:
        env = os.environ if environ is None else environ
        return cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            from_number=env.get("TWILIO_FROM_NUMBER", ""),
            public_url=env.get("AMICABLE_PUBLIC_URL", ""),
            callback_number=env.get("AMICABLE_CALLBACK_NUMBER", ""),
            **kwargs,
        )

    # TelephonyProvider ---------------------------------------------------------------------

    def place_call(self, *, call_ref: str, to: str, now: datetime) -> str:
        form = [
            ("To", to),
            ("From", self.from_number),
            ("Twiml", HOLD_TWIML),
            ("MachineDetection", self.machine_detection),
            ("AsyncAmd", "true"),
            ("AsyncAmdStatusCallback", self.status_callback_url),
            ("AsyncAmdStatusCallbackMethod", "POST"),
            ("StatusCallback", self.status_callback_url),
            ("StatusCallbackMethod", "POST"),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
            ("Timeout", str(self.ring_timeout_seconds)),
        ]
        body = self._post("/Calls.json", form)
        sid = body.get("sid")
        if not isinstance(sid, str) or not sid.startswith("CA"):
            raise UnableToPlaceCall("Twilio's answer has no call sid")
        return sid

    def poll_events(self, *, now: datetime) -> list[CallEvent]:
        return []

    def bridge(self, call_id: str, agent_id: int) -> None:
        self.update_call(call_id, twiml=bridge_twiml(agent_id))

    def play_safe_harbour_and_hang_up(self, call_id: str) -> None:
        self.update_call(call_id, twiml=safe_harbour_twiml(self.callback_number))

    def hang_up(self, call_id: str) -> None:
        self._post(f"/Calls/{call_id}.json", [("Status", "completed")])

    # helpers ---------------------------------------------------------------------------------

    def update_call(self, call_id: str, *, twiml: str) -> None:
        self._post(f"/Calls/{call_id}.json", [("Twiml", twiml)])

    def _post(self, path: str, form: list[tuple[str, str]]) -> dict:
        url = f"{self._api_base}/2010-04-01/Accounts/{self.account_sid}{path}"
        credentials = base64.b64encode(f"{self.account_sid}:{self._auth_token}".encode()).decode()
        request = HttpRequest(
            method="POST",
            url=url,
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            body=urlencode(form).encode("ascii"),
        )
        try:
            response = self._transport(request)
        except TransportError as error:
            raise UnableToPlaceCall(f"Twilio could not be reached ({error})") from None
        try:
            body = json.loads(response.body or b"{}")
        except ValueError:
            body = {}
        if response.status >= 400:
            # Twilio's error body: {"code": 21211, "message": "...", "more_info": ..., "status"}
            code = body.get("code", "")
            raise UnableToPlaceCall(f"Twilio refused the request (HTTP {response.status}, {code})")
        return body


def agent_identity(agent_id: int) -> str:
    """The Voice SDK identity of an agent's softphone: where `bridge_twiml` sends their calls."""
    return f"agent-{int(agent_id)}"


def bridge_twiml(agent_id: int) -> str:
    return f"<Response><Dial><Client>{agent_identity(agent_id)}</Client></Dial></Response>"


def safe_harbour_twiml(callback_number: str) -> str:
    message = SAFE_HARBOUR_MESSAGE.format(callback_number=" ".join(callback_number.lstrip("+")))
    return f"<Response><Say>{escape(message)}</Say><Hangup/></Response>"


# -- the agent's softphone -------------------------------------------------------------------

#: Twilio refuses Access Tokens that live longer than a day.
MAX_TOKEN_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SoftphoneCredentials:
    """What signing an agent's Access Token needs. The API Key (not the Auth Token) signs, so
    an agency can revoke softphones without touching the dialer's credentials."""

    account_sid: str
    api_key_sid: str
    api_key_secret: str
    twiml_app_sid: str = ""

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None
    ) -> SoftphoneCredentials | None:
        """The credentials from the environment, or None when the softphone is not configured."""
        env = os.environ if environ is None else environ
        credentials = cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            api_key_sid=env.get("TWILIO_API_KEY_SID", ""),
            api_key_secret=env.get("TWILIO_API_KEY_SECRET", ""),
            twiml_app_sid=env.get("TWILIO_TWIML_APP_SID", ""),
        )
        if not (credentials.account_sid and credentials.api_key_sid and credentials.api_key_secret):
            return None
        return credentials


def access_token(
    *, credentials: SoftphoneCredentials, identity: str, now: datetime, ttl_seconds: int = 3600
) -> str:
    """An Access Token for the Voice SDK, as Twilio's helper libraries build it: the same
    header and claims (``jti`` = key sid and issue time, ``grants`` with the Voice grant and
    the identity, ``iss``, ``exp``, ``nbf``, ``sub``), signed with HMAC-SHA256."""
    if not credentials.account_sid.startswith("AC") or not credentials.api_key_sid.startswith("SK"):
        raise ValueError("TWILIO_ACCOUNT_SID must start with AC and TWILIO_API_KEY_SID with SK")
    if not identity:
        raise ValueError("an Access Token needs an identity")
    if not 0 < ttl_seconds <= MAX_TOKEN_SECONDS:
        raise ValueError(f"ttl_seconds must be between 1 and {MAX_TOKEN_SECONDS}")
    issued = int(now.timestamp())
    voice: dict = {"incoming": {"allow": True}}
    if credentials.twiml_app_sid:
        voice["outgoing"] = {"application_sid": credentials.twiml_app_sid}
    header = {"alg": "HS256", "cty": "twilio-fpa;v=1", "typ": "JWT"}
    claims = {
        "jti": f"{credentials.api_key_sid}-{issued}",
        "grants": {"voice": voice, "identity": identity},
        "iss": credentials.api_key_sid,
        "exp": issued + ttl_seconds,
        "nbf": issued,
        "sub": credentials.account_sid,
    }
    signing_input = f"{_b64url_json(header)}.{_b64url_json(claims)}"
    digest = hmac.new(
        credentials.api_key_secret.encode(), signing_input.encode("ascii"), hashlib.sha256
    ).digest()
    return f"{signing_input}.{_b64url(digest)}"


def _b64url_json(value: dict) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
