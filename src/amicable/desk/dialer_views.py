"""The agent's side of live dialing: join a campaign, wait for a call, the screen pop."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from amicable.desk.views import DESK_ROLES
from amicable.dialer import services as dialer
from amicable.dialer.agents import current_state
from amicable.dialer.models import Campaign
from amicable.identity.permissions import role_required
from amicable.kernel.clock import utc_now
from amicable.strategy.screen_pop import take_dialer_call
from amicable.strategy.services import UnableToWorkAccount


@role_required(*DESK_ROLES)
@require_GET
def dialer_status(request):
    """Polled by the desk home every 2 s: the agent's dialer status, or (htmx) a redirect to
    the call screen when the dialer has connected a person to them."""
    now = utc_now()
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
            "call": call,
            "running": Campaign.objects.exclude(status=Campaign.Status.STOPPED)
            .exclude(mode=Campaign.Mode.PREVIEW)
            .order_by("name", "id"),
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
