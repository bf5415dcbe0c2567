"""How many `evaluate` decisions per second one core makes with a 30-day history.

Run: ``uv run python benchmarks/compliance_evaluate.py``. The promise (issue 3) is at least
50,000 decisions per second for the pure core. The history is a busy consumer over 30 days:
three debts, two time zones, ~45 events (calls with every kind of result, a conversation, a
consumer call, a consent, emails, texts, letters, a validation notice). Asks are calls, texts and
emails about one or two debts at instants spread over the following week, day and night, so
refusals (and the search for ``next_allowed_at``) are part of the mix.

Three figures:
* prepared facts: the same `Facts` evaluated many times (the dialer re-asking about a consumer);
* dialing hours only: instants between 8:00 and 21:00 Eastern;
* fresh facts: a new `Facts` built for every decision (what a database layer does per ask).
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from amicable.compliance.core import (
    Call,
    Consent,
    Consumer,
    ConsumerCall,
    Debt,
    Email,
    Event,
    Facts,
    Letter,
    Phone,
    Request,
    Text,
    ValidationNotice,
    evaluate,
)

NY = ZoneInfo("America/New_York")
RESULTS = (
    "no_answer",
    "no_answer",
    "no_answer",
    "voicemail_limited_content",
    "voicemail_no_message",
    "busy",
    "abandoned",
    "not_in_service",
)


def build_history(rng: random.Random, start: datetime) -> tuple[Event, ...]:
    events: list[Event] = [
        ValidationNotice(start.date(), ("D1", "D2", "D3")),
        Letter(start.date() + timedelta(days=10), ("D1",), content="reminder"),
    ]
    for day in range(30):
        base = start + timedelta(days=day)
        for _ in range(rng.choice((0, 1, 1, 2))):
            events.append(
                Call(
                    at=base + timedelta(hours=rng.randint(9, 19), minutes=rng.randint(0, 59)),
                    result=rng.choice(RESULTS),  # type: ignore[arg-type]
                    debt_ids=(rng.choice(("D1", "D2", "D3")),),
                    phone=rng.choice(("CELL", "HOME")),
                )
            )
        if day % 4 == 0:
            events.append(Email(base + timedelta(hours=11), ("D2",), address="E1"))
        if day % 6 == 0:
            events.append(Text(base + timedelta(hours=12), ("D3",), phone="CELL"))
    events.append(Call(start + timedelta(days=12, hours=14), "conversation", ("D1",), "CELL"))
    events.append(ConsumerCall(start + timedelta(days=20, hours=10), ("D2",)))
    events.append(Consent(start + timedelta(days=20, hours=10, minutes=5), ("D2",)))
    return tuple(events)


def main() -> None:
    rng = random.Random(3)
    start = datetime(2026, 3, 2, tzinfo=NY)
    consumer = Consumer(
        time_zones=("America/New_York", "America/Los_Angeles"),
        state="NY",
        phones=(Phone("CELL", "mobile"), Phone("HOME", "landline", place="home")),
    )
    debts = (Debt("D1", "credit_card"), Debt("D2", "medical"), Debt("D3", "utility"))
    events = build_history(rng, start)
    facts = Facts(consumer=consumer, debts=debts, events=events)
    asks = [
        Request("call", ("D1",), phone="CELL"),
        Request("call", ("D2", "D3"), phone="HOME"),
        Request("text", ("D3",), phone="CELL"),
        Request("email", ("D2",), address="E1"),
    ]
    after = start + timedelta(days=30)
    any_time = [
        (rng.choice(asks), after + timedelta(minutes=rng.randint(0, 7 * 24 * 60)))
        for _ in range(20_000)
    ]
    dialing = [(request, when) for request, when in any_time if 8 <= when.astimezone(NY).hour < 21]
    print(f"history: {len(events)} events over 30 days, {len(debts)} debts, 2 time zones")

    def run(label: str, cases: list[tuple[Request, datetime]], *, fresh: bool = False) -> None:
        refused = sum(not evaluate(r, facts, w).allowed for r, w in cases)
        best = 0.0
        for _ in range(3):
            began = time.perf_counter()
            for request, when in cases:
                the_facts = Facts(consumer=consumer, debts=debts, events=events) if fresh else facts
                evaluate(request, the_facts, when)
            best = max(best, len(cases) / (time.perf_counter() - began))
        print(f"{label:<38} {best:>10,.0f} decisions/s  ({refused / len(cases):.0%} refused)")

    run("prepared facts, any time of day", any_time)
    run("prepared facts, dialing hours", dialing)
    run("fresh facts per decision, any time", any_time[:5_000], fresh=True)


if __name__ == "__main__":
    main()
