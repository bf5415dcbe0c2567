"""Batch eligibility: which debts may be contacted now, and when the others next may.

Debts are processed a chunk of consumers at a time: `gather_facts` reads a chunk with five
queries, builds one `Facts` per consumer, and each debt is evaluated on its consumer's Facts.
Consumers with nothing on record (no events, no designations) get the same answer whenever
their time zones and state are the same, so that answer is computed once and reused: the
decision is a pure function of the facts. Most of a fresh portfolio is in that case.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from amicable.compliance import core
from amicable.compliance.facts import gather_facts
from amicable.portfolio.models import Consumer, Debt

Answer = tuple[bool, datetime | None]


Chunk = tuple[list[int] | tuple[int, int], set[int] | None]


def _consumer_chunks(debt_ids: list[int] | None, chunk: int) -> Iterator[Chunk]:
    """(consumer ids or an id range, the wanted debt ids or None for all), chunk by chunk."""
    if debt_ids is None:
        last = 0
        while True:
            ids = list(
                Consumer.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[chunk - 1 : chunk]
            )
            if not ids:  # the last, shorter chunk
                yield (last + 1, 2**62), None
                return
            yield (last + 1, ids[0]), None
            last = ids[0]
    wanted = sorted(set(debt_ids))
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        consumers = sorted(
            set(Debt.objects.filter(pk__in=part).values_list("consumer_id", flat=True))
        )
        yield consumers, set(part)


def eligibility_for(
    *,
    debt_ids: list[int] | None,
    now: datetime,
    action: str,
    policy: core.Policy,
    chunk: int = 5000,
) -> dict[int, Answer]:
    answers: dict[int, Answer] = {}
    shared: dict[tuple, Answer] = {}
    for consumer_ids, wanted in _consumer_chunks(debt_ids, chunk):
        if isinstance(consumer_ids, tuple):
            bundles = gather_facts(id_range=consumer_ids, now=now, policy=policy)
        else:
            bundles = gather_facts(consumer_ids=consumer_ids, now=now, policy=policy)
        for bundle in bundles.values():
            facts = bundle.facts
            consumer = facts.consumer
            plain = (
                not facts.events
                and not consumer.inconvenient_times
                and not consumer.inconvenient_places
                and not consumer.employer_prohibits_contact
            )
            for debt_id in bundle.debt_ids:
                if wanted is not None and debt_id not in wanted:
                    continue
                if plain:
                    key = (consumer.time_zones, consumer.state)
                    answer = shared.get(key)
                    if answer is None:
                        answer = shared[key] = _decide(
                            action, "1", _plain_facts(consumer), now, policy
                        )
                    answers[debt_id] = answer
                else:
                    answers[debt_id] = _decide(action, str(debt_id), facts, now, policy)
    return answers


def _plain_facts(consumer: core.Consumer) -> core.Facts:
    return core.Facts(
        consumer=core.Consumer(time_zones=consumer.time_zones, state=consumer.state),
        debts=(core.Debt("1"),),
    )


def _decide(
    action: str, debt_id: str, facts: core.Facts, now: datetime, policy: core.Policy
) -> Answer:
    decision = core.evaluate(core.Request(action, (debt_id,)), facts, now, policy=policy)  # type: ignore[arg-type]
    return decision.allowed, decision.next_allowed_at
