"""Facts from the database: time zones, holds, consents, opt-outs, and the facts log."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.api import UnableToRecordFact, authorize_contact, record_fact
from amicable.compliance.facts import (
    FALLBACK_TIME_ZONES,
    gather_facts,
    phone_time_zones,
    zip_time_zone,
)
from amicable.compliance.models import AppendOnlyError, ComplianceFact
from amicable.identity.models import AuditEvent
from amicable.portfolio.models import ContactPoint
from tests.integration.compliance.compliance_world import (
    debt_ids,
    make_consumer,
    phone_id,
    point_id,
)

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)


def call(consumer, at, debts=None, **kwargs):
    return authorize_contact(
        consumer_id=consumer.pk,
        debt_ids=debts if debts is not None else debt_ids(consumer),
        channel="CALL",
        now=at,
        contact_point_id=kwargs.pop("contact_point_id", phone_id(consumer)),
        **kwargs,
    )


def facts_of(consumer, now=MONDAY_10):
    return gather_facts(consumer_ids=[consumer.pk], now=now)[consumer.pk].facts


def test_time_zones_from_zip_first_then_area_codes():
    assert zip_time_zone("12207") == "America/New_York"
    assert zip_time_zone("99501") == "America/Anchorage"
    assert phone_time_zones("+12135550100") == ("America/Los_Angeles",)
    assert phone_time_zones("+18005550100") == ()  # toll-free says nothing about a place
    dana = make_consumer(
        zip_code="90012",
        phones=(
            ("+15185550134", "MOBILE"),
            ("+13125550100", "LANDLINE"),
            ("+18005550100", "UNKNOWN"),
        ),
    )
    assert facts_of(dana).consumer.time_zones == (
        "America/Los_Angeles",
        "America/New_York",
        "America/Chicago",
    )
    assert facts_of(dana).consumer.state == "NY"


def test_no_location_at_all_means_every_contiguous_zone():
    nobody = make_consumer(zip_code="", phones=(), email=None, state="")
    facts = facts_of(nobody)
    assert facts.consumer.time_zones == FALLBACK_TIME_ZONES
    assert facts.consumer.state is None
    assert [d.type for d in facts.debts] == ["medical", "telecom"]


def test_a_wrong_number_is_not_a_location_and_is_never_called_again(compliance_carla):
    dana = make_consumer(phones=(("+15185550134", "MOBILE"), ("+12135550100", "LANDLINE")))
    la_phone = phone_id(dana, 1)

    record_fact(
        consumer_id=dana.pk,
        kind="not_persons_number",
        at=MONDAY_10,
        contact_point_id=la_phone,
        actor_id=compliance_carla.pk,
    )

    assert ContactPoint.objects.get(pk=la_phone).status == "WRONG_NUMBER"
    assert facts_of(dana).consumer.time_zones == ("America/New_York",)
    refused = call(dana, MONDAY_10 + timedelta(minutes=5), contact_point_id=la_phone)
    assert [r.rule for r in refused.decision.reasons] == ["wrong_number"]
    audit = AuditEvent.objects.get(action="compliance.fact.not_persons_number")
    assert audit.object_id == str(dana.pk) and audit.actor == compliance_carla


@pytest.mark.parametrize(
    "kind, extra, rule",
    [
        ("cease", {}, "cease"),
        ("attorney", {}, "attorney"),
        ("dispute", {"in_writing": True}, "dispute"),
        ("bankruptcy", {}, "bankruptcy"),
        ("deceased", {}, "deceased"),
    ],
)
def test_holds_refuse_contact(kind, extra, rule):
    dana = make_consumer()
    record_fact(consumer_id=dana.pk, kind=kind, at=MONDAY_10 - timedelta(days=1), **extra)

    refused = call(dana, MONDAY_10)

    assert not refused.allowed and rule in {r.rule for r in refused.decision.reasons}
    assert refused.decision.next_allowed_at is None


def test_a_hold_on_one_debt_and_its_end_as_a_new_fact():
    dana = make_consumer()
    medical, telecom = debt_ids(dana)
    record_fact(
        consumer_id=dana.pk, kind="attorney", at=MONDAY_10 - timedelta(days=2), debt_ids=[medical]
    )

    assert not call(dana, MONDAY_10, debts=[medical]).allowed
    assert call(dana, MONDAY_10, debts=[telecom]).allowed

    record_fact(
        consumer_id=dana.pk,
        kind="attorney",
        at=MONDAY_10 + timedelta(hours=1),
        debt_ids=[medical],
        ended=True,
    )
    assert call(dana, MONDAY_10 + timedelta(hours=2), debts=[medical]).allowed
    assert ComplianceFact.objects.filter(consumer=dana).count() == 2


def test_a_written_dispute_pauses_until_verification_is_sent():
    dana = make_consumer()
    medical = debt_ids(dana)[0]
    record_fact(consumer_id=dana.pk, kind="validation_notice", at=MONDAY_10, on=date(2026, 3, 2))
    record_fact(
        consumer_id=dana.pk, kind="dispute", at=MONDAY_10 - timedelta(days=10), debt_ids=[medical]
    )
    assert not call(dana, MONDAY_10, debts=[medical]).allowed
    record_fact(consumer_id=dana.pk, kind="verification_sent", at=MONDAY_10, debt_ids=[medical])
    assert call(dana, MONDAY_10 + timedelta(minutes=1), debts=[medical]).allowed


def test_tcpa_consent_with_provenance_allows_autodialed_calls_to_a_mobile(agent_alice):
    dana = make_consumer()
    mobile = phone_id(dana)
    assert not call(dana, MONDAY_10, autodialed=True, source="DIALER").allowed

    record_fact(
        consumer_id=dana.pk,
        kind="consent",
        at=MONDAY_10 + timedelta(minutes=1),
        contact_point_id=mobile,
        consent_kind="tcpa",
        given_by="consumer",
        method="recorded call",
        actor_id=agent_alice.pk,
    )

    point = ContactPoint.objects.get(pk=mobile)
    assert (point.consent, point.consent_by, point.consent_method) == (
        "GRANTED",
        "consumer",
        "recorded call",
    )
    assert call(dana, MONDAY_10 + timedelta(minutes=2), autodialed=True, source="DIALER").allowed
    record_fact(
        consumer_id=dana.pk,
        kind="consent_revoked",
        at=MONDAY_10 + timedelta(minutes=3),
        contact_point_id=mobile,
        consent_kind="tcpa",
    )
    assert ContactPoint.objects.get(pk=mobile).consent == "REVOKED"
    refused = call(dana, MONDAY_10 + timedelta(minutes=4), autodialed=True, source="DIALER")
    assert [r.rule for r in refused.decision.reasons] == ["tcpa_consent"]


def test_an_email_opt_out_refuses_emails_and_marks_the_address():
    dana = make_consumer()
    email = point_id(dana, "EMAIL")
    record_fact(
        consumer_id=dana.pk, kind="opt_out", at=MONDAY_10, contact_point_id=email, method="link"
    )
    assert ContactPoint.objects.get(pk=email).opted_out_at == MONDAY_10
    refused = authorize_contact(
        consumer_id=dana.pk,
        debt_ids=[],
        channel="email",
        now=MONDAY_10 + timedelta(minutes=1),
        contact_point_id=email,
    )
    assert [r.rule for r in refused.decision.reasons] == ["opt_out"]


def test_a_consumer_call_and_call_consent_for_a_day():
    dana = make_consumer()
    medical = debt_ids(dana)[0]
    record_fact(consumer_id=dana.pk, kind="consumer_call", at=MONDAY_10, debt_ids=[medical])
    assert not call(dana, MONDAY_10 + timedelta(days=2), debts=[medical]).allowed
    record_fact(
        consumer_id=dana.pk,
        kind="consent",
        at=MONDAY_10 + timedelta(days=2),
        debt_ids=[medical],
        for_dates=[date(2026, 4, 9)],
    )
    assert call(dana, datetime(2026, 4, 9, 11, 0, tzinfo=NY), debts=[medical]).allowed


def test_an_inconvenient_time_designation():
    dana = make_consumer()
    record_fact(
        consumer_id=dana.pk,
        kind="inconvenient_time",
        at=MONDAY_10 - timedelta(days=1),
        days=["Mon", "Tue"],
        **{"from": "09:00", "to": "12:00"},
    )
    refused = call(dana, MONDAY_10)
    assert [r.rule for r in refused.decision.reasons] == ["consumer_inconvenient_time"]


@pytest.mark.parametrize(
    "kind, kwargs, message",
    [
        ("gossip", {}, "Unknown fact"),
        ("cease", {"colour": "red"}, "does not take colour"),
        ("dispute", {"ended": True}, "cannot be ended"),
        ("not_persons_number", {}, "needs the contact_point_id"),
        ("opt_out", {}, "needs a contact_point_id or a medium"),
        ("consent", {"consent_kind": "tcpa"}, "one phone"),
        ("consent", {"for_dates": ["tomorrow"]}, "must be a date"),
        ("cease", {"on": "2026-04-01"}, "dated by at"),
        ("cease", {"debt_ids": [999999]}, "not one of this consumer's debts"),
    ],
)
def test_invalid_facts_are_refused_with_a_clear_message(kind, kwargs, message):
    dana = make_consumer()
    with pytest.raises(UnableToRecordFact, match=message):
        record_fact(consumer_id=dana.pk, kind=kind, at=MONDAY_10, **kwargs)
    assert not ComplianceFact.objects.exists()


def test_facts_are_append_only():
    dana = make_consumer()
    fact = record_fact(consumer_id=dana.pk, kind="cease", at=MONDAY_10)
    with pytest.raises(AppendOnlyError):
        fact.save()
    with pytest.raises(AppendOnlyError):
        fact.delete()


def test_facts_for_many_consumers_take_five_queries(django_assert_num_queries):
    people = [make_consumer(first_name=f"P{n}") for n in range(4)]
    for person in people:
        call(person, MONDAY_10)
        record_fact(
            consumer_id=person.pk, kind="cease", at=MONDAY_10, debt_ids=debt_ids(person)[:1]
        )
    with django_assert_num_queries(5):
        bundles = gather_facts(
            consumer_ids=[p.pk for p in people], now=MONDAY_10 + timedelta(hours=1)
        )
    assert all(len(b.facts.events) == 2 for b in bundles.values())
