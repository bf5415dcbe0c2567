"""Passive collection: no bureau reporting before contact (1006.30(a), comment 30(a)(1)-2)."""

from __future__ import annotations

from datetime import date

from compliance_builders import at, conversation, facts, rules

from amicable.compliance.core import ConsumerCall, Letter, Request, evaluate


def report(the_facts, on: date):  # noqa: ANN001, ANN201
    return evaluate(Request("bureau_report", ("D1",)), the_facts, at(on.month, on.day, 23))


def test_letter_returned_within_the_period_does_not_count() -> None:
    """Mailed May 1, returned undeliverable May 10, furnished: violation."""
    the_facts = facts(Letter(date(2026, 5, 1), ("D1",), returned_on=date(2026, 5, 10)))
    decision = report(the_facts, date(2026, 5, 15))
    assert rules(decision) == ["passive_collection"]
    assert decision.next_allowed_at is None


def test_remailed_letter_monitored_for_fourteen_days() -> None:
    """Remailed May 11, monitored May 11-24, furnished thereafter: fine."""
    the_facts = facts(
        Letter(date(2026, 5, 1), ("D1",), returned_on=date(2026, 5, 10)),
        Letter(date(2026, 5, 11), ("D1",)),
    )
    refused = report(the_facts, date(2026, 5, 24))
    assert rules(refused) == ["passive_collection"]
    assert refused.next_allowed_at == at(5, 25, 0)
    assert report(the_facts, date(2026, 5, 25)).allowed


def test_returned_after_the_period_does_not_undo_furnishing() -> None:
    """Monitored May 1-14, furnished, returned later: may keep furnishing."""
    the_facts = facts(Letter(date(2026, 5, 1), ("D1",), returned_on=date(2026, 5, 20)))
    assert report(the_facts, date(2026, 5, 15)).allowed
    assert report(the_facts, date(2026, 5, 21)).allowed


def test_speaking_by_telephone_allows_reporting_at_once() -> None:
    assert report(facts(conversation(at(5, 1))), date(2026, 5, 1)).allowed
    assert report(facts(ConsumerCall(at(5, 1), ("D1",))), date(2026, 5, 2)).allowed


def test_no_contact_at_all() -> None:
    assert rules(report(facts(), date(2026, 5, 1))) == ["passive_collection"]
