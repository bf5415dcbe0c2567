"""Many dialers at once on PostgreSQL: the per-consumer lock keeps every cap."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from amicable.compliance.api import authorize_contact
from amicable.compliance.models import ContactAttempt
from tests.integration.compliance.compliance_world import debt_ids, make_consumer, phone_id

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)
THREADS = 12
CALLS_PER_THREAD = 3

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_concurrent_dialers_never_exceed_seven_calls_per_debt():
    dana = make_consumer()
    debt = debt_ids(dana)[0]
    phone = phone_id(dana)
    start = threading.Barrier(THREADS)
    outcomes: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def dialer(number: int) -> None:
        try:
            start.wait()
            for attempt in range(CALLS_PER_THREAD):
                auth = authorize_contact(
                    consumer_id=dana.pk,
                    debt_ids=[debt],
                    channel="CALL",
                    now=MONDAY_10 + timedelta(seconds=number * CALLS_PER_THREAD + attempt),
                    contact_point_id=phone,
                    source="DIALER",
                    autodialed=False,
                )
                with lock:
                    outcomes.append(auth.allowed)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dialer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert len(outcomes) == THREADS * CALLS_PER_THREAD
    assert outcomes.count(True) == 7
    assert ContactAttempt.objects.filter(consumer=dana, allowed=True).count() == 7
    assert ContactAttempt.objects.filter(consumer=dana, allowed=False).count() == 29
