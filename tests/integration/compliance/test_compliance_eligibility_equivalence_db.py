"""Batch eligibility shares evaluations between consumers that look alike; it must still say
exactly what `explain_debt` says about every debt, on a varied portfolio."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.api import eligible_debts, explain_debt, record_fact
from amicable.compliance.models import ContactAttempt, ContactAttemptDebt
from amicable.portfolio.models import ContactPoint, Debt
from tests.integration.compliance.compliance_world import debt_ids, make_consumer, phone_id

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 4, 6, 10, 0, tzinfo=NY)
PLACES = [
    ("NY", "12207", "+15185550134"),  # Eastern
    ("CA", "90012", "+12135550100"),  # Pacific
    ("IL", "60601", "+13125550100"),  # Central
    ("NY", "12207", "+12135550100"),  # an Eastern address and a Pacific phone
    ("MA", "02108", "+16175550100"),  # overlay: 2 calls in 7 days
    ("WA", "98101", "+12065550100"),  # overlay: 3 communications a week, calls from 7:30
    ("HI", "96813", "+18085550100"),  # Hawaii
    ("TX", "", "+18005550100"),  # no address, a toll-free number: the fallback zones
]
RESULTS = [
    "no_answer",
    "no_answer",
    "",
    "voicemail_no_message",
    "busy",
    "not_in_service",
    "conversation",
    "abandoned",
]


def attempt(consumer, debts, at, *, result="no_answer", channel="CALL", to="CONSUMER"):
    row = ContactAttempt(
        consumer_id=consumer.pk,
        channel=channel,
        to=to,
        contact_point_id=phone_id(consumer) if channel in ("CALL", "TEXT") else None,
        requested_at=at,
        allowed=True,
        source="DIALER",
        result=result if channel == "CALL" else "",
        result_at=at if result and channel == "CALL" else None,
    )
    row.save()
    ContactAttemptDebt.objects.bulk_create(
        [ContactAttemptDebt(attempt_id=row.pk, debt_id=d) for d in debts]
    )


def seeded_portfolio(rng: random.Random) -> list[int]:
    everything = []
    for n in range(90):
        state, zip_code, phone = PLACES[n % len(PLACES)]
        consumer = make_consumer(
            first_name=f"P{n}",
            state=state,
            zip_code=zip_code,
            phones=((phone, rng.choice(["MOBILE", "LANDLINE", ""])),),
            debts=tuple((f"A{k}", rng.choice(["MEDICAL", "TELECOM"])) for k in range(1 + n % 3)),
        )
        debts = debt_ids(consumer)
        everything.extend(debts)
        style = n % 9
        if style == 0:
            continue  # nothing on record
        calls = rng.randint(1, 12) if style != 8 else rng.randint(6, 9)
        for _ in range(calls):
            at = MONDAY_10 - timedelta(days=rng.randint(0, 9), hours=rng.randint(-12, 10))
            if at > MONDAY_10:
                at = MONDAY_10 - timedelta(minutes=rng.randint(1, 600))
            about = rng.sample(debts, rng.randint(0, len(debts)))  # [] means every debt
            if style == 8:
                about = debts[:1]
            attempt(consumer, about, at, result=rng.choice(RESULTS))
        if style == 2:
            attempt(consumer, debts[:1], MONDAY_10 - timedelta(days=2), to="ATTORNEY")
        if style == 3:
            attempt(consumer, debts, MONDAY_10 - timedelta(days=1), channel="TEXT")
        if style == 4:
            kind = rng.choice(["cease", "dispute", "consumer_call", "attorney", "bankruptcy"])
            record_fact(
                consumer_id=consumer.pk,
                kind=kind,
                at=MONDAY_10 - timedelta(days=rng.randint(0, 5)),
                debt_ids=debts[:1] if kind != "bankruptcy" else None,
            )
        if style == 5:
            record_fact(
                consumer_id=consumer.pk,
                kind="consent",
                at=MONDAY_10 - timedelta(days=2),
                debt_ids=debts[:1],
            )
        if style == 6:
            record_fact(
                consumer_id=consumer.pk,
                kind="not_persons_number",
                at=MONDAY_10 - timedelta(days=3),
                contact_point_id=phone_id(consumer),
            )
        if style == 7:
            record_fact(
                consumer_id=consumer.pk,
                kind="inconvenient_time",
                at=MONDAY_10 - timedelta(days=3),
                days=["Mon", "Tue"],
                **{"from": "09:00", "to": "12:00"},
            )
            # a call dated later than the asked instant is not known yet
            attempt(consumer, debts, MONDAY_10 + timedelta(hours=2))
    return everything


@pytest.mark.parametrize(
    "now",
    [
        MONDAY_10,
        datetime(2026, 4, 6, 7, 45, tzinfo=NY),
        datetime(2026, 4, 8, 21, 30, tzinfo=NY),
        datetime(2026, 3, 8, 12, 0, tzinfo=NY),  # the day clocks go forward
    ],
)
def test_eligibility_equals_explain_for_every_debt(now):
    everything = seeded_portfolio(random.Random(5))

    whole = eligible_debts(debt_ids=None, now=now)
    chosen = eligible_debts(debt_ids=everything[::2], now=now)

    assert set(whole) == set(everything)
    mismatches = []
    for debt_id in everything:
        decision = explain_debt(debt_id=debt_id, at=now)
        expected = (decision.allowed, decision.next_allowed_at)
        got = (whole[debt_id].allowed, whole[debt_id].next_allowed_at)
        if got != expected:
            mismatches.append((debt_id, got, expected))
        if debt_id in chosen and chosen[debt_id] != whole[debt_id]:
            mismatches.append((debt_id, "chosen", chosen[debt_id]))
    assert mismatches == []
    assert any(not whole[d].allowed for d in everything)
    assert any(whole[d].allowed for d in everything) or now.hour >= 21 or now.hour < 8


def test_eligibility_for_texts_equals_explain():
    everything = seeded_portfolio(random.Random(9))

    whole = eligible_debts(debt_ids=None, now=MONDAY_10, channel="text")

    for debt_id in everything:
        decision = explain_debt(debt_id=debt_id, at=MONDAY_10, channel="text")
        assert (whole[debt_id].allowed, whole[debt_id].next_allowed_at) == (
            decision.allowed,
            decision.next_allowed_at,
        ), debt_id


def edge_portfolio(now: datetime) -> list[int]:
    """Consumers at the edges of what the whole-portfolio query shares: holds on every debt
    (and what ends them), old letters, calls in states with overlays or with no state, caps
    reached or nearly, conversations inside and outside the quiet days, flagged points,
    several addresses and phones in other zones (primary last), split area codes."""
    everything: list[int] = []

    def person(n, **kwargs):
        consumer = make_consumer(first_name=f"E{n}", **kwargs)
        everything.extend(debt_ids(consumer))
        return consumer, debt_ids(consumer)

    day = timedelta(days=1)
    for n, kind in enumerate(["cease", "attorney", "bankruptcy", "deceased", "dispute"]):
        consumer, debts = person(n)
        record_fact(consumer_id=consumer.pk, kind=kind, at=now - 3 * day)
        attempt(consumer, debts, now - 2 * day)
        consumer, debts = person(10 + n, state="WA", zip_code="98101")
        record_fact(consumer_id=consumer.pk, kind=kind, at=now - 3 * day)
        if kind in ("cease", "attorney", "bankruptcy"):
            record_fact(consumer_id=consumer.pk, kind=kind, at=now - day, ended=True)
        else:
            record_fact(consumer_id=consumer.pk, kind="verification_sent", at=now - day)
        consumer, debts = person(20 + n)
        record_fact(consumer_id=consumer.pk, kind=kind, at=now + day)  # not known yet
        consumer, debts = person(30 + n)
        record_fact(consumer_id=consumer.pk, kind=kind, at=now - 3 * day, debt_ids=debts[:1])
    consumer, debts = person(40)
    attempt(consumer, debts, now - 60 * day, channel="LETTER")
    consumer, debts = person(41)
    attempt(consumer, debts, now - 45 * day, channel="TEXT")  # before the look-back window
    for n, (state, zip_code, phone) in enumerate(PLACES):
        for calls in (1, 2, 3, 6, 7, 8):
            consumer, debts = person(
                100 + 10 * n + calls, state=state, zip_code=zip_code, phones=((phone, "MOBILE"),)
            )
            for k in range(calls):
                result = "busy" if calls == 8 and k == 0 else "no_answer"
                attempt(
                    consumer,
                    debts[k % 2 :][:1],
                    now - k * day / 2 - timedelta(hours=1),
                    result=result,
                )
        consumer, debts = person(
            190 + n, state=state, zip_code=zip_code, phones=((phone, "MOBILE"),)
        )
        attempt(consumer, debts[:1], now - 2 * day, result="conversation")
        consumer, debts = person(
            200 + n, state=state, zip_code=zip_code, phones=((phone, "MOBILE"),)
        )
        attempt(consumer, debts[:1], now - 12 * day, result="conversation")
        attempt(consumer, debts, now - 20 * day)
    consumer, debts = person(300, state="", zip_code="98101")  # the address says WA
    attempt(consumer, debts, now - day)
    consumer, debts = person(301, state="", zip_code="")
    attempt(consumer, debts, now - day)
    person(302, state="", zip_code="02108")
    # several phones and addresses in different zones; the primary ones come last by id
    for n, primary in enumerate([0, 1]):
        consumer, debts = person(
            310 + n,
            zip_code="",
            phones=(("+12135550100", "MOBILE"), ("+15185550134", "LANDLINE"), ("+13125550100", "")),
        )
        ContactPoint.objects.filter(consumer=consumer, kind="PHONE").update(is_primary=False)
        phone = ContactPoint.objects.filter(consumer=consumer, kind="PHONE").order_by("id")
        ContactPoint.objects.filter(pk=phone[2 - primary].pk).update(is_primary=True)
        for zip_code, is_primary in (("90012", False), ("60601", False), ("12207", True)):
            ContactPoint.objects.create(
                consumer=consumer,
                kind="ADDRESS",
                value=f"Street {zip_code}",
                state="CA" if zip_code == "90012" else "IL",
                zip_code=zip_code,
                is_primary=is_primary and primary == 1,
                created_at=consumer.created_at,
            )
        if n:
            attempt(consumer, debts, now - day)
    # split area codes (Idaho, Florida's panhandle), a short number and a foreign one
    for n, phone in enumerate(
        ["+12082015555", "+12084425555", "+18502305555", "+1555", "+442071234567"]
    ):
        person(320 + n, zip_code="", phones=((phone, "MOBILE"),))
    # flagged points: opted-out email, consent on a phone, a wrong number
    for n, update in enumerate(
        [{"opted_out_at": now - day}, {"consent": "GRANTED"}, {"status": "WRONG_NUMBER"}]
    ):
        consumer, debts = person(330 + n)
        kind = "EMAIL" if n == 0 else "PHONE"
        ContactPoint.objects.filter(consumer=consumer, kind=kind).update(**update)
    return everything


@pytest.mark.parametrize(
    "now",
    [
        MONDAY_10,
        datetime(2026, 4, 8, 21, 30, tzinfo=NY),
        datetime(2026, 3, 8, 12, 0, tzinfo=NY),
    ],
)
@pytest.mark.parametrize("channel", ["call", "text", "email", "letter", "bureau_report"])
def test_eligibility_equals_explain_at_the_edges(now, channel):
    everything = edge_portfolio(now)

    whole = eligible_debts(debt_ids=None, now=now, channel=channel)

    assert set(whole) == set(everything)
    mismatches = []
    for debt_id in everything:
        decision = explain_debt(debt_id=debt_id, at=now, channel=channel)
        expected = (decision.allowed, decision.next_allowed_at)
        got = (whole[debt_id].allowed, whole[debt_id].next_allowed_at)
        if got != expected or str(got[1]) != str(expected[1]):
            consumer = Debt.objects.get(pk=debt_id).consumer
            mismatches.append((consumer.first_name, debt_id, got, expected))
    assert mismatches == [], "\n".join(str(m) for m in mismatches)
