"""Benchmark: latency of `compliance.api.authorize_contact` on PostgreSQL.

    psql -h 127.0.0.1 -U postgres -c 'create database amicable_bench_compliance'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amicable_bench_compliance \\
        uv run python benchmarks/compliance_authorize.py [ACCOUNTS] [ROWS_PER_CONSUMER] [CALLS]
    ... compliance_authorize.py --reuse [ACCOUNTS ROWS CALLS]  # time again, no seeding
    ... compliance_authorize.py --reuse --prewarm [...]  # first read the database into the
        # OS page cache (pg_prewarm): the steady state of a server whose RAM holds its data
    psql -h 127.0.0.1 -U postgres -c 'drop database amicable_bench_compliance'

Seeds the demo portfolio, then fills the contact-attempt ledger in SQL (generate_series):
ROWS_PER_CONSUMER attempts per consumer spread over three years (about one in fifteen in the
last week), each about one debt. Then authorizes 3,000 calls to random consumers, one
transaction each (lock, one read, evaluate, one insert: BEGIN + 3 statements + COMMIT), and
prints p50/p95/p99 wall-clock milliseconds and the CPU time spent in this process per call.
The issue's target: p99 under 5 ms with 1,000,000 consumers and 20,000,000 ledger rows.
"""

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import setup_django  # noqa: E402

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York


def fill_ledger(rows_per_consumer: int) -> int:
    from django.db import connection

    from amicable.compliance.models import ContactAttempt, ContactAttemptDebt
    from amicable.portfolio.models import Consumer, Debt

    attempts = ContactAttempt._meta.db_table
    links = ContactAttemptDebt._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {attempts} (consumer_id, channel, "to", requested_at, allowed, reasons,
                rules, calls_in_window, notes, source, campaign, autodialed, result, result_at)
            SELECT c.id, 'CALL', 'CONSUMER', t.at, true, '[]', '', '{{}}', '[]', 'DIALER', '',
                   false, 'no_answer', t.at
            FROM {Consumer._meta.db_table} c
            CROSS JOIN LATERAL (
                SELECT %s::timestamptz - random() * 1095 * interval '1 day'
                       * (CASE WHEN g %% 15 = 0 THEN 0.006 ELSE 1 END) AS at
                FROM generate_series(1, %s) g WHERE c.id > 0
            ) t
            """,
            [NOW - timedelta(hours=1), rows_per_consumer],
        )
        cursor.execute(
            f"""
            INSERT INTO {links} (attempt_id, debt_id)
            SELECT a.id, d.first_debt FROM {attempts} a
            JOIN (SELECT consumer_id, min(id) AS first_debt FROM {Debt._meta.db_table}
                  GROUP BY consumer_id) d ON d.consumer_id = a.consumer_id
            """
        )
        cursor.execute(f"ANALYZE {attempts}; ANALYZE {links}")
        cursor.execute(f"SELECT count(*) FROM {attempts}")
        return cursor.fetchone()[0]


def prewarm() -> None:
    """Read every table and index of the database into the OS page cache. Random consumers'
    pages otherwise come from the disk on first touch, which is what a run right after other
    work measures (on this VM: p99 4.7-6.1 ms with a partly cold cache, 3.2-3.6 ms warm)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
        )
        blocks = cursor.fetchone()[0]
    print(f"prewarmed {blocks * 8 / 1024:,.0f} MB in {time.perf_counter() - started:.0f} s")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    accounts = int(args[0]) if args else 200_000
    per_consumer = int(args[1]) if len(args) > 1 else 20
    calls = int(args[2]) if len(args) > 2 else 3000
    setup_django()
    from django.db import connection

    from amicable.compliance.api import authorize_contact
    from amicable.portfolio.models import Consumer, ContactPoint
    from amicable.portfolio.seeding import seed_demo_portfolio

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    reuse = "--reuse" in sys.argv  # time again on a database seeded by an earlier run
    if not reuse:
        started = time.perf_counter()
        seed_demo_portfolio(
            accounts=accounts, seed=11, as_of=date(2026, 10, 1), now=NOW - timedelta(days=60)
        )
        print(f"seeded {accounts:,} accounts in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        rows = fill_ledger(per_consumer)
        print(f"ledger: {rows:,} attempts in {time.perf_counter() - started:.0f} s", flush=True)
    if "--prewarm" in sys.argv:
        prewarm()
    consumers = list(
        ContactPoint.objects.filter(kind="PHONE", is_primary=True).values_list("consumer_id", "id")
    )
    debts = {}
    from amicable.compliance.models import ContactAttempt
    from amicable.portfolio.models import Debt

    # Each run asks about other consumers, one second apart after the previous runs' calls.
    earlier = ContactAttempt.objects.filter(source="DIALER", requested_at__gte=NOW).count()
    rng = random.Random(3 + earlier)
    sample = rng.sample(consumers, min(calls, len(consumers)))
    for debt_id, consumer_id in Debt.objects.filter(
        consumer_id__in=[c for c, _ in sample]
    ).values_list("id", "consumer_id"):
        debts.setdefault(consumer_id, debt_id)
    print(f"consumers: {Consumer.objects.count():,}", flush=True)
    timings = []
    cpu_used = 0.0
    allowed = 0
    for n, (consumer_id, phone_id) in enumerate(sample):
        begin, cpu = time.perf_counter(), time.process_time()
        auth = authorize_contact(
            consumer_id=consumer_id,
            debt_ids=[debts[consumer_id]],
            channel="CALL",
            now=NOW + timedelta(seconds=earlier + n),
            contact_point_id=phone_id,
            source="DIALER",
        )
        timings.append((time.perf_counter() - begin) * 1000)
        cpu_used += time.process_time() - cpu
        allowed += auth.allowed
    timings.sort()
    q = statistics.quantiles(timings, n=100)
    print(
        f"authorize_contact x{len(timings):,}: p50 {q[49]:.2f} ms, p95 {q[94]:.2f} ms, "
        f"p99 {q[98]:.2f} ms, max {timings[-1]:.2f} ms wall; "
        f"{cpu_used / len(timings) * 1000:.2f} ms CPU per call in this process "
        f"(the rest is the database and waiting); {allowed:,} allowed"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size: {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
