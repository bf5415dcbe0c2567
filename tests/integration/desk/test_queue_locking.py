"""Two agents never get the same account, even when they ask at the same instant."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from amicable.identity.roles import Role
from amicable.identity.services import create_user_with_roles
from amicable.portfolio.seeding import seed_demo_portfolio
from amicable.strategy.models import CallSession, DeskLock
from amicable.strategy.services import UnableToWorkAccount, next_account, open_account


@pytest.fixture
def agents(db):
    return [
        create_user_with_roles(
            username=f"agent{n}", password="pw-long-enough-1", roles=[Role.AGENT]
        )
        for n in range(6)
    ]


def test_an_account_is_locked_to_one_agent(agents, now):
    seed_demo_portfolio(accounts=30, seed=2, as_of=now.date(), now=now - timedelta(days=3))
    first = next_account(agent_id=agents[0].pk, now=now)
    assert first is not None
    with pytest.raises(UnableToWorkAccount, match="Another agent"):
        open_account(agent_id=agents[1].pk, consumer_id=first.consumer_id, origin="SEARCH", now=now)
    second = next_account(agent_id=agents[1].pk, now=now)
    assert second is not None and second.consumer_id != first.consumer_id
    # A lock that was abandoned expires.
    later = open_account(
        agent_id=agents[1].pk,
        consumer_id=first.consumer_id,
        origin="SEARCH",
        now=now + timedelta(hours=1),
    )
    assert later.agent_id == agents[1].pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_agents_never_share_an_account(now):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    seed_demo_portfolio(accounts=60, seed=3, as_of=now.date(), now=now - timedelta(days=3))
    users = [
        create_user_with_roles(
            username=f"racer{n}", password="pw-long-enough-1", roles=[Role.AGENT]
        )
        for n in range(8)
    ]
    barrier = threading.Barrier(len(users))
    errors: list[BaseException] = []

    def work(user_id: int) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                next_account(agent_id=user_id, now=now)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(u.pk,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    locked = list(DeskLock.objects.values_list("consumer_id", flat=True))
    assert len(locked) == len(set(locked))
    open_sessions = CallSession.objects.filter(ended_at__isnull=True)
    per_consumer = {}
    for session in open_sessions:
        per_consumer.setdefault(session.consumer_id, set()).add(session.agent_id)
    assert all(len(agents) == 1 for agents in per_consumer.values())
