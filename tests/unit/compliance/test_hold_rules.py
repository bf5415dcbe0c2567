"""Holds: attorney, cease, disputes, bankruptcy, deceased."""

from __future__ import annotations

from datetime import date

import pytest
from compliance_builders import ask, ask_call, at, facts, rules

from amicable.compliance.core import (
    Attorney,
    Bankruptcy,
    Cease,
    Deceased,
    Dispute,
    Policy,
    ValidationNotice,
    VerificationSent,
)


def test_attorney_representation_bars_the_consumer_not_the_attorney() -> None:
    the_facts = facts(Attorney(at(4, 1), ("D1",)), debts=("D1", "D2"))
    decision = ask_call(the_facts, at(4, 2))
    assert rules(decision) == ["attorney"]
    assert decision.next_allowed_at is None
    assert ask_call(the_facts, at(4, 2), to="attorney").allowed
    assert ask_call(the_facts, at(4, 2), "D2").allowed  # debt-specific


def test_attorney_bar_ends_and_consumer_initiated_contact_may_be_answered() -> None:
    the_facts = facts(Attorney(at(4, 1), ("D1",)), Attorney(at(4, 5), ("D1",), ended=True))
    assert ask_call(the_facts, at(4, 6)).allowed
    assert ask(
        facts(Attorney(at(4, 1), ("D1",))),
        at(4, 2),
        "email",
        address="E1",
        replying_to_consumer=True,
    ).allowed


@pytest.mark.parametrize("action", ["call", "text", "email", "letter"])
def test_cease_bars_every_medium(action: str) -> None:
    decision = ask(facts(Cease(at(4, 1))), at(4, 2), action)
    assert rules(decision) == ["cease"]


def test_cease_still_allows_the_notices_of_1006_6_c_2() -> None:
    the_facts = facts(Cease(at(4, 1)))
    assert ask(the_facts, at(4, 2), "letter", purpose="terminate_efforts").allowed
    assert ask(the_facts, at(4, 2), "letter", purpose="invoke_remedy").allowed


def test_cease_is_complete_on_receipt() -> None:
    """Comment 6(c)(1)-1: mailed Aug 3, email Aug 4 allowed, received Aug 6."""
    the_facts = facts(Cease(at(8, 6, 11)))
    assert ask(the_facts, at(8, 4), "email").allowed
    assert rules(ask(the_facts, at(8, 6, 12), "email")) == ["cease"]


def test_written_dispute_pauses_collection_until_verification() -> None:
    the_facts = facts(
        ValidationNotice(date(2026, 3, 2), ("D1",)),
        Dispute(at(3, 20), ("D1",)),
        VerificationSent(at(4, 2), ("D1",)),
    )
    for action in ("call", "email", "letter", "bureau_report"):
        assert "dispute" in rules(ask(the_facts, at(3, 25), action)), action
    assert ask(the_facts, at(3, 25), "letter", purpose="verification").allowed
    assert ask_call(the_facts, at(4, 3)).allowed


def test_oral_disputes_pause_only_by_agency_policy() -> None:
    the_facts = facts(Dispute(at(3, 20), ("D1",), in_writing=False))
    assert rules(ask_call(the_facts, at(3, 25))) == ["dispute"]
    assert ask_call(the_facts, at(3, 25), policy=Policy(pause_on_oral_dispute=False)).allowed


def test_late_written_dispute_pauses_only_by_policy() -> None:
    # Notice Mar 2 -> period ends Apr 8. A dispute received Apr 20.
    the_facts = facts(ValidationNotice(date(2026, 3, 2), ("D1",)), Dispute(at(4, 20), ("D1",)))
    assert rules(ask_call(the_facts, at(4, 21))) == ["dispute"]
    lenient = Policy(pause_on_late_written_dispute=False)
    assert ask_call(the_facts, at(4, 21), policy=lenient).allowed


def test_dispute_sent_within_the_period_is_timely_by_default() -> None:
    the_facts = facts(
        ValidationNotice(date(2026, 3, 2), ("D1",)),
        Dispute(at(4, 10), ("D1",), sent_on=date(2026, 4, 7)),
    )
    lenient = Policy(pause_on_late_written_dispute=False)
    assert rules(ask_call(the_facts, at(4, 11), policy=lenient)) == ["dispute"]
    by_receipt = Policy(pause_on_late_written_dispute=False, dispute_timely_if_sent_in_period=False)
    assert ask_call(the_facts, at(4, 11), policy=by_receipt).allowed


def test_bankruptcy_stops_everything_until_the_stay_ends() -> None:
    the_facts = facts(Bankruptcy(at(4, 1), ("D1",)), Bankruptcy(at(5, 1), ("D1",), ended=True))
    assert rules(ask_call(the_facts, at(4, 2))) == ["bankruptcy"]
    assert "bankruptcy" in rules(ask(the_facts, at(4, 2), "bureau_report"))
    assert ask_call(the_facts, at(4, 2), to="attorney").allowed is False
    assert ask_call(the_facts, at(5, 2)).allowed


def test_deceased_consumer() -> None:
    decision = ask_call(facts(Deceased(at(4, 1))), at(4, 2))
    assert rules(decision) == ["deceased"]
    assert decision.next_allowed_at is None
