"""Batch eligibility: which debts may be contacted now, and when the others next may.

The decision is a pure function of the facts, so the work is to avoid building and evaluating
one `Facts` per consumer.

**The whole portfolio** (`_answer_range`): one query per range of consumer ids gives each
consumer a key that holds everything its answer depends on when it can be shared (see
`_range_sql`): whether anything is on record, its state, and its contact points as zone numbers
(mapped in SQL through two temporary tables). Consumers with nothing on record, or only a few
calls no cap can count, share one evaluation per (zones, state) (`_plain_answer`); a hold on
every debt answers at once; the others (about 3% in the benchmark) take the per-consumer path.

**A list of debts, and the consumers on record** (`_answer_chunk`): a few raw queries per
chunk, then

* **plain**: nothing on record. One evaluation per (zones, state), shared by every debt.
* **calls only**: their only history is calls to the consumer in the window, with no fact
  and no flag. For such a consumer the answer about one debt depends only on (zones, state,
  the calls a cap can still see, the day of the last conversation about it) — see
  `_call_shape` and, in states with overlays, `_overlay_shape`. One evaluation per distinct
  shape, on a small synthetic `Facts` with calls at local midnight of those days, serves
  every debt of that shape.
* **the rest** (facts, holds, consents, texts, letters, other actions than calls...):
  `gather_facts` and one evaluation per debt, exactly like `explain_debt`.

`tests/integration/compliance/test_compliance_eligibility_equivalence_db.py` checks, on a
varied portfolio and at the edges of what is shared, that every answer equals what
`explain_debt` says.
"""

from __future__ import annotations

import enum
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from django.db import connection, connections
from phonenumbers.tzdata import TIMEZONE_DATA

from amicable.compliance import core
from amicable.compliance.core.check import CONSUMER_MEDIA
from amicable.compliance.core.events import MESSAGE_DELIVERED_RESULTS, NOT_CONNECTED_RESULTS
from amicable.compliance.facts import (
    DAY_DATED_CHANNELS,
    FALLBACK_TIME_ZONES,
    _zones_for_prefix,
    gather_facts,
    lookback,
    phone_time_zones,
    zip_time_zone,
)
from amicable.compliance.models import ComplianceFact, ContactAttempt, ContactAttemptDebt
from amicable.kernel.garbage import fewer_gc_passes
from amicable.portfolio.models import Consumer, ContactPoint, Debt

# (allowed, next_allowed_at, its zone): two instants that are equal in different zones are
# different answers (the zone is the consumer's calendar, which the API shows).
Answer = tuple[bool, datetime | None, tzinfo | None]
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


