from datetime import date
from decimal import Decimal

import pytest

from amicable.portfolio.ledger import Buckets, UnableToPostLedgerEntry, post_ledger_entry
from amicable.portfolio.models import Debt, LedgerEntry
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def debt(creditor_mercy, placement_csv, now):
    import_file(placement_csv, now)
    return Debt.objects.get(account_number="M-1001")


def test_posting_twice_with_one_key_posts_once(debt, now):
    payment = Buckets(principal=Decimal("0"), interest=Decimal("-50"), fees=Decimal("-50"))
    for _ in range(2):
        post_ledger_entry(
            debt_id=debt.pk,
            kind=LedgerEntry.Kind.PAYMENT,
            buckets=payment,
            effective_on=date(2026, 4, 6),
            recorded_at=now,
            idempotency_key="pay-1",
        )

    debt.refresh_from_db()
    assert debt.balance == Decimal("1150.00") and debt.fees_balance == Decimal("0.00")
    assert debt.ledger_entries.filter(kind="PAYMENT").count() == 1


def test_the_same_key_for_a_different_entry_is_refused(debt, now):
    post_ledger_entry(
        debt_id=debt.pk,
        kind="PAYMENT",
        buckets=Buckets(fees=Decimal("-10")),
        effective_on=date(2026, 4, 6),
        recorded_at=now,
        idempotency_key="k",
    )
    with pytest.raises(UnableToPostLedgerEntry, match="already used"):
        post_ledger_entry(
            debt_id=debt.pk,
            kind="PAYMENT",
            buckets=Buckets(fees=Decimal("-20")),
            effective_on=date(2026, 4, 6),
            recorded_at=now,
            idempotency_key="k",
        )


def test_a_bucket_never_goes_negative(debt, now):
    with pytest.raises(UnableToPostLedgerEntry, match="negative"):
        post_ledger_entry(
            debt_id=debt.pk,
            kind="PAYMENT",
            buckets=Buckets(fees=Decimal("-51")),
            effective_on=date(2026, 4, 6),
            recorded_at=now,
            idempotency_key="x",
        )


def test_ledger_entries_are_append_only(debt):
    entry = debt.ledger_entries.first()
    entry.description = "edited"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_cached_balance_always_equals_the_ledger(debt, now):
    post_ledger_entry(
        debt_id=debt.pk,
        kind="INTEREST",
        buckets=Buckets(interest=Decimal("7.13")),
        effective_on=date(2026, 5, 1),
        recorded_at=now,
        idempotency_key="i1",
    )
    debt.refresh_from_db()
    totals = [
        sum(e.amount for e in debt.ledger_entries.all()),
        sum(e.principal for e in debt.ledger_entries.all()),
    ]
    assert totals == [debt.balance, debt.principal_balance]
