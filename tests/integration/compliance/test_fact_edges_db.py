"""Consumer facts at their edges: an inconvenient time across midnight."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.api import UnableToRecordFact, authorize_contact, record_fact
from tests.integration.compliance.compliance_world import debt_ids, make_consumer, phone_id

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
EVERY_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_an_inconvenient_time_across_midnight_is_refused_saying_how_to_record_it():
    """ "Don't call me after 7 p.m. or before 10 a.m." as one window would match nothing."""
    dana = make_consumer()
    with pytest.raises(UnableToRecordFact, match="crosses midnight .*from 19:00 to 24:00"):
        record_fact(
            consumer_id=dana.pk,
            kind="INCONVENIENT_TIME",
            at=datetime(2026, 4, 6, 9, tzinfo=NY),
            days=EVERY_DAY,
            **{"from": "19:00", "to": "10:00"},
        )

    for start, end in (("19:00", "24:00"), ("00:00", "10:00")):  # as the message says
        record_fact(
            consumer_id=dana.pk,
            kind="INCONVENIENT_TIME",
            at=datetime(2026, 4, 6, 9, tzinfo=NY),
            days=EVERY_DAY,
            **{"from": start, "to": end},
        )
    auth = authorize_contact(
        consumer_id=dana.pk,
        debt_ids=debt_ids(dana)[:1],
        channel="CALL",
        now=datetime(2026, 4, 7, 20, 0, tzinfo=NY),
        contact_point_id=phone_id(dana),
    )
    assert not auth.allowed
    assert [r.rule for r in auth.decision.reasons] == ["consumer_inconvenient_time"]
