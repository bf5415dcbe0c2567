"""Build the rules core's `Facts` from the database, for one consumer or a chunk of them.

Five queries per call, whatever the number of consumers (each an indexed look-up by
consumer): the consumers (optionally locked), their contact points, their debts, their allowed
contact attempts (with the debts each is about, joined), and their compliance facts (with
their debts, joined). With ``one_read=True`` (the chokepoint, explanations, the desk panel) the
last four are one ``UNION ALL`` query: two round trips instead of five. What goes in:

* time zones: every US zone the information points to, the addresses' ZIP codes first (the
  first zone defines the consumer's calendar day), then every phone's area code and exchange
  (`phonenumbers`); numbers known not to be the consumer's say nothing about where they are;
* the state for overlays: the consumer's mailing state, else an address's;
* debts, ids as strings, types from `Debt.debt_type` lowercased (``credit_card``, ``medical``...);
* events: allowed attempts (calls, texts and emails of the last days that any frequency window
  can reach; letters and bureau reports from all time), every fact from all time, and what the
  contact points themselves say (wrong number, opt-out, TCPA consent, deceased, bankruptcy).

An attempt allowed but without a result yet counts as a call that rang (``no_answer``): it is
about to happen, so a concurrent request must count it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from phonenumbers.tzdata import TIMEZONE_DATA

from amicable.compliance import core
from amicable.compliance.models import ComplianceFact, ContactAttempt, ContactAttemptDebt
from amicable.portfolio.models import Consumer, ContactPoint, Debt

# The United States and its territories (the consumers we collect from).
US_TIME_ZONES = frozenset(
    {
        "America/New_York",
        "America/Detroit",
        "America/Kentucky/Louisville",
        "America/Kentucky/Monticello",
        "America/Indiana/Indianapolis",
        "America/Indiana/Vincennes",
        "America/Indiana/Winamac",
        "America/Indiana/Marengo",
        "America/Indiana/Petersburg",
        "America/Indiana/Vevay",
        "America/Indiana/Tell_City",
        "America/Indiana/Knox",
        "America/Chicago",
        "America/Menominee",
        "America/North_Dakota/Center",
        "America/North_Dakota/New_Salem",
        "America/North_Dakota/Beulah",
        "America/Denver",
        "America/Boise",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Juneau",
        "America/Sitka",
        "America/Metlakatla",
        "America/Yakutat",
        "America/Nome",
        "America/Adak",
        "Pacific/Honolulu",
        "America/Puerto_Rico",
        "America/St_Thomas",
        "Pacific/Guam",
        "Pacific/Saipan",
        "Pacific/Pago_Pago",
    }
)
# When nothing points anywhere: every contiguous-US zone (calls then fit 11:00-21:00 Eastern).
FALLBACK_TIME_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
# A number whose prefix maps to more zones than this is not geographic (toll-free, 5XX...).
MAX_ZONES_PER_NUMBER = 3
# Letters and bureau reports matter from all time (passive collection, 1006.30(a)).
DAY_DATED_CHANNELS = (ContactAttempt.Channel.LETTER, ContactAttempt.Channel.BUREAU_REPORT)
# Holds a consumer's designations end or replace (last fact wins).
DESIGNATIONS = frozenset(
    {
        ComplianceFact.Kind.INCONVENIENT_TIME,
        ComplianceFact.Kind.INCONVENIENT_PLACE,
        ComplianceFact.Kind.EMPLOYER_PROHIBITS_CONTACT,
    }
)


@lru_cache(maxsize=65536)
def _zones_for_prefix(prefix: str) -> tuple[str, ...]:
    """The zones `phonenumbers` gives the longest known prefix of ``prefix`` (digits with the
    country code), read from its table directly: `time_zones_for_number` parses and
    classifies the number first, a hundred times slower, for the same answer in the NANP."""
    for end in range(len(prefix), 0, -1):
        zones = TIMEZONE_DATA.get(prefix[:end])
        if zones is not None:
            us = [z for z in zones if z in US_TIME_ZONES]
            return tuple(us) if len(us) <= MAX_ZONES_PER_NUMBER else ()
    return ()


def phone_time_zones(e164: str) -> tuple[str, ...]:
    """US zones of a phone's area code and exchange ("+1NPANXX" is the longest prefix
    `phonenumbers` distinguishes in the NANP, so results are cached per exchange)."""
    if not e164.startswith("+1") or len(e164) < 12:
        return ()
    return _zones_for_prefix(e164[1:8])


_ZIP_ZONES: dict[str, str] | None = None


def zip_time_zone(zip_code: str) -> str | None:
    """The zone of a 5-digit ZIP code (`zipcodes`), from a table built once per process."""
    global _ZIP_ZONES
    if _ZIP_ZONES is None:
        import zipcodes

        _ZIP_ZONES = {
            record["zip_code"]: record["timezone"]
            for record in zipcodes.list_all()
            if record.get("timezone") in US_TIME_ZONES
        }
    return _ZIP_ZONES.get(zip_code.strip()[:5])


@dataclass(frozen=True, slots=True)
class PointInfo:
    """What the chokepoint needs to know about one contact point."""

    kind: str
    phone_type: str
    value: str


@dataclass(frozen=True)
class ConsumerFacts:
    """One consumer's `core.Facts` plus the database ids they were built from."""

    consumer_id: int
    facts: core.Facts
    debt_ids: tuple[int, ...]
    points: dict[int, PointInfo] = field(default_factory=dict)