def eligibility_for(
    *,
    debt_ids: list[int] | None,
    now: datetime,
    action: str,
    policy: core.Policy,
    chunk: int = 20000,
) -> dict[Answer, list[int]]:
    """The debts per answer (allowed, next_allowed_at, its zone); ``debt_ids=None`` means every
    debt."""
    if debt_ids is not None:
        answers: dict[int, Answer] = {}
        shared: dict[tuple, Answer] = {}
        with fewer_gc_passes(), connection.cursor() as cursor:
            for where, params, wanted in _chunks(cursor, debt_ids, chunk):
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
        return _grouped(answers)
    with connection.cursor() as cursor:
        ranges = _ranges(cursor, chunk)
    workers = _workers(len(ranges))
    if workers > 1:
        # Smaller ranges in parallel, so no worker is left with the last big one.
        with connection.cursor() as cursor:
            ranges = _ranges(cursor, max(1000, chunk // 4))
        with fewer_gc_passes():
            return _in_processes(ranges, workers, now=now, action=action, policy=policy)
    grouped: dict[Answer, list[int]] = {}
    run = _Run(now=now, action=action, policy=policy)
    with fewer_gc_passes(), connection.cursor() as cursor:
        for low, high in ranges:
            _merge(grouped, _answer_range(cursor, low, high, run))
    return grouped


def _grouped(answers: dict[int, Answer]) -> dict[Answer, list[int]]:
    grouped: dict[Answer, list[int]] = {}
    for debt_id, answer in answers.items():
        grouped.setdefault(answer, []).append(debt_id)
    return grouped


def _merge(into: dict[Answer, list[int]], part: dict[Answer, list[int]]) -> None:
    for answer, debt_ids in part.items():
        known = into.get(answer)
        if known is None:
            into[answer] = debt_ids
        else:
            known.extend(debt_ids)


def _workers(chunks: int) -> int:
    """How many processes to spread a whole-portfolio run over: one per CPU this process may
    use (the work is per consumer, and Python runs one core per process), but only for a
    portfolio of several chunks, outside a transaction (the children have their own
    connections and would not see uncommitted rows) and never on an in-memory database."""
    if chunks < 3 or connection.in_atomic_block:
        return 1
    # The stubs type `connection` as the base wrapper; SQLite's has `is_in_memory_db`.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        return 1
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS, chunks)


def _in_processes(
    ranges: list[tuple[int, int]],
    workers: int,
    *,
    now: datetime,
    action: str,
    policy: core.Policy,
) -> dict[Answer, list[int]]:
    """Answer the ranges in forked worker processes, each with its own database connection.

    The parent's connection is closed first, so no child ever writes to its socket (Django
    reopens it on next use); the ZIP and area-code tables are built first so the children
    share them."""
    _zone_tables()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    grouped: dict[Answer, list[int]] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for part in pool.map(
            _answer_range_in_child,
            ranges,
            [now] * len(ranges),
            [action] * len(ranges),
            [policy] * len(ranges),
        ):
            _merge(grouped, part)
    return grouped


_CHILD_RUNS: dict[tuple, _Run] = {}


def _answer_range_in_child(
    ids: tuple[int, int], now: datetime, action: str, policy: core.Policy
) -> dict[Answer, list[int]]:
    """One range of consumers in a worker process; answers grouped by answer (far less to
    send back). Evaluations are shared between the ranges a worker answers."""
    run = _CHILD_RUNS.get((now, action, policy))
    if run is None:
        run = _CHILD_RUNS[(now, action, policy)] = _Run(now=now, action=action, policy=policy)
    with fewer_gc_passes(), connection.cursor() as cursor:
        return _answer_range(cursor, ids[0], ids[1], run)


def _ranges(cursor, size: int) -> list[tuple[int, int]]:
    """Ranges of consumer ids covering the whole portfolio (range scans, no long IN lists)."""
    cursor.execute(f"SELECT min(id), max(id) FROM {TABLES['consumer']}")  # noqa: S608
    low, high = cursor.fetchone()
    if low is None:
        return []
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


def _chunks(
    cursor, debt_ids: list[int], chunk: int
) -> Iterator[tuple[str, list, dict[int, list[int]]]]:
    """(a WHERE clause on ``consumer_id``, its parameters, the wanted debts per consumer),
    for the consumers of each slice of the asked debts."""
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
    # Two branches, not one OR: each is a range of an index (the window of (consumer,
    # requested_at); the partial index of letters), so a consumer's older calls are never read
    # (with 20 M attempts on PostgreSQL, the OR read them all: 0.3 s per 500 consumers).
    attempts = (
        f"SELECT a.consumer_id, a.id, a.channel, a.{connection.ops.quote_name('to')}, "  # noqa: S608
        f"{requested_at}, a.result, l.debt_id FROM {TABLES['attempt']} a "
        f"LEFT JOIN {TABLES['link']} l ON l.attempt_id = a.id "
        f"WHERE a.consumer_id {where} AND a.allowed "
    )
    cursor.execute(
        f"{attempts}AND a.requested_at >= %s AND a.requested_at <= %s UNION ALL "
        f"{attempts}AND a.channel IN ({_literals(DAY_DATED_CHANNELS)}) AND a.requested_at < %s "
        "ORDER BY 1, 5, 2",
        [*params, since, until, *params, since],
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
                key = (base, _overlay_shape(dated, debt_id, policy, state))
            else:
                key = (base, _call_shape(dated, debt_id, policy))
            answer = shared.get(key)
            if answer is None:
                answer = shared[key] = _decide(
                    action, "1", _shape_facts(base, key[1], now=now, day_zone=day_zone), now, policy
                )
            answers[debt_id] = answer
    if busy:
        bundles = gather_facts(consumer_ids=sorted(busy), now=now, policy=policy, one_read=True)
        for consumer_id, bundle in bundles.items():
            chosen = set(wanted[consumer_id]) if wanted is not None else None
            for debt_id in bundle.debt_ids:
                if chosen is None or debt_id in chosen:
                    answers[debt_id] = _decide(action, str(debt_id), bundle.facts, now, policy)


# --- the whole portfolio: one query per range of consumers ----------------------------------

HOLD_KINDS = ("CEASE", "ATTORNEY", "BANKRUPTCY", "DECEASED", "DISPUTE")
ZIP_TABLE = "amicable_elig_zip"  # temporary: ZIP code -> zone number
AREA_TABLE = "amicable_elig_area"  # temporary: area code -> zone-set number
_ZONE_TABLES: tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, ...]]] | None
_ZONE_TABLES = None


