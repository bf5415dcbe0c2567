"""Batch eligibility, explanations and the desk's snapshot: read-only views of the rules."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.api import (
    UnableToExplain,
    authorize_contact,
    compliance_snapshot,
    eligible_debts,
    explain_debt,
    record_attempt_result,
    record_fact,
)
from amicable.compliance.models import ContactAttempt
from tests.integration.compliance.compliance_world import debt_ids, make_consumer, phone_id

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)


def seven_calls(consumer, debt):
    for n in range(7):
        authorize_contact(
            consumer_id=consumer.pk,
            debt_ids=[debt],
            channel="call",
            now=MONDAY_10 - timedelta(days=2) + timedelta(hours=n),
            contact_point_id=phone_id(consumer),
        )


def test_eligibility_for_some_debts_and_the_whole_portfolio():
    dana = make_consumer()
    luis = make_consumer(first_name="Luis", zip_code="90012", phones=(("+12135550100", "MOBILE"),))
    ruth = make_consumer(first_name="Ruth")
    dana_medical, dana_telecom = debt_ids(dana)
    seven_calls(dana, dana_medical)
    record_fact(consumer_id=ruth.pk, kind="cease", at=MONDAY_10 - timedelta(days=1))

    chosen = eligible_debts(debt_ids=[dana_medical, dana_telecom, *debt_ids(luis)], now=MONDAY_10)

    assert set(chosen) == {dana_medical, dana_telecom, *debt_ids(luis)}
    assert not chosen[dana_medical].allowed
    assert chosen[dana_medical].next_allowed_at == datetime(2026, 4, 11, 8, 0, tzinfo=NY)
    assert chosen[dana_telecom].allowed
    # 10:00 in New York is 07:00 in Los Angeles: Luis may be called from 11:00 New York time.
    luis_medical = debt_ids(luis)[0]
    assert not chosen[luis_medical].allowed
    assert chosen[luis_medical].next_allowed_at == datetime(
        2026, 4, 6, 8, 0, tzinfo=ZoneInfo("America/Los_Angeles")
    )

    everything = eligible_debts(debt_ids=None, now=MONDAY_10)
    assert len(everything) == 6
    assert [everything[d].allowed for d in debt_ids(ruth)] == [False, False]
    assert everything[dana_telecom] == chosen[dana_telecom]
    assert ContactAttempt.objects.count() == 7  # nothing recorded


def test_eligibility_queries_do_not_grow_with_the_number_of_debts(django_assert_max_num_queries):
    people = [make_consumer(first_name=f"P{n}") for n in range(6)]
    ids = [d for p in people for d in debt_ids(p)]
    with django_assert_max_num_queries(6):
        answers = eligible_debts(debt_ids=ids, now=MONDAY_10)
    assert len(answers) == 12 and all(a.allowed for a in answers.values())


def test_explain_answers_like_the_chokepoint_without_recording():
    dana = make_consumer()
    medical = debt_ids(dana)[0]
    seven_calls(dana, medical)

    decision = explain_debt(debt_id=medical, at=MONDAY_10)

    assert not decision.allowed and decision.reasons[0].rule == "call_frequency"
    assert decision.calls_in_window == {str(medical): 8}
    assert ContactAttempt.objects.count() == 7
    earlier = explain_debt(debt_id=medical, at=MONDAY_10 - timedelta(days=2, hours=-3))
    assert earlier.allowed  # only what was known then
    with pytest.raises(UnableToExplain, match="No debt"):
        explain_debt(debt_id=999999, at=MONDAY_10)
    with pytest.raises(UnableToExplain, match="Unknown channel"):
        explain_debt(debt_id=medical, at=MONDAY_10, channel="pigeon")


def test_the_desk_snapshot():
    dana = make_consumer(phones=(("+15185550134", "MOBILE"), ("+13125550100", "LANDLINE")))
    medical, telecom = debt_ids(dana)
    auth = authorize_contact(
        consumer_id=dana.pk,
        debt_ids=[medical],
        channel="call",
        now=MONDAY_10 - timedelta(days=1),
        contact_point_id=phone_id(dana),
    )
    record_attempt_result(attempt_id=auth.attempt_id, result="no_answer", at=MONDAY_10)
    record_fact(consumer_id=dana.pk, kind="validation_notice", at=MONDAY_10, on=date(2026, 3, 30))
    record_fact(consumer_id=dana.pk, kind="dispute", at=MONDAY_10, debt_ids=[telecom])

    snap = compliance_snapshot(consumer_id=dana.pk, now=MONDAY_10 + timedelta(hours=1))

    assert [(t.zone, t.local.hour, t.within_hours) for t in snap.local_times] == [
        ("America/New_York", 11, True),
        ("America/Chicago", 10, True),
    ]
    by_debt = {w.debt_id: w for w in snap.debts}
    assert (by_debt[medical].calls_in_window, by_debt[medical].attempts_left) == (1, 6)
    assert by_debt[medical].allowed and not by_debt[telecom].allowed
    assert snap.call_permitted_now
    assert [(h.rule, h.debt_ids) for h in snap.holds] == [("dispute", (telecom,))]
    (period,) = snap.validation
    assert (period.notice_sent_on, period.assumed_received_on, period.ends_on) == (
        date(2026, 3, 30),
        date(2026, 4, 6),
        date(2026, 5, 6),
    )
    assert period.in_period and period.debt_ids == (medical, telecom)
    assert [(p.phone_type, p.tcpa_consent) for p in snap.phones] == [
        ("mobile", "unknown"),
        ("landline", "unknown"),
    ]
    assert snap.next_allowed_at == MONDAY_10 + timedelta(hours=1)