def lookback(now: datetime, policy: core.Policy = core.DEFAULT_POLICY) -> datetime:
    """How far back calls, texts and emails can matter: the longest frequency window in force
    (7 days for Reg F, 30 for Massachusetts' work numbers) plus a day for time zones."""
    days = max(
        [7, policy.conversation_quiet_days]
        + [cap.window_days for overlay in policy.overlays for cap in overlay.caps]
    )
    return now - timedelta(days=days + 1)


def gather_facts(
    *,
    consumer_ids: Sequence[int] = (),
    now: datetime,
    id_range: tuple[int, int] | None = None,
    lock: bool = False,
    count_later: bool = False,
    policy: core.Policy = core.DEFAULT_POLICY,
    one_read: bool = False,
) -> dict[int, ConsumerFacts]:
    """`ConsumerFacts` for each existing consumer among ``consumer_ids``.

    ``id_range`` (first, last): every consumer with an id in that range instead of a list (for
    walking the whole portfolio: a range scan, no long ``IN`` list to build and send).
    ``lock``: take the consumers' rows ``FOR UPDATE`` first (the chokepoint's per-consumer
    lock; call inside a transaction). ``count_later``: attempts and facts dated after ``now``
    (another process's clock ran ahead) are counted as happening at ``now`` instead of being
    ignored, so clock skew between dialers can never let a cap be exceeded.
    ``one_read``: read contact points, debts, attempts and facts with one ``UNION ALL`` query
    instead of four (two queries in all): for the chokepoint, whose latency is mostly round
    trips to the database. Both give the same rows in the same order.
    """
    since = lookback(now, policy)
    if one_read and id_range is None and len(consumer_ids) == 1:
        # The chokepoint: the lock and the read go to the database together (below).
        rows, points, debts, attempts, fact_rows = _lock_and_read_one(
            consumer_ids[0], lock=lock, now=now, since=since, count_later=count_later
        )
    else:
        if id_range is not None:
            consumers = Consumer.objects.filter(pk__range=id_range)
        else:
            consumers = Consumer.objects.filter(pk__in=list(consumer_ids))
        if lock:
            consumers = consumers.select_for_update()
        rows = list(
            consumers.order_by("id").values_list(
                "id", "state", "is_deceased", "in_bankruptcy", "created_at"
            )
        )
        if not rows:
            return {}
        by_consumer: dict[str, object]
        if id_range is not None:
            by_consumer = {"consumer_id__gte": id_range[0], "consumer_id__lte": id_range[1]}
        else:
            by_consumer = {"consumer_id__in": [row[0] for row in rows]}
        if one_read:
            points, debts, attempts, fact_rows = _read_in_one_query(
                [row[0] for row in rows], now=now, since=since, count_later=count_later
            )
        else:
            points, debts, attempts, fact_rows = _read_in_four_queries(
                by_consumer, now=now, since=since, count_later=count_later
            )
    result = {}
    for consumer_id, state, is_deceased, in_bankruptcy, created_at in rows:
        result[consumer_id] = build_consumer_facts(
            consumer_id=consumer_id,
            state=state,
            is_deceased=is_deceased,
            in_bankruptcy=in_bankruptcy,
            created_at=created_at,
            points=points.get(consumer_id, ()),
            debts=debts.get(consumer_id, ()),
            attempts=attempts.get(consumer_id, {}).values(),
            facts=fact_rows.get(consumer_id, {}).values(),
            now=now if count_later else None,
        )
    return result


