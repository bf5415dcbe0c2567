from datetime import date

import phonenumbers
import pytest

from amicable.portfolio.models import Consumer, ContactPoint, Creditor, Debt
from amicable.portfolio.seeding import seed_demo_portfolio

pytestmark = pytest.mark.django_db


def test_seed_builds_a_realistic_portfolio_and_is_idempotent(now):
    first = seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)
    again = seed_demo_portfolio(accounts=300, seed=7, as_of=date(2026, 4, 1), now=now)

    assert first["created"] == 300 and again == {"created": 0, "unchanged": 300, "updated": 0}
    assert set(Creditor.objects.values_list("industry", flat=True)) >= {
        "MEDICAL",
        "TELECOM",
        "CREDIT_CARD",
        "UTILITY",
    }
    assert Consumer.objects.filter(preferred_language="ES").exists()
    assert Consumer.objects.count() < Debt.objects.count()  # some people owe two debts
    zones = {p.state for p in ContactPoint.objects.filter(kind="ADDRESS")}
    assert len(zones) > 10
    for phone in ContactPoint.objects.filter(kind="PHONE")[:100]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone.value))


def test_seed_is_deterministic_for_a_seed(now):
    from amicable.portfolio.demo_data import demo_accounts

    def sample(seed):
        return [
            (a.record.account_number, a.record.last_name, a.record.balance)
            for a in demo_accounts(count=50, seed=seed, as_of=date(2026, 4, 1))
        ]

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)
