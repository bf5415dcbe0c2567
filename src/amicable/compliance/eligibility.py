"""Batch eligibility: which debts may be contacted now, and when the others next may.

The decision is a pure function of the facts, so the work is to avoid building and evaluating
one `Facts` per consumer. Consumers are read a chunk at a time with a few raw queries that
fetch only what tells them apart, and sorted into three groups:

* **plain**: nothing on record (no attempts in the window, no facts, no contact-point flag, not
  deceased or bankrupt). The answer depends only on their time zones and state: one evaluation
  per (zones, state), shared by every debt.
* **calls only**: their only history is calls to the consumer in the window, with no fact
  and no flag. For such a consumer the answer about one debt depends only on (zones, state,
  the local days of the calls that count, the day of the last conversation about it) — see
  `_call_shape` and, in states with overlays, `_overlay_shape`. One evaluation per distinct
  shape, on a small synthetic `Facts` with calls at local midnight of those days, serves
  every debt of that shape.
* **the rest** (facts, holds, consents, texts, letters, other actions than calls...):
  `gather_facts` and one evaluation per debt, exactly like `explain_debt`.

`tests/integration/compliance/test_compliance_eligibility_equivalence_db.py` checks, on a
varied portfolio, that every answer equals what `explain_debt` says.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connection, connections

from amicable.compliance import core
from amicable.compliance.core.events import NOT_CONNECTED_RESULTS
from amicable.compliance.facts import (
    FALLBACK_TIME_ZONES,
    gather_facts,
    lookback,
    phone_time_zones,
    zip_time_zone,
)
from amicable.compliance.models import ComplianceFact, ContactAttempt, ContactAttemptDebt
from amicable.portfolio.models import Consumer, ContactPoint, Debt

Answer = tuple[bool, datetime | None]
TABLES = {
    "consumer": Consumer._meta.db_table,
    "point": ContactPoint._meta.db_table,
    "debt": Debt._meta.db_table,
    "attempt": ContactAttempt._meta.db_table,
    "link": ContactAttemptDebt._meta.db_table,
    "fact": ComplianceFact._meta.db_table,
}
WINDOW_DAYS = 7  # 1006.14(b)(2)(i): seven consecutive days
MAX_WORKERS = 8


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a batch allocates millions of small acyclic
    objects, and each full collection walks all of them (it took a third of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def eligibility_for(
    *,
    debt_ids: list[int] | None,
    now: datetime,
    action: str,
    policy: core.Policy,
    chunk: int = 20000,
) -> dict[int, Answer]:
    """(allowed, next_allowed_at) per debt; ``debt_ids=None`` means every debt."""
    answers: dict[int, Answer] = {}
    shared: dict[tuple, Answer] = {}
    ranges = None
    if debt_ids is None:
        with connection.cursor() as cursor:
            ranges = list(_chunks(cursor, None, chunk))
        workers = _workers(len(ranges))
        if workers > 1:
            # Smaller chunks in parallel, so no worker is left with the last big one.
            with connection.cursor() as cursor:
                ranges = list(_chunks(cursor, None, max(1000, chunk // 4)))
            with _no_cyclic_gc():
                return _in_processes(ranges, workers, now=now, action=action, policy=policy)
    with _no_cyclic_gc(), connection.cursor() as cursor:
        chunks = ranges if ranges is not None else _chunks(cursor, debt_ids, chunk)
        for where, params, wanted in chunks:
            _answer_chunk(
                cursor,
                where=where,
                params=params,
                wanted=wanted,
                now=now,
                action=action,
                policy=policy,
                shared=shared,
                answers=answers,
            )
    return answers


def _workers(chunks: int) -> int:
    """How many processes to spread a whole-portfolio run over: one per CPU this process may
    use (the work is per consumer, and Python runs one core per process), but only for a
    portfolio of several chunks, outside a transaction (the children have their own
    connections and would not see uncommitted rows) and never on an in-memory database."""
    if chunks < 3 or connection.in_atomic_block or connection.is_in_memory_db():
        return 1
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS, chunks)


def _in_processes(
    chunks: list, workers: int, *, now: datetime, action: str, policy: core.Policy
) -> dict[int, Answer]:
    """Answer the chunks in forked worker processes, each with its own database connection.

    The parent's connection is closed first, so no child ever writes to its socket (Django
    reopens it on next use); the ZIP table is loaded first so the children share it."""
    zip_time_zone("00000")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    answers: dict[int, Answer] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for grouped in pool.map(
            _answer_chunk_in_child,
            chunks,
            [now] * len(chunks),
            [action] * len(chunks),
            [policy] * len(chunks),
        ):
            for answer, debt_ids in grouped.items():
                for debt_id in debt_ids:
                    answers[debt_id] = answer
    return answers


_CHILD_SHARED: dict[tuple, Answer] = {}


def _answer_chunk_in_child(
    chunk: tuple, now: datetime, action: str, policy: core.Policy
) -> dict[Answer, list[int]]:
    """One chunk in a worker process; answers grouped by answer (far less to send back)."""
    where, params, wanted = chunk
    answers: dict[int, Answer] = {}
    with _no_cyclic_gc(), connection.cursor() as cursor:
        _answer_chunk(
            cursor,
            where=where,
            params=params,
            wanted=wanted,
            now=now,
            action=action,
            policy=policy,
            shared=_CHILD_SHARED,
            answers=answers,
        )
    grouped: dict[Answer, list[int]] = {}
    for debt_id, answer in answers.items():
        grouped.setdefault(answer, []).append(debt_id)
    return grouped


def _chunks(
    cursor, debt_ids: list[int] | None, chunk: int
) -> Iterator[tuple[str, list, dict[int, list[int]] | None]]:
    """(a WHERE clause on ``consumer_id``, its parameters, the wanted debts per consumer or
    None for all of them), chunk by chunk: id ranges for the whole portfolio (range scans, no
    long IN lists), otherwise the consumers of each slice of the asked debts."""
    if debt_ids is None:
        cursor.execute(f"SELECT min(id), max(id) FROM {TABLES['consumer']}")  # noqa: S608
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, chunk):
            yield "BETWEEN %s AND %s", [start, min(start + chunk - 1, high)], None
        return
    asked = sorted(set(debt_ids))
    for start in range(0, len(asked), chunk):
        part = asked[start : start + chunk]
        placeholders = ", ".join(["%s"] * len(part))
        cursor.execute(
            f"SELECT id, consumer_id FROM {TABLES['debt']} WHERE id IN ({placeholders})",  # noqa: S608
            part,
        )
        wanted: dict[int, list[int]] = {}
        for debt_id, consumer_id in cursor.fetchall():
            wanted.setdefault(consumer_id, []).append(debt_id)
        if wanted:
            consumers = sorted(wanted)
            yield f"IN ({', '.join(['%s'] * len(consumers))})", consumers, wanted


def _aware(value: datetime | str) -> datetime:
    """A timestamp from a raw query: PostgreSQL gives aware datetimes, SQLite naive UTC
    (a datetime through Django's converters, text otherwise)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _answer_chunk(
    cursor,
    *,
    where: str,
    params: list,
    wanted: dict[int, list[int]] | None,
    now: datetime,
    action: str,
    policy: core.Policy,
    shared: dict[tuple, Answer],
    answers: dict[int, Answer],
) -> None:
    """Read one chunk with four raw queries (three when the debts are given), sort its
    consumers into plain / calls only / the rest, and answer each debt."""
    ops = connection.ops
    since = ops.adapt_datetimefield_value(lookback(now, policy))
    until = ops.adapt_datetimefield_value(now)
    busy: set[int] = set()
    states: dict[int, str] = {}
    cursor.execute(
        f"SELECT c.id, c.state, c.is_deceased, c.in_bankruptcy, "  # noqa: S608 - table names
        f"EXISTS (SELECT 1 FROM {TABLES['fact']} f WHERE f.consumer_id = c.id AND f.at <= %s) "
        f"FROM {TABLES['consumer']} c WHERE c.id {where}",
        [until, *params],
    )
    for consumer_id, state, deceased, bankrupt, has_facts in cursor.fetchall():
        states[consumer_id] = state
        if deceased or bankrupt or has_facts:
            busy.add(consumer_id)
    # Only what tells consumers apart: a phone's number, an address's ZIP code and state, and
    # whether the point carries a flag (opt-out, TCPA consent, wrong number: the full path).
    cursor.execute(
        f"SELECT consumer_id, kind, CASE kind WHEN 'PHONE' THEN value "  # noqa: S608
        "WHEN 'ADDRESS' THEN zip_code END, CASE kind WHEN 'ADDRESS' THEN state END, "
        "(opted_out_at IS NOT NULL OR consent <> 'UNKNOWN' OR status = 'WRONG_NUMBER') "
        f"FROM {TABLES['point']} "
        f"WHERE consumer_id {where} ORDER BY consumer_id, kind, is_primary DESC, id",
        params,
    )
    address_zones: dict[int, list[str]] = {}
    phone_zones: dict[int, list[str]] = {}
    address_states: dict[int, str] = {}
    for consumer_id, kind, value, state, flagged in cursor.fetchall():
        if flagged:
            busy.add(consumer_id)
        elif kind == "PHONE":
            zones = phone_time_zones(value)
            if zones:
                phone_zones.setdefault(consumer_id, []).extend(zones)
        elif kind == "ADDRESS":
            zone = zip_time_zone(value) if value else None
            if zone:
                address_zones.setdefault(consumer_id, []).append(zone)
            if state:
                address_states.setdefault(consumer_id, state)
    if wanted is None:
        cursor.execute(
            f"SELECT id, consumer_id FROM {TABLES['debt']} "  # noqa: S608
            f"WHERE consumer_id {where} ORDER BY consumer_id, id",
            params,
        )
        debts: dict[int, list[int]] = {}
        for debt_id, consumer_id in cursor.fetchall():
            debts.setdefault(consumer_id, []).append(debt_id)
    else:
        debts = wanted
    # Allowed attempts that can matter (as gather_facts reads them): calls, texts and emails in
    # the look-back window, letters and bureau reports from all time; with their debts.
    # On SQLite, the time as text: `datetime.fromisoformat` reads it ten times faster than the
    # converter the driver would apply to the column.
    requested_at = (
        "CAST(a.requested_at AS TEXT)" if connection.vendor == "sqlite" else "a.requested_at"
    )
    cursor.execute(
        f"SELECT a.consumer_id, a.id, a.channel, a.{connection.ops.quote_name('to')}, "  # noqa: S608
        f"{requested_at}, a.result, l.debt_id FROM {TABLES['attempt']} a "
        f"LEFT JOIN {TABLES['link']} l ON l.attempt_id = a.id "
        f"WHERE a.consumer_id {where} AND a.allowed AND a.requested_at <= %s "
        "AND (a.requested_at >= %s OR a.channel IN ('LETTER', 'BUREAU_REPORT')) "
        "ORDER BY a.consumer_id, a.requested_at, a.id",
        [*params, until, since],
    )
    calls: dict[int, dict[int, list]] = {}
    for consumer_id, attempt_id, channel, to, requested_at, result, debt_id in cursor.fetchall():
        if consumer_id in busy:
            continue
        if channel != "CALL" or to != "CONSUMER":
            busy.add(consumer_id)
            continue
        by_id = calls.setdefault(consumer_id, {})
        entry = by_id.get(attempt_id)
        if entry is None:
            entry = by_id[attempt_id] = [requested_at, result or "no_answer", set()]
        if debt_id is not None:
            entry[2].add(debt_id)
    overlay_states = policy.overlay_states
    for consumer_id, state in states.items():
        if consumer_id in busy:
            continue
        zones = (
            tuple(
                dict.fromkeys(address_zones.get(consumer_id, []) + phone_zones.get(consumer_id, []))
            )
            or FALLBACK_TIME_ZONES
        )
        state = state or address_states.get(consumer_id) or None
        history = calls.get(consumer_id)
        if history is not None and action != "call":
            busy.add(consumer_id)  # e.g. passive collection looks at every conversation
            continue
        base = (zones, state)
        if history is None:
            answer = shared.get(base)
            if answer is None:
                answer = shared[base] = _decide(action, "1", _shape_facts(base, ()), now, policy)
            for debt_id in debts.get(consumer_id, ()):
                answers[debt_id] = answer
            continue
        day_zone = ZoneInfo(zones[0])
        today = now.astimezone(day_zone).toordinal()
        dated = [
            (_aware(at).astimezone(day_zone).toordinal() - today, result, about)
            for at, result, about in history.values()
        ]
        in_overlay = state in overlay_states
        for debt_id in debts.get(consumer_id, ()):
            if in_overlay:
                key = (base, _overlay_shape(dated, debt_id))
            else:
                key = (base, _call_shape(dated, debt_id, policy))
            answer = shared.get(key)
            if answer is None:
                answer = shared[key] = _decide(
                    action, "1", _shape_facts(base, key[1], now=now, day_zone=day_zone), now, policy
                )
            answers[debt_id] = answer
    if busy:
        bundles = gather_facts(consumer_ids=sorted(busy), now=now, policy=policy)
        for consumer_id, bundle in bundles.items():
            chosen = set(wanted[consumer_id]) if wanted is not None else None
            for debt_id in bundle.debt_ids:
                if chosen is None or debt_id in chosen:
                    answers[debt_id] = _decide(action, str(debt_id), bundle.facts, now, policy)


