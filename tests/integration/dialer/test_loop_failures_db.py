"""The live loop when the provider fails (placing, bridging, the safe-harbour message), after
a restart, when a campaign stops while its lines ring, and when an agent moves on mid-pass."""

import json
from datetime import timedelta

import pytest

from amicable.compliance.api import ContactAttempt
from amicable.dialer.agents import call_finished, current_state, set_agent_state
from amicable.dialer.loop import DialerLoop
from amicable.dialer.models import CampaignMember, DialerCall, ProviderEvent
from amicable.dialer.services import set_campaign_status
from amicable.dialer.telephony.base import UnableToPlaceCall
from amicable.dialer.telephony.twilio import HttpResponse, TwilioProvider
from tests.integration.dialer.dialer_world import (
    loop_for,
    people,
    ready_agents,
    run,
    running_campaign,
    world_scenario,
)
from tests.integration.dialer.test_dialer_loop_db import NOW, agents

pytestmark = pytest.mark.django_db


class TwilioRecorder:
    """A transport standing in for Twilio: every request answers 201 with a call sid."""

    def __init__(self):
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        body = {"sid": f"CA{len(self.requests):032d}"}
        return HttpResponse(status=201, headers={}, body=json.dumps(body).encode())

    def posted(self, path_end):
        return [r for r in self.requests if r.url.endswith(path_end)]


def twilio(transport):
    return TwilioProvider(
        account_sid="AC00000000000000000000000000000001",
        auth_token="token",
        from_number="+12125550100",
        public_url="https://amicable.example.com",
        transport=transport,
    )


def test_a_bridge_the_provider_refuses_is_an_abandon_with_the_message_and_frees_the_agent():
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))

    def refuse(call_id, agent_id):
        raise UnableToPlaceCall("Twilio refused the request (HTTP 404, 20404)")

    provider.bridge = refuse
    run(loop, NOW, 8)

    call = DialerCall.objects.get()
    # Nobody is on the line with the person: they must hear the safe-harbour message and the
    # call must count as abandoned, and alice must not sit "on call" with nobody.
    assert ("safe_harbour", call.provider_call_id, None) in provider.actions
    assert call.outcome == "ABANDONED"
    assert current_state(agent_id=alice.pk).state != "ON_CALL"


def test_a_safe_harbour_message_the_provider_failed_to_play_is_not_recorded_as_played():
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)
    set_agent_state(agent_id=alice.pk, state="PAUSED", reason="Break", now=NOW)

    def fail(call_id):
        raise UnableToPlaceCall("Twilio could not be reached (URLError)")

    provider.play_safe_harbour_and_hang_up = fail
    run(loop, NOW, 8, first=1)

    call = DialerCall.objects.get()
    assert call.outcome == "ABANDONED"
    assert not call.safe_harbour_played  # the message was never played


@pytest.mark.parametrize("provider_name", ["simulated", "twilio"])
def test_after_a_loop_restart_a_finished_call_is_hung_up(provider_name):
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    if provider_name == "simulated":
        loop, _ = loop_for(world_scenario(ring=3.0))
        run(loop, NOW, 5)
    else:
        transport = TwilioRecorder()
        loop = DialerLoop(provider=twilio(transport), step_seconds=1.0)
        run(loop, NOW, 1)
        call = DialerCall.objects.get()
        ProviderEvent.objects.create(
            provider="twilio",
            provider_call_id=call.provider_call_id,
            kind="answered_live",
            received_at=NOW + timedelta(seconds=3),
        )
        run(loop, NOW, 5, first=3)
    call = DialerCall.objects.get()
    assert call.state == "CONNECTED"

    # `amicable dialer` is restarted while alice talks; then she records the outcome.
    if provider_name == "simulated":
        restarted, new_provider = loop_for(world_scenario(ring=3.0))
        restarted.recover_orphans(now=NOW + timedelta(seconds=10))
    else:
        transport = TwilioRecorder()
        restarted = DialerLoop(provider=twilio(transport), step_seconds=1.0)
    run(restarted, NOW, 12, first=10)
    call_finished(agent_id=alice.pk, now=NOW + timedelta(seconds=20))
    run(restarted, NOW, 25, first=20)

    if provider_name == "simulated":
        assert ("hang_up", call.provider_call_id, None) in new_provider.actions
    else:
        assert transport.posted(f"/Calls/{call.provider_call_id}.json")


def test_a_real_time_provider_cannot_be_sped_up_or_slowed_down():
    """At --speed 0.5 the deadline would be 4 real seconds: a person on a real line must hear
    the safe-harbour message within 2."""
    from django.core.management import CommandError, call_command

    with pytest.raises(ValueError, match="runs in real time"):
        DialerLoop(provider=twilio(TwilioRecorder()), speed=0.5, step_seconds=0.4)
    with pytest.raises(CommandError, match="only applies to the simulated provider"):
        call_command("dialer", "--provider", "twilio", "--speed", "0.5", "--once")


def test_a_provider_error_other_than_unable_to_place_call_does_not_stop_the_loop():
    people(2)
    campaign = running_campaign(now=NOW)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice, bob], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))

    def broken(**kwargs):
        import http.client

        raise http.client.IncompleteRead(b"")  # what urllib raises on a cut-off reply

    provider.place_call = broken
    try:
        loop.tick(now=NOW)
    finally:
        # Whatever happened, no dial is left "ringing" that was never placed.
        assert not DialerCall.objects.filter(state="DIALING", provider_call_id="").exists()
        assert not CampaignMember.objects.filter(status="DIALED").exists()


def test_stopping_a_campaign_hangs_up_its_ringing_lines_before_anyone_answers():
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)  # a line rings for alice, who stays ready

    set_campaign_status(
        campaign_id=campaign.pk, status="STOPPED", actor_id=None, now=NOW + timedelta(seconds=1)
    )
    run(loop, NOW, 8, first=1)

    call = DialerCall.objects.get()
    assert current_state(agent_id=alice.pk).state == "READY"
    assert call.outcome != "ABANDONED", (call.outcome, provider.actions)
    assert ContactAttempt.objects.get(pk=call.attempt_id).result != "abandoned"


def test_a_person_is_not_connected_to_an_agent_who_just_joined_another_campaign(monkeypatch):
    from amicable.dialer.models import CampaignAgent
    from amicable.dialer.services import join_campaign

    people(1)
    campaign = running_campaign(now=NOW)
    other = running_campaign(now=NOW, name="Other")
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)
    real = DialerLoop._longest_idle

    def alice_switches_meanwhile(self, campaign_id):
        chosen = real(self, campaign_id)
        if chosen is not None:  # the web: alice joins another campaign mid-pass
            join_campaign(campaign_id=other.pk, agent_id=alice.pk, now=NOW + timedelta(seconds=3))
        return chosen

    monkeypatch.setattr(DialerLoop, "_longest_idle", alice_switches_meanwhile)
    run(loop, NOW, 4, first=1)

    call = DialerCall.objects.get()
    membership = CampaignAgent.objects.get(agent=alice, left_at__isnull=True)
    assert membership.campaign_id == other.pk
    assert call.connected_agent_id != alice.pk  # she no longer takes this campaign's calls
