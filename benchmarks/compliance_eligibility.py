"""Benchmark: batch eligibility (`compliance.api.eligible_debts`) over the whole portfolio.

    uv run python benchmarks/compliance_eligibility.py [ACCOUNTS] [--busy FRACTION]
        [--serial] [--profile] [--reuse]
    AMICABLE_DATA_DIR=DIR ... (keep the SQLite database in DIR, to time it again with --reuse)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \\
        uv run python benchmarks/compliance_eligibility.py

Seeds the demo portfolio (`amicable.portfolio.seeding.seed_demo_portfolio`), then gives a
FRACTION of the consumers (default 0.3) a contact history: 1 to 7 calls over the last week
(some with results), and every 20th of them a compliance fact (cease, dispute, consent...).
Prints debts per second for the whole portfolio, a breakdown of where the time goes, and the
same for a list of 10,000 chosen debts, in wall-clock and CPU time. The whole portfolio is
spread over one worker process per CPU (``--serial``: one process; ``--profile``: one
process, profiled). Target: 1,000,000 debts under 10 s.
"""

import cProfile
import pstats
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import peak_rss_mb, setup_django  # noqa: E402

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the eligibility workers): on a
    shared machine, wall-clock time also measures the neighbours."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def seed(accounts: int, busy: float) -> None:
    from django.db import connection

    from amicable.compliance.models import ComplianceFact, ContactAttempt, ContactAttemptDebt
    from amicable.portfolio.models import ContactPoint, Debt
    from amicable.portfolio.seeding import seed_demo_portfolio

    started = time.perf_counter()
    seed_demo_portfolio(
        accounts=accounts, seed=7, as_of=date(2026, 10, 1), now=NOW - timedelta(days=60)
    )
    print(f"seeded {accounts:,} accounts in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    rng = random.Random(7)
    by_consumer: dict[int, list[int]] = {}
    for debt_id, consumer_id in Debt.objects.order_by("id").values_list("id", "consumer_id"):
        by_consumer.setdefault(consumer_id, []).append(debt_id)
    phones = dict(
        ContactPoint.objects.filter(kind="PHONE", is_primary=True).values_list("consumer_id", "id")
    )
    attempts, links, facts = [], [], []
    next_id = (ContactAttempt.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    results = ["no_answer", "voicemail_no_message", "busy", "", "no_answer"]
    for n, (consumer_id, debts) in enumerate(by_consumer.items()):
        if rng.random() >= busy:
            continue
        for _ in range(rng.randint(1, 7)):
            at = NOW - timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 8))
            result = rng.choice(results)
            attempts.append(
                ContactAttempt(
                    id=next_id,
                    consumer_id=consumer_id,
                    channel="CALL",
                    to="CONSUMER",
                    contact_point_id=phones.get(consumer_id),
                    requested_at=at,
                    allowed=True,
                    source="DIALER",
                    result=result,
                    result_at=at if result else None,
                )
            )
            links.append(ContactAttemptDebt(attempt_id=next_id, debt_id=rng.choice(debts)))
            next_id += 1
        if n % 20 == 0:
            kind = rng.choice(["CEASE", "DISPUTE", "CONSUMER_CALL", "VALIDATION_NOTICE"])
            facts.append(
                ComplianceFact(
                    consumer_id=consumer_id,
                    kind=kind,
                    at=NOW - timedelta(days=3),
                    on=(NOW - timedelta(days=20)).date() if kind == "VALIDATION_NOTICE" else None,
                    recorded_at=NOW - timedelta(days=3),
                )
            )
    ContactAttempt.objects.bulk_create(attempts, batch_size=5000)
    ContactAttemptDebt.objects.bulk_create(links, batch_size=5000)
    ComplianceFact.objects.bulk_create(facts, batch_size=5000)
    if connection.vendor == "postgresql":
        # What autovacuum does a minute after such a load (and what a server with autovacuum
        # off, like this VM's, never does): without statistics for the million attempts just
        # written, the planner picks plans made for empty tables (measured: 19.7 s against 5.9).
        with connection.cursor() as cursor:
            for model in (ContactAttempt, ContactAttemptDebt, ComplianceFact):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    print(
        f"ledger: {len(attempts):,} attempts, {len(facts):,} facts "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    accounts = int(args[0]) if args else 100_000
    busy = float(sys.argv[sys.argv.index("--busy") + 1]) if "--busy" in sys.argv else 0.3
    if "--busy" in sys.argv:
        args = [a for a in args if a != sys.argv[sys.argv.index("--busy") + 1]]
    setup_django()
    from django.db import connection

    from amicable.compliance.api import eligible_debts
    from amicable.portfolio.models import Consumer, Debt

    if "--reuse" not in sys.argv:  # --reuse: time again on AMICABLE_DATA_DIR's database
        seed(accounts, busy)
    debts = Debt.objects.count()
    print(
        f"database: {connection.vendor}; consumers: {Consumer.objects.count():,}; debts: {debts:,}"
    )
    from amicable.compliance import eligibility

    if "--serial" in sys.argv or "--profile" in sys.argv:
        eligibility.MAX_WORKERS = 1  # one process (the profiler sees only this one)
    profiler = cProfile.Profile() if "--profile" in sys.argv else None
    started, cpu = time.perf_counter(), cpu_seconds()
    if profiler:
        profiler.enable()
    answers = eligible_debts(debt_ids=None, now=NOW)
    if profiler:
        profiler.disable()
    elapsed, used = time.perf_counter() - started, cpu_seconds() - cpu
    allowed = sum(1 for a in answers.values() if a.allowed)
    print(
        f"whole portfolio: {len(answers):,} debts in {elapsed:.2f} s wall, {used:.2f} s CPU "
        f"(this process and its workers; at most {eligibility.MAX_WORKERS} workers) "
        f"= {len(answers) / elapsed:,.0f} debts/s; {allowed:,} callable now"
    )
    print(f"projected for 1,000,000 debts: {1_000_000 / (len(answers) / elapsed):.1f} s wall")
    chosen = random.Random(1).sample(list(answers), min(10_000, len(answers)))
    started, cpu = time.perf_counter(), cpu_seconds()
    eligible_debts(debt_ids=chosen, now=NOW)
    elapsed, used = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"10,000 chosen debts: {elapsed:.2f} s wall, {used:.2f} s CPU")
    print(f"peak memory: {peak_rss_mb():,.0f} MB")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
