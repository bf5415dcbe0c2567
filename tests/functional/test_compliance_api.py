"""The compliance API: check, explain, eligibility, contact log, and who may call what."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.api import authorize_contact
from amicable.compliance.check_cli import main as check_main
from amicable.identity.services import issue_api_token
from tests.integration.compliance.compliance_world import debt_ids, make_consumer, phone_id

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "compliance"


def bearer(user, now):
    _, secret = issue_api_token(user_id=user.pk, name="test", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def dana():
    dana = make_consumer()
    for n in range(7):
        authorize_contact(
            consumer_id=dana.pk,
            debt_ids=debt_ids(dana)[:1],
            channel="CALL",
            now=MONDAY_10 - timedelta(days=2, hours=-n),
            contact_point_id=phone_id(dana),
        )
    return dana


def test_check_answers_exactly_like_the_cli(client, compliance_carla, now, capsys):
    scenario = sorted(EXAMPLES.glob("*.json"))[0]
    check_main([str(scenario)])
    expected = json.loads(capsys.readouterr().out)

    response = client.post(
        "/api/v1/compliance/check",
        scenario.read_text(),
        content_type="application/json",
        **bearer(compliance_carla, now),
    )

    assert response.status_code == 200 and response.json() == expected


def test_check_names_the_invalid_field(client, compliance_carla, now):
    response = client.post(
        "/api/v1/compliance/check",
        json.dumps({"consumer": {"time_zones": ["America/New_York"]}, "debts": []}),
        content_type="application/json",
        **bearer(compliance_carla, now),
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid scenario: ")


def test_explain_a_debt(client, agent_alice, dana, now):
    medical = debt_ids(dana)[0]
    response = client.get(
        "/api/v1/compliance/explain",
        {"debt_id": medical, "at": MONDAY_10.isoformat()},
        **bearer(agent_alice, now),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False and body["reasons"][0]["rule"] == "call_frequency"
    assert body["calls_in_window"] == {str(medical): 8}
    assert body["next_allowed_at"] == "2026-04-11T08:00:00-04:00"
    missing = client.get(
        "/api/v1/compliance/explain", {"debt_id": 999999}, **bearer(agent_alice, now)
    )
    assert missing.status_code == 422 and "No debt" in missing.json()["detail"]


def test_eligibility_for_a_list_of_debts(client, agent_alice, dana, now):
    medical, telecom = debt_ids(dana)
    response = client.post(
        "/api/v1/compliance/eligibility",
        {"debt_ids": [medical, telecom], "at": MONDAY_10.isoformat()},
        content_type="application/json",
        **bearer(agent_alice, now),
    )
    assert response.status_code == 200
    debts = {d["debt_id"]: d for d in response.json()["debts"]}
    assert debts[medical]["allowed"] is False
    assert debts[medical]["next_allowed_at"].startswith("2026-04-11T08:00:00")
    assert debts[telecom] == {
        "debt_id": telecom,
        "allowed": True,
        "next_allowed_at": debts[telecom]["next_allowed_at"],
    }


def test_contact_log_csv(client, supervisor_sam, dana, now):
    response = client.get(
        "/api/v1/compliance/contact-log.csv",
        {"from": "2026-04-01", "to": "2026-04-30"},
        **bearer(supervisor_sam, now),
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("attempt_id,requested_at") and len(lines) == 8
    bad = client.get(
        "/api/v1/compliance/contact-log.csv", {"from": "April"}, **bearer(supervisor_sam, now)
    )
    assert bad.status_code == 422


def test_who_may_call_what(client, agent_alice, client_clio_of_mercy, dana, now):
    agent = bearer(agent_alice, now)
    assert (
        client.post(
            "/api/v1/compliance/check", "{}", content_type="application/json", **agent
        ).status_code
        == 403
    )
    assert (
        client.get(
            "/api/v1/compliance/contact-log.csv",
            {"from": "2026-04-01", "to": "2026-04-02"},
            **agent,
        ).status_code
        == 403
    )
    clio = bearer(client_clio_of_mercy, now)
    medical = debt_ids(dana)[0]
    assert client.get("/api/v1/compliance/explain", {"debt_id": medical}, **clio).status_code == 403
    assert (
        client.post(
            "/api/v1/compliance/eligibility",
            {"debt_ids": [medical]},
            content_type="application/json",
            **clio,
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/compliance/check", "{}", content_type="application/json", **clio
        ).status_code
        == 403
    )
    assert client.get("/api/v1/compliance/explain", {"debt_id": medical}).status_code == 401
