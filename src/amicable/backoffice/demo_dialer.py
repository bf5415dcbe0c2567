"""The demo's dialing campaign: progressive, every active debt of the demo client creditor,
left paused so the supervisor starts it from the Campaigns screen. A later run reuses it, or
makes a new one ("... (2)") when a supervisor has stopped it, since a stopped campaign never
runs again; either way the demo's agent is put back in it.

Autodialed calls to mobile numbers need the person's prior express consent (TCPA), and the demo
portfolio's numbers are mobile or of unknown type, so without consent compliance would refuse
every dial. People who give their number to the original creditor in connection with the debt
have consented to calls about it (FCC, ACA International, 2008), so the demo records that
consent, as the placement file would state it, for the campaign's people's primary phones.
"""

from datetime import datetime

from django.db import transaction

from amicable.backoffice.demo_users import DEMO_CLIENT_CREDITOR
from amicable.compliance.api import record_fact
from amicable.dialer import services as dialer
from amicable.dialer.models import Campaign, CampaignMember
from amicable.portfolio.models import ContactPoint

DEMO_CAMPAIGN = "Demo: Mercy Regional Health"
DEMO_CAMPAIGN_AGENTS = ("alice",)


@transaction.atomic
def ensure_demo_campaign(*, now: datetime) -> Campaign | None:
    """The demo campaign that is not stopped, made when there is none, with the demo's agents
    in it (None when the creditor has no debts)."""
    demo = Campaign.objects.filter(name__startswith=DEMO_CAMPAIGN)
    existing = demo.exclude(status=Campaign.Status.STOPPED).order_by("-id").first()
    if existing is None:
        name = DEMO_CAMPAIGN if not demo.exists() else f"{DEMO_CAMPAIGN} ({demo.count() + 1})"
        existing = _create_demo_campaign(name=name, now=now)
    _join_demo_agents(existing, now=now)
    return Campaign.objects.get(pk=existing.pk)


def _join_demo_agents(campaign: Campaign, *, now: datetime) -> None:
    """Put the demo's agents back in the campaign, unless they are in another one or on a
    call (a user's own choice is kept)."""
    from django.contrib.auth.models import User

    from amicable.dialer.models import CampaignAgent

    for username in DEMO_CAMPAIGN_AGENTS:
        agent = User.objects.filter(username=username).first()
        if agent is None:
            continue
        if CampaignAgent.objects.filter(agent=agent, left_at__isnull=True).exists():
            continue
        try:
            dialer.join_campaign(campaign_id=campaign.pk, agent_id=agent.pk, now=now)
        except dialer.UnableToJoinCampaign:
            pass


def _create_demo_campaign(*, name: str, now: datetime) -> Campaign:
    from django.contrib.auth.models import User

    supervisor = User.objects.filter(username="sam").first()
    campaign = dialer.create_campaign(
        name=name,
        mode=Campaign.Mode.PROGRESSIVE,
        list_filter=dialer.CampaignFilter(creditor_codes=(DEMO_CLIENT_CREDITOR,)),
        created_by_id=supervisor.pk if supervisor else None,
        now=now,
    )
    consumers = CampaignMember.objects.filter(campaign=campaign).values("consumer_id")
    phones = (
        ContactPoint.objects.filter(
            consumer_id__in=consumers,
            kind=ContactPoint.Kind.PHONE,
            status=ContactPoint.Status.VALID,
            is_primary=True,
        )
        .order_by("consumer_id", "id")
        .values_list("consumer_id", "id")
    )
    for consumer_id, phone_id in phones:
        record_fact(
            consumer_id=consumer_id,
            kind="CONSENT",
            at=now,
            consent_kind="tcpa",
            contact_point_id=phone_id,
            given_by="consumer, to the original creditor",
            method="placement file (demo data)",
        )
    dialer.set_campaign_status(campaign_id=campaign.pk, status="RUNNING", actor_id=None, now=now)
    dialer.set_campaign_status(campaign_id=campaign.pk, status="PAUSED", actor_id=None, now=now)
    return campaign