def _lock_and_read_one(
    consumer_id: int, *, lock: bool, now: datetime, since: datetime, count_later: bool
) -> tuple[list[tuple], dict, dict, dict, dict]:
    """One consumer's row (locked ``FOR UPDATE`` with ``lock`` on PostgreSQL; SQLite's lock is
    the write transaction itself) and the rows of `_read_in_one_query`, in one round trip.

    Both statements are sent at once (PostgreSQL runs them in order, so the read starts only
    once the lock is held, and with its own snapshot under READ COMMITTED: it sees every
    attempt committed before the lock was granted)."""
    lock_sql = (
        "SELECT id, state, is_deceased, in_bankruptcy, created_at "  # noqa: S608 - a model's table
        f"FROM {Consumer._meta.db_table} WHERE id = %s"
    )
    if lock and connection.features.has_select_for_update:
        lock_sql += " FOR UPDATE"
    read_sql, read_params = _one_query([consumer_id], now=now, since=since, count_later=count_later)
    consumer, read = fetch_prepared_together([(lock_sql, [consumer_id]), (read_sql, read_params)])
    rows = [
        (id_, state, bool(deceased), bool(bankrupt), _aware(created_at))
        for id_, state, deceased, bankrupt, created_at in consumer
    ]
    return (rows, *_by_kind(read)) if rows else ([], {}, {}, {}, {})


def _read_in_four_queries(
    by_consumer: dict, *, now: datetime, since: datetime, count_later: bool
) -> tuple[dict, dict, dict, dict]:
    """Contact points, debts, attempts (with their debts) and facts (with their debts) of the
    consumers, per consumer, with four ORM queries."""
    points = _points(by_consumer)
    debts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for debt_id, consumer_id, debt_type in (
        Debt.objects.filter(**by_consumer)
        .order_by("consumer_id", "id")
        .values_list("id", "consumer_id", "debt_type")
    ):
        debts[consumer_id].append((debt_id, debt_type))
    attempt_filter = Q(requested_at__gte=since) | Q(channel__in=DAY_DATED_CHANNELS)
    if not count_later:
        attempt_filter &= Q(requested_at__lte=now)
    attempts: dict[int, dict[int, list]] = defaultdict(dict)
    for row in (
        ContactAttempt.objects.filter(attempt_filter, allowed=True, **by_consumer)
        .order_by("consumer_id", "requested_at", "id")
        .values_list(
            "id",
            "consumer_id",
            "channel",
            "to",
            "contact_point_id",
            "requested_at",
            "result",
            "debt_links__debt_id",
        )
    ):
        by_id = attempts[row[1]]
        if row[0] in by_id:
            by_id[row[0]][-1].append(row[7])
        else:
            by_id[row[0]] = [*row[:7], [row[7]] if row[7] is not None else []]
    fact_rows: dict[int, dict[int, list]] = defaultdict(dict)
    facts_query = ComplianceFact.objects.filter(**by_consumer)
    if not count_later:
        facts_query = facts_query.filter(at__lte=now)
    for fact_row in facts_query.order_by("consumer_id", "at", "id").values_list(
        "id",
        "consumer_id",
        "kind",
        "contact_point_id",
        "at",
        "on",
        "ended",
        "details",
        "debts__id",
    ):
        by_id = fact_rows[fact_row[1]]
        if fact_row[0] in by_id:
            by_id[fact_row[0]][-1].append(fact_row[8])
        else:
            by_id[fact_row[0]] = [*fact_row[:8], [fact_row[8]] if fact_row[8] is not None else []]
    return points, debts, attempts, fact_rows


