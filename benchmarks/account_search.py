"""Benchmark: account search on a large portfolio (target p95 under 50 ms on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amicable_bench_search \\
        uv run python benchmarks/account_search.py [ACCOUNTS]

The database is kept between runs (seeding a million accounts takes minutes): create it
once with `createdb`, and the script tops it up to ACCOUNTS (default 1,000,000) with the demo
seed. It then times 500 searches of each kind that users type: last name, "first last",
account number, phone, email and SSN last 4, and prints p50/p95/max per kind and overall.
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.config.settings")


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from amicable.identity.roles import Role
    from amicable.identity.services import create_user_with_roles
    from amicable.portfolio.models import Consumer, ContactPoint, Debt
    from amicable.portfolio.seeding import seed_demo_portfolio
    from amicable.portfolio.selectors import search_debts

    call_command("migrate", interactive=False, verbosity=0)
    have = Debt.objects.count()
    if have < accounts:
        print(f"seeding {accounts - have:,} more accounts (have {have:,})…", flush=True)
        started = time.perf_counter()
        seed_demo_portfolio(
            accounts=accounts,
            seed=1,
            as_of=date(2026, 11, 1),
            now=datetime(2026, 11, 1, 12, tzinfo=UTC),
        )
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    user = User.objects.filter(username="bench_agent").first() or create_user_with_roles(
        username="bench_agent", password="bench-password-2026", roles=[Role.AGENT]
    )

    rng = random.Random(5)
    total = Debt.objects.count()
    ids = [rng.randint(1, total) for _ in range(500)]
    debts = list(Debt.objects.filter(pk__in=ids).select_related("consumer"))
    phones = list(
        ContactPoint.objects.filter(
            kind="PHONE", consumer_id__in=[d.consumer_id for d in debts]
        ).values_list("value", flat=True)
    )
    emails = list(
        ContactPoint.objects.filter(
            kind="EMAIL", consumer_id__in=[d.consumer_id for d in debts]
        ).values_list("value", flat=True)
    )
    consumers = list(Consumer.objects.filter(pk__in=[d.consumer_id for d in debts]))
    kinds = {
        "last name": [c.last_name for c in consumers],
        "first last": [f"{c.first_name} {c.last_name}" for c in consumers],
        "account number": [d.account_number for d in debts],
        "phone": [f"({p[2:5]}) {p[5:8]}-{p[8:]}" for p in phones],
        "email": emails,
        "ssn last 4": [c.ssn_last4 for c in consumers if c.ssn_last4],
    }
    print(f"database: {connection.vendor}, debts: {total:,}")
    everything: list[float] = []
    for kind, queries in kinds.items():
        timings = []
        for text in queries[:500]:
            started = time.perf_counter()
            search_debts(user=user, text=text)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        everything.extend(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"{kind:<15} n={len(timings):<4} p50 {statistics.median(timings):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {timings[-1]:6.1f} ms"
        )
    everything.sort()
    print(
        f"{'all':<15} n={len(everything):<4} p50 {statistics.median(everything):6.1f} ms  "
        f"p95 {everything[int(len(everything) * 0.95) - 1]:6.1f} ms"
    )


if __name__ == "__main__":
    main()
