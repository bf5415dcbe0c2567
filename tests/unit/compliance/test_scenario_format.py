"""The `compliance check` scenario format: parsing, errors naming the field, rendering."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from amicable.compliance.core import Call, Consent, Request
from amicable.compliance.core.scenario import ScenarioError, check_json, parse

ISSUE_EXAMPLE: dict[str, Any] = {
    "consumer": {
        "time_zones": ["America/New_York", "America/Los_Angeles"],
        "state": "MA",
        "inconvenient": [
            {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "from": "15:00", "to": "17:00"}
        ],
    },
    "debts": [{"id": "D1", "type": "credit_card"}, {"id": "D2", "type": "medical"}],
    "events": [
        {
            "type": "call",
            "at": "2026-04-01T10:00:00-04:00",
            "debts": ["D1"],
            "phone": "P1",
            "result": "no_answer",
        },
        {"type": "consumer_call", "at": "2026-04-02T14:00:00-04:00", "debts": ["D1"]},
        {"type": "email", "at": "2026-04-02T15:00:00-04:00", "debts": ["D1"], "address": "E1"},
        {
            "type": "consent",
            "at": "2026-04-03T10:05:00-04:00",
            "debts": ["D1"],
            "for_dates": ["2026-04-06"],
        },
        {"type": "validation_notice", "on": "2026-03-02", "debts": ["D1"], "medium": "mail"},
    ],
    "ask": {"action": "call", "at": "2026-04-08T10:00:00-04:00", "debts": ["D1"], "phone": "P1"},
}


def _with(path: str, value: object) -> dict[str, Any]:
    """A copy of the issue example with one field replaced (path like 'events.2.at')."""
    data = copy.deepcopy(ISSUE_EXAMPLE)
    node: Any = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


_DELETE = object()


def test_parses_the_issue_example() -> None:
    (scenario,) = parse(ISSUE_EXAMPLE)
    assert scenario.request == Request(action="call", debt_ids=("D1",), phone="P1")
    assert scenario.now is not None and scenario.now.isoformat() == "2026-04-08T10:00:00-04:00"
    assert scenario.facts.consumer.state == "MA"
    assert isinstance(scenario.facts.events[0], Call)
    consent = scenario.facts.events[3]
    assert isinstance(consent, Consent) and consent.for_dates is not None


def test_renders_the_issue_output_format() -> None:
    out = check_json(ISSUE_EXAMPLE)
    assert out == {
        "allowed": False,
        "reasons": [
            {
                "rule": "inconvenient_time",
                "citation": "12 CFR 1006.6(b)(1)(i)",
                "message": "It is Wed 07:00 in America/Los_Angeles: outside 08:00-21:00 at a "
                "location where the consumer may be.",
            },
            {
                "rule": "call_after_conversation",
                "citation": "12 CFR 1006.14(b)(2)(i)(B)",
                "message": "A telephone conversation about debt D1 took place on Thu 2026-04-02; "
                "no call about it before Thu 2026-04-09 unless the consumer consents directly.",
            },
        ],
        "calls_in_window": {"D1": 1},
        "next_allowed_at": "2026-04-09T11:00:00-04:00",
    }


def test_a_list_gives_a_list_in_order() -> None:
    allowed = _with("ask.at", "2026-04-09T12:00:00-04:00")
    out = check_json([ISSUE_EXAMPLE, allowed])
    assert isinstance(out, list)
    assert [o["allowed"] for o in out] == [False, True]


def test_validation_period_ask() -> None:
    data = _with("ask", {"action": "validation_period", "debts": ["D1"]})
    assert check_json(data) == {
        "notice_sent_on": "2026-03-02",
        "assumed_received_on": "2026-03-09",
        "validation_period_ends_on": "2026-04-08",
    }


def test_validation_period_uses_the_resent_notice() -> None:
    """Comment 34(b)(5)-2: sent Jan 1, returned, re-sent Jan 15."""
    data = _with("ask", {"action": "validation_period", "debts": ["D1"]})
    data["events"] = [
        {
            "type": "validation_notice",
            "on": "2026-01-01",
            "debts": ["D1"],
            "returned_on": "2026-01-10",
        },
        {"type": "validation_notice", "on": "2026-01-15", "debts": ["D1"]},
    ]
    out = check_json(data)
    assert out["notice_sent_on"] == "2026-01-15"  # type: ignore[index]
    assert out["assumed_received_on"] == "2026-01-23"  # type: ignore[index]  # skips MLK day


def test_bureau_report_ask_on_a_day() -> None:
    data = _with("ask", {"action": "bureau_report", "on": "2026-04-08", "debts": ["D1"]})
    out = check_json(data)
    assert out["allowed"] is True  # type: ignore[index]  # the consumer called on Apr 2


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("events.2.at", "2026-04-02 15h", "events[2].at: not an ISO 8601 time with offset"),
        ("events.2.at", "2026-04-02T15:00:00", "events[2].at: not an ISO 8601 time with offset"),
        ("events.4.on", "March 2", "events[4].on: not an ISO 8601 date (YYYY-MM-DD)"),
        ("events.0.result", "hung_up", "events[0].result: must be one of"),
        ("events.0.type", "fax", "events[0].type: must be one of"),
        ("events.0.debts", ["D9"], "events[0].debts[0]: unknown debt 'D9'"),
        ("events.0.colour", "red", "events[0].colour: unknown field"),
        ("events.1", "call", "events[1]: must be an object"),
        ("events.0.at", _DELETE, "events[0].at: is required"),
        ("consumer.time_zones", ["Mars/Olympus"], "consumer.time_zones[0]: unknown time zone"),
        ("consumer.time_zones", [], "consumer.time_zones: needs at least one time zone"),
        ("consumer.state", "Massachusetts", "consumer.state: must be a two-letter state code"),
        ("consumer.inconvenient.0.days", ["Funday"], "consumer.inconvenient[0].days[0]:"),
        ("consumer.inconvenient.0.to", "14:00", "consumer.inconvenient[0].to: must be after"),
        ("consumer.inconvenient.0.from", "3pm", "consumer.inconvenient[0].from: not a time"),
        ("debts.1.id", "D1", "debts[1].id: duplicate debt id 'D1'"),
        ("debts", [], "debts: needs at least one debt"),
        ("ask.action", "fax", "ask.action: must be one of"),
        ("ask.at", _DELETE, "ask.at: is required"),
        ("ask.autodialed", "yes", "ask.autodialed: must be true or false"),
        ("ask.to", "neighbour", "ask.to: must be one of"),
        ("ask", _DELETE, "ask: is required"),
        ("consumer", _DELETE, "consumer: is required"),
    ],
)
def test_errors_name_the_field(path: str, value: object, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse(_with(path, value))
    assert str(caught.value).startswith(message)


def test_errors_in_a_list_name_the_scenario() -> None:
    with pytest.raises(ScenarioError, match=r"^\[1\]\.events\[2\]\.at: "):
        parse([ISSUE_EXAMPLE, _with("events.2.at", "soon")])


def test_top_level_must_be_an_object_or_a_list() -> None:
    with pytest.raises(ScenarioError, match="must be an object"):
        parse("call me")
    with pytest.raises(ScenarioError, match="empty"):
        parse([])


def test_opt_out_needs_something_to_opt_out_of() -> None:
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data["events"].append({"type": "opt_out", "at": "2026-04-03T10:00:00-04:00"})
    with pytest.raises(ScenarioError, match=r"^events\[5\]: an opt_out needs"):
        parse(data)


def test_every_event_type_parses() -> None:
    data = copy.deepcopy(ISSUE_EXAMPLE)
    t = "2026-04-03T09:00:00-04:00"
    data["events"] += [
        {"type": "text", "at": t, "debts": ["D1"], "phone": "P1"},
        {"type": "letter", "on": "2026-04-03", "debts": ["D1"], "content": "hello"},
        {"type": "consent", "at": t, "kind": "tcpa", "phone": "P1"},
        {"type": "consent_revoked", "at": t, "kind": "tcpa", "phone": "P1"},
        {"type": "not_persons_number", "at": t, "phone": "P7"},
        {"type": "attorney", "at": t, "debts": ["D2"]},
        {"type": "cease", "at": t, "debts": ["D2"], "ended": False},
        {"type": "opt_out", "at": t, "address": "E9"},
        {"type": "dispute", "at": t, "debts": ["D2"], "in_writing": True, "sent_on": "2026-04-01"},
        {"type": "verification_sent", "at": t, "debts": ["D2"]},
        {"type": "bureau_report", "on": "2026-04-03", "debts": ["D2"]},
        {"type": "bankruptcy", "at": t, "debts": ["D2"], "ended": True},
        {"type": "deceased", "at": "2026-05-01T00:00:00Z"},
        {
            "type": "call",
            "at": t,
            "debts": ["D2"],
            "result": "conversation",
            "to": "third_party",
            "discussed": ["D2"],
        },
    ]
    (scenario,) = parse(data)
    assert len(scenario.facts.events) == len(data["events"])