def _zone_tables() -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, ...]]]:
    """The rows of the two temporary tables and the zone sets their numbers stand for.

    ZIP codes map to the number of their zone (`zip_time_zone`). Area codes map to the number
    of the zones `phone_time_zones` gives every number in them, for the area codes whose
    numbers all share one answer (all but a couple of dozen, which `phonenumbers` splits by
    exchange: those are left out and looked up in Python, by exchange)."""
    global _ZONE_TABLES
    if _ZONE_TABLES is None:
        zip_time_zone("00000")
        from amicable.compliance import facts

        assert facts._ZIP_ZONES is not None
        sets: dict[tuple[str, ...], int] = {}
        zips = [
            (code, str(sets.setdefault((zone,), len(sets))))
            for code, zone in facts._ZIP_ZONES.items()
        ]
        split = {key[1:4] for key in TIMEZONE_DATA if key.startswith("1") and len(key) > 4}
        areas = [
            (area, str(sets.setdefault(_zones_for_prefix(f"1{area}"), len(sets))))
            for area in (f"{n:03d}" for n in range(1000))
            if area not in split
        ]
        _ZONE_TABLES = zips, areas, list(sets)
    return _ZONE_TABLES


def _fill_zone_tables(cursor) -> None:
    """Create and fill this connection's temporary tables (once per database session)."""
    zips, areas, _ = _zone_tables()
    for table, key in ((ZIP_TABLE, "zip"), (AREA_TABLE, "area")):
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} "
            f"({key} varchar(5) PRIMARY KEY, zones varchar(8) NOT NULL)"
            # SQLite: a look-up finds the row in the key's B-tree itself
            + (" WITHOUT ROWID" if connection.vendor == "sqlite" else "")
        )
    cursor.execute(f"SELECT count(*) FROM {AREA_TABLE}")  # noqa: S608
    if cursor.fetchone()[0]:
        return
    for table, key, rows in ((ZIP_TABLE, "zip", zips), (AREA_TABLE, "area", areas)):
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({key}, zones) "  # noqa: S608
                "SELECT * FROM unnest(%s::text[], %s::text[])",
                [[row[0] for row in rows], [row[1] for row in rows]],
            )
            cursor.execute(f"ANALYZE {table}")  # temporary tables get no statistics otherwise
        else:
            cursor.executemany(f"INSERT INTO {table} ({key}, zones) VALUES (%s, %s)", rows)  # noqa: S608


class _Run:
    """One batch's settings, its SQL and what its evaluations found (shared by its ranges)."""

    def __init__(self, *, now: datetime, action: str, policy: core.Policy) -> None:
        self.now, self.action, self.policy = now, action, policy
        self.by_base: dict[tuple, Answer] = {}  # (zones, state) -> answer
        self.by_key: dict[str, Answer | None] = {}  # the query's key -> answer
        self.by_points: dict[str, Answer | None] = {}  # state and sorted points -> answer
        self.shared: dict[tuple, Answer] = {}  # for `_answer_chunk`
        ops = connection.ops
        self.params = {
            "until": ops.adapt_datetimefield_value(now),
            "since": ops.adapt_datetimefield_value(lookback(now, policy)),
            "recent": ops.adapt_datetimefield_value(
                now - timedelta(days=max(WINDOW_DAYS, policy.conversation_quiet_days) + 1)
            ),
            "cap": policy.max_calls_in_seven_days,
        }
        self.sql = _range_sql(action, policy)


