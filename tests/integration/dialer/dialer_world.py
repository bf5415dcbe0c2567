"""A small calling world for the dialer's integration tests: people with landlines in New York,
a running campaign, ready agents, and a simulated provider whose every dial is answered by a
person `ring` seconds later (so the tests can work out what happens by hand)."""

from datetime import timedelta

from amicable.dialer.agents import set_agent_state
from amicable.dialer.core.scenario import LogNormal, Outcomes, Scenario, Timing
from amicable.dialer.loop import DialerLoop
from amicable.dialer.services import CampaignFilter, create_campaign, join_campaign
from amicable.dialer.telephony.simulated import SimulatedProvider
from tests.integration.compliance.compliance_world import make_consumer


def people(count: int, *, phone_type: str = "LANDLINE"):
    return [
        make_consumer(
            first_name=f"P{i}",
            phones=((f"+1518555{i:04d}", phone_type),),
            debts=((f"M-{i}", "MEDICAL"),),
        )
        for i in range(count)
    ]


def world_scenario(*, outcome: str = "live", ring: float = 3.0) -> Scenario:
    outcomes = {"live": 0.0, "machine": 0.0, "no_answer": 0.0, "busy": 0.0, "invalid": 0.0}
    outcomes[outcome] = 1.0
    return Scenario(
        outcomes=Outcomes(**outcomes),
        timing=Timing(
            live_answer=LogNormal.from_median_p90(ring, ring),
            machine_answer_mean=ring,
            machine_answer_sd=0.0,
            no_answer_timeout=ring,
            busy_detect=ring,
            invalid_detect=ring,
            amd_seconds=0.0,
        ),
    )


def running_campaign(*, now, mode="PROGRESSIVE", creator=None, **kwargs):
    from amicable.dialer.services import set_campaign_status

    campaign = create_campaign(
        name=kwargs.pop("name", "Mercy spring"),
        mode=mode,
        list_filter=kwargs.pop("list_filter", CampaignFilter(creditor_codes=("mercy",))),
        created_by_id=creator.pk if creator else None,
        now=now,
        **kwargs,
    )
    return set_campaign_status(campaign_id=campaign.pk, status="RUNNING", actor_id=None, now=now)


def ready_agents(campaign, agents, *, now):
    """Join and set ready, one second apart, in the order given (the first is longest idle)."""
    for index, agent in enumerate(agents):
        join_campaign(campaign_id=campaign.pk, agent_id=agent.pk, now=now)
        set_agent_state(agent_id=agent.pk, state="READY", now=now - timedelta(seconds=60 - index))


def loop_for(scenario: Scenario, *, speed: float = 1.0):
    provider = SimulatedProvider(scenario=scenario, speed=speed)
    return DialerLoop(provider=provider, speed=speed, step_seconds=1.0), provider


def run(loop, start, seconds: int, *, first: int = 0):
    """Tick once a second, from `start + first` s to `start + seconds - 1` s."""
    reports = []
    for k in range(first, seconds):
        reports.append(loop.tick(now=start + timedelta(seconds=k)))
    return reports


def on_a_dialer_call(client, agent, *, now):
    """Two people to call; `agent` joins the running campaign from the desk, presses Ready,
    and the loop connects a person (answered 3 s after the dial). Returns the campaign, the
    loop and the URL of the call screen the desk popped."""
    from django.urls import reverse

    people(2)
    campaign = running_campaign(now=now)
    client.force_login(agent)
    client.post(reverse("desk_dialer_join", args=[campaign.pk]))
    client.post(reverse("desk_status"), {"state": "READY"})
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, now, 4)
    popped = client.get(reverse("desk_dialer_status"), HTTP_HX_REQUEST="true")
    return campaign, loop, popped["HX-Redirect"]
