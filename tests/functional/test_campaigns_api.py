"""Campaigns through the HTTP API: a supervisor's script creates, starts, pauses and stops one
and reads its live figures; what is refused says why; roles."""

import pytest

from amicable.dialer.models import Campaign
from amicable.identity.models import AuditEvent
from tests.functional.test_http_api import bearer
from tests.integration.dialer.dialer_world import (
    loop_for,
    people,
    ready_agents,
    run,
    running_campaign,
    world_scenario,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(supervisor_sam, frozen_clock):
    return bearer(supervisor_sam, frozen_clock)


def post(client, path, body, headers):
    return client.post(path, body, content_type="application/json", **headers)


def test_a_supervisor_creates_starts_pauses_and_stops_a_campaign(
    client, sam, supervisor_sam, creditor_mercy
):
    people(3)

    created = post(
        client,
        "/api/v1/campaigns",
        {
            "name": "Mercy April",
            "mode": "PREDICTIVE",
            "creditor_codes": ["mercy"],
            "min_balance": "1.00",
            "abandon_target": "0.025",
            "calling_starts_at": "09:00",
            "calling_ends_at": "20:00",
            "pacing_options": {"safety_margin": 0.005},
        },
        sam,
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "DRAFT" and body["mode"] == "PREDICTIVE"
    assert body["people_total"] == 3 and body["people_pending"] == 3
    assert body["abandon_target"] == "0.025" and body["min_balance"] == "1.00"
    assert body["calling_starts_at"] == "09:00:00"
    assert body["pacing_options"] == {"safety_margin": 0.005}
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.created_by == supervisor_sam

    for status in ("RUNNING", "PAUSED", "RUNNING", "STOPPED"):
        changed = post(client, f"/api/v1/campaigns/{campaign.pk}/status", {"status": status}, sam)
        assert changed.status_code == 200 and changed.json()["status"] == status

    refused = post(client, f"/api/v1/campaigns/{campaign.pk}/status", {"status": "RUNNING"}, sam)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "A stopped campaign cannot become running."
    assert (
        list(
            AuditEvent.objects.filter(action="dialer.campaign_status").values_list(
                "actor__username", flat=True
            )
        )
        == ["supervisor_sam"] * 4
    )


def test_the_list_and_one_campaign_show_live_figures(client, sam, frozen_clock, agent_alice):
    people(2)
    campaign = running_campaign(now=frozen_clock)
    ready_agents(campaign, [agent_alice], now=frozen_clock)
    loop, _ = loop_for(world_scenario(ring=3.0))
    run(loop, frozen_clock, 1)

    listed = client.get("/api/v1/campaigns", **sam)
    one = client.get(f"/api/v1/campaigns/{campaign.pk}", **sam)

    assert listed.status_code == 200 and [c["name"] for c in listed.json()] == ["Mercy spring"]
    body = one.json()
    assert body == listed.json()[0]
    assert body["agents"] == {"ready": 1, "on_call": 0, "wrap_up": 0, "paused": 0, "pausing": 0}
    assert body["calls_in_flight"] == 1 and body["dials_today"] == 1
    assert body["live_answers_30d"] == 0 and body["abandon_rate_30d"] == 0.0
    assert body["over_target"] is False
    assert client.get("/api/v1/campaigns/999999", **sam).status_code == 404
    missing = post(client, "/api/v1/campaigns/999999/status", {"status": "PAUSED"}, sam)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"creditor_codes": []}, "Say which debts to dial"),
        ({"calling_starts_at": "21:00", "calling_ends_at": "08:00"}, "start before they end"),
        ({"pacing_options": {"no_such_option": 1}}, "no_such_option"),
        ({"states": ["Narnia"]}, "Narnia"),
        ({"debt_ids": [1], "work_queue_people": 5}, "not both"),
        ({"work_queue_people": 0}, "between 1 and"),
        ({"creditor_codes": ["mercy", "nobody"]}, "No creditors with these codes: 'nobody'"),
    ],
)
def test_a_refused_campaign_says_why_and_nothing_is_created(
    client, sam, creditor_mercy, changes, message
):
    people(1)
    body = {"name": "Mercy", "mode": "PREDICTIVE", "creditor_codes": ["mercy"], **changes}

    refused = post(client, "/api/v1/campaigns", body, sam)

    assert refused.status_code == 422, refused.content
    assert message in refused.json()["detail"]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "x" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"max_attempts": 1000}, "max_attempts"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"retry_minutes": 3_000_000_000}, "retry_minutes"),
        ({"min_balance": "1e20"}, "min_balance"),
        ({"min_balance": "1.005"}, "min_balance"),
        ({"max_balance": "-5"}, "max_balance"),
        ({"abandon_target": "0.0301"}, "abandon_target"),
        ({"debt_ids": [2**63]}, "debt_ids"),
        ({"calling_starts_at": "09:00+05:00"}, "calling_starts_at"),
    ],
)
def test_values_outside_the_forms_limits_are_refused_naming_the_field(
    client, sam, creditor_mercy, changes, field
):
    body = {"name": "Mercy", "creditor_codes": ["mercy"], **changes}

    refused = post(client, "/api/v1/campaigns", body, sam)

    assert refused.status_code == 422, refused.content
    assert field in str(refused.json()["detail"])
    assert not Campaign.objects.exists()