def _literals(values) -> str:
    for value in values:
        assert value.replace("_", "").isalnum(), value  # written into the SQL
    return ", ".join(f"'{value}'" for value in sorted(values)) or "''"


def _range_sql(action: str, policy: core.Policy) -> str:
    """One row per consumer of a range: a key, the consumer's debts' ids and its id.

    The key says everything the answer depends on when it is shared: ``<record>|<state>|<contact
    points>``. The record is ``X`` for a hold on every debt (an unended cease, attorney,
    bankruptcy, deceased or, under the default policy, dispute, with no debt named, and nothing
    on record that ends holds or verifies: refused, and no time passing ends it), ``B`` for
    anything else on record (facts, a deceased or bankrupt flag, old letters, texts, calls to
    others, enough calls to reach a cap, a conversation, calls in a state with overlays or for
    another action: answered by `_answer_chunk`, consumer by consumer), ``c`` for a few calls
    that no cap can count, nothing otherwise. The contact points come as zone numbers with
    whether each is the primary one (see `_plain_answer`), ``!`` for a flagged one, in no
    particular order.
    """
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    holds = [kind for kind in HOLD_KINDS if kind != "DISPUTE"]
    if action not in CONSUMER_MEDIA:
        holds = ["BANKRUPTCY"]
    if policy.pause_on_late_written_dispute and policy.pause_on_oral_dispute:
        holds.append("DISPUTE")
    mail = _literals(DAY_DATED_CHANNELS)
    not_connected = _literals(NOT_CONNECTED_RESULTS)
    fact_debts = ComplianceFact.debts.through
    fact_column = fact_debts._meta.get_field("compliancefact").column
    history_matters = (
        "1 = 1"
        if action != "call"
        else f"(c.state IN ({_literals(policy.overlay_states)}) OR COALESCE(c.state, '') = '')"
    )
    primary = "CASE WHEN p.is_primary THEN '1' ELSE '0' END"
    point = (
        "CASE WHEN p.opted_out_at IS NOT NULL OR p.consent <> 'UNKNOWN' "  # noqa: S608
        "OR p.status = 'WRONG_NUMBER' THEN '!' "
        f"WHEN p.kind = 'PHONE' THEN 'p' || {primary} || CASE WHEN substr(p.value, 1, 2) = '+1' "
        "AND length(p.value) >= 12 THEN COALESCE((SELECT z.zones FROM "
        f"{AREA_TABLE} z WHERE z.area = substr(p.value, 3, 3)), 'r' || substr(p.value, 2, 7)) "
        "ELSE '' END "
        f"WHEN p.kind = 'ADDRESS' THEN 'a' || {primary} || COALESCE((SELECT z.zones FROM "
        f"{ZIP_TABLE} z WHERE z.zip = substr(trim(p.zip_code), 1, 5)), '') || ':' || p.state "
        "END"
    )
    if postgres:
        return _range_sql_joined(
            holds=holds,
            mail=mail,
            not_connected=not_connected,
            history_matters=history_matters,
            primary=primary,
        )
    points = f"(SELECT group_concat({point}, ' ') FROM {TABLES['point']} p "  # noqa: S608
    debts = f"(SELECT group_concat(d.id) FROM {TABLES['debt']} d "  # noqa: S608
    return (
        # facts known now: none, a hold on every debt (X), or anything else (B)
        "SELECT COALESCE((SELECT CASE WHEN count(*) = 0 THEN '' "  # noqa: S608 - names and literals from code
        f"WHEN max(CASE WHEN f.kind IN ({_literals(holds)}) AND NOT f.ended "
        f"AND NOT EXISTS (SELECT 1 FROM {fact_debts._meta.db_table} fd "  # noqa: S608
        f"WHERE fd.{fact_column} = f.id) THEN 1 ELSE 0 END) = 1 "
        "AND max(CASE WHEN f.ended OR f.kind = 'VERIFICATION_SENT' THEN 1 ELSE 0 END) = 0 "
        f"THEN 'X' ELSE 'B' END FROM {TABLES['fact']} f "  # noqa: S608
        "WHERE f.consumer_id = c.id AND f.at <= %(until)s), '') "
        # flags and old letters
        "|| CASE WHEN c.is_deceased OR c.in_bankruptcy "
        f"OR EXISTS (SELECT 1 FROM {TABLES['attempt']} a WHERE a.consumer_id = c.id "  # noqa: S608
        f"AND a.allowed AND a.channel IN ({mail}) AND a.requested_at < %(since)s) "
        "THEN 'B' ELSE '' END "
        # attempts in the look-back window: none, a few calls (c), or B
        "|| COALESCE((SELECT CASE WHEN count(*) = 0 THEN '' "
        f"WHEN max(CASE WHEN a.channel <> 'CALL' OR a.{quote('to')} <> 'CONSUMER' THEN 1 "
        f"ELSE 0 END) = 1 OR {history_matters} "
        "OR max(CASE WHEN a.result = 'conversation' AND a.requested_at >= %(recent)s "
        "THEN 1 ELSE 0 END) = 1 "
        f"OR sum(CASE WHEN a.result NOT IN ({not_connected}) AND a.requested_at >= %(recent)s "
        "THEN 1 ELSE 0 END) >= %(cap)s THEN 'B' ELSE 'c' END "
        f"FROM {TABLES['attempt']} a WHERE a.consumer_id = c.id AND a.allowed "  # noqa: S608
        "AND a.requested_at >= %(since)s AND a.requested_at <= %(until)s), '') "
        f"|| '|' || COALESCE(c.state, '') || '|' || COALESCE({points}"
        "WHERE p.consumer_id = c.id), ''), "
        f"{debts}WHERE d.consumer_id = c.id), c.id "
        f"FROM {TABLES['consumer']} c WHERE c.id BETWEEN %(low)s AND %(high)s"  # noqa: S608
    )


