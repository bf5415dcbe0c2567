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

from django.db import connection

from amicable.compliance import core
from amicable.compliance.facts import (
    FALLBACK_TIME_ZONES,
    gather_facts,
    lookback,
    phone_time_zones,
    zip_time_zone,
)
from amicable.compliance.models import ComplianceFact, ContactAttempt
from amicable.portfolio.models import Consumer, ContactPoint, Debt

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
            plain, busy = _screen(consumer_ids, now, policy)
            for key, debts in plain.values():
                answer = shared.get(key)
                if answer is None:
                    answer = shared[key] = _decide(action, "1", _plain_facts(*key), now, policy)
                for debt_id in debts:
                    answers[debt_id] = answer
            if not busy:
                continue
            bundles = gather_facts(consumer_ids=busy, now=now, policy=policy)
        else:
            bundles = gather_facts(consumer_ids=consumer_ids, now=now, policy=policy)
        for bundle in bundles.values():
            facts = bundle.facts
            consumer = facts.consumer
            is_plain = (
                not facts.events
                and not consumer.inconvenient_times
                and not consumer.inconvenient_places
                and not consumer.employer_prohibits_contact
            )
            key = (consumer.time_zones, consumer.state)
            for debt_id in bundle.debt_ids:
                if wanted is not None and debt_id not in wanted:
                    continue
                if is_plain:
                    answer = shared.get(key)
                    if answer is None:
                        answer = shared[key] = _decide(action, "1", _plain_facts(*key), now, policy)
                    answers[debt_id] = answer
                else:
                    answers[debt_id] = _decide(action, str(debt_id), facts, now, policy)
    return answers


def _screen(
    id_range: tuple[int, int], now: datetime, policy: core.Policy
) -> tuple[dict[int, tuple[tuple, list[int]]], list[int]]:
    """Split a range of consumers into those with nothing on record ("plain": their zones and
    state, and their debts) and the others (ids, for the full `gather_facts`), with raw range
    queries that read only what tells them apart."""
    lo, hi = id_range
    ops = connection.ops
    since = ops.adapt_datetimefield_value(lookback(now, policy))
    tables = {
        "consumer": Consumer._meta.db_table,
        "point": ContactPoint._meta.db_table,
        "debt": Debt._meta.db_table,
        "attempt": ContactAttempt._meta.db_table,
        "fact": ComplianceFact._meta.db_table,
    }
    busy: set[int] = set()
    states: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, state, is_deceased, in_bankruptcy FROM {tables['consumer']} "  # noqa: S608 - table names from models
            "WHERE id BETWEEN %s AND %s",
            [lo, hi],
        )
        for consumer_id, state, deceased, bankrupt in cursor.fetchall():
            states[consumer_id] = state
            if deceased or bankrupt:
                busy.add(consumer_id)
        cursor.execute(
            f"SELECT DISTINCT consumer_id FROM {tables['attempt']} "  # noqa: S608
            "WHERE consumer_id BETWEEN %s AND %s AND allowed "
            "AND (requested_at >= %s OR channel IN ('LETTER', 'BUREAU_REPORT'))",
            [lo, hi, since],
        )
        busy.update(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"SELECT DISTINCT consumer_id FROM {tables['fact']} "  # noqa: S608
            "WHERE consumer_id BETWEEN %s AND %s",
            [lo, hi],
        )
        busy.update(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"SELECT consumer_id, kind, value, zip_code, state, status, consent, "  # noqa: S608
            f"opted_out_at IS NOT NULL FROM {tables['point']} "
            "WHERE consumer_id BETWEEN %s AND %s ORDER BY consumer_id, kind, is_primary DESC, id",
            [lo, hi],
        )
        address_zones: dict[int, list[str]] = {}
        phone_zones: dict[int, list[str]] = {}
        address_states: dict[int, str] = {}
        for consumer_id, kind, value, zip_code, state, status, consent, opted in cursor.fetchall():
            if consumer_id in busy:
                continue
            if opted or consent != "UNKNOWN" or status == "WRONG_NUMBER":
                busy.add(consumer_id)
            elif kind == "PHONE":
                phone_zones.setdefault(consumer_id, []).extend(phone_time_zones(value))
            elif kind == "ADDRESS":
                zone = zip_time_zone(zip_code) if zip_code else None
                if zone:
                    address_zones.setdefault(consumer_id, []).append(zone)
                address_states.setdefault(consumer_id, state)
        cursor.execute(
            f"SELECT id, consumer_id FROM {tables['debt']} "  # noqa: S608
            "WHERE consumer_id BETWEEN %s AND %s ORDER BY consumer_id, id",
            [lo, hi],
        )
        debts: dict[int, list[int]] = {}
        for debt_id, consumer_id in cursor.fetchall():
            debts.setdefault(consumer_id, []).append(debt_id)
    plain: dict[int, tuple[tuple, list[int]]] = {}
    for consumer_id, state in states.items():
        if consumer_id in busy:
            continue
        zones = (
            tuple(
                dict.fromkeys(address_zones.get(consumer_id, []) + phone_zones.get(consumer_id, []))
            )
            or FALLBACK_TIME_ZONES
        )
        key = (zones, state or address_states.get(consumer_id) or None)
        plain[consumer_id] = (key, debts.get(consumer_id, []))
    return plain, sorted(busy)


def _plain_facts(time_zones: tuple[str, ...], state: str | None) -> core.Facts:
    return core.Facts(
        consumer=core.Consumer(time_zones=time_zones, state=state),
        debts=(core.Debt("1"),),
    )


def _decide(
    action: str, debt_id: str, facts: core.Facts, now: datetime, policy: core.Policy
) -> Answer:
    decision = core.evaluate(core.Request(action, (debt_id,)), facts, now, policy=policy)  # type: ignore[arg-type]
    return decision.allowed, decision.next_allowed_at
