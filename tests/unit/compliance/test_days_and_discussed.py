"""Which day a conversation falls on for a consumer in several zones, and what `discussed`
adds to the call's own debts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from amicable.compliance.core import Call, Consumer, ConsumerCall, Debt, Facts, Request, evaluate

NY = ZoneInfo("America/New_York")


def test_conversation_day_is_the_latest_local_day_among_the_consumers_zones():
    # Address in Los Angeles (first zone), mobile with a New York area code: the consumer may be
    # in either place. They call in at 22:30 Pacific = 01:30 Eastern on Thu Apr 2. In New York
    # the conversation is on Apr 2: no call about the debt before Thu Apr 9 (1006.14(b)(2)(i)(B)).
    facts = Facts(
        consumer=Consumer(time_zones=("America/Los_Angeles", "America/New_York")),
        debts=(Debt("D1"),),
        events=(ConsumerCall(at=datetime(2026, 4, 2, 1, 30, tzinfo=NY), debt_ids=("D1",)),),
    )
    decision = evaluate(Request("call", ("D1",)), facts, datetime(2026, 4, 8, 13, tzinfo=NY))
    assert not decision.allowed
    assert [r.rule for r in decision.reasons] == ["call_after_conversation"]


def test_discussed_as_documented_keeps_the_conversation_about_the_called_debt():
    # docs/compliance.md: "`discussed` on a conversation lists debts raised in it that the call
    # was not about" (comment 14(b)(4)-2.vi). The collector called about MED; the consumer
    # raised CC. Both debts had a conversation: no call about MED the next day.
    facts = Facts(
        consumer=Consumer(time_zones=("America/New_York",)),
        debts=(Debt("MED"), Debt("CC")),
        events=(
            Call(
                at=datetime(2026, 11, 9, 10, tzinfo=NY),
                result="conversation",
                debt_ids=("MED",),
                discussed=("CC",),
            ),
        ),
    )
    decision = evaluate(Request("call", ("MED",)), facts, datetime(2026, 11, 10, 10, tzinfo=NY))
    assert not decision.allowed