def _range_sql_joined(
    *, holds: list[str], mail: str, not_connected: str, history_matters: str, primary: str
) -> str:
    """`_range_sql` for PostgreSQL, the same rows: each table aggregated per consumer over the
    range, then joined (hash joins; a correlated subquery per consumer and table costs a plan
    execution each there)."""
    quote = connection.ops.quote_name
    fact_debts = ComplianceFact.debts.through
    fact_column = fact_debts._meta.get_field("compliancefact").column
    in_range = "BETWEEN %(low)s AND %(high)s"
    point = (
        "CASE WHEN p.opted_out_at IS NOT NULL OR p.consent <> 'UNKNOWN' "
        "OR p.status = 'WRONG_NUMBER' THEN '!' "
        f"WHEN p.kind = 'PHONE' THEN 'p' || {primary} || CASE WHEN substr(p.value, 1, 2) = '+1' "
        "AND length(p.value) >= 12 THEN COALESCE(area.zones, 'r' || substr(p.value, 2, 7)) "
        "ELSE '' END "
        f"WHEN p.kind = 'ADDRESS' THEN 'a' || {primary} || COALESCE(zip.zones, '') || ':' "
        "|| p.state END"
    )
    return (
        "SELECT COALESCE(f.record, '') "  # noqa: S608 - names and literals from code
        "|| CASE WHEN c.is_deceased OR c.in_bankruptcy OR m.consumer_id IS NOT NULL "
        "THEN 'B' ELSE '' END "
        "|| CASE WHEN a.consumer_id IS NULL THEN '' WHEN a.other > 0 OR a.talks > 0 "
        f"OR a.counted >= %(cap)s OR {history_matters} THEN 'B' ELSE 'c' END "
        "|| '|' || COALESCE(c.state, '') || '|' || COALESCE(p.points, ''), d.debts, c.id "
        f"FROM {TABLES['consumer']} c "
        # facts known now: a hold on every debt (X), or anything else (B)
        "LEFT JOIN (SELECT f.consumer_id, CASE "
        f"WHEN max(CASE WHEN f.kind IN ({_literals(holds)}) AND NOT f.ended "
        f"AND NOT EXISTS (SELECT 1 FROM {fact_debts._meta.db_table} fd "
        f"WHERE fd.{fact_column} = f.id) THEN 1 ELSE 0 END) = 1 "
        "AND max(CASE WHEN f.ended OR f.kind = 'VERIFICATION_SENT' THEN 1 ELSE 0 END) = 0 "
        f"THEN 'X' ELSE 'B' END AS record FROM {TABLES['fact']} f "
        f"WHERE f.consumer_id {in_range} AND f.at <= %(until)s GROUP BY f.consumer_id) f "
        "ON f.consumer_id = c.id "
        # letters and bureau reports older than the look-back window
        f"LEFT JOIN (SELECT DISTINCT a.consumer_id FROM {TABLES['attempt']} a "
        f"WHERE a.consumer_id {in_range} AND a.allowed AND a.channel IN ({mail}) "
        "AND a.requested_at < %(since)s) m ON m.consumer_id = c.id "
        # attempts in the look-back window
        "LEFT JOIN (SELECT a.consumer_id, "
        f"sum(CASE WHEN a.channel <> 'CALL' OR a.{quote('to')} <> 'CONSUMER' THEN 1 ELSE 0 END) "
        "AS other, sum(CASE WHEN a.result = 'conversation' AND a.requested_at >= %(recent)s "
        "THEN 1 ELSE 0 END) AS talks, "
        f"sum(CASE WHEN a.result NOT IN ({not_connected}) AND a.requested_at >= %(recent)s "
        f"THEN 1 ELSE 0 END) AS counted FROM {TABLES['attempt']} a "
        f"WHERE a.consumer_id {in_range} AND a.allowed AND a.requested_at >= %(since)s "
        "AND a.requested_at <= %(until)s GROUP BY a.consumer_id) a ON a.consumer_id = c.id "
        # contact points
        f"LEFT JOIN (SELECT p.consumer_id, string_agg({point}, ' ') AS points "
        f"FROM {TABLES['point']} p LEFT JOIN {AREA_TABLE} area "
        f"ON area.area = substr(p.value, 3, 3) LEFT JOIN {ZIP_TABLE} zip "
        "ON zip.zip = substr(trim(p.zip_code), 1, 5) "
        f"WHERE p.consumer_id {in_range} GROUP BY p.consumer_id) p ON p.consumer_id = c.id "
        # debts
        "LEFT JOIN (SELECT d.consumer_id, string_agg(CAST(d.id AS text), ',') AS debts "
        f"FROM {TABLES['debt']} d WHERE d.consumer_id {in_range} GROUP BY d.consumer_id) d "
        f"ON d.consumer_id = c.id WHERE c.id {in_range}"
    )


