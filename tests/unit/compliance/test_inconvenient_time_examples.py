"""Every official commentary example for 12 CFR 1006.6(b)(1), as a table.

Dates are in 2026 (Wednesday April 8, Friday April 10; both zones on daylight time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import pytest
from compliance_builders import DENVER, LA, NY, at, rules

from amicable.compliance.core import (
    Consumer,
    Debt,
    EmailAddress,
    Facts,
    InconvenientTime,
    Phone,
    PostalAddress,
    Request,
    evaluate,
)

WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


def _facts(**consumer: object) -> Facts:
    consumer.setdefault("time_zones", ("America/New_York",))
    return Facts(consumer=Consumer(**consumer), debts=(Debt("D1"),))  # type: ignore[arg-type]


HOME_INCONVENIENT = {
    "inconvenient_places": frozenset({"home"}),
    "phones": (Phone("HOME", kind="landline", place="home"), Phone("MOB", kind="mobile")),
    "addresses": (PostalAddress("A1", place="home"),),
    "emails": (EmailAddress("E1"),),
}
BUSY_AFTERNOONS = {
    "inconvenient_times": (
        InconvenientTime(WEEKDAYS, start=time(15), end=time(17)),
        InconvenientTime(WEEKEND),
    )
}
NO_FRIDAYS = {"inconvenient_times": (InconvenientTime(frozenset({4})),)}


@dataclass(frozen=True)
class Row:
    comment: str
    consumer: dict[str, object]
    action: str
    when: datetime
    allowed: bool
    refused_by: tuple[str, ...] = ()
    request: dict[str, object] = field(default_factory=dict)
    next_allowed_at: datetime | None = None


ROWS: tuple[Row, ...] = (
    # 6(b)(1)-1.i: creditor notes "cannot be disturbed on Tuesdays and Thursdays" to year end.
    *(
        Row(
            "6(b)(1)-1.i",
            {
                "inconvenient_times": (
                    InconvenientTime(frozenset({1, 3}), until=date(2026, 12, 31)),
                )
            },
            "call",
            when,
            allowed,
            refused,
        )
        for when, allowed, refused in (
            (at(4, 7), False, ("consumer_inconvenient_time",)),  # Tuesday
            (at(4, 9), False, ("consumer_inconvenient_time",)),  # Thursday
            (at(4, 8), True, ()),  # Wednesday
            (at(1, 5, year=2027), True, ()),  # a Tuesday next year
        )
    ),
    # 6(b)(1)-1.ii: "weekdays, except from 3:00 p.m. to 5:00 p.m." and no weekend time.
    Row(
        "6(b)(1)-1.ii",
        BUSY_AFTERNOONS,
        "call",
        at(4, 8, 15, 30),
        False,
        ("consumer_inconvenient_time",),
        next_allowed_at=at(4, 8, 17),
    ),
    Row("6(b)(1)-1.ii", BUSY_AFTERNOONS, "call", at(4, 8, 14, 59), True),
    Row("6(b)(1)-1.ii", BUSY_AFTERNOONS, "call", at(4, 8, 17), True),
    Row(
        "6(b)(1)-1.ii",
        BUSY_AFTERNOONS,
        "email",
        at(4, 11, 10),
        False,
        ("consumer_inconvenient_time",),
        {"address": "E1"},
        next_allowed_at=at(4, 13, 8),
    ),
    # 6(b)(1)-1.iii: "not at home": no mail to the home address, no calls to the home landline.
    Row(
        "6(b)(1)-1.iii",
        HOME_INCONVENIENT,
        "letter",
        at(4, 8),
        False,
        ("inconvenient_place",),
        {"address": "A1"},
    ),
    Row(
        "6(b)(1)-1.iii",
        HOME_INCONVENIENT,
        "call",
        at(4, 8),
        False,
        ("inconvenient_place",),
        {"phone": "HOME"},
    ),
    # 6(b)(1)-2.i: the consumer emails at 3:30 p.m. Wednesday; one email reply before 5 p.m.
    Row(
        "6(b)(1)-2.i",
        BUSY_AFTERNOONS,
        "email",
        at(4, 8, 15, 35),
        True,
        (),
        {"address": "E1", "replying_to_consumer": True},
    ),
    Row(
        "6(b)(1)-2.i",
        BUSY_AFTERNOONS,
        "email",
        at(4, 8, 15, 35),
        False,
        ("consumer_inconvenient_time",),
        {"address": "E1"},
    ),
    # 6(b)(1)-2.ii: the consumer calls from the home landline: the collector may respond once.
    Row(
        "6(b)(1)-2.ii",
        HOME_INCONVENIENT,
        "call",
        at(4, 8),
        True,
        (),
        {"phone": "HOME", "replying_to_consumer": True},
    ),
    Row(
        "6(b)(1)-2.ii",
        HOME_INCONVENIENT,
        "call",
        at(4, 9),
        False,
        ("inconvenient_place",),
        {"phone": "HOME"},
    ),
    # 6(b)(1)-2.iii: Fridays inconvenient; after the consumer leaves the website, no contact.
    Row(
        "6(b)(1)-2.iii",
        NO_FRIDAYS,
        "email",
        at(4, 10, 12),
        False,
        ("consumer_inconvenient_time",),
        {"address": "E1"},
        next_allowed_at=at(4, 11, 8),
    ),
    Row("6(b)(1)-2.iii", NO_FRIDAYS, "call", at(4, 17, 12), False, ("consumer_inconvenient_time",)),
    # 6(b)(1)-2.iv: the consumer emails at 8:30 p.m. Friday: one automated reply is allowed.
    Row(
        "6(b)(1)-2.iv",
        NO_FRIDAYS,
        "email",
        at(4, 10, 20, 31),
        True,
        (),
        {"address": "E1", "replying_to_consumer": True},
    ),
    Row(
        "6(b)(1)-2.iv",
        NO_FRIDAYS,
        "email",
        at(4, 10, 20, 31),
        False,
        ("consumer_inconvenient_time",),
        {"address": "E1"},
    ),
    # 6(b)(1)(i)-1: an email or text happens when it is sent, not when it is read.
    Row("6(b)(1)(i)-1", {}, "email", at(4, 8, 20, 59), True, (), {"address": "E1"}),
    Row(
        "6(b)(1)(i)-1",
        {},
        "text",
        at(4, 8, 21, 1),
        False,
        ("inconvenient_time",),
        {"phone": "MOB"},
        next_allowed_at=at(4, 9, 8),
    ),
    # 6(b)(1)(i)-2.i: Eastern mobile, Pacific address: after 11:00 a.m. and before 9 p.m. Eastern.
    *(
        Row(
            "6(b)(1)(i)-2.i",
            {"time_zones": ("America/New_York", "America/Los_Angeles")},
            "call",
            when,
            allowed,
            () if allowed else ("inconvenient_time",),
        )
        for when, allowed in (
            (at(4, 8, 10, 59), False),
            (at(4, 8, 11, 0), True),
            (at(4, 8, 8, 0, zone=LA), True),
            (at(4, 8, 18, 0, zone=LA), True),
            (at(4, 8, 21, 0), True),
            (at(4, 8, 21, 1), False),
        )
    ),
    Row(
        "6(b)(1)(i)-2.i",
        {"time_zones": ("America/New_York", "America/Los_Angeles")},
        "call",
        at(4, 8, 9),
        False,
        ("inconvenient_time",),
        next_allowed_at=at(4, 8, 11),
    ),
    # 6(b)(1)(i)-2.ii: Eastern mobile, Mountain landline: after 10:00 a.m. Eastern.
    *(
        Row(
            "6(b)(1)(i)-2.ii",
            {"time_zones": ("America/New_York", "America/Denver")},
            "call",
            when,
            allowed,
            () if allowed else ("inconvenient_time",),
        )
        for when, allowed in (
            (at(4, 8, 9, 59), False),
            (at(4, 8, 10, 0), True),
            (at(4, 8, 8, 0, zone=DENVER), True),
            (at(4, 8, 19, 0, zone=DENVER), True),
            (at(4, 8, 21, 0), True),
            (at(4, 8, 21, 0, second=1), False),
        )
    ),
    # 6(b)(1)(ii)-1.i: home is inconvenient, but a mobile, a text or an email is not "at home".
    Row("6(b)(1)(ii)-1.i", HOME_INCONVENIENT, "call", at(4, 8), True, (), {"phone": "MOB"}),
    Row("6(b)(1)(ii)-1.i", HOME_INCONVENIENT, "text", at(4, 8), True, (), {"phone": "MOB"}),
    Row("6(b)(1)(ii)-1.i", HOME_INCONVENIENT, "email", at(4, 8), True, (), {"address": "E1"}),
)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.comment}-{r.action}-{r.when:%a%H%M}")
def test_official_example(row: Row) -> None:
    request = Request(action=row.action, debt_ids=("D1",), **row.request)  # type: ignore[arg-type]
    decision = evaluate(request, _facts(**row.consumer), row.when)
    assert decision.allowed is row.allowed, decision
    assert rules(decision) == list(row.refused_by), decision
    if row.next_allowed_at is not None:
        assert decision.next_allowed_at == row.next_allowed_at


def test_multi_zone_window_is_stated_in_eastern_time() -> None:
    """Comment 6(b)(1)(i)-2.i: 9 a.m. Eastern is 6 a.m. Pacific; next chance 11 a.m. Eastern."""
    decision = evaluate(
        Request("call", ("D1",)),
        _facts(time_zones=("America/New_York", "America/Los_Angeles")),
        at(4, 8, 9),
    )
    assert decision.next_allowed_at == at(4, 8, 11)
    assert decision.next_allowed_at.tzinfo == NY  # rendered in the consumer's first zone
