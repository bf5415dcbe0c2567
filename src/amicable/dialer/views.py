"""Twilio's status and AMD callbacks: signature-checked, then kept for the dialer loop.

CSRF-exempt (Twilio cannot send our token) and only this view: every request must carry a
valid X-Twilio-Signature made with our Auth Token over the URL Twilio called and the posted
parameters; anything else is refused with 403 and not recorded.
"""

import logging
import os

from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amicable.dialer.services import record_provider_event
from amicable.dialer.telephony.twilio import parse_callback, validate_signature
from amicable.kernel.clock import utc_now

logger = logging.getLogger("amicable.dialer")

#: Parameters kept with the event (no phone numbers: To, From, Caller, Called are dropped).
KEPT = (
    "CallSid",
    "CallStatus",
    "AnsweredBy",
    "CallDuration",
    "MachineDetectionDuration",
    "SequenceNumber",
    "Timestamp",
    "ErrorCode",
)


def _public_url(request) -> str:
    """The URL Twilio called: behind a proxy, AMICABLE_PUBLIC_URL gives scheme and host."""
    base = os.environ.get("AMICABLE_PUBLIC_URL", "").rstrip("/")
    if base:
        return base + request.get_full_path()
    return request.build_absolute_uri()


@csrf_exempt
@require_POST
def twilio_status(request):
    params = [(k, v) for k in request.POST for v in request.POST.getlist(k)]
    signature = request.headers.get("X-Twilio-Signature", "")
    token = os.environ.get("TWILIO_AUTH_TOKEN", "")
    if not validate_signature(_public_url(request), params, signature, token):
        logger.warning("Twilio callback refused: bad or missing signature")
        return HttpResponseForbidden("invalid signature")
    now = utc_now()
    event = parse_callback(request.POST, at=now)
    if event is not None:
        record_provider_event(
            provider="twilio",
            provider_call_id=event.provider_call_id,
            kind=event.kind,
            ring_seconds=event.ring_seconds,
            payload={k: request.POST[k] for k in KEPT if k in request.POST},
            received_at=now,
        )
    return HttpResponse("<Response/>", content_type="text/xml")
