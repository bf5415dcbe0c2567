"""`amicable demo` run again: it reuses the data, says what state its campaign is in, and
replaces a campaign a supervisor stopped (a stopped campaign never runs again)."""

import io

import pytest
from django.core.management import call_command

from amicable.dialer.models import Campaign, CampaignAgent
from amicable.dialer.services import set_campaign_status

pytestmark = pytest.mark.django_db


def demo() -> str:
    out = io.StringIO()
    call_command("demo", no_serve=True, real_clock=True, accounts=60, stdout=out)
    return out.getvalue()


def test_a_second_run_reports_the_campaign_as_it_is_and_a_stopped_one_is_replaced(now):
    first = demo()
    campaign = Campaign.objects.get()
    assert "is paused; as sam, start it" in first
    set_campaign_status(campaign_id=campaign.pk, status="RUNNING", actor_id=None, now=now)

    assert "is running; as alice press Ready" in demo()
    assert Campaign.objects.count() == 1

    set_campaign_status(campaign_id=campaign.pk, status="STOPPED", actor_id=None, now=now)
    third = demo()

    fresh = Campaign.objects.exclude(pk=campaign.pk).get()
    assert fresh.name == f"{campaign.name} (2)" and fresh.status == "PAUSED"
    assert f"{fresh.name!r} (simulated telephony) is paused" in third
    alice = CampaignAgent.objects.get(agent__username="alice", left_at__isnull=True)
    assert alice.campaign_id == fresh.pk
