"""The compliance officer's screens: the ledger, refusals by rule, the CSV log, and who may see."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from amicable.compliance.api import authorize_contact, record_attempt_result, record_fact
from tests.integration.compliance.compliance_world import debt_ids, make_consumer, phone_id

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)
RANGE = {"from": "2026-04-01", "to": "2026-04-30"}


@pytest.fixture
def ledger(agent_alice):
    dana = make_consumer()
    medical = debt_ids(dana)[0]
    allowed = authorize_contact(
        consumer_id=dana.pk,
        debt_ids=[medical],
        channel="CALL",
        now=MONDAY_10,
        contact_point_id=phone_id(dana),
        actor_id=agent_alice.pk,
        campaign="april",
    )
    record_attempt_result(attempt_id=allowed.attempt_id, result="conversation", at=MONDAY_10)
    authorize_contact(
        consumer_id=dana.pk,
        debt_ids=[medical],
        channel="CALL",
        now=MONDAY_10 + timedelta(days=1),
        contact_point_id=phone_id(dana),
        actor_id=agent_alice.pk,
    )
    authorize_contact(
        consumer_id=dana.pk,
        debt_ids=[medical],
        channel="CALL",
        now=MONDAY_10 + timedelta(days=7, hours=12),  # 22:00
        source="DIALER",
    )
    record_fact(
        consumer_id=dana.pk,
        kind="cease",
        at=MONDAY_10 + timedelta(days=2),
        debt_ids=[medical],
        actor_id=agent_alice.pk,
    )
    return dana


def test_the_consumer_ledger_shows_every_decision_and_fact(client, compliance_carla, ledger):
    client.force_login(compliance_carla)
    account = client.get(reverse("account_detail", args=[ledger.pk]))
    assert reverse("compliance_ledger", args=[ledger.pk]).encode() in account.content

    response = client.get(reverse("compliance_ledger", args=[ledger.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert len(response.context["ledger"].attempts) == 3
    assert "call_after_conversation" in body and "12 CFR 1006.14(b)(2)(i)(B)" in body
    assert "inconvenient_time" in body and "Conversation" in body
    assert "agent_alice" in body and "Dialer" in body and "april" in body
    assert "Cease communication" in body


def test_refused_contacts_by_rule_and_drill_down(client, supervisor_sam, ledger):
    client.force_login(supervisor_sam)

    report = client.get(reverse("compliance_refused"), RANGE)

    assert report.status_code == 200
    assert report.context["total"] == 2
    assert {(r.rule, r.count) for r in report.context["rules"]} == {
        ("call_after_conversation", 1),
        ("inconvenient_time", 1),
    }
    drill = client.get(reverse("compliance_refused_rule", args=["inconvenient_time"]), RANGE)
    assert drill.status_code == 200
    assert [a.source for a in drill.context["attempts"]] == ["DIALER"]
    assert b"Dana Whitfield" in drill.content


def test_the_contact_log_csv_export(client, admin_ada, ledger):
    client.force_login(admin_ada)

    response = client.get(reverse("compliance_contact_log"), RANGE)

    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["allowed"], r["rules"]) for r in rows] == [
        ("yes", ""),
        ("no", "call_after_conversation"),
        ("no", "inconvenient_time"),
    ]
    assert rows[0]["result"] == "conversation" and rows[0]["actor"] == "agent_alice"
    assert rows[1]["citations"] == "12 CFR 1006.14(b)(2)(i)(B)"


def test_agents_and_clients_may_not_see_compliance_screens(
    client, agent_alice, client_clio_of_mercy, ledger
):
    for user in (agent_alice, client_clio_of_mercy):
        client.force_login(user)
        assert client.get(reverse("compliance_refused"), RANGE).status_code == 403
        assert client.get(reverse("compliance_ledger", args=[ledger.pk])).status_code == 403
        assert client.get(reverse("compliance_contact_log"), RANGE).status_code == 403
    client.force_login(agent_alice)
    account = client.get(reverse("account_detail", args=[ledger.pk]))
    assert reverse("compliance_ledger", args=[ledger.pk]).encode() not in account.content
    client.logout()
    assert client.get(reverse("compliance_refused")).status_code == 302


def test_the_ledger_screen_query_count_does_not_grow(
    client, compliance_carla, ledger, django_assert_max_num_queries
):
    client.force_login(compliance_carla)
    for minute in range(5):
        authorize_contact(
            consumer_id=ledger.pk,
            debt_ids=debt_ids(ledger),
            channel="CALL",
            now=MONDAY_10 + timedelta(days=3, minutes=minute),
        )
    with django_assert_max_num_queries(14):
        assert client.get(reverse("compliance_ledger", args=[ledger.pk])).status_code == 200


def test_the_ledger_shows_the_exceptions_a_decision_applied(client, compliance_carla):
    dana = make_consumer()
    for hours, follow_up in ((0, False), (24 * 9, True)):
        auth = authorize_contact(
            consumer_id=dana.pk,
            debt_ids=debt_ids(dana)[:1],
            channel="CALL",
            now=MONDAY_10 + timedelta(hours=hours),
            contact_point_id=phone_id(dana),
            to="third_party",
            location_follow_up=follow_up,
        )
        if not follow_up:
            record_attempt_result(attempt_id=auth.attempt_id, result="conversation", at=MONDAY_10)
    client.force_login(compliance_carla)

    body = client.get(reverse("compliance_ledger", args=[dana.pk])).content.decode()

    assert body.count('data-testid="attempt-note"') == 1
    assert "Exception applied: This third party was already spoken with" in body
