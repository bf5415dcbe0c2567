"""A pause request against a loop and a web request at once, and when the campaign ends."""

from datetime import timedelta

import pytest

from amicable.dialer.agents import agent_chooses_state, call_finished, current_state
from amicable.dialer.models import DialerCall
from amicable.dialer.services import set_campaign_status
from tests.integration.dialer.dialer_world import (
    loop_for,
    people,
    ready_agents,
    run,
    running_campaign,
    world_scenario,
)
from tests.integration.dialer.test_dialer_loop_db import NOW, agents, pause

pytestmark = pytest.mark.django_db


def test_ready_pressed_while_the_loop_grants_the_pause_is_not_overridden(monkeypatch):
    import amicable.dialer.loop as loop_module

    people(3)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(outcome="no_answer", ring=5.0))
    run(loop, NOW, 1)
    pause(alice, NOW + timedelta(seconds=1))
    run(loop, NOW, 5, first=1)  # her line still rings
    real = loop_module.grant_pause_if_clear

    def ready_arrives_meanwhile(**kwargs):
        agent_chooses_state(agent_id=alice.pk, state="READY", now=kwargs["now"])  # the web
        return real(**kwargs)

    monkeypatch.setattr(loop_module, "grant_pause_if_clear", ready_arrives_meanwhile)
    run(loop, NOW, 6, first=5)  # the line ends; the loop grants the (withdrawn) request

    assert current_state(agent_id=alice.pk).state == "READY"


def test_a_pause_pressed_while_the_loop_dials_for_the_agent_strands_nobody(monkeypatch):
    import amicable.dialer.loop as loop_module

    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    real = loop_module.dial_member

    def pause_arrives_meanwhile(**kwargs):
        pause(alice, NOW + timedelta(milliseconds=200))  # the web request, mid-pass
        return real(**kwargs)

    monkeypatch.setattr(loop_module, "dial_member", pause_arrives_meanwhile)
    run(loop, NOW, 1)
    monkeypatch.setattr(loop_module, "dial_member", real)
    run(loop, NOW, 8, first=1)

    call = DialerCall.objects.get()
    assert call.outcome != "ABANDONED"
    assert call.connected_agent_id == alice.pk


def test_pause_after_this_call_survives_the_campaign_being_stopped():
    people(2)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 5)
    assert current_state(agent_id=alice.pk).state == "ON_CALL"
    pause(alice, NOW + timedelta(seconds=10), reason="Lunch")  # "pause after this call"
    set_campaign_status(
        campaign_id=campaign.pk, status="STOPPED", actor_id=None, now=NOW + timedelta(seconds=12)
    )

    call_finished(agent_id=alice.pk, now=NOW + timedelta(seconds=20))

    state = current_state(agent_id=alice.pk)
    assert (state.state, state.reason) == ("PAUSED", "Lunch")  # not wrap-up: the pause asked for


def test_a_pending_pause_is_not_lost_when_the_campaign_stops():
    people(3)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(outcome="no_answer", ring=20.0))
    run(loop, NOW, 1)
    pause(alice, NOW + timedelta(seconds=1), reason="Lunch")
    set_campaign_status(
        campaign_id=campaign.pk, status="STOPPED", actor_id=None, now=NOW + timedelta(seconds=2)
    )
    run(loop, NOW, 30, first=2)

    state = current_state(agent_id=alice.pk)
    assert (state.state, state.reason) == ("PAUSED", "Lunch")  # not left ready for good
