"""Every official commentary example for 12 CFR 1006.14(b), as a table.

The commentary gives weekdays without a year; every weekday/date pair matches 2026 (RULES.md §0).
Each row names its comment, builds the example's history, and asks the engine about the calls
the example discusses. Where the commentary gives only a range of days ("between Thursday,
April 2, and Tuesday, April 7"), one call per day is used; the outcome does not depend on it.
The engine treats the presumptions as hard limits, so the rebuttal-factor examples (whose
presumption stays "violation") are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from compliance_builders import at, conversation, facts, rules, unanswered

from amicable.compliance.core import (
    Call,
    Consent,
    ConsumerCall,
    Debt,
    Email,
    Facts,
    NotPersonsNumber,
    Request,
    Text,
    evaluate,
)


@dataclass(frozen=True)
class Ask:
    when: datetime
    allowed: bool
    debts: tuple[str, ...] = ("D1",)
    counts: dict[str, int] | None = None
    refused_by: tuple[str, ...] | None = None
    next_allowed_at: datetime | None = None
    request: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    comment: str
    build: Callable[[], Facts]
    asks: tuple[Ask, ...]


def _lcm_then_unanswered_apr_2_to_7() -> Facts:
    return facts(
        Call(at(4, 1), "voicemail_limited_content", ("D1",), phone="P1"),
        *(unanswered(at(4, d)) for d in range(2, 8)),
    )


def _concentrated_on_apr_3() -> Facts:
    return facts(unanswered(at(4, 1)), *(unanswered(at(4, 3, 9 + n)) for n in range(6)))


def _mortgage_eight_calls() -> Facts:
    calls = [Call(at(4, 1, 9), "voicemail_limited_content", ("D1",), phone="P1")]
    for d in (2, 3, 6):
        calls += [unanswered(at(4, d, 9)), unanswered(at(4, d, 15))]
    return facts(*calls)


def _conversation_aug_14() -> Facts:
    return facts(unanswered(at(8, 11)), conversation(at(8, 14)))


def _third_party_location_calls() -> Facts:
    return facts(
        *(Call(at(10, d), "no_answer", ("D1",), phone="T1", to="third_party") for d in range(6, 12))
    )


def _student_loans() -> tuple[Debt, ...]:
    return tuple(Debt(f"SL{n}", "student_loan", student_loan_account="ACC-1") for n in (1, 2, 3))


EXAMPLES: tuple[Example, ...] = (
    Example(
        "14(b)(2)(i)-1.i",  # LCM Wed Apr 1 + six unanswered through Tue Apr 7; next call Apr 8
        _lcm_then_unanswered_apr_2_to_7,
        (
            Ask(at(4, 8), allowed=True, counts={"D1": 7}),
            # The same history forbids an eighth call on Tue Apr 7.
            Ask(
                at(4, 7, 15),
                allowed=False,
                counts={"D1": 8},
                refused_by=("call_frequency",),
                next_allowed_at=at(4, 8, 8),
            ),
        ),
    ),
    Example(
        "14(b)(2)(i)-1.ii",  # consumer-initiated conversation Thu Aug 13; no call before Aug 20
        lambda: facts(ConsumerCall(at(8, 13), ("D1",))),
        (
            Ask(at(8, 20, 8), allowed=True, counts={"D1": 1}),
            Ask(
                at(8, 19, 20),
                allowed=False,
                refused_by=("call_after_conversation",),
                next_allowed_at=at(8, 20, 8),
            ),
        ),
    ),
    Example(
        "14(b)(2)(i)-1.iii",  # 7 unanswered calls to a third party Tue Oct 6 .. Mon Oct 12
        _third_party_location_calls,
        (
            Ask(
                at(10, 12),
                allowed=True,
                counts={"D1": 7},
                request={"to": "third_party", "phone": "T1"},
            ),
            # They never count toward the consumer.
            Ask(at(10, 12), allowed=True, counts={"D1": 1}),
        ),
    ),
    Example(
        "14(b)(2)(i)-2.i",  # 1 call Apr 1 + 6 calls Fri Apr 3: presumed compliant (rebuttal factor)
        _concentrated_on_apr_3,
        (
            Ask(at(4, 7), allowed=False, counts={"D1": 8}, refused_by=("call_frequency",)),
            Ask(at(4, 8), allowed=True, counts={"D1": 7}),
        ),
    ),
    Example(
        "14(b)(2)(i)-3.i",  # calls Mon and Wed to a number learned on Thu to be someone else's
        lambda: facts(
            unanswered(at(4, 6), phone="WRONG"),
            unanswered(at(4, 8), phone="WRONG"),
            NotPersonsNumber(at(4, 9, 9), phone="WRONG"),
        ),
        (
            Ask(at(4, 9, 10), allowed=True, counts={"D1": 1}, request={"phone": "P2"}),
            # Before the collector learned it, the two calls counted.
            Ask(
                at(
                    4,
                    9,
                    8,
                ),
                allowed=True,
                counts={"D1": 3},
                request={"phone": "P2"},
            ),
            Ask(
                at(4, 9, 10),
                allowed=False,
                refused_by=("wrong_number",),
                request={"phone": "WRONG"},
            ),
        ),
    ),
    Example(
        "14(b)(2)(ii)-1.i",  # LCM Apr 1, 2+2+2 calls Apr 2, 3, 6, one on Tue Apr 7 = 8 calls
        _mortgage_eight_calls,
        (
            Ask(
                at(4, 7),
                allowed=False,
                counts={"D1": 8},
                refused_by=("call_frequency",),
                next_allowed_at=at(4, 8, 8),
            ),
        ),
    ),
    Example(
        "14(b)(2)(ii)-1.ii",  # unanswered Aug 11, conversation Fri Aug 14; no call before Aug 21
        _conversation_aug_14,
        (
            Ask(
                at(8, 20, 20),
                allowed=False,
                refused_by=("call_after_conversation",),
                next_allowed_at=at(8, 21, 8),
            ),
            Ask(at(8, 21, 8), allowed=True, counts={"D1": 1}),
        ),
    ),
    # Rebuttal factors to a presumed violation: the presumption stays "violation", so refused.
    *(
        Example(
            comment,
            _mortgage_eight_calls,
            (Ask(at(4, 7), allowed=False, refused_by=("call_frequency",)),),
        )
        for comment in ("14(b)(2)(ii)-2.i",)
    ),
    *(
        Example(
            comment,
            _conversation_aug_14,
            (Ask(at(8, 17), allowed=False, refused_by=("call_after_conversation",)),),
        )
        for comment in (
            "14(b)(2)(ii)-2.ii",
            "14(b)(2)(ii)-2.iii",
            "14(b)(2)(ii)-2.iv.A",
            "14(b)(2)(ii)-2.iv.B",
            "14(b)(2)(ii)-2.iv.C",
        )
    ),
    Example(
        "14(b)(3)(i)-3.i",  # conversation Fri Apr 3, "call back on Monday": Mon Apr 6 excluded
        lambda: facts(
            conversation(at(4, 3, 10)),
            Consent(at(4, 3, 10, 5), ("D1",), for_dates=(at(4, 6).date(),)),
        ),
        (
            # Friday's call counts; Monday's does not.
            Ask(at(4, 6), allowed=True, counts={"D1": 1}),
            Ask(at(4, 7), allowed=False, refused_by=("call_after_conversation",)),
        ),
    ),
    Example(
        "14(b)(3)(i)-3.ii",  # consent without a day; conversation Mon Apr 6; call Wed Apr 8 counts
        lambda: facts(
            conversation(at(4, 3, 10)),
            Consent(at(4, 3, 10, 5), ("D1",)),
            conversation(at(4, 6, 10)),
        ),
        (
            # Friday's call and this one count; Monday's call was covered by the consent.
            Ask(
                at(4, 8),
                allowed=False,
                counts={"D1": 2},
                refused_by=("call_after_conversation",),
                next_allowed_at=at(4, 13, 8),
            ),
            # Before the Monday conversation the consent still covered calls.
            Ask(at(4, 6, 9), allowed=True, counts={"D1": 1}),
        ),
    ),
    Example(
        "14(b)(3)(i)-3.iii",  # emailed consent Thu Jun 4 covers 8 calls Jun 8-10, not Jun 11
        lambda: facts(
            *(unanswered(at(6, d)) for d in (1, 2, 3)),
            Email(at(6, 3, 12), ("D1",), address="E1"),
            Consent(at(6, 4, 9), ("D1",)),
            *(
                unanswered(at(6, d, h))
                for d, h in ((8, 9), (8, 12), (8, 15), (9, 9), (9, 12), (9, 15), (10, 9), (10, 12))
            ),
        ),
        (
            Ask(at(6, 10, 15), allowed=True, counts={"D1": 0}),
            Ask(at(6, 11), allowed=True, counts={"D1": 1}),
        ),
    ),
    Example(
        "14(b)(3)(ii)-1",  # busy and not-in-service calls do not count; ringing/voicemail do
        lambda: facts(
            *(Call(at(4, d, 9), "busy", ("D1",), phone="P1") for d in range(1, 8)),
            *(Call(at(4, d, 10), "not_in_service", ("D1",), phone="P1") for d in range(1, 8)),
            Call(at(4, 2, 11), "voicemail_no_message", ("D1",), phone="P1"),
            Call(at(4, 3, 11), "abandoned", ("D1",), phone="P1"),
        ),
        (Ask(at(4, 7, 12), allowed=True, counts={"D1": 3}),),
    ),
    Example(
        "14(b)-1",  # a ringless voicemail is a call; texts and emails are not
        lambda: facts(
            Call(at(4, 1), "ringless_voicemail", ("D1",), phone="P1"),
            *(Text(at(4, d), ("D1",), phone="P1") for d in range(1, 8)),
            *(Email(at(4, d), ("D1",), address="E1") for d in range(1, 8)),
        ),
        (Ask(at(4, 7), allowed=True, counts={"D1": 2}),),
    ),
    Example(
        "14(a)-2.i",  # seven unanswered calls plus emails: the call presumption is met
        lambda: facts(
            *(unanswered(at(4, d)) for d in range(1, 7)),
            *(Email(at(4, d, h), ("D1",), address="E1") for d in range(1, 7) for h in (11, 12)),
        ),
        (Ask(at(4, 7), allowed=True, counts={"D1": 7}),),
    ),
    Example(
        "14(b)(4)-2.i",  # 21 unanswered calls in 7 days, 7 counted toward each of 3 debts
        lambda: facts(
            *(
                unanswered(at(4, d, 9 + n), debt)
                for d in range(1, 8)
                for n, debt in enumerate(("MED", "CCA", "CCB"))
            ),
            debts=("MED", "CCA", "CCB"),
        ),
        (
            Ask(at(4, 8, 9), allowed=True, debts=("MED",), counts={"MED": 7}),
            Ask(
                at(4, 7, 18),
                allowed=False,
                debts=("CCA",),
                counts={"CCA": 8},
                refused_by=("call_frequency",),
            ),
        ),
    ),
    Example(
        "14(b)(4)-2.ii",  # an LCM meant for two debts may count toward either one
        lambda: facts(
            Call(at(11, 9), "voicemail_limited_content", ("MED",), phone="P1"),
            debts=("MED", "CC"),
        ),
        (Ask(at(11, 10), allowed=True, debts=("MED", "CC"), counts={"MED": 2, "CC": 1}),),
    ),
    Example(
        "14(b)(4)-2.iii",  # Mon Nov 9 conversation about the medical debt only
        lambda: facts(conversation(at(11, 9), "MED"), debts=("MED", "CC")),
        (
            Ask(
                at(11, 10),
                allowed=False,
                debts=("MED",),
                counts={"MED": 2},
                refused_by=("call_after_conversation",),
            ),
            Ask(at(11, 10), allowed=True, debts=("CC",), counts={"CC": 1}),
        ),
    ),
    Example(
        "14(b)(4)-2.iv",  # the Nov 9 conversation is about both debts
        lambda: facts(conversation(at(11, 9), "MED", "CC"), debts=("MED", "CC")),
        (
            Ask(
                at(11, 10),
                allowed=False,
                debts=("CC",),
                counts={"CC": 2},
                refused_by=("call_after_conversation",),
            ),
            Ask(at(11, 16, 8), allowed=True, debts=("MED", "CC"), counts={"MED": 1, "CC": 1}),
        ),
    ),
    Example(
        "14(b)(4)-2.v",  # 2 + 4 calls Nov 9-11; general conversation Nov 12 counted to medical
        lambda: facts(
            unanswered(at(11, 9, 9), "MED"),
            unanswered(at(11, 10, 9), "MED"),
            *(unanswered(at(11, d, h), "CC") for d, h in ((9, 12), (10, 12), (11, 9), (11, 12))),
            conversation(at(11, 12), "MED"),
            debts=("MED", "CC"),
        ),
        (
            Ask(
                at(11, 13),
                allowed=False,
                debts=("MED",),
                counts={"MED": 4},
                refused_by=("call_after_conversation",),
            ),
            Ask(at(11, 13), allowed=True, debts=("CC",), counts={"CC": 5}),
        ),
    ),
    Example(
        "14(b)(4)-2.vi",  # collector raises medical, consumer raises the credit card debt
        lambda: facts(conversation(at(11, 9), "MED", discussed=("MED", "CC")), debts=("MED", "CC")),
        (
            # The credit card: a conversation but no call.
            Ask(
                at(11, 10),
                allowed=False,
                debts=("CC",),
                counts={"CC": 1},
                refused_by=("call_after_conversation",),
            ),
            Ask(
                at(11, 10),
                allowed=False,
                debts=("MED",),
                counts={"MED": 2},
                refused_by=("call_after_conversation",),
            ),
        ),
    ),
    Example(
        "14(b)(4)-2.vii",  # three student loans under one account number are one debt
        lambda: facts(
            *(unanswered(at(4, d), f"SL{1 + d % 3}") for d in range(1, 8)),
            debt_records=_student_loans(),
        ),
        (
            Ask(
                at(4, 7, 15),
                allowed=False,
                debts=("SL1",),
                counts={"SL1": 8},
                refused_by=("call_frequency",),
            ),
            Ask(
                at(4, 8),
                allowed=True,
                debts=("SL1", "SL2", "SL3"),
                counts={"SL1": 7, "SL2": 7, "SL3": 7},
            ),
        ),
    ),
)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.comment)
def test_official_example(example: Example) -> None:
    the_facts = example.build()
    for ask in example.asks:
        request = Request(action="call", debt_ids=ask.debts, **ask.request)  # type: ignore[arg-type]
        decision = evaluate(request, the_facts, ask.when)
        context = f"{example.comment} at {ask.when:%a %b %d %H:%M}: {decision}"
        assert decision.allowed is ask.allowed, context
        if ask.counts is not None:
            assert dict(decision.calls_in_window) == ask.counts, context
        if ask.refused_by is not None:
            assert rules(decision) == list(ask.refused_by), context
        if ask.next_allowed_at is not None:
            assert decision.next_allowed_at == ask.next_allowed_at, context


def test_student_loan_conversation_blocks_the_whole_group() -> None:
    """Comment 14(b)(4)-2.vii: a conversation about any one of the loans starts the 7 days."""
    the_facts = facts(conversation(at(4, 1), "SL2"), debt_records=_student_loans())
    decision = evaluate(Request("call", ("SL3",)), the_facts, at(4, 3))
    assert rules(decision) == ["call_after_conversation"]