def _aware(value: datetime | str | None) -> datetime | None:
    """A timestamp from a raw query: PostgreSQL gives aware datetimes, SQLite naive UTC (a
    datetime or text, depending on what it knows of the column)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def fetch_prepared(sql: str, params: Sequence, *, prepare: bool = True) -> list[tuple]:
    """Rows of a query the chokepoint runs on every call, planned once per connection.

    Django's PostgreSQL cursors bind parameters on the client, so the server parses and plans
    the statement every time: for the five-branch read of `_read_in_one_query` planning took
    longer than executing. psycopg's own cursor binds on the server and, with ``prepare``,
    keeps the plan as a prepared statement of the connection (statements whose text varies,
    such as a list of many ids, are better not kept). Other databases: a Django cursor."""
    if not prepare or connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    return fetch_prepared_together([(sql, params)])[0]


def fetch_prepared_together(queries: Sequence[tuple[str, Sequence]]) -> list[list[tuple]]:
    """The rows of each query, run in order; on PostgreSQL prepared (see `fetch_prepared`)
    and sent in one pipeline: one round trip for all of them (and the transaction's BEGIN)."""
    if connection.vendor != "postgresql":
        results = []
        with connection.cursor() as cursor:
            for sql, params in queries:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
        return results
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    pg_cursors = [psycopg.Cursor(raw) for _ in queries]
    try:
        with raw.pipeline():
            for pg_cursor, (sql, params) in zip(pg_cursors, queries, strict=True):
                pg_cursor.execute(sql, params, prepare=True)
        return [pg_cursor.fetchall() for pg_cursor in pg_cursors]
    finally:
        for pg_cursor in pg_cursors:
            pg_cursor.close()


def _read_in_one_query(
    consumer_ids: list[int], *, now: datetime, since: datetime, count_later: bool
) -> tuple[dict, dict, dict, dict]:
    """The same rows as `_read_in_four_queries`, with one ``UNION ALL`` query (`_one_query`)."""
    sql, params = _one_query(consumer_ids, now=now, since=since, count_later=count_later)
    return _by_kind(fetch_prepared(sql, params, prepare=len(consumer_ids) == 1))


def _one_query(
    consumer_ids: list[int], *, now: datetime, since: datetime, count_later: bool
) -> tuple[str, list]:
    """The ``UNION ALL`` query of `_read_in_one_query` and its parameters.

    Each branch fills the columns it has and typed NULLs elsewhere (PostgreSQL resolves the
    types of a chain of UNIONs pair by pair, so an untyped NULL would not do). `_by_kind`
    puts the rows back in the four queries' order.
    """
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    fact_debts = ComplianceFact.debts.through
    tables = {
        "point": ContactPoint._meta.db_table,
        "debt": Debt._meta.db_table,
        "attempt": ContactAttempt._meta.db_table,
        "link": ContactAttemptDebt._meta.db_table,
        "fact": ComplianceFact._meta.db_table,
        "fact_debt": fact_debts._meta.db_table,
        "fact_column": fact_debts._meta.get_field("compliancefact").column,
    }
    ids = ", ".join(["%s"] * len(consumer_ids))
    text, number = "CAST(NULL AS text)", "CAST(NULL AS bigint)"
    stamp, day, flag = (
        "CAST(NULL AS timestamptz)",
        "CAST(NULL AS date)",
        "CAST(NULL AS boolean)",
    )
    texts5 = ", ".join([text] * 5)
    attempt_later = "" if count_later else "AND a.requested_at <= %s "
    # Written out (not parameters) so that PostgreSQL can prove the partial index applies.
    mail_channels = ", ".join(f"'{channel}'" for channel in DAY_DATED_CHANNELS)
    fact_later = "" if count_later else "AND f.at <= %s "
    sql = (
        # 0: contact points
        f"SELECT 0, consumer_id, id, kind, value, phone_type, zip_code, state, status, "  # noqa: S608 - names from models
        f"consent, {text}, {number}, {number}, consent_at, opted_out_at, created_at, {day}, "
        f"is_primary FROM {tables['point']} WHERE consumer_id IN ({ids}) "
        # 1: debts
        f"UNION ALL SELECT 1, consumer_id, id, debt_type, {texts5}, {text}, {text}, "
        f"{number}, {number}, {stamp}, {stamp}, {stamp}, {day}, {flag} "
        f"FROM {tables['debt']} WHERE consumer_id IN ({ids}) "
        # 2: allowed attempts that can matter, with their debts: those of the look-back
        # window (a range of the (consumer, requested_at) index), then older letters and
        # bureau reports (the partial index attempt_consumer_mail: an old ledger row is never
        # read)
        f"UNION ALL SELECT 2, a.consumer_id, a.id, a.channel, a.{quote('to')}, a.result, "
        f"{texts5}, a.contact_point_id, l.debt_id, a.requested_at, {stamp}, {stamp}, {day}, "
        f"{flag} FROM {tables['attempt']} a LEFT JOIN {tables['link']} l "
        f"ON l.attempt_id = a.id WHERE a.consumer_id IN ({ids}) AND a.allowed "
        f"{attempt_later}AND a.requested_at >= %s "
        f"UNION ALL SELECT 2, a.consumer_id, a.id, a.channel, a.{quote('to')}, a.result, "
        f"{texts5}, a.contact_point_id, l.debt_id, a.requested_at, {stamp}, {stamp}, {day}, "
        f"{flag} FROM {tables['attempt']} a LEFT JOIN {tables['link']} l "
        f"ON l.attempt_id = a.id WHERE a.consumer_id IN ({ids}) AND a.allowed "
        f"AND a.channel IN ({mail_channels}) AND a.requested_at < %s "
        # 3: facts, with their debts
        f"UNION ALL SELECT 3, f.consumer_id, f.id, f.kind, {texts5}, {text}, "
        f"CAST(f.details AS text), f.contact_point_id, fd.debt_id, f.at, {stamp}, {stamp}, "
        f"f.{quote('on')}, f.ended FROM {tables['fact']} f LEFT JOIN {tables['fact_debt']} fd "
        f"ON fd.{tables['fact_column']} = f.id WHERE f.consumer_id IN ({ids}) {fact_later}"
    )
    params: list = [*consumer_ids, *consumer_ids, *consumer_ids]
    if not count_later:
        params.append(adapt(now))
    params += [adapt(since), *consumer_ids, adapt(since), *consumer_ids]
    if not count_later:
        params.append(adapt(now))
    return sql, params


def _by_kind(rows: list[tuple]) -> tuple[dict, dict, dict, dict]:
    """Rows of `_one_query` as `_read_in_four_queries` gives them: contact points, debts,
    attempts and facts per consumer."""
    point_rows: list[tuple] = []
    debt_rows: list[tuple] = []
    attempt_rows: list[tuple] = []
    fact_rows_: list[tuple] = []
    for row in rows:
        tag = row[0]
        if tag == 0:
            point_rows.append(
                (
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    _aware(row[13]),
                    _aware(row[14]),
                    bool(row[17]),
                    _aware(row[15]),
                )
            )
        elif tag == 1:
            debt_rows.append((row[1], row[2], row[3]))
        elif tag == 2:
            attempt_rows.append(
                (row[2], row[1], row[3], row[4], row[11], _aware(row[13]), row[5], row[12])
            )
        else:
            details = row[10]
            fact_rows_.append(
                (
                    row[2],
                    row[1],
                    row[3],
                    row[11],
                    _aware(row[13]),
                    _date(row[16]),
                    bool(row[17]),
                    json.loads(details) if isinstance(details, str) else details,
                    row[12],
                )
            )
    points: dict[int, list[tuple]] = defaultdict(list)
    point_rows.sort(key=lambda r: (r[0], r[2], not r[11], r[1]))
    for row in point_rows:
        points[row[0]].append(row)
    debts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    debt_rows.sort()
    for debt_id, consumer_id, debt_type in ((r[1], r[0], r[2]) for r in debt_rows):
        debts[consumer_id].append((debt_id, debt_type))
    attempts: dict[int, dict[int, list]] = defaultdict(dict)
    attempt_rows.sort(key=lambda r: (r[1], r[5], r[0], r[7] or 0))
    for row in attempt_rows:
        by_id = attempts[row[1]]
        if row[0] in by_id:
            by_id[row[0]][-1].append(row[7])
        else:
            by_id[row[0]] = [*row[:7], [row[7]] if row[7] is not None else []]
    facts: dict[int, dict[int, list]] = defaultdict(dict)
    fact_rows_.sort(key=lambda r: (r[1], r[4], r[0], r[8] or 0))
    for row in fact_rows_:
        by_id = facts[row[1]]
        if row[0] in by_id:
            by_id[row[0]][-1].append(row[8])
        else:
            by_id[row[0]] = [*row[:8], [row[8]] if row[8] is not None else []]
    return points, debts, attempts, facts


POINT_FIELDS = (
    "consumer_id",
    "id",
    "kind",
    "value",
    "phone_type",
    "zip_code",
    "state",
    "status",
    "consent",
    "consent_at",
    "opted_out_at",
    "is_primary",
    "created_at",
)


def _points(by_consumer: dict) -> dict[int, list[tuple]]:
    points: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        ContactPoint.objects.filter(**by_consumer)
        .order_by("consumer_id", "kind", "-is_primary", "id")
        .values_list(*POINT_FIELDS)
    ):
        points[row[0]].append(row)
    return points