def _call_shape(
    dated: list[tuple[int, str, set[int]]], debt_id: int, policy: core.Policy
) -> tuple[int | None, tuple[int, ...]]:
    """What the call rules can see of a debt's calls, for a consumer whose whole history is
    calls to them in a state without overlays: (the day of the last conversation about it
    if still within the quiet days, else None; the days of its counted calls in the last
    seven days if there are enough of them to reach the cap, else ()). Days are relative to
    today in the consumer's day zone.

    Why this is all: with no consent, hold, wrong number or overlay on record, 1006.14(b) is
    the only rule that reads the history; it counts the calls that connected (not busy, not
    out of service, ``""`` = not known yet = rang) on the consumer's local days D-6..D and
    looks at the last conversation day. Nothing new can be learned while searching forward
    from now, so fewer prior calls than the cap can never refuse, today or later.
    """
    counted: list[int] = []
    last_talk: int | None = None
    for day, result, about in dated:
        if about and debt_id not in about:
            continue
        if result in NOT_CONNECTED_RESULTS:
            continue
        if day > -WINDOW_DAYS:
            counted.append(day)
        if result == "conversation" and day > -policy.conversation_quiet_days:
            last_talk = day
    counted.sort()
    kept = tuple(counted) if len(counted) >= policy.max_calls_in_seven_days else ()
    return "federal", last_talk, kept


