"""Opt-outs, prohibited media, work email and wrong numbers (1006.6(e), 1006.14(h), 1006.22(f))."""

from __future__ import annotations

from compliance_builders import ask, ask_call, at, facts, rules

from amicable.compliance.core import Consumer, EmailAddress, NotPersonsNumber, OptOut


def test_email_opt_out_covers_that_address_for_every_debt() -> None:
    the_facts = facts(OptOut(at(4, 1), address="E1"), debts=("D1", "D2"))
    assert rules(ask(the_facts, at(4, 2), "email", "D2", address="E1")) == ["opt_out"]
    assert ask(the_facts, at(4, 2), "email", address="E2").allowed
    assert ask(the_facts, at(3, 31), "email", address="E1").allowed  # before the opt-out


def test_text_stop_covers_that_number() -> None:
    the_facts = facts(OptOut(at(4, 1), phone="P1"))
    assert rules(ask(the_facts, at(4, 2), "text", phone="P1")) == ["opt_out"]
    assert ask(the_facts, at(4, 2), "text", phone="P2").allowed
    assert ask_call(the_facts, at(4, 2), phone="P1").allowed  # texts only


def test_stop_calling_bars_calls_through_any_number() -> None:
    """Comment 14(h)(1)-3.i."""
    the_facts = facts(OptOut(at(4, 1), medium="call"))
    assert rules(ask_call(the_facts, at(4, 2), phone="P2")) == ["prohibited_medium"]
    assert ask(the_facts, at(4, 2), "text", phone="P2").allowed


def test_a_request_may_name_one_number() -> None:
    """Comment 14(h)(1)-2."""
    the_facts = facts(OptOut(at(4, 1), phone="WORK", medium="call"))
    assert rules(ask_call(the_facts, at(4, 2), phone="WORK")) == ["prohibited_medium"]
    assert ask_call(the_facts, at(4, 2), phone="P1").allowed


def test_one_reply_through_an_opted_out_medium() -> None:
    """1006.14(h)(3)(ii)."""
    the_facts = facts(OptOut(at(4, 1), address="E1"))
    decision = ask(the_facts, at(4, 2), "email", address="E1", replying_to_consumer=True)
    assert decision.allowed
    assert decision.notes


def test_no_letters_when_mail_is_prohibited() -> None:
    assert rules(ask(facts(OptOut(at(4, 1), medium="letter")), at(4, 2), "letter")) == [
        "prohibited_medium"
    ]


def test_work_email() -> None:
    consumer = Consumer(time_zones=("America/New_York",), emails=(EmailAddress("W", work=True),))
    the_facts = facts(consumer=consumer)
    assert rules(ask(the_facts, at(4, 2), "email", address="W")) == ["work_email"]
    assert ask(the_facts, at(4, 2), "email", address="W", replying_to_consumer=True).allowed


def test_number_known_to_be_someone_elses() -> None:
    the_facts = facts(NotPersonsNumber(at(4, 1), phone="P9"))
    assert rules(ask_call(the_facts, at(4, 2), phone="P9")) == ["wrong_number"]
    assert rules(ask(the_facts, at(4, 2), "text", phone="P9")) == ["wrong_number"]