def _answer_range(cursor, low: int, high: int, run: _Run) -> dict[Answer, list[int]]:
    """The debts of consumers ``low``..``high`` per answer."""
    _fill_zone_tables(cursor)
    cursor.execute(run.sql, {**run.params, "low": low, "high": high})
    by_key: dict[str, list[tuple[str, str | None, int]]] = {}
    for row in cursor.fetchall():
        rows = by_key.get(row[0])
        if rows is None:
            by_key[row[0]] = [row]
        else:
            rows.append(row)
    debts_by_answer: dict[Answer, list[str]] = {}
    on_record: list[int] = []
    for key, rows in by_key.items():
        record = key[: key.index("|")]
        if "X" in record:
            answer: Answer | None = (False, None, None)
        elif "B" in record or "!" in key:
            answer = None
        else:
            answer = run.by_key.get(key)
            if answer is None and key not in run.by_key:
                answer = run.by_key[key] = _plain_answer(key, run)
        if answer is None:  # on record, or points whose order matters
            on_record.extend(row[2] for row in rows)
            continue
        texts = debts_by_answer.get(answer)
        if texts is None:
            texts = debts_by_answer[answer] = []
        texts.extend(row[1] for row in rows if row[1])
    grouped = {
        answer: list(map(int, ",".join(texts).split(",")))
        for answer, texts in debts_by_answer.items()
        if texts
    }
    if on_record:
        answers: dict[int, Answer] = {}
        for start in range(0, len(on_record), 2000):
            part = on_record[start : start + 2000]
            _answer_chunk(
                cursor,
                where=f"IN ({', '.join(['%s'] * len(part))})",
                params=part,
                wanted=None,
                now=run.now,
                action=run.action,
                policy=run.policy,
                shared=run.shared,
                answers=answers,
            )
        _merge(grouped, _grouped(answers))
    return grouped


