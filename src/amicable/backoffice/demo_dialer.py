"""The demo's dialing campaign: progressive, every active debt of the demo client creditor,
left paused so the supervisor starts it from the Campaigns screen.

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
    """Create the demo campaign once; returns it (None when the creditor has no debts)."""
    from django.contrib.auth.models import User

    existing = Campaign.objects.filter(name=DEMO_CAMPAIGN).first()
    if existing is not None:
        return existing
    supervisor = User.objects.filter(username="sam").first()
    campaign = dialer.create_campaign(
        name=DEMO_CAMPAIGN,
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
    for username in DEMO_CAMPAIGN_AGENTS:
        agent = User.objects.filter(username=username).first()
        if agent is not None:
            dialer.join_campaign(campaign_id=campaign.pk, agent_id=agent.pk, now=now)
    return Campaign.objects.get(pk=campaign.pk)