def build_consumer_facts(
    *,
    consumer_id: int,
    state: str,
    is_deceased: bool,
    in_bankruptcy: bool,
    created_at: datetime,
    points: Iterable[tuple],
    debts: Iterable[tuple[int, str]],
    attempts: Iterable[list],
    facts: Iterable[list],
    now: datetime | None = None,
) -> ConsumerFacts:
    """Translate rows (see `gather_facts` for their columns) into `core.Facts`.

    ``now``, when given, moves anything dated later to ``now`` (see ``count_later``)."""
    address_zones: list[str] = []
    phone_zones: list[str] = []
    phones: list[core.Phone] = []
    emails: list[core.EmailAddress] = []
    addresses: list[core.PostalAddress] = []
    info: dict[int, PointInfo] = {}
    events: list[core.Event] = []
    address_state = ""
    for (
        _,
        point_id,
        kind,
        value,
        phone_type,
        zip_code,
        point_state,
        status,
        consent,
        consent_at,
        opted_out_at,
        _primary,
        point_created_at,
    ) in points:
        key = str(point_id)
        info[point_id] = PointInfo(kind, phone_type, value)
        if kind == ContactPoint.Kind.PHONE:
            phones.append(core.Phone(key, kind=(phone_type or "unknown").lower()))
            if status == ContactPoint.Status.WRONG_NUMBER:
                events.append(core.NotPersonsNumber(at=point_created_at, phone=key))
            else:
                phone_zones.extend(phone_time_zones(value))
            if consent == ContactPoint.Consent.GRANTED:
                events.append(
                    core.Consent(at=consent_at or point_created_at, kind="tcpa", phone=key)
                )
            elif consent == ContactPoint.Consent.REVOKED:
                events.append(
                    core.ConsentRevoked(at=consent_at or point_created_at, kind="tcpa", phone=key)
                )
            if opted_out_at is not None:
                # An opted-out number is neither texted (1006.6(e)) nor called (14(h)(1)).
                events.append(core.OptOut(at=opted_out_at, phone=key))
                events.append(core.OptOut(at=opted_out_at, phone=key, medium="call"))
        elif kind == ContactPoint.Kind.EMAIL:
            emails.append(core.EmailAddress(key))
            if opted_out_at is not None:
                events.append(core.OptOut(at=opted_out_at, address=key))
        else:
            addresses.append(core.PostalAddress(key))
            zone = zip_time_zone(zip_code) if zip_code else None
            if zone:
                address_zones.append(zone)
            address_state = address_state or point_state
    if is_deceased:
        events.append(core.Deceased(at=created_at))
    if in_bankruptcy:
        events.append(core.Bankruptcy(at=created_at))
    debt_ids = tuple(debt_id for debt_id, _ in debts)
    core_debts = tuple(
        core.Debt(str(debt_id), (debt_type or "other").lower()) for debt_id, debt_type in debts
    )
    zones = tuple(dict.fromkeys(address_zones + phone_zones)) or FALLBACK_TIME_ZONES
    day_zone = ZoneInfo(zones[0])
    contacts: list[core.Event] = []  # two calls at the same instant are two calls
    for attempt in attempts:
        event = _attempt_event(attempt, day_zone, now)
        if event is not None:
            contacts.append(event)
    designations: dict[str, list] = {}
    for fact in facts:
        if fact[2] in DESIGNATIONS:
            designations.setdefault(fact[2], []).append(fact)
            continue
        fact_event = _fact_event(fact, day_zone, now)
        if isinstance(fact_event, list):
            events.extend(fact_event)
        elif fact_event is not None:
            events.append(fact_event)
    inconvenient_times, inconvenient_places, employer_prohibits = _designations(designations)
    consumer = core.Consumer(
        time_zones=zones,
        state=(state or address_state or None),
        inconvenient_times=inconvenient_times,
        inconvenient_places=inconvenient_places,
        phones=tuple(phones),
        emails=tuple(emails),
        addresses=tuple(addresses),
        employer_prohibits_contact=employer_prohibits,
    )
    return ConsumerFacts(
        consumer_id=consumer_id,
        # A fact and the contact point it updated say the same thing once.
        facts=core.Facts(
            consumer=consumer, debts=core_debts, events=(*contacts, *dict.fromkeys(events))
        ),
        debt_ids=debt_ids,
        points=info,
    )