def _first(candidates: list[tuple[bool, str]]) -> str | _Ambiguous | None:
    """The value of the first candidate in (primary first, then by id) order, knowing only
    which are primary: found if every candidate of the first group says the same, else
    `AMBIGUOUS`; None without candidates."""
    for wanted in (True, False):
        values = {value for is_primary, value in candidates if is_primary is wanted}
        if len(values) == 1:
            return values.pop()
        if values:
            return AMBIGUOUS
    return None


class _Ambiguous(enum.Enum):
    """The type of `AMBIGUOUS` (an enum member, so that `is AMBIGUOUS` narrows for mypy)."""

    AMBIGUOUS = enum.auto()


AMBIGUOUS: Final = _Ambiguous.AMBIGUOUS


def _plain_answer(key: str, run: _Run) -> Answer | None:
    """The answer for a consumer with nothing on record, from the key of `_range_sql`; None
    when it depends on the order of the contact points (then `_answer_chunk` reads it).

    `gather_facts` reads points by kind, primary first, then by id: the zones are every
    address's zone then every phone's, the first one (the consumer's calendar) being the first
    address's with one, else the first phone's; the state, the consumer's else the first
    address's with one. Only the first zone and the state depend on the order (the rules look
    at the time in every zone, and give the next time in the first one), so the key keeps
    whether each point is the primary one, and the answer is shared whenever the first of the
    primary (else the other) points agree."""
    _, consumer_state, points = key.split("|", 2)
    # The same points in another order (the database's): the same answer.
    canonical = f"{consumer_state}|{' '.join(sorted(points.split(' ')))}"
    if canonical in run.by_points:
        return run.by_points[canonical]
    answer = run.by_points[canonical] = _answer_for_points(consumer_state, points, run)
    return answer


def _answer_for_points(consumer_state: str, points: str, run: _Run) -> Answer | None:
    _, _, sets = _zone_tables()
    address_zones: list[tuple[bool, str]] = []
    address_states: list[tuple[bool, str]] = []
    phone_zones: list[tuple[bool, tuple[str, ...]]] = []
    for token in points.split(" ") if points else ():
        is_primary = token[1] == "1"
        if token[0] == "a":
            number, _, address_state = token[2:].partition(":")
            if number:
                address_zones.append((is_primary, sets[int(number)][0]))
            if address_state:
                address_states.append((is_primary, address_state))
        elif len(token) > 2:
            if token[2] == "r":
                zones = _zones_for_prefix(token[3:])
            else:
                zones = sets[int(token[2:])]
            if zones:
                phone_zones.append((is_primary, zones))
    everything = {zone for _, zone in address_zones}
    for _, zones in phone_zones:
        everything.update(zones)
    if address_zones:
        first = _first(address_zones)
    elif phone_zones:
        first = _first([(is_primary, zones[0]) for is_primary, zones in phone_zones])
    else:
        first, everything = FALLBACK_TIME_ZONES[0], set(FALLBACK_TIME_ZONES)
    state = consumer_state or _first(address_states)
    if first is AMBIGUOUS or state is AMBIGUOUS:
        return None
    assert first is not None  # `_first` of at least one candidate
    everything.discard(first)
    base = ((first, *sorted(everything)), state or None)
    answer = run.by_base.get(base)
    if answer is None:
        answer = run.by_base[base] = _decide(
            run.action,
            "1",
            _shape_facts(base, ()),
            run.now,
            run.policy,  # type: ignore[arg-type]
        )
    return answer


