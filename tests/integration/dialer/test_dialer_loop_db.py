"""The live dialing loop with the simulated provider, against the database: every dial is
authorised and recorded, refused dials are never placed, answers go to the longest-idle agent,
people nobody could take are abandoned with the safe-harbour message, agents' states recorded."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from amicable.compliance.api import ContactAttempt, record_fact
from amicable.dialer.agents import call_finished, current_state, set_agent_state
from amicable.dialer.models import AgentStateChange, CampaignMember, DialerCall, ProviderEvent
from amicable.dialer.selectors import campaign_figures
from amicable.identity.roles import Role
from amicable.kernel.clock import freeze
from tests.integration.dialer.dialer_world import (
    loop_for,
    people,
    ready_agents,
    run,
    running_campaign,
    world_scenario,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 6, 14, 0, tzinfo=UTC)  # 10:00 in New York, a Monday


def agents(*names):
    from amicable.identity.services import create_user_with_roles

    return [
        create_user_with_roles(username=n, password="correct-horse-9", roles=[Role.AGENT])
        for n in names
    ]


def past_calls(campaign, member, *, days_ago: int, outcome: str, count: int) -> None:
    """Ended calls of the campaign placed `days_ago` days before NOW, each with its allowed
    compliance attempt, as an earlier run of the loop would have left them."""
    phone = member.consumer.contact_points.filter(kind="PHONE").first()
    for _ in range(count):
        attempt = ContactAttempt.objects.create(
            consumer_id=member.consumer_id,
            channel="CALL",
            requested_at=NOW - timedelta(days=days_ago),
            allowed=True,
            source="DIALER",
        )
        DialerCall.objects.create(
            campaign=campaign,
            member=member,
            consumer_id=member.consumer_id,
            contact_point=phone,
            attempt_id=attempt.pk,
            provider="simulated",
            state="ENDED",
            outcome=outcome,
            placed_at=NOW - timedelta(days=days_ago),
        )


def test_every_dial_is_authorised_recorded_and_routed_to_the_longest_idle_agent():
    people(4)
    campaign = running_campaign(now=NOW)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice, bob], now=NOW)  # alice has waited longest
    loop, provider = loop_for(world_scenario(ring=3.0))

    reports = run(loop, NOW, 5)

    assert reports[0].placed == 2  # progressive: one line per idle agent
    calls = list(DialerCall.objects.order_by("id"))
    assert len(calls) == 2
    for call in calls:
        attempt = ContactAttempt.objects.get(pk=call.attempt_id)
        assert attempt.allowed and attempt.source == "DIALER" and attempt.autodialed
        assert attempt.campaign == "Mercy spring" and attempt.channel == "CALL"
        assert attempt.consumer_id == call.consumer_id
    # Each placed call has one attempt; no attempt without a call.
    assert ContactAttempt.objects.filter(source="DIALER").count() == 2
    first, second = calls
    assert first.state == "CONNECTED" and first.connected_agent_id == alice.pk
    assert second.connected_agent_id == bob.pk
    assert first.answered_at == NOW + timedelta(seconds=3)
    assert first.connected_at == NOW + timedelta(seconds=3)
    assert current_state(agent_id=alice.pk).state == "ON_CALL"
    assert ("bridge", first.provider_call_id, alice.pk) in provider.actions
    # Nobody idle: no more dials while both talk.
    assert sum(r.placed for r in reports) == 2
    assert CampaignMember.objects.filter(status="DONE").count() == 2


def test_no_agent_free_within_two_seconds_is_an_abandoned_attempt_with_safe_harbour():
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)  # dials the one person for alice
    set_agent_state(
        agent_id=alice.pk, state="PAUSED", reason="Break", now=NOW + timedelta(seconds=1)
    )

    run(loop, NOW, 8, first=1)

    call = DialerCall.objects.get()
    assert call.outcome == "ABANDONED" and call.safe_harbour_played
    assert call.connected_agent_id is None
    assert call.answered_at == NOW + timedelta(seconds=3)
    # Abandoned no later than 2 s after the person answered (ticks are 1 s apart).
    assert call.ended_at - call.answered_at <= timedelta(seconds=2)
    attempt = ContactAttempt.objects.get(pk=call.attempt_id)
    assert attempt.result == "abandoned"
    assert ("safe_harbour", call.provider_call_id, None) in provider.actions
    member = CampaignMember.objects.get()
    assert member.status == "PENDING" and member.last_result == "abandoned"
    assert member.next_try_at == call.ended_at + timedelta(minutes=240)


def test_a_consumer_under_a_cease_hold_is_never_dialed_and_a_refusal_is_never_placed():
    held, mobile_only, callable_ = people(3)
    record_fact(
        consumer_id=held.pk,
        kind="CEASE",
        at=NOW - timedelta(days=1),
        method="letter",
        in_writing=True,
    )
    # An autodialed call to a mobile without consent is refused at the chokepoint (TCPA).
    mobile_only.contact_points.filter(kind="PHONE").update(phone_type="MOBILE")
    campaign = running_campaign(now=NOW)
    team = agents("a1", "a2", "a3")
    ready_agents(campaign, team, now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))

    reports = run(loop, NOW, 2)

    placed = list(DialerCall.objects.values_list("consumer_id", flat=True))
    assert placed == [callable_.pk]
    assert not ContactAttempt.objects.filter(consumer=held).exists()  # never even asked
    refused = ContactAttempt.objects.get(consumer=mobile_only)
    assert not refused.allowed and refused.source == "DIALER"
    assert reports[0].refused == 1
    assert [a for a in provider.actions if a[0] == "place"] == [
        ("place", DialerCall.objects.get().provider_call_id, str(DialerCall.objects.get().pk))
    ]
    # No time makes that call lawful: the person is skipped, not asked about every hour.
    member = CampaignMember.objects.get(consumer=mobile_only)
    assert member.status == "SKIPPED"
    assert member.skip_reason.startswith("refused by compliance: ")
    run(loop, NOW + timedelta(hours=2), 2)
    assert ContactAttempt.objects.filter(consumer=mobile_only).count() == 1


def test_nothing_is_dialed_outside_calling_hours(frozen_clock):
    people(2)
    night = datetime(2026, 4, 7, 2, 30, tzinfo=UTC)  # 22:30 in New York
    campaign = running_campaign(now=night)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=night)
    loop, provider = loop_for(world_scenario())

    run(loop, night, 3)

    assert not DialerCall.objects.exists() and not provider.actions
    assert not ContactAttempt.objects.exists()


def test_the_campaigns_own_hours_are_narrower_than_the_law(frozen_clock):
    people(1)
    campaign = running_campaign(
        now=frozen_clock, calling_starts_at=datetime(2000, 1, 1, 12, 0).time()
    )
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=frozen_clock)  # 10:00 in New York
    loop, provider = loop_for(world_scenario())

    run(loop, frozen_clock, 2)

    assert not DialerCall.objects.exists() and not ContactAttempt.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "recorded", "result"),
    [
        ("machine", "MACHINE", "voicemail_no_message"),
        ("no_answer", "NO_ANSWER", "no_answer"),
        ("busy", "BUSY", "busy"),
        ("invalid", "INVALID", "not_in_service"),
    ],
)
def test_every_outcome_is_recorded_as_an_attempt_result(outcome, recorded, result):
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(outcome=outcome, ring=2.0))

    run(loop, NOW, 4)

    call = DialerCall.objects.get()
    assert call.state == "ENDED" and call.outcome == recorded
    assert ContactAttempt.objects.get(pk=call.attempt_id).result == result
    member = CampaignMember.objects.get()
    assert member.attempts == 1 and member.last_result == result
    assert member.status == ("SKIPPED" if outcome == "invalid" else "PENDING")


def test_agent_states_are_recorded_through_the_call_and_the_policy_learns_them():
    people(2)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))
    seen = []
    run(loop, NOW, 4)
    policy = loop.runs[campaign.pk].policy
    policy.observe = seen.append  # the progressive policy ignores events; listen instead

    call_finished(agent_id=alice.pk, now=NOW + timedelta(seconds=64))  # the desk disposed
    run(loop, NOW, 66, first=64)
    set_agent_state(agent_id=alice.pk, state="READY", now=NOW + timedelta(seconds=70))
    run(loop, NOW, 72, first=70)

    states = list(
        AgentStateChange.objects.filter(agent=alice).order_by("at", "id").values_list("state", "at")
    )
    assert [s for s, _ in states] == ["READY", "ON_CALL", "WRAP_UP", "READY"]
    assert states[1][1] == NOW + timedelta(seconds=3)
    assert states[2][1] == NOW + timedelta(seconds=64)
    call = DialerCall.objects.order_by("id").first()
    assert call.state == "ENDED" and call.ended_at == NOW + timedelta(seconds=64)
    assert ("hang_up", call.provider_call_id, None) in provider.actions
    kinds = [(e.kind, e.seconds) for e in seen if e.kind in {"talk_ended", "wrap_ended"}]
    assert kinds == [("talk_ended", 61.0), ("wrap_ended", 6.0)]
    # Ready again: the second person is dialed at 70 s.
    assert DialerCall.objects.count() == 2


def test_a_pick_up_reaches_the_policy_before_the_machine_verdict_and_leaves_the_call_dialing():
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    scenario = world_scenario(outcome="machine", ring=2.0)
    scenario = replace(scenario, timing=replace(scenario.timing, amd_seconds=3.0))
    loop, provider = loop_for(scenario)
    run(loop, NOW, 1)
    seen = []
    loop.runs[campaign.pk].policy.observe = seen.append

    run(loop, NOW, 3, first=1)  # picked up at 2 s; the verdict comes at 5 s
    call = DialerCall.objects.get()
    assert call.state == "DIALING"
    assert [(e.kind, e.time, e.seconds) for e in seen] == [("picked_up", 2.0, 2.0)]

    run(loop, NOW, 6, first=3)
    call.refresh_from_db()
    assert call.state == "ENDED" and call.outcome == "MACHINE"
    assert [e.kind for e in seen] == ["picked_up", "answered_machine"]


def test_a_verdict_reported_after_detection_keeps_the_ring_time_of_the_pick_up():
    """Twilio reports the pick-up, then the AMD verdict seconds later, without ring times:
    the call's ring time (and the policy's) is dialing to pick-up, not to the verdict."""
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=30.0))
    provider.poll_events = lambda **kwargs: []  # events arrive as callbacks, stored
    run(loop, NOW, 1)
    seen = []
    loop.runs[campaign.pk].policy.observe = seen.append
    call = DialerCall.objects.get()
    for kind, second in (("picked_up", 8), ("answered_live", 11)):
        ProviderEvent.objects.create(
            provider=provider.name,
            provider_call_id=call.provider_call_id,
            kind=kind,
            received_at=NOW + timedelta(seconds=second),
        )

    loop.tick(now=NOW + timedelta(seconds=12))

    call.refresh_from_db()
    assert call.state in {"WAITING", "CONNECTED"}
    assert call.ring_seconds == 8.0
    assert [(e.kind, e.seconds) for e in seen if e.call_id == call.pk][:2] == [
        ("picked_up", 8.0),
        ("answered_live", 8.0),
    ]


def test_abandonment_over_a_rolling_30_days_per_campaign():
    people(1)
    campaign = running_campaign(now=NOW)
    member = CampaignMember.objects.get()

    past_calls(campaign, member, days_ago=1, outcome="LIVE", count=48)
    past_calls(campaign, member, days_ago=2, outcome="ABANDONED", count=2)
    past_calls(campaign, member, days_ago=3, outcome="MACHINE", count=20)  # not a live answer
    past_calls(campaign, member, days_ago=31, outcome="ABANDONED", count=5)  # outside 30 days

    (figures,) = campaign_figures(now=NOW)

    assert figures.live_answers_30d == 50 and figures.abandoned_30d == 2
    assert figures.abandon_rate_30d == pytest.approx(0.04)
    assert figures.over_target  # 4% > 3%


def test_calls_left_in_flight_by_a_stopped_simulated_loop_are_ended_on_restart():
    people(2)
    campaign = running_campaign(now=NOW)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice, bob], now=NOW)
    loop, _ = loop_for(world_scenario(ring=30.0))
    run(loop, NOW, 1)
    assert DialerCall.objects.filter(state="DIALING").count() == 2

    restarted, _ = loop_for(world_scenario(ring=30.0))
    assert restarted.recover_orphans(now=NOW + timedelta(seconds=5)) == 2

    for call in DialerCall.objects.all():
        assert call.state == "ENDED" and call.outcome == "NO_ANSWER"
        assert ContactAttempt.objects.get(pk=call.attempt_id).result == "no_answer"


def test_an_agent_whose_desk_goes_quiet_is_paused_and_gets_no_calls():
    from amicable.dialer.agents import DESK_CLOSED, desk_seen

    people(2)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    desk_seen(agent_id=alice.pk, now=NOW - timedelta(seconds=100))  # then the tab closed
    loop, _ = loop_for(world_scenario(ring=3.0))

    reports = run(loop, NOW, 5)

    state = current_state(agent_id=alice.pk)
    assert (state.state, state.reason) == ("PAUSED", DESK_CLOSED)
    assert sum(r.placed for r in reports) == 0
    assert not DialerCall.objects.exists()


def test_an_agent_whose_desk_keeps_asking_stays_ready():
    from amicable.dialer.agents import desk_seen

    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    for k in range(5):
        desk_seen(agent_id=alice.pk, now=NOW + timedelta(seconds=k))
        loop.tick(now=NOW + timedelta(seconds=k))
    assert DialerCall.objects.get().connected_agent_id == alice.pk


def test_signing_out_leaves_the_campaign_and_logs_the_agent_out(client):
    from amicable.dialer.models import CampaignAgent

    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    client.force_login(alice)

    client.post("/logout/")

    assert current_state(agent_id=alice.pk).state == "LOGGED_OUT"
    assert not CampaignAgent.objects.filter(agent=alice, left_at__isnull=True).exists()
    loop, _ = loop_for(world_scenario(ring=3.0))
    assert sum(r.placed for r in run(loop, NOW, 3)) == 0


def test_a_campaign_over_its_30_day_target_dials_no_more_than_progressive():
    """The predictive policy only sees this run's calls; the campaign's own 30 days hold it
    to one line per idle agent while it is over its target."""
    people(12)
    # An eager predictive (a low margin): it would place several lines per idle agent.
    campaign = running_campaign(now=NOW, mode="PREDICTIVE", pacing_options={"initial_z": -1.0})
    member = CampaignMember.objects.first()
    # 40 answers, 4 of them abandoned: 10% over the last 30 days.
    past_calls(campaign, member, days_ago=2, outcome="ABANDONED", count=4)
    past_calls(campaign, member, days_ago=2, outcome="LIVE", count=36)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice, bob], now=NOW)
    loop, _ = loop_for(world_scenario(ring=20.0))

    reports = run(loop, NOW, 10)

    assert sum(r.placed for r in reports) == 2  # one per idle agent, however far it would dial


def test_a_call_the_provider_could_not_place_does_not_use_up_an_attempt():
    from amicable.dialer.telephony.base import UnableToPlaceCall

    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))

    def refuse(**kwargs):
        raise UnableToPlaceCall("the carrier is down")

    provider.place_call = refuse
    run(loop, NOW, 1)

    member = CampaignMember.objects.get()
    assert (member.status, member.attempts) == ("PENDING", 0)
    assert DialerCall.objects.get().outcome == "FAILED"


def test_an_agent_on_a_call_cannot_join_another_campaign():
    from amicable.dialer.services import UnableToJoinCampaign, join_campaign

    people(1)
    campaign = running_campaign(now=NOW)
    other = running_campaign(now=NOW, name="Other")
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 5)
    assert DialerCall.objects.get().state == "CONNECTED"

    with pytest.raises(UnableToJoinCampaign, match="Finish your call first"):
        join_campaign(campaign_id=other.pk, agent_id=alice.pk, now=NOW + timedelta(seconds=6))


def test_a_screen_pop_of_an_account_another_agent_holds_ends_the_call_once():
    from amicable.strategy.screen_pop import take_dialer_call
    from amicable.strategy.services import UnableToWorkAccount, open_account

    (person,) = people(1)
    campaign = running_campaign(now=NOW)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)  # dialed
    open_account(agent_id=bob.pk, consumer_id=person.pk, origin="SEARCH", now=NOW)
    run(loop, NOW, 5, first=1)  # answered and connected to alice
    call = DialerCall.objects.get()
    assert (call.state, call.connected_agent_id) == ("CONNECTED", alice.pk)

    with pytest.raises(UnableToWorkAccount, match="another agent has open"):
        take_dialer_call(agent_id=alice.pk, now=NOW + timedelta(seconds=6))

    call.refresh_from_db()
    assert call.state == "ENDED" and call.popped_at is not None
    assert current_state(agent_id=alice.pk).state == "WRAP_UP"
    assert take_dialer_call(agent_id=alice.pk, now=NOW + timedelta(seconds=8)) is None


@pytest.mark.parametrize(
    ("list_filter", "message"),
    [
        ({"states": ("ZZ", "New York")}, "States: 'ZZ' is not a US state."),
        (
            {"min_balance": Decimal("500"), "max_balance": Decimal("100")},
            "The balance range is empty: from 500 to 100.",
        ),
        ({"debt_ids": (999_999, -1)}, "No debts with these ids: -1, 999999."),
    ],
)
def test_a_campaign_list_that_cannot_be_right_is_refused(list_filter, message):
    from amicable.dialer.models import Campaign
    from amicable.dialer.services import CampaignFilter, UnableToManageCampaign, create_campaign

    people(1)
    with pytest.raises(UnableToManageCampaign, match=re.escape(message)):
        create_campaign(
            name="Check",
            mode="PROGRESSIVE",
            list_filter=CampaignFilter(**list_filter),
            created_by_id=None,
            now=NOW,
        )
    assert not Campaign.objects.exists()


def test_campaign_names_are_unique_whatever_their_case_and_states_may_be_named():
    from amicable.dialer.services import CampaignFilter, UnableToManageCampaign, create_campaign

    people(1)
    campaign = create_campaign(
        name="Pred all",
        mode="PROGRESSIVE",
        list_filter=CampaignFilter(states=("new york", "nj")),
        created_by_id=None,
        now=NOW,
    )
    assert campaign.states == ["NJ", "NY"]
    with pytest.raises(UnableToManageCampaign, match="already a campaign called 'pred all'"):
        create_campaign(
            name="pred all",
            mode="PROGRESSIVE",
            list_filter=CampaignFilter(states=("NY",)),
            created_by_id=None,
            now=NOW,
        )


def test_a_dial_the_provider_never_reports_on_ends_as_no_answer():
    from amicable.dialer.loop import SILENT_AFTER

    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, provider = loop_for(world_scenario(ring=3.0))
    provider.poll_events = lambda **kwargs: []  # a provider gone silent
    run(loop, NOW, 1)
    call = DialerCall.objects.get()
    assert call.state == "DIALING"

    loop.tick(now=NOW + SILENT_AFTER + timedelta(seconds=1))

    call.refresh_from_db()
    assert (call.state, call.outcome) == ("ENDED", "NO_ANSWER")
    assert ContactAttempt.objects.get(pk=call.attempt_id).result == "no_answer"
    member = CampaignMember.objects.get()
    assert member.status == "PENDING" and member.next_try_at is not None


def pause(agent, at, reason="Lunch"):
    from amicable.dialer.agents import agent_chooses_state

    return agent_chooses_state(agent_id=agent.pk, state="PAUSED", reason=reason, now=at)


def test_a_pause_asked_for_while_the_agents_line_rings_waits_and_nobody_is_abandoned():
    """Progressive dials one line for alice; she presses Pause before the person answers.
    Pausing her at once would leave that person to the safe-harbour message."""
    from amicable.dialer.agents import pause_requested

    people(3)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)

    pause(alice, NOW + timedelta(seconds=1))
    assert current_state(agent_id=alice.pk).state == "READY"
    assert pause_requested(agent_id=alice.pk) == "Lunch"
    run(loop, NOW, 8, first=1)

    call = DialerCall.objects.get()  # nothing more is dialed for her
    assert call.outcome == "LIVE" and call.connected_agent_id == alice.pk
    assert current_state(agent_id=alice.pk).state == "ON_CALL"

    call_finished(agent_id=alice.pk, now=NOW + timedelta(seconds=30))  # the pause comes now
    state = current_state(agent_id=alice.pk)
    assert (state.state, state.reason) == ("PAUSED", "Lunch")
    assert pause_requested(agent_id=alice.pk) == ""
    run(loop, NOW, 40, first=31)
    assert DialerCall.objects.count() == 1
    assert not DialerCall.objects.filter(outcome="ABANDONED").exists()


def test_the_pause_comes_when_the_lines_dialed_for_the_agent_end_unanswered():
    people(3)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(outcome="no_answer", ring=5.0))
    run(loop, NOW, 1)
    pause(alice, NOW + timedelta(seconds=1), reason="Coaching")

    run(loop, NOW, 5, first=1)
    assert current_state(agent_id=alice.pk).state == "READY"  # the line still rings
    run(loop, NOW, 12, first=5)

    state = current_state(agent_id=alice.pk)
    assert (state.state, state.reason) == ("PAUSED", "Coaching")
    assert state.at == NOW + timedelta(seconds=5)  # as soon as the line ended
    assert DialerCall.objects.count() == 1


def test_a_pause_with_no_line_ringing_is_at_once_and_ready_withdraws_a_request():
    from amicable.dialer.agents import agent_chooses_state, pause_requested

    people(2)
    campaign = running_campaign(now=NOW)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice, bob], now=NOW)
    pause(bob, NOW)
    assert current_state(agent_id=bob.pk).state == "PAUSED"  # nothing dialed yet

    loop, _ = loop_for(world_scenario(outcome="no_answer", ring=5.0))
    run(loop, NOW, 1)
    pause(alice, NOW + timedelta(seconds=1))
    agent_chooses_state(agent_id=alice.pk, state="READY", reason="", now=NOW + timedelta(seconds=2))
    assert pause_requested(agent_id=alice.pk) == ""
    run(loop, NOW, 12, first=2)
    assert current_state(agent_id=alice.pk).state == "READY"
    assert DialerCall.objects.count() == 2  # she is dialed for again


def test_a_person_goes_to_an_agent_who_stays_before_one_who_is_pausing():
    people(2)
    campaign = running_campaign(now=NOW)
    alice, bob = agents("alice", "bob")
    ready_agents(campaign, [alice, bob], now=NOW)  # alice has waited longest
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 1)
    assert DialerCall.objects.count() == 2
    pause(alice, NOW + timedelta(seconds=1))

    run(loop, NOW, 6, first=1)

    first, second = DialerCall.objects.order_by("answered_at", "id")
    assert first.connected_agent_id == bob.pk
    assert second.connected_agent_id == alice.pk  # the second person still has someone
    assert not DialerCall.objects.filter(outcome="ABANDONED").exists()


def test_the_desk_says_a_pause_is_on_its_way(client):
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=30.0))
    run(loop, NOW, 1)
    client.force_login(alice)

    with freeze(NOW + timedelta(seconds=1)):  # the loop's clock
        response = client.post("/desk/status/", {"state": "PAUSED", "reason": "Break"}, follow=True)
        assert "You will be paused in a few seconds" in response.content.decode()
        panel = client.get("/desk/dialer/").content.decode()
        assert "Pausing · Break" in panel
        client.post("/desk/status/", {"state": "READY"})
        assert "Pausing" not in client.get("/desk/dialer/").content.decode()


def test_with_no_dialer_loop_running_a_pause_is_at_once():
    """Nothing dials for the agent when no loop has looked after the campaign lately."""
    people(1)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=30.0))
    run(loop, NOW, 1)  # a line rings, then the loop stops

    pause(alice, NOW + timedelta(seconds=11))

    assert current_state(agent_id=alice.pk).state == "PAUSED"


def test_pause_pressed_on_a_call_comes_when_the_outcome_is_recorded():
    from amicable.dialer.agents import pause_requested

    people(2)
    campaign = running_campaign(now=NOW)
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, NOW, 5)
    assert current_state(agent_id=alice.pk).state == "ON_CALL"

    still = pause(alice, NOW + timedelta(seconds=10), reason="Break")

    assert still.state == "ON_CALL" and pause_requested(agent_id=alice.pk) == "Break"
    call_finished(agent_id=alice.pk, now=NOW + timedelta(seconds=20))
    state = current_state(agent_id=alice.pk)
    assert (state.state, state.reason) == ("PAUSED", "Break")
    run(loop, NOW, 30, first=21)
    assert DialerCall.objects.count() == 1  # nothing dialed for a paused agent


@pytest.mark.parametrize("pausing", [False, True])
def test_predictive_dials_nothing_more_for_an_agent_who_is_pausing(pausing):
    people(12)
    campaign = running_campaign(now=NOW, mode="PREDICTIVE", pacing_options={"initial_z": -1.0})
    (alice,) = agents("alice")
    ready_agents(campaign, [alice], now=NOW)
    loop, _ = loop_for(world_scenario(outcome="no_answer", ring=20.0))
    first = run(loop, NOW, 1)[0].placed
    if pausing:
        pause(alice, NOW + timedelta(seconds=1))

    later = sum(r.placed for r in run(loop, NOW, 15, first=1))

    assert first >= 1
    assert (later == 0) if pausing else (later > 0)