def _overlay_shape(dated: list[tuple[int, str, set[int]]], debt_id: int) -> tuple:
    """The same for a consumer in a state with overlays, whose caps may count every contact
    with the consumer (Washington: 3 a week, whatever the debt) and only answered ones when
    the policy says so: every connected call in the look-back window, with its day, result
    and whether it is about this debt. Less sharing, still no `gather_facts`."""
    return (
        "overlay",
        tuple(
            sorted(
                (day, result, not about or debt_id in about)
                for day, result, about in dated
                if result not in NOT_CONNECTED_RESULTS
            )
        ),
    )


def _shape_facts(
    base: tuple[tuple[str, ...], str | None],
    shape: tuple,
    *,
    now: datetime | None = None,
    day_zone: ZoneInfo | None = None,
) -> core.Facts:
    """A one-debt `Facts` with the consumer's zones and state and, for a call shape, one call at
    local midnight of each counted day (midnight of a past or current day is never after
    ``now``), the conversation being one of them."""
    zones, state = base
    events: list[core.Event] = []
    if shape and shape[0] == "federal":
        assert now is not None and day_zone is not None
        _, last_talk, counted = shape
        today = now.astimezone(day_zone).toordinal()
        days = list(counted)
        if last_talk is not None:
            if last_talk in days:
                days.remove(last_talk)
            events.append(_call_on(today + last_talk, day_zone, "conversation"))
        events.extend(_call_on(today + day, day_zone, "no_answer") for day in days)
    elif shape:  # "overlay": debt "2" stands for the consumer's other debts
        assert now is not None and day_zone is not None
        today = now.astimezone(day_zone).toordinal()
        events.extend(
            _call_on(today + day, day_zone, result, debt="1" if about else "2")
            for day, result, about in shape[1]
        )
    return core.Facts(
        consumer=core.Consumer(time_zones=zones, state=state),
        debts=(core.Debt("1"), core.Debt("2")),
        events=tuple(events),
    )


def _call_on(day: int, zone: ZoneInfo, result: str, *, debt: str = "1") -> core.Call:
    at = datetime.combine(date.fromordinal(day), time(0), tzinfo=zone)
    return core.Call(at=at, result=result, debt_ids=(debt,), to="consumer")


def _decide(
    action: str, debt_id: str, facts: core.Facts, now: datetime, policy: core.Policy
) -> Answer:
    decision = core.evaluate(core.Request(action, (debt_id,)), facts, now, policy=policy)  # type: ignore[arg-type]
    return decision.allowed, decision.next_allowed_at