def _call_shape(
    dated: list[tuple[int, str, set[int]]], debt_id: int, policy: core.Policy
) -> tuple[str, int | None, tuple[int, ...]]:
    """What the call rules can see of a debt's calls, for a consumer whose whole history is
    calls to them in a state without overlays: ("federal", the day of the last conversation
    about it if still within the quiet days, else None; when its counted calls in the last
    seven days reach the cap, the day of the (cap)-th newest that many times, else ()). Days
    are relative to today in the consumer's day zone.

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
    limit = policy.max_calls_in_seven_days
    # The cap only ever asks whether the (limit)-th newest call is still in the window: the
    # same number of calls, all on that day, give every answer the real ones give.
    kept = (counted[-limit],) * limit if limit and len(counted) >= limit else ()
    return "federal", last_talk, kept


def _overlay_shape(
    dated: list[tuple[int, str, set[int]]], debt_id: int, policy: core.Policy, state: str | None
) -> tuple:
    """The same for a consumer in a state with overlays, whose caps may count every contact
    with the consumer (Washington: 3 a week, whatever the debt) and only answered ones when
    the policy says so: the connected calls that can still matter, each with its day, its
    result as the rules tell results apart (a conversation, another delivered message, or
    neither) and whether it is about this debt.

    A rolling cap of ``limit`` contacts only ever looks at windows ending today or later,
    which hold fewer and fewer of today's calls: it can refuse only if the window ending today
    already holds ``limit`` of them, and then only the latest ``limit`` of them say until when.
    So a call matters if it is among the latest ``limit`` ones a cap counts (when there are
    that many; the federal cap is one of them, on the debt's calls of the last seven days),
    or the debt's last conversation within the quiet days; calls older than those
    change no count that matters. Calls to numbers tied to work are never among them (the
    contact points carry no place), so caps on those count nothing."""
    calls = sorted(
        (
            (
                day,
                "conversation"
                if result == "conversation"
                else "abandoned"
                if result in MESSAGE_DELIVERED_RESULTS
                else "no_answer",
                not about or debt_id in about,
            )
            for day, result, about in dated
            if result not in NOT_CONNECTED_RESULTS
        ),
        reverse=True,
    )  # latest first
    kept: set[int] = set()  # positions in ``calls`` (two calls on one day are two calls)
    federal = [n for n, call in enumerate(calls) if call[2] and call[0] > -WINDOW_DAYS]
    if len(federal) >= policy.max_calls_in_seven_days:
        kept.update(federal[: policy.max_calls_in_seven_days])
    for n, call in enumerate(calls):
        if call[2] and call[1] == "conversation":
            if call[0] > -policy.conversation_quiet_days:
                kept.add(n)
            break
    for overlay in policy.overlays:
        if overlay.state != state:
            continue
        for cap in overlay.caps:
            if "call" not in cap.media or cap.phone_scope == "other":
                continue
            counted = [
                n
                for n, call in enumerate(calls)
                if call[0] > -cap.window_days
                and (cap.per == "consumer" or call[2])
                and (policy.state_caps_count_unanswered or call[1] != "no_answer")
            ]
            if len(counted) >= cap.limit:
                kept.update(counted[: cap.limit])
    return "overlay", tuple(sorted(calls[n] for n in kept))


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


def _call_on(
    day: int, zone: ZoneInfo, result: core.events.CallResult, *, debt: str = "1"
) -> core.Call:
    at = datetime.combine(date.fromordinal(day), time(0), tzinfo=zone)
    return core.Call(at=at, result=result, debt_ids=(debt,), to="consumer")


def _decide(
    action: str, debt_id: str, facts: core.Facts, now: datetime, policy: core.Policy
) -> Answer:
    decision = core.evaluate(core.Request(action, (debt_id,)), facts, now, policy=policy)  # type: ignore[arg-type]
    next_at = decision.next_allowed_at
    return decision.allowed, next_at, next_at.tzinfo if next_at is not None else None
