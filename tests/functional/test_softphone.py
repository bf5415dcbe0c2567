"""The Twilio softphone through HTTP: the page and the Access Token an agent's browser uses to
take the dialer's calls. Only desk roles get one, only for their own identity, only by POST with
the CSRF token, never cached, and every token issued is in the audit trail."""

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse

from amicable.identity.models import AuditEvent

pytestmark = pytest.mark.django_db

TWILIO_ENV = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000001",
    "TWILIO_API_KEY_SID": "SK00000000000000000000000000000002",
    "TWILIO_API_KEY_SECRET": "fixture_api_key_secret_000000000",
}


@pytest.fixture
def twilio_configured(monkeypatch):
    for name, value in TWILIO_ENV.items():
        monkeypatch.setenv(name, value)


def token_claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_an_agent_gets_a_token_for_their_own_identity(
    client, agent_alice, frozen_clock, twilio_configured
):
    client.force_login(agent_alice)

    page = client.get(reverse("desk_softphone"))
    response = client.post(reverse("desk_softphone_token"))

    assert page.status_code == 200 and f"agent-{agent_alice.pk}" in page.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["identity"] == f"agent-{agent_alice.pk}"
    claims = token_claims(body["token"])
    assert claims["grants"]["identity"] == f"agent-{agent_alice.pk}"
    assert claims["sub"] == TWILIO_ENV["TWILIO_ACCOUNT_SID"]
    assert claims["exp"] - claims["nbf"] == 3600
    event = AuditEvent.objects.get(action="softphone.token_issued")
    assert event.actor_id == agent_alice.pk and event.details["identity"] == body["identity"]
    assert body["token"] not in json.dumps(event.details)


def test_the_token_needs_a_desk_role_a_post_and_the_csrf_token(
    agent_alice, compliance_carla, twilio_configured
):
    url = reverse("desk_softphone_token")
    anonymous = Client()
    assert anonymous.post(url).status_code == 302  # to sign-in

    carla = Client()
    carla.force_login(compliance_carla)
    assert carla.post(url).status_code == 403
    assert carla.get(reverse("desk_softphone")).status_code == 403

    alice = Client(enforce_csrf_checks=True)
    alice.force_login(agent_alice)
    assert alice.get(url).status_code == 405
    assert alice.post(url).status_code == 403  # no CSRF token
    assert not AuditEvent.objects.filter(action="softphone.token_issued").exists()


def test_without_twilio_credentials_there_is_no_softphone(client, agent_alice, monkeypatch):
    for name in TWILIO_ENV:
        monkeypatch.delenv(name, raising=False)
    client.force_login(agent_alice)

    assert client.get(reverse("desk_softphone")).status_code == 404
    assert client.post(reverse("desk_softphone_token")).status_code == 404
    assert "Open the softphone" not in client.get(reverse("desk_dialer_status")).content.decode()
