"""The agent's side of live dialing: join a campaign, wait for a call, the screen pop, and the
Twilio softphone the dialer bridges live answers to."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from amicable.desk.views import DESK_ROLES
from amicable.dialer import services as dialer
from amicable.dialer.agents import current_state, desk_seen, pause_requested
from amicable.dialer.models import Campaign
from amicable.dialer.telephony.twilio import SoftphoneCredentials, access_token, agent_identity
from amicable.identity.permissions import role_required
from amicable.identity.services import record_audit_event
from amicable.kernel.clock import utc_now
from amicable.strategy.screen_pop import take_dialer_call
from amicable.strategy.services import UnableToWorkAccount


@role_required(*DESK_ROLES)
@require_GET
def dialer_status(request):
    """Polled by the desk home every 2 s: the agent's dialer status, or (htmx) a redirect to
    the call screen when the dialer has connected a person to them."""
    now = utc_now()
    desk_seen(agent_id=request.user.pk, now=now)
    try:
        session = take_dialer_call(agent_id=request.user.pk, now=now)
    except UnableToWorkAccount as error:
        session = None
        messages.error(request, error.message)
    if session is not None:
        url = reverse("desk_session", args=[session.pk])
        if request.headers.get("HX-Request"):
            response = HttpResponse("")
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    call = dialer.current_call(agent_id=request.user.pk)
    return render(
        request,
        "desk/_dialer_status.html",
        {
            "campaign": dialer.agent_campaign(agent_id=request.user.pk),
            "state": current_state(agent_id=request.user.pk),
            "pausing": pause_requested(agent_id=request.user.pk),
            "call": call,
            "running": Campaign.objects.exclude(status=Campaign.Status.STOPPED).order_by(
                "name", "id"
            ),
            "softphone": SoftphoneCredentials.from_environment() is not None,
        },
    )


@role_required(*DESK_ROLES)
@require_POST
def join(request, campaign_id: int):
    try:
        dialer.join_campaign(campaign_id=campaign_id, agent_id=request.user.pk, now=utc_now())
    except dialer.UnableToJoinCampaign as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "You take this campaign's calls when you are ready.")
    return redirect("desk_home")


@role_required(*DESK_ROLES)
@require_POST
def leave(request):
    try:
        dialer.leave_campaign(agent_id=request.user.pk, now=utc_now())
    except dialer.UnableToJoinCampaign as error:
        messages.error(request, error.message)
    return redirect("desk_home")


#: How long a softphone token lives; the page asks for a new one before it runs out.
SOFTPHONE_TOKEN_SECONDS = 3600


def _softphone_credentials() -> SoftphoneCredentials:
    credentials = SoftphoneCredentials.from_environment()
    if credentials is None:
        raise Http404(
            "The softphone is not configured: set TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and "
            "TWILIO_API_KEY_SECRET."
        )
    return credentials


@role_required(*DESK_ROLES)
@require_GET
def softphone(request):
    """The softphone window: kept open beside the desk, so that the call survives the desk's
    page changes (the screen pop navigates; a Voice SDK device in that page would hang up)."""
    _softphone_credentials()
    return render(
        request,
        "desk/softphone.html",
        {"identity": agent_identity(request.user.pk), "nav": "desk"},
    )


@role_required(*DESK_ROLES)
@require_POST
def softphone_token(request):
    """A Voice SDK Access Token for the signed-in agent's own identity, never another's.
    POST (with the CSRF token) so that no other site can make a browser fetch one."""
    credentials = _softphone_credentials()
    now = utc_now()
    identity = agent_identity(request.user.pk)
    token = access_token(
        credentials=credentials, identity=identity, now=now, ttl_seconds=SOFTPHONE_TOKEN_SECONDS
    )
    record_audit_event(
        at=now,
        actor_id=request.user.pk,
        action="softphone.token_issued",
        object_type="user",
        object_id=request.user.pk,
        details={"identity": identity, "ttl_seconds": SOFTPHONE_TOKEN_SECONDS},
    )
    response = JsonResponse(
        {
            "identity": identity,
            "token": token,
            "expires_at": (now + timedelta(seconds=SOFTPHONE_TOKEN_SECONDS)).isoformat(),
        }
    )
    response["Cache-Control"] = "no-store"
    return response