def _ids(debt_ids: list[int]) -> tuple[str, ...]:
    return tuple(str(debt_id) for debt_id in debt_ids)


def _clamp(at: datetime, now: datetime | None) -> datetime:
    return now if now is not None and at > now else at


def _attempt_event(row: list, day_zone: ZoneInfo, now: datetime | None) -> core.Event | None:
    _, _, channel, to, point_id, requested_at, result, debt_ids = row
    at = _clamp(requested_at, now)
    point = str(point_id) if point_id is not None else None
    debts = _ids(debt_ids)
    if channel == ContactAttempt.Channel.CALL:
        return core.Call(
            at=at,
            result=result or "no_answer",  # not known yet: assume it rang (it counts)
            debt_ids=debts,
            phone=point,
            to=to.lower(),
        )
    if channel == ContactAttempt.Channel.TEXT:
        return core.Text(at=at, debt_ids=debts, phone=point)
    if channel == ContactAttempt.Channel.EMAIL:
        return core.Email(at=at, debt_ids=debts, address=point)
    on = at.astimezone(day_zone).date()
    if channel == ContactAttempt.Channel.LETTER:
        return core.Letter(on=on, debt_ids=debts, address=point)
    if channel == ContactAttempt.Channel.BUREAU_REPORT:
        return core.BureauReport(on=on, debt_ids=debts)
    return None


