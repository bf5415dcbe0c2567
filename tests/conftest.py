"""Shared fixtures: personas (one user per role), creditors, and placement files."""

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amicable.identity.roles import Role

NOW = datetime(2026, 4, 6, 14, 0, tzinfo=UTC)

STANDARD_HEADER = [
    "account_number",
    "first_name",
    "last_name",
    "balance",
    "principal",
    "interest",
    "fees",
    "original_creditor",
    "date_of_birth",
    "ssn",
    "address1",
    "city",
    "state",
    "zip",
    "phone1",
    "phone2",
    "email",
    "delinquency_date",
]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings, tmp_path):
    """Background tasks run in-process in tests; uploaded files go to a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def frozen_clock():
    """Pin the entry points' clock to NOW (10:00 in New York on a Monday)."""
    from amicable.kernel.clock import freeze

    with freeze(NOW):
        yield NOW


def _user(username: str, role: Role):
    from amicable.identity.services import create_user_with_roles

    return create_user_with_roles(
        username=username,
        password="correct-horse-battery",
        roles=[role],
        first_name=username.split("_")[-1].title(),
        is_staff=role == Role.ADMIN,
    )


@pytest.fixture
def agent_alice(db):
    return _user("agent_alice", Role.AGENT)


@pytest.fixture
def supervisor_sam(db):
    return _user("supervisor_sam", Role.SUPERVISOR)


@pytest.fixture
def compliance_carla(db):
    return _user("compliance_carla", Role.COMPLIANCE)


@pytest.fixture
def admin_ada(db):
    return _user("admin_ada", Role.ADMIN)


@pytest.fixture
def creditor_mercy(db):
    from amicable.portfolio.services import create_creditor

    return create_creditor(code="mercy", name="Mercy Hospital", industry="MEDICAL", now=NOW)


@pytest.fixture
def creditor_brightline(db):
    from amicable.portfolio.services import create_creditor

    return create_creditor(
        code="brightline", name="Brightline Wireless", industry="TELECOM", now=NOW
    )


@pytest.fixture
def client_clio_of_mercy(db, creditor_mercy):
    from amicable.portfolio.models import CreditorUser

    user = _user("client_clio", Role.CLIENT)
    CreditorUser.objects.create(user=user, creditor=creditor_mercy)
    return user


def person_row(account: str, **overrides) -> dict[str, str]:
    row = {
        "account_number": account,
        "first_name": "Dana",
        "last_name": "Whitfield",
        "balance": "1,250.00",
        "principal": "1000.00",
        "interest": "200.00",
        "fees": "50.00",
        "original_creditor": "Mercy General",
        "date_of_birth": "1980-02-29",
        "ssn": "123-45-6789",
        "address1": "12 Main St",
        "city": "Albany",
        "state": "NY",
        "zip": "12207",
        "phone1": "(518) 555-0134",
        "phone2": "",
        "email": "dana@example.com",
        "delinquency_date": "01/15/2025",
    }
    row.update(overrides)
    return row


def write_placement_csv(
    path: Path, rows: list[dict[str, str]], header: list[str] | None = None
) -> Path:
    header = header or STANDARD_HEADER
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def placement_csv(tmp_path):
    """A small standard file: three good rows, one rejected, one with a bad phone."""
    rows = [
        person_row("M-1001"),
        person_row(
            "M-1002",
            first_name="Luis",
            last_name="García",
            ssn="234-56-7890",
            phone1="+1 212 555 0187",
            email="luis@example.com",
            balance="$80.25",
            principal="80.25",
            interest="0",
            fees="0",
        ),
        person_row(
            "M-1003",
            first_name="Ruth",
            last_name="Okafor",
            ssn="",
            balance="310",
            principal="",
            interest="",
            fees="",
            phone1="12345",
            email="not-an-email",
        ),
        person_row("M-1004", balance="-5", principal="", interest="", fees=""),
        person_row(
            "M-1005",
            first_name="Dana",
            last_name="Whitfield",
            balance="99.99",
            principal="99.99",
            interest="0",
            fees="0",
        ),
    ]
    return write_placement_csv(tmp_path / "mercy-2026-04.csv", rows)


@pytest.fixture
def client_factory_agent(db, frozen_clock):
    """A signed-in, ready agent's test client, by username."""
    from django.test import Client

    from amicable.dialer.agents import set_agent_state

    def make(username: str):
        user = _user(username, Role.AGENT)
        set_agent_state(agent_id=user.pk, state="READY", now=frozen_clock)
        browser = Client()
        browser.force_login(user)
        return browser

    return make
