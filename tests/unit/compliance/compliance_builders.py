"""Small builders for the compliance core tests: instants, facts and asks in a few words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from amicable.compliance.core import (
    Call,
    Consumer,
    Debt,
    Decision,
    Event,
    Facts,
    Policy,
    Request,
    evaluate,
)

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
DENVER = ZoneInfo("America/Denver")
PHOENIX = ZoneInfo("America/Phoenix")


def at(
    month: int,
    day: int,
    hour: int = 10,
    minute: int = 0,
    *,
    zone: ZoneInfo = NY,
    year: int = 2026,
    second: int = 0,
) -> datetime:
    """An instant on the consumer's clock (New York unless told otherwise)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def facts(
    *events: Event,
    debts: tuple[str, ...] = ("D1",),
    zones: tuple[str, ...] = ("America/New_York",),
    consumer: Consumer | None = None,
    debt_records: tuple[Debt, ...] | None = None,
) -> Facts:
    return Facts(
        consumer=consumer or Consumer(time_zones=zones),
        debts=debt_records or tuple(Debt(d) for d in debts),
        events=events,
    )


def unanswered(when: datetime, *debts: str, phone: str = "P1") -> Call:
    return Call(at=when, result="no_answer", debt_ids=debts or ("D1",), phone=phone)


def conversation(when: datetime, *debts: str, discussed: tuple[str, ...] | None = None) -> Call:
    return Call(
        at=when, result="conversation", debt_ids=debts or ("D1",), phone="P1", discussed=discussed
    )


def ask_call(
    the_facts: Facts, when: datetime, *debts: str, policy: Policy | None = None, **request: object
) -> Decision:
    """Evaluate a call about ``debts`` (D1 by default) at ``when``."""
    req = Request(action="call", debt_ids=debts or ("D1",), **request)  # type: ignore[arg-type]
    return evaluate(req, the_facts, when, policy=policy or Policy())


def ask(the_facts: Facts, when: datetime, action: str, *debts: str, **request: object) -> Decision:
    req = Request(action=action, debt_ids=debts or ("D1",), **request)  # type: ignore[arg-type]
    return evaluate(req, the_facts, when)


def rules(decision: Decision) -> list[str]:
    return [reason.rule for reason in decision.reasons]