def test_a_name_in_use_and_an_unknown_mode_are_refused(client, sam, creditor_mercy):
    people(1)
    body = {"name": "Mercy", "creditor_codes": ["mercy"]}
    assert post(client, "/api/v1/campaigns", body, sam).status_code == 201

    again = post(client, "/api/v1/campaigns", {**body, "name": " mercy "}, sam)
    assert again.status_code == 422 and "already a campaign" in again.json()["detail"]
    unknown = post(client, "/api/v1/campaigns", {**body, "name": "B", "mode": "TURBO"}, sam)
    assert unknown.status_code == 422 and "mode" in str(unknown.json()["detail"])


def test_a_campaign_from_the_work_queue(client, sam, creditor_mercy, frozen_clock):
    people(4)

    created = post(
        client, "/api/v1/campaigns", {"name": "Queue", "work_queue_people": 2}, sam
    ).json()

    assert created["people_total"] == 2 and len(created["debt_ids"]) == 2


def test_roles(client, agent_alice, compliance_carla, admin_ada, frozen_clock):
    people(1)
    campaign = running_campaign(now=frozen_clock)
    status_path = f"/api/v1/campaigns/{campaign.pk}/status"
    body = {"name": "X", "creditor_codes": ["mercy"]}

    assert client.get("/api/v1/campaigns").status_code == 401
    alice = bearer(agent_alice, frozen_clock)
    assert client.get("/api/v1/campaigns", **alice).status_code == 403
    assert post(client, "/api/v1/campaigns", body, alice).status_code == 403
    assert post(client, status_path, {"status": "PAUSED"}, alice).status_code == 403

    carla = bearer(compliance_carla, frozen_clock)  # reads abandonment, runs nothing
    assert client.get("/api/v1/campaigns", **carla).status_code == 200
    assert client.get(f"/api/v1/campaigns/{campaign.pk}", **carla).status_code == 200
    assert post(client, "/api/v1/campaigns", body, carla).status_code == 403
    assert post(client, status_path, {"status": "PAUSED"}, carla).status_code == 403

    ada = bearer(admin_ada, frozen_clock)
    assert post(client, status_path, {"status": "PAUSED"}, ada).json()["status"] == "PAUSED"
    assert Campaign.objects.get(pk=campaign.pk).status == "PAUSED"


def test_the_client_role_cannot_see_campaigns(client, client_clio_of_mercy, frozen_clock):
    clio = bearer(client_clio_of_mercy, frozen_clock)
    assert client.get("/api/v1/campaigns", **clio).status_code == 403


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"abandon_target": 0.5}, "in its own field"),
        ({"initial_z": "x"}, "the policy cannot work with them"),
        ({"max_dials_per_agent": "many"}, "the policy cannot work with them"),
    ],
)
def test_pacing_options_that_would_bend_the_target_or_fail_later_are_refused(
    client, sam, creditor_mercy, options, message
):
    people(1)
    body = {
        "name": "Mercy",
        "mode": "PREDICTIVE",
        "creditor_codes": ["mercy"],
        "pacing_options": options,
    }
    response = post(client, "/api/v1/campaigns", body, sam)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_a_nan_pacing_option_is_refused_not_a_server_error(client, sam, creditor_mercy):
    people(1)
    raw = (
        '{"name": "Mercy", "mode": "PREDICTIVE", "creditor_codes": ["mercy"],'
        ' "pacing_options": {"safety_margin": NaN}}'
    )
    response = client.post("/api/v1/campaigns", raw, content_type="application/json", **sam)
    assert response.status_code in (400, 422)
    assert not Campaign.objects.exists()
