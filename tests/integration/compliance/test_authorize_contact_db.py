"""The chokepoint against the database: every request is recorded, allowed or refused."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.api import (
    UnableToAuthorizeContact,
    UnableToRecordResult,
    authorize_contact,
    record_attempt_result,
)
from amicable.compliance.models import AppendOnlyError, ContactAttempt
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
        debt_ids=debts if debts is not None else debt_ids(consumer)[:1],
        channel="CALL",
        now=at,
        contact_point_id=kwargs.pop("contact_point_id", phone_id(consumer)),
        **kwargs,
    )


def test_an_allowed_call_is_recorded_with_its_decision(agent_alice):
    dana = make_consumer()
    debt = debt_ids(dana)[0]

    auth = call(dana, MONDAY_10, actor_id=agent_alice.pk, source="DESK", campaign="spring")

    assert auth.allowed and auth.decision.allowed
    attempt = ContactAttempt.objects.get(pk=auth.attempt_id)
    assert attempt.allowed and attempt.reasons == [] and attempt.rules == ""
    assert attempt.calls_in_window == {str(debt): 1}
    assert list(attempt.debts.values_list("id", flat=True)) == [debt]
    assert (attempt.actor_id, attempt.source, attempt.campaign) == (
        agent_alice.pk,
        "DESK",
        "spring",
    )
    assert attempt.channel == "CALL" and attempt.to == "CONSUMER" and attempt.result == ""


def test_the_eighth_call_in_seven_days_is_refused_and_recorded():
    dana = make_consumer()
    debt = debt_ids(dana)[0]
    for day in range(7):
        assert call(dana, MONDAY_10 + timedelta(days=day % 4, hours=day)).allowed

    refused = call(dana, MONDAY_10 + timedelta(days=4))

    assert not refused.allowed
    attempt = ContactAttempt.objects.get(pk=refused.attempt_id)
    assert not attempt.allowed and attempt.rules == ",call_frequency,"
    assert attempt.reasons[0]["citation"] == "12 CFR 1006.14(b)(2)(i)(A)"
    assert attempt.calls_in_window == {str(debt): 8}
    assert attempt.next_allowed_at == datetime(2026, 4, 13, 8, 0, tzinfo=NY)
    # The refusal is not a call: the other debt can still be called.
    assert call(dana, MONDAY_10 + timedelta(days=4), debts=[debt_ids(dana)[1]]).allowed


def test_refused_requests_do_not_count_and_not_connected_calls_do_not_either():
    dana = make_consumer()
    for hour in range(7):
        auth = call(dana, MONDAY_10 + timedelta(hours=hour % 3, minutes=hour))
        record_attempt_result(attempt_id=auth.attempt_id, result="busy", at=MONDAY_10)
    assert call(dana, MONDAY_10 + timedelta(hours=5)).allowed


def test_a_call_waiting_for_its_result_counts():
    dana = make_consumer()
    for minute in range(7):
        call(dana, MONDAY_10 + timedelta(minutes=minute))
    assert not call(dana, MONDAY_10 + timedelta(minutes=30)).allowed


def test_attempts_dated_after_now_still_count_clock_skew():
    dana = make_consumer()
    for minute in range(7):
        call(dana, MONDAY_10 + timedelta(minutes=10 + minute))
    late_clock = call(dana, MONDAY_10)
    assert not late_clock.allowed


def test_a_conversation_starts_seven_quiet_days():
    dana = make_consumer()
    first = call(dana, MONDAY_10)
    record_attempt_result(attempt_id=first.attempt_id, result="conversation", at=MONDAY_10)

    again = call(dana, MONDAY_10 + timedelta(days=3))

    assert not again.allowed and again.decision.reasons[0].rule == "call_after_conversation"
    assert again.decision.next_allowed_at == datetime(2026, 4, 13, 8, 0, tzinfo=NY)


def test_every_time_zone_counts_phone_area_code_in_california():
    dana = make_consumer(phones=(("+15185550134", "MOBILE"), ("+12135550100", "LANDLINE")))
    early = call(dana, MONDAY_10 - timedelta(hours=1))  # 09:00 New York, 06:00 Los Angeles

    assert not early.allowed
    assert early.decision.reasons[0].rule == "inconvenient_time"
    assert early.decision.next_allowed_at == datetime(2026, 4, 6, 11, 0, tzinfo=NY)
    assert call(dana, MONDAY_10 + timedelta(hours=1)).allowed


def test_email_text_and_letter_channels_and_wrong_point_kinds():
    dana = make_consumer()
    debts = debt_ids(dana)
    email = authorize_contact(
        consumer_id=dana.pk,
        debt_ids=debts,
        channel="email",
        now=MONDAY_10,
        contact_point_id=point_id(dana, "EMAIL"),
        source="SYSTEM",
    )
    assert email.allowed
    assert ContactAttempt.objects.get(pk=email.attempt_id).debts.count() == 2
    with pytest.raises(UnableToAuthorizeContact, match="cannot go to a email"):
        authorize_contact(
            consumer_id=dana.pk,
            debt_ids=debts,
            channel="CALL",
            now=MONDAY_10,
            contact_point_id=point_id(dana, "EMAIL"),
        )
    letter = authorize_contact(
        consumer_id=dana.pk,
        debt_ids=[],
        channel="LETTER",
        now=MONDAY_10,
        contact_point_id=point_id(dana, "ADDRESS"),
    )
    assert letter.allowed and ContactAttempt.objects.get(pk=letter.attempt_id).debts.count() == 2


def test_invalid_requests_raise_clear_errors():
    dana = make_consumer()
    other = make_consumer(first_name="Luis")
    with pytest.raises(UnableToAuthorizeContact, match="not one of this consumer's debts"):
        call(dana, MONDAY_10, debts=debt_ids(other))
    with pytest.raises(UnableToAuthorizeContact, match="not one of this consumer's"):
        call(dana, MONDAY_10, contact_point_id=phone_id(other))
    with pytest.raises(UnableToAuthorizeContact, match="Unknown channel"):
        authorize_contact(consumer_id=dana.pk, debt_ids=[], channel="fax", now=MONDAY_10)
    with pytest.raises(UnableToAuthorizeContact, match="No consumer"):
        authorize_contact(consumer_id=999999, debt_ids=[], channel="call", now=MONDAY_10)
    assert not ContactAttempt.objects.exists()


def test_a_result_is_recorded_once():
    dana = make_consumer()
    auth = call(dana, MONDAY_10)
    at = MONDAY_10 + timedelta(minutes=1)

    record_attempt_result(attempt_id=auth.attempt_id, result="voicemail_limited_content", at=at)
    record_attempt_result(attempt_id=auth.attempt_id, result="voicemail_limited_content", at=at)

    attempt = ContactAttempt.objects.get(pk=auth.attempt_id)
    assert (attempt.result, attempt.result_at) == ("voicemail_limited_content", at)
    with pytest.raises(UnableToRecordResult, match="already has the result"):
        record_attempt_result(attempt_id=auth.attempt_id, result="conversation", at=at)
    with pytest.raises(UnableToRecordResult, match="Unknown result"):
        record_attempt_result(attempt_id=auth.attempt_id, result="hung_up", at=at)


def test_a_refused_attempt_gets_no_result_and_the_ledger_is_append_only():
    dana = make_consumer()
    refused = call(dana, MONDAY_10 - timedelta(hours=3))
    assert not refused.allowed
    with pytest.raises(UnableToRecordResult, match="refused"):
        record_attempt_result(attempt_id=refused.attempt_id, result="busy", at=MONDAY_10)
    attempt = ContactAttempt.objects.get(pk=refused.attempt_id)
    with pytest.raises(AppendOnlyError):
        attempt.save()
    with pytest.raises(AppendOnlyError):
        attempt.delete()


def test_the_chokepoint_uses_a_constant_number_of_queries(django_assert_max_num_queries):
    dana = make_consumer()
    for minute in range(5):
        call(dana, MONDAY_10 + timedelta(minutes=minute))
    debts = debt_ids(dana)
    phone = phone_id(dana)
    with django_assert_max_num_queries(9):
        authorize_contact(
            consumer_id=dana.pk,
            debt_ids=debts,
            channel="CALL",
            now=MONDAY_10 + timedelta(hours=1),
            contact_point_id=phone,
        )


def test_a_third_party_spoken_with_is_contacted_again_only_on_a_recorded_exception():
    from amicable.compliance.selectors import CONTACT_LOG_HEADER, contact_log

    dana = make_consumer()
    first = call(dana, MONDAY_10, to="third_party")
    record_attempt_result(attempt_id=first.attempt_id, result="conversation", at=MONDAY_10)

    again = call(dana, MONDAY_10 + timedelta(days=9), to="third_party")
    follow_up = call(
        dana, MONDAY_10 + timedelta(days=9, hours=1), to="third_party", location_follow_up=True
    )

    assert not again.allowed
    assert [r.rule for r in again.decision.reasons] == ["location_once"]
    assert ContactAttempt.objects.get(pk=again.attempt_id).rules == ",location_once,"
    assert follow_up.allowed
    notes = ContactAttempt.objects.get(pk=follow_up.attempt_id).notes
    assert len(notes) == 1 and "1006.10(c)" in notes[0]
    rows = list(
        contact_log(start=MONDAY_10 - timedelta(days=1), end=MONDAY_10 + timedelta(days=10))
    )
    assert rows[0][-1] == "notes" and rows[0] == CONTACT_LOG_HEADER
    assert "1006.10(c)" in rows[-1][-1] and rows[1][-1] == ""