def _day(value: object) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value))


def _fact_event(
    row: list, day_zone: ZoneInfo, now: datetime | None
) -> core.Event | list[core.Event] | None:
    _, _, kind, point_id, fact_at, on, ended, details, debt_ids = row
    at = _clamp(fact_at, now)
    point = str(point_id) if point_id is not None else None
    debts = _ids(debt_ids)
    details = details or {}
    Kind = ComplianceFact.Kind
    day = on or at.astimezone(day_zone).date()
    if kind == Kind.CONSUMER_CALL:
        return core.ConsumerCall(at=at, debt_ids=debts, phone=point)
    if kind == Kind.VALIDATION_NOTICE:
        return core.ValidationNotice(
            on=day,
            debt_ids=debts,
            medium=details.get("medium") or "mail",
            returned_on=_day(details.get("returned_on")),
        )
    if kind in (Kind.CONSENT, Kind.CONSENT_REVOKED):
        # `record_fact` accepts only the consent kinds core knows.
        consent_kind = cast(core.events.ConsentKind, details.get("consent_kind") or "calls")
        if kind == Kind.CONSENT_REVOKED:
            return core.ConsentRevoked(at=at, debt_ids=debts, kind=consent_kind, phone=point)
        for_dates = details.get("for_dates")
        return core.Consent(
            at=at,
            debt_ids=debts,
            for_dates=tuple(_day(d) for d in for_dates) if for_dates else None,  # type: ignore[misc]
            kind=consent_kind,
            phone=point,
        )
    if kind == Kind.NOT_PERSONS_NUMBER:
        return core.NotPersonsNumber(at=at, phone=point) if point else None
    if kind == Kind.ATTORNEY:
        return core.Attorney(at=at, debt_ids=debts, ended=ended)
    if kind == Kind.CEASE:
        return core.Cease(at=at, debt_ids=debts, ended=ended)
    if kind == Kind.BANKRUPTCY:
        return core.Bankruptcy(at=at, debt_ids=debts, ended=ended)
    if kind == Kind.DECEASED:
        return core.Deceased(at=at)
    if kind == Kind.OPT_OUT:
        point_kind = details.get("point_kind")
        medium = details.get("medium")
        if point is not None and point_kind == ContactPoint.Kind.PHONE:
            if medium is None:  # "stop using this number": no texts and no calls
                return [
                    core.OptOut(at=at, phone=point),
                    core.OptOut(at=at, phone=point, medium="call"),
                ]
            return core.OptOut(at=at, phone=point, medium=medium)
        if point is not None and point_kind == ContactPoint.Kind.EMAIL:
            return core.OptOut(at=at, address=point)
        if point is not None:
            return core.OptOut(at=at, address=point, medium=medium or "letter")
        return core.OptOut(at=at, medium=medium)
    if kind == Kind.DISPUTE:
        return core.Dispute(
            at=at,
            debt_ids=debts,
            in_writing=bool(details.get("in_writing", True)),
            sent_on=_day(details.get("sent_on")),
        )
    if kind == Kind.VERIFICATION_SENT:
        return core.VerificationSent(at=at, debt_ids=debts)
    if kind == Kind.BUREAU_REPORT:
        return core.BureauReport(on=day, debt_ids=debts)
    if kind == Kind.LETTER:
        return core.Letter(
            on=day,
            debt_ids=debts,
            content=details.get("content"),
            address=point,
            returned_on=_day(details.get("returned_on")),
        )
    return None


