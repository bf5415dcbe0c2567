"""Secrets, tokens and the API's schema: a deployment cannot run on the public development
key, a token stays its user's and revoked, and the schema is for signed-in users."""

import os
import subprocess
import sys

import pytest

from amicable.identity.models import ApiToken, AuditEvent
from amicable.identity.services import issue_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


def _settings_with(tmp_path, **environment):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "AMICABLE_ENCRYPTION_KEY", "ALLOWED_HOSTS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="amicable.config.settings",
        AMICABLE_DATA_DIR=str(tmp_path),
        PYTHONPATH=os.pathsep.join(sys.path),
        **environment,
    )
    code = "import django; django.setup(); print('started')"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_public_host_without_secret_key_refuses_to_start(tmp_path):
    refused = _settings_with(tmp_path, ALLOWED_HOSTS="collect.example.com")
    assert refused.returncode != 0
    assert "SECRET_KEY is not set: serving collect.example.com" in refused.stderr


@pytest.mark.parametrize(
    "environment",
    [
        {},  # local names only: the demo and the tests
        {"ALLOWED_HOSTS": "collect.example.com", "SECRET_KEY": "s3cret-from-the-vault"},
        {"ALLOWED_HOSTS": "collect.example.com", "DEBUG": "1"},
    ],
)
def test_the_development_key_is_only_for_local_or_debug_use(tmp_path, environment):
    started = _settings_with(tmp_path, **environment)
    assert started.returncode == 0, started.stderr[-500:]


def test_the_admin_cannot_reassign_or_unrevoke_a_token(client, admin_ada, agent_alice, now):
    token, _ = issue_api_token(user_id=agent_alice.pk, name="t", now=now)
    revoke_api_token(token_id=token.pk, actor_id=admin_ada.pk, now=now)
    client.force_login(admin_ada)

    client.post(
        f"/admin/identity/apitoken/{token.pk}/change/",
        {"user": admin_ada.pk, "name": "renamed", "revoked_at_0": "", "revoked_at_1": ""},
    )

    token.refresh_from_db()
    assert (token.user_id, token.revoked_at, token.name) == (agent_alice.pk, now, "renamed")


def test_the_admin_revokes_tokens_with_an_audit_event(client, admin_ada, agent_alice, now):
    token, secret = issue_api_token(user_id=agent_alice.pk, name="t", now=now)
    client.force_login(admin_ada)

    client.post(
        "/admin/identity/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )

    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked", object_id=str(token.pk))
    assert event.actor_id == admin_ada.pk
    client.logout()
    refused = client.get("/api/v1/creditors", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401


def test_the_api_schema_and_docs_are_for_signed_in_users_and_tokens(client, agent_alice, now):
    assert client.get("/api/v1/docs").status_code == 302  # to sign in
    assert client.get("/api/v1/openapi.json").status_code == 401
    wrong = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong.status_code == 401
    _, secret = issue_api_token(user_id=agent_alice.pk, name="t", now=now)
    token = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert token.status_code == 200 and "paths" in token.json()
    client.force_login(agent_alice)
    assert client.get("/api/v1/docs").status_code == 200
