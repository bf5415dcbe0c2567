"""1006.10(c): a third party asked for location information may be communicated with once;
again only if they ask for it, or if the collector reasonably believes their earlier answer was
wrong or incomplete and that they now have correct or complete location information."""

from compliance_builders import at, facts, rules

from amicable.compliance.core import Call, Request, evaluate
from amicable.compliance.core.scenario import parse


def _third_party(when, result, phone="T1"):
    return Call(when, result, ("D1",), phone=phone, to="third_party")


def _ask(phone="T1", **flags):
    return Request("call", ("D1",), phone=phone, to="third_party", **flags)


def test_a_third_party_already_spoken_with_may_not_be_called_again():
    history = facts(_third_party(at(4, 6, 10), "conversation"))

    decision = evaluate(_ask(), history, at(4, 20, 11))

    assert rules(decision) == ["location_once"]
    (reason,) = decision.reasons
    assert reason.citation == "12 CFR 1006.10(c)"
    assert "Mon 2026-04-06" in reason.message and "location_follow_up" in reason.message
    assert decision.next_allowed_at is None  # waiting does not lift it


def test_calls_that_reached_nobody_are_not_communications():
    history = facts(
        _third_party(at(4, 6, 10), "no_answer"),
        _third_party(at(4, 7, 10), "voicemail_no_message"),
        _third_party(at(4, 8, 10), "busy"),
    )

    assert evaluate(_ask(), history, at(4, 20, 11)).allowed


def test_each_third_party_is_counted_on_its_own_number():
    history = facts(_third_party(at(4, 6, 10), "conversation", phone="T1"))

    assert evaluate(_ask(phone="T2"), history, at(4, 20, 11)).allowed
    assert evaluate(Request("call", ("D1",), phone="T1"), history, at(4, 20, 11)).allowed


def test_the_two_exceptions_allow_a_second_contact():
    history = facts(_third_party(at(4, 6, 10), "conversation"))

    decision = evaluate(_ask(location_follow_up=True), history, at(4, 20, 11))

    assert decision.allowed
    assert any("1006.10(c)" in note for note in decision.notes)  # the exception is on record


def test_a_conversation_recorded_later_does_not_refuse_a_contact_asked_about_before_it():
    history = facts(_third_party(at(4, 6, 10), "conversation"))

    assert evaluate(_ask(), history, at(4, 6, 9)).allowed


def test_the_scenario_format_takes_location_follow_up():
    scenario = {
        "consumer": {"time_zones": ["America/New_York"]},
        "debts": [{"id": "D1"}],
        "events": [
            {
                "type": "call",
                "at": "2026-04-06T10:00:00-04:00",
                "debts": ["D1"],
                "phone": "T1",
                "to": "third_party",
                "result": "conversation",
            }
        ],
        "ask": {
            "action": "call",
            "at": "2026-04-20T11:00:00-04:00",
            "debts": ["D1"],
            "phone": "T1",
            "to": "third_party",
        },
    }
    (refused,) = parse(scenario)
    scenario["ask"]["location_follow_up"] = True
    (allowed,) = parse(scenario)

    assert rules(evaluate(refused.request, refused.facts, refused.now)) == ["location_once"]
    assert evaluate(allowed.request, allowed.facts, allowed.now).allowed
