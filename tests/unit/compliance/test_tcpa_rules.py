"""TCPA: autodialed or prerecorded calls to a mobile need prior express consent."""

from __future__ import annotations

from compliance_builders import ask, ask_call, at, facts, rules

from amicable.compliance.core import Consent, ConsentRevoked, Consumer, Phone


def _facts(*events):  # noqa: ANN002, ANN202
    consumer = Consumer(
        time_zones=("America/New_York",),
        phones=(Phone("M", kind="mobile"), Phone("L", kind="landline")),
    )
    return facts(*events, consumer=consumer)


def test_autodialed_call_to_a_mobile_needs_consent() -> None:
    assert rules(ask_call(_facts(), at(4, 2), phone="M", autodialed=True)) == ["tcpa_consent"]
    assert ask_call(_facts(), at(4, 2), phone="M").allowed  # dialled by hand
    assert ask_call(_facts(), at(4, 2), phone="L", autodialed=True).allowed
    assert rules(ask_call(_facts(), at(4, 2), phone="M", prerecorded=True)) == ["tcpa_consent"]


def test_phone_type_in_the_ask_wins_and_unknown_numbers_are_mobiles() -> None:
    assert ask_call(_facts(), at(4, 2), phone="M", autodialed=True, phone_type="landline").allowed
    assert not ask_call(_facts(), at(4, 2), phone="X", autodialed=True).allowed


def test_consent_and_revocation() -> None:
    given = Consent(at(3, 1), kind="tcpa", phone="M")
    assert ask_call(_facts(given), at(4, 2), phone="M", autodialed=True).allowed
    revoked = _facts(given, ConsentRevoked(at(4, 1), kind="tcpa", phone="M"))
    decision = ask_call(revoked, at(4, 2), phone="M", autodialed=True)
    assert rules(decision) == ["tcpa_consent"] and "revoked" in decision.reasons[0].message
    assert ask_call(_facts(given), at(4, 2), phone="X", autodialed=True).allowed is False


def test_autodialed_texts_too() -> None:
    assert rules(ask(_facts(), at(4, 2), "text", phone="M", autodialed=True)) == ["tcpa_consent"]
