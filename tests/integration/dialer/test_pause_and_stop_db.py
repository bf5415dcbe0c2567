"""Pauses against a stopped campaign: after the call, and pressed while a supervisor stops it
(row locks taken in an order that cannot deadlock on PostgreSQL)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from amicable.dialer.agents import current_state
from amicable.dialer.services import set_campaign_status
from amicable.kernel.clock import freeze
from amicable.strategy.models import CallSession
from tests.integration.dialer.dialer_world import (
    on_a_dialer_call,
    people,
    running_campaign,
)

pytestmark = pytest.mark.django_db


def test_pause_after_this_call_ticked_after_the_campaign_was_stopped(
    client, agent_alice, frozen_clock
):
    campaign, _, call_screen = on_a_dialer_call(client, agent_alice, now=frozen_clock)
    screen = client.get(call_screen).content.decode()
    assert 'data-testid="pause-after-call"' in screen  # the checkbox is offered
    set_campaign_status(  # a supervisor stops the campaign during the call
        campaign_id=campaign.pk,
        status="STOPPED",
        actor_id=None,
        now=frozen_clock + timedelta(seconds=5),
    )
    session = CallSession.objects.get(agent=agent_alice)

    form = {
        "code": "THIRD_PARTY",
        "pause_offered": "1",
        "pause_after": "1",
        "pause_reason": "Lunch",
    }
    with freeze(frozen_clock + timedelta(seconds=10)):
        done = client.post(reverse("desk_dispose", args=[session.pk]), form, follow=True)

    page = done.content.decode()
    assert "Finish your call first" not in page  # says so right after the outcome was recorded
    state = current_state(agent_id=agent_alice.pk)
    assert (state.state, state.reason) == ("PAUSED", "Lunch")  # not wrap-up: the pause asked for


@pytest.mark.django_db(transaction=True)
def test_a_pause_pressed_while_a_supervisor_stops_the_campaign_does_not_deadlock(
    agent_alice, frozen_clock, monkeypatch
):
    """PostgreSQL only. stop: locks Campaign, then updates CampaignAgent. pause: SELECT ...
    FOR UPDATE on CampaignAgent JOIN Campaign (select_related) locks the membership, then
    waits for the campaign."""
    import threading
    import time

    from django.db import OperationalError, connection

    import amicable.dialer.services as services
    from amicable.dialer.agents import agent_chooses_state
    from amicable.dialer.models import Campaign
    from tests.integration.dialer.dialer_world import ready_agents

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    people(1)
    campaign = running_campaign(now=frozen_clock)
    ready_agents(campaign, [agent_alice], now=frozen_clock)
    Campaign.objects.filter(pk=campaign.pk).update(loop_seen_at=frozen_clock)  # a loop runs

    real = services.settle_pause_requests

    def slow_settle(**kwargs):  # the campaign row is locked by now
        time.sleep(1.0)
        return real(**kwargs)

    monkeypatch.setattr(services, "settle_pause_requests", slow_settle)
    errors = []

    def stop():
        try:
            set_campaign_status(
                campaign_id=campaign.pk,
                status="STOPPED",
                actor_id=None,
                now=frozen_clock + timedelta(seconds=1),
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    supervisor = threading.Thread(target=stop)
    supervisor.start()
    time.sleep(0.3)
    try:  # the agent presses Pause meanwhile
        agent_chooses_state(
            agent_id=agent_alice.pk,
            state="PAUSED",
            reason="Lunch",
            now=frozen_clock + timedelta(seconds=1),
        )
    except OperationalError as error:
        errors.append(error)
    supervisor.join()

    assert errors == []
