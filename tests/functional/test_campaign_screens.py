"""Campaigns through HTTP: a supervisor creates, starts, pauses and stops one and sees its live
figures; agents cannot manage campaigns; an agent joins, waits, and the dialer's call pops up
on their desk; Twilio's signed status callback; the `amicable dialer` command."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from amicable.compliance.api import ContactAttempt
from amicable.dialer.agents import current_state
from amicable.dialer.models import Campaign, CampaignAgent, DialerCall, ProviderEvent
from amicable.dialer.telephony.twilio import compute_signature
from amicable.kernel.clock import freeze
from amicable.strategy.models import CallSession
from tests.integration.dialer.dialer_world import (
    loop_for,
    on_a_dialer_call,
    people,
    ready_agents,
    run,
    running_campaign,
    world_scenario,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(client, supervisor_sam, frozen_clock):
    client.force_login(supervisor_sam)
    return client


def test_a_supervisor_creates_starts_pauses_and_stops_a_campaign(
    supervisor, creditor_mercy, frozen_clock
):
    people(3)
    form = supervisor.get(reverse("supervisor_campaign_create"))
    assert form.status_code == 200 and "Abandonment target" in form.content.decode()

    created = supervisor.post(
        reverse("supervisor_campaign_create"),
        {
            "name": "Mercy April",
            "mode": "PREDICTIVE",
            "creditors": ["mercy"],
            "states": "ny",
            "abandon_target_percent": "2.5",
            "calling_starts_at": "09:00",
            "calling_ends_at": "20:00",
        },
        follow=True,
    )

    body = created.content.decode()
    assert "Mercy April" in body and "3 people" in body
    campaign = Campaign.objects.get()
    assert campaign.mode == "PREDICTIVE" and campaign.status == "DRAFT"
    assert str(campaign.abandon_target) == "0.025" and campaign.states == ["NY"]
    assert campaign.members.count() == 3
    for status, shown in (("RUNNING", "Running"), ("PAUSED", "Paused"), ("STOPPED", "Stopped")):
        page = supervisor.post(
            reverse("supervisor_campaign_status", args=[campaign.pk]),
            {"status": status},
            follow=True,
        )
        campaign.refresh_from_db()
        assert campaign.status == status and shown in page.content.decode()
    refused = supervisor.post(
        reverse("supervisor_campaign_status", args=[campaign.pk]),
        {"status": "RUNNING"},
        follow=True,
    )
    assert "cannot become running" in refused.content.decode()


def test_the_list_shows_live_figures_and_30_day_abandonment(supervisor, frozen_clock, agent_alice):
    people(2)
    campaign = running_campaign(now=frozen_clock)
    ready_agents(campaign, [agent_alice], now=frozen_clock)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, frozen_clock, 1)

    page = supervisor.get(reverse("supervisor_campaigns")).content.decode()
    rows = supervisor.get(reverse("supervisor_campaign_figures")).content.decode()

    assert "Campaigns" in page and "Mercy spring" in page and 'hx-trigger="every 2s"' in page
    assert "no answers yet" in rows and "target 3.0%" in rows
    assert ">1 / 0 / 0 / 0<" in rows  # one ready agent
    assert "<td>1</td>" in rows  # one call in flight / dialed today


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "supervisor_campaigns", []),
        ("get", "supervisor_campaign_figures", []),
        ("get", "supervisor_campaign_create", []),
        ("post", "supervisor_campaign_create", []),
        ("post", "supervisor_campaign_status", [1]),
    ],
)
def test_agents_cannot_manage_campaigns(client, agent_alice, method, name, args):
    client.force_login(agent_alice)
    response = getattr(client, method)(reverse(name, args=args), {"status": "RUNNING"})
    assert response.status_code == 403


def test_agents_do_not_see_the_campaigns_link(client, agent_alice, supervisor_sam):
    client.force_login(agent_alice)
    assert "Campaigns" not in client.get(reverse("desk_home")).content.decode()
    client.force_login(supervisor_sam)
    assert reverse("supervisor_campaigns") in client.get(reverse("desk_home")).content.decode()


def test_screen_pop_from_waiting_to_the_call_screen_and_back(client, agent_alice, frozen_clock):
    people(1)
    campaign = running_campaign(now=frozen_clock)
    client.force_login(agent_alice)
    home = client.get(reverse("desk_home")).content.decode()
    assert reverse("desk_dialer_status") in home and "every 2s" in home
    assert "Join Mercy spring" in client.get(reverse("desk_dialer_status")).content.decode()

    client.post(reverse("desk_dialer_join", args=[campaign.pk]))
    client.post(reverse("desk_status"), {"state": "READY"})
    waiting = client.get(reverse("desk_dialer_status"), HTTP_HX_REQUEST="true")
    assert "Waiting for a call" in waiting.content.decode()

    loop, provider = loop_for(world_scenario(ring=3.0))
    run(loop, frozen_clock, 4)  # dialed at 0 s, answered and connected at 3 s
    call = DialerCall.objects.get()
    assert call.connected_agent_id == agent_alice.pk

    popped = client.get(reverse("desk_dialer_status"), HTTP_HX_REQUEST="true")

    session = CallSession.objects.get(agent=agent_alice)
    assert popped["HX-Redirect"] == reverse("desk_session", args=[session.pk])
    assert session.origin == "DIALER" and session.attempt_id == call.attempt_id
    assert session.phone_id == call.contact_point_id
    screen = client.get(popped["HX-Redirect"]).content.decode()
    assert "P0 Whitfield" in screen
    again = client.get(reverse("desk_dialer_status"), HTTP_HX_REQUEST="true")
    assert "back to the call screen" in again.content.decode()  # popped once only

    with freeze(frozen_clock + timedelta(seconds=10)):  # the call lasted a few seconds
        client.post(reverse("desk_dispose", args=[session.pk]), {"code": "THIRD_PARTY"})

    call.refresh_from_db()
    assert call.state == "ENDED" and call.ended_at is not None
    assert current_state(agent_id=agent_alice.pk).state == "WRAP_UP"
    assert ContactAttempt.objects.get(pk=call.attempt_id).result == "voicemail_no_message"
    run(loop, frozen_clock, 12, first=11)
    assert ("hang_up", call.provider_call_id, None) in provider.actions
    assert "Wrap-up" in client.get(reverse("desk_dialer_status")).content.decode()

    client.post(reverse("desk_dialer_leave"))
    assert not CampaignAgent.objects.filter(left_at__isnull=True).exists()


def test_twilio_status_callback_checks_the_signature(client, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "fixture-auth-token")
    url = "http://testserver" + reverse("dialer_twilio_status")
    params = {
        "CallSid": "CA0123456789abcdef0123456789abcdef",
        "CallStatus": "in-progress",
        "AnsweredBy": "human",
        "To": "+15185550100",
        "From": "+12125550100",
    }
    signature = compute_signature(url, list(params.items()), "fixture-auth-token")

    forged = client.post(url, params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl")
    unsigned = client.post(url, params)
    accepted = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)

    assert forged.status_code == 403 and unsigned.status_code == 403
    assert accepted.status_code == 200
    event = ProviderEvent.objects.get()
    assert event.kind == "answered_live" and event.provider_call_id == params["CallSid"]
    assert "To" not in event.payload and "From" not in event.payload  # no phone numbers kept


def test_the_dialer_command_runs_ticks(frozen_clock, agent_alice, capsys):
    people(2)
    campaign = running_campaign(now=frozen_clock)
    ready_agents(campaign, [agent_alice], now=frozen_clock)

    call_command("dialer", "--ticks", "2", "--speed", "1000")

    out = capsys.readouterr().out
    placed = int(re.search(r"Dialer stopped after 2 tick\(s\): (\d+) placed", out).group(1))
    # One agent, progressive: one call at a time (a fast world may finish one in two ticks).
    assert placed >= 1 and DialerCall.objects.count() == placed
    assert ContactAttempt.objects.filter(source="DIALER", allowed=True).count() == placed


def test_compliance_reads_campaign_abandonment_but_cannot_run_campaigns(
    client, compliance_carla, frozen_clock
):
    people(1)
    campaign = running_campaign(now=frozen_clock)
    client.force_login(compliance_carla)
    page = client.get(reverse("supervisor_campaigns"))
    assert page.status_code == 200
    html = page.content.decode()
    assert campaign.name in html and "Abandonment, 30 days" in html
    assert "New campaign" not in html and "Pause</button>" not in html
    rows = client.get(reverse("supervisor_campaign_figures")).content.decode()
    assert campaign.name in rows and "Stop</button>" not in rows
    assert client.get(reverse("supervisor_campaign_create")).status_code == 403
    assert (
        client.post(reverse("supervisor_campaign_status", args=[campaign.pk]), {"status": "PAUSED"})
    ).status_code == 403


def test_a_preview_campaign_is_worked_from_the_desk_one_person_at_a_time(
    client, agent_alice, frozen_clock
):
    from amicable.dialer.models import CampaignMember

    listed = people(2)
    campaign = running_campaign(now=frozen_clock, mode="PREVIEW", max_attempts=2)
    client.force_login(agent_alice)
    status = client.get(reverse("desk_dialer_status")).content.decode()
    assert f"Join {campaign.name}" in status
    client.post(reverse("desk_dialer_join", args=[campaign.pk]))
    client.post(reverse("desk_status"), {"state": "READY"})
    assert "Preview campaign" in client.get(reverse("desk_dialer_status")).content.decode()

    opened = client.post(reverse("desk_next"))

    session = CallSession.objects.get(agent=agent_alice)
    assert opened.status_code == 302 and opened.url == reverse("desk_session", args=[session.pk])
    assert session.consumer_id in {p.pk for p in listed}
    member = CampaignMember.objects.get(campaign=campaign, consumer_id=session.consumer_id)
    assert (member.attempts, member.status, member.last_result) == (1, "PENDING", "previewed")
    assert member.next_try_at == frozen_clock + timedelta(minutes=campaign.retry_minutes)
    assert not DialerCall.objects.exists()  # the agent calls from the account, not the dialer


def test_a_campaign_from_the_work_queue_takes_its_next_people(supervisor, frozen_clock):
    people(5)
    created = supervisor.post(
        reverse("supervisor_campaign_create"),
        {
            "name": "Queue head",
            "mode": "PROGRESSIVE",
            "work_queue_people": "3",
            "abandon_target_percent": "3",
            "calling_starts_at": "08:00",
            "calling_ends_at": "21:00",
        },
        follow=True,
    )
    assert "3 people" in created.content.decode()
    campaign = Campaign.objects.get(name="Queue head")
    assert campaign.members.count() == 3
    assert len(campaign.debt_ids) == 3


def test_a_campaign_form_sets_tries_retry_delay_and_pacing_options(supervisor, frozen_clock):
    people(2)
    fields = {
        "name": "Tuned",
        "mode": "PREDICTIVE",
        "states": "NY",
        "abandon_target_percent": "3",
        "calling_starts_at": "08:00",
        "calling_ends_at": "21:00",
        "max_attempts": "5",
        "retry_minutes": "90",
    }
    bad = supervisor.post(
        reverse("supervisor_campaign_create"), {**fields, "pacing_options": "{nope"}
    )
    assert "Not JSON" in bad.content.decode() and not Campaign.objects.exists()
    unknown = supervisor.post(
        reverse("supervisor_campaign_create"),
        {**fields, "pacing_options": '{"warp": 9}'},
        follow=True,
    )
    assert "bad pacing_options" in unknown.content.decode() and not Campaign.objects.exists()

    supervisor.post(
        reverse("supervisor_campaign_create"),
        {**fields, "pacing_options": '{"safety_margin": 0.005}'},
    )
    campaign = Campaign.objects.get()
    assert (campaign.max_attempts, campaign.retry_minutes) == (5, 90)
    assert campaign.pacing_options == {"safety_margin": 0.005}


@pytest.mark.parametrize("ticked", [True, False])
def test_pause_after_this_call_from_the_call_screen(client, agent_alice, frozen_clock, ticked):
    _, loop, call_screen = on_a_dialer_call(client, agent_alice, now=frozen_clock)
    screen = client.get(call_screen).content.decode()
    assert 'data-testid="pause-after-call"' in screen
    # Pressed on the desk home during the call, the pause shows ticked on the call screen.
    client.post(reverse("desk_status"), {"state": "PAUSED", "reason": "Coaching"})
    screen = client.get(call_screen).content.decode()
    assert "checked" in screen and "<option selected>Coaching</option>" in screen
    session = CallSession.objects.get(agent=agent_alice)

    form = {"code": "THIRD_PARTY", "pause_offered": "1", "pause_reason": "Lunch"}
    if ticked:
        form["pause_after"] = "1"
    with freeze(frozen_clock + timedelta(seconds=10)):
        done = client.post(reverse("desk_dispose", args=[session.pk]), form, follow=True)

    state = current_state(agent_id=agent_alice.pk)
    if ticked:
        assert (state.state, state.reason) == ("PAUSED", "Lunch")
        assert "You are paused (Lunch)" in done.content.decode()
    else:  # unticked: the request made on the home page is withdrawn
        assert state.state == "WRAP_UP"
    run(loop, frozen_clock, 20, first=11)
    assert DialerCall.objects.count() == 1  # nobody is dialed for a paused or wrapping agent


def test_supervisors_see_who_is_pausing(client, agent_alice, supervisor_sam, frozen_clock):
    people(1)
    campaign = running_campaign(now=frozen_clock)
    client.force_login(agent_alice)
    client.post(reverse("desk_dialer_join", args=[campaign.pk]))
    client.post(reverse("desk_status"), {"state": "READY"})
    loop, _ = loop_for(world_scenario(ring=30.0))
    run(loop, frozen_clock, 1)
    client.post(reverse("desk_status"), {"state": "PAUSED", "reason": "Break"})

    client.force_login(supervisor_sam)
    rows = client.get(reverse("supervisor_campaign_figures")).content.decode()
    assert "(1 pausing)" in rows
    api = client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert api["agents"] == {"ready": 1, "on_call": 0, "wrap_up": 0, "paused": 0, "pausing": 1}


def test_the_polled_panel_shows_a_granted_pause_and_updates_the_badge(
    client, agent_alice, frozen_clock
):
    people(1)
    campaign = running_campaign(now=frozen_clock)
    client.force_login(agent_alice)
    client.post(reverse("desk_dialer_join", args=[campaign.pk]))
    client.post(reverse("desk_status"), {"state": "READY"})
    client.post(reverse("desk_status"), {"state": "PAUSED", "reason": "Lunch"})  # no loop

    panel = client.get(reverse("desk_dialer_status"), HTTP_HX_REQUEST="true").content.decode()

    assert "Paused · Lunch" in panel and 'data-testid="dialer-paused"' in panel
    assert 'id="agent-state"' in panel and 'hx-swap-oob="true"' in panel
    home = client.get(reverse("desk_home")).content.decode()
    assert "<option selected>Lunch</option>" in home


FORM = {
    "name": "Mercy May",
    "mode": "PREDICTIVE",
    "creditors": ["mercy"],
    "abandon_target_percent": "3.0",
    "calling_starts_at": "08:00",
    "calling_ends_at": "21:00",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"debt_ids": "99999999999999999999"}, "is not a debt id"),
        ({"min_balance": "99999999999999999999"}, "digits"),
        ({"max_balance": "1e20"}, "digits"),
        ({"pacing_options": '{"safety_margin": NaN}'}, "NaN is not a number JSON allows"),
        ({"pacing_options": '{"abandon_target": 0.5}'}, "in its own field"),
        ({"pacing_options": '{"initial_z": "x"}'}, "the policy cannot work with them"),
    ],
)
def test_the_campaign_form_refuses_what_would_break_or_bend_it(
    supervisor, creditor_mercy, changes, message
):
    people(1)
    response = supervisor.post(reverse("supervisor_campaign_create"), {**FORM, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_person_whose_debt_was_paid_is_not_dialed_after_a_restart(frozen_clock, agent_alice):
    from amicable.dialer.models import CampaignMember
    from amicable.dialer.services import set_campaign_status
    from amicable.portfolio.models import Debt

    paid, owing = people(2)
    campaign = running_campaign(now=frozen_clock)
    set_campaign_status(campaign_id=campaign.pk, status="PAUSED", actor_id=None, now=frozen_clock)
    Debt.objects.filter(consumer=paid).update(status="PAID")
    set_campaign_status(campaign_id=campaign.pk, status="RUNNING", actor_id=None, now=frozen_clock)
    ready_agents(campaign, [agent_alice], now=frozen_clock)
    loop, _ = loop_for(world_scenario(ring=3.0))

    run(loop, frozen_clock, 1)

    assert list(DialerCall.objects.values_list("consumer_id", flat=True)) == [owing.pk]
    member = CampaignMember.objects.get(consumer=paid)
    assert (member.status, member.skip_reason) == ("SKIPPED", "no active debt left")


def test_a_debt_paid_while_the_campaign_runs_is_not_called_about(frozen_clock, agent_alice):
    from amicable.dialer.models import CampaignMember
    from amicable.portfolio.models import Debt

    (person,) = people(1)
    campaign = running_campaign(now=frozen_clock)
    Debt.objects.filter(consumer=person).update(status="PAID")  # after the list was built
    ready_agents(campaign, [agent_alice], now=frozen_clock)
    loop, _ = loop_for(world_scenario(ring=3.0))

    run(loop, frozen_clock, 1)

    assert not DialerCall.objects.exists()
    assert CampaignMember.objects.get().status == "SKIPPED"


def test_a_paid_debt_that_owes_again_is_dialed_again_after_a_restart(frozen_clock, agent_alice):
    from decimal import Decimal

    from amicable.dialer.models import CampaignMember
    from amicable.dialer.services import set_campaign_status
    from amicable.portfolio.ledger import Buckets, post_ledger_entry
    from amicable.portfolio.models import Debt

    (person,) = people(1)
    campaign = running_campaign(now=frozen_clock)

    def restart():
        for status in ("PAUSED", "RUNNING"):
            set_campaign_status(
                campaign_id=campaign.pk, status=status, actor_id=None, now=frozen_clock
            )

    Debt.objects.filter(consumer=person).update(status="PAID")
    restart()
    assert CampaignMember.objects.get(consumer=person).status == "SKIPPED"
    debt = Debt.objects.get(consumer=person)
    post_ledger_entry(  # a later file adds interest: the debt owes again, and is active again
        debt_id=debt.pk,
        kind="INTEREST",
        buckets=Buckets(interest=Decimal("25.00")),
        effective_on=frozen_clock.date(),
        recorded_at=frozen_clock,
        idempotency_key="test:interest",
    )
    restart()
    ready_agents(campaign, [agent_alice], now=frozen_clock)
    loop, _ = loop_for(world_scenario(ring=3.0))

    run(loop, frozen_clock, 1)

    assert CampaignMember.objects.get(consumer=person).status != "SKIPPED"
    assert list(DialerCall.objects.values_list("consumer_id", flat=True)) == [person.pk]