WEEKDAY_NUMBERS = {name: number for number, name in enumerate(core.facts.WEEKDAYS)}


def _designations(
    by_kind: dict[str, list],
) -> tuple[tuple[core.InconvenientTime, ...], frozenset[str], bool]:
    """The consumer's standing designations: each INCONVENIENT_TIME adds a window (an
    ``ended`` one removes the same window), INCONVENIENT_PLACE adds or removes a place, the
    last EMPLOYER_PROHIBITS_CONTACT decides."""
    times: dict[tuple, core.InconvenientTime] = {}
    for row in by_kind.get(ComplianceFact.Kind.INCONVENIENT_TIME, ()):
        details, ended = row[7] or {}, row[6]
        window = core.InconvenientTime(
            weekdays=frozenset(WEEKDAY_NUMBERS[d] for d in details.get("days", ())),
            start=time.fromisoformat(details.get("from") or "00:00"),
            end=None
            if details.get("to") in (None, "", "24:00")
            else time.fromisoformat(details["to"]),
            until=_day(details.get("until")),
        )
        key = (window.weekdays, window.start, window.end)
        if ended:
            times.pop(key, None)
        else:
            times[key] = window
    places: set[str] = set()
    for row in by_kind.get(ComplianceFact.Kind.INCONVENIENT_PLACE, ()):
        place = (row[7] or {}).get("place")
        if row[6]:
            places.discard(place)
        elif place:
            places.add(place)
    employer: Sequence = by_kind.get(ComplianceFact.Kind.EMPLOYER_PROHIBITS_CONTACT, ())
    prohibits = bool(employer) and not employer[-1][6]
    return tuple(times.values()), frozenset(places), prohibits
