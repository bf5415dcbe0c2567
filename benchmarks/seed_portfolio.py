"""Benchmark: `amicable seed --accounts N` on a fresh database (target: 1,000,000 in 2 min).

uv run python benchmarks/seed_portfolio.py [ACCOUNTS]
DATABASE_URL=postgres://... uv run python benchmarks/seed_portfolio.py [ACCOUNTS]
"""

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import child_peak_rss_mb, cpu_seconds, peak_rss_mb, setup_django  # noqa: E402
from _machine import describe  # noqa: E402


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    setup_django()
    from django.db import connection

    from amicable.portfolio.seeding import seed_demo_portfolio

    cpu_before = cpu_seconds()
    started = time.perf_counter()
    totals = seed_demo_portfolio(
        accounts=accounts,
        seed=1,
        as_of=date(2026, 11, 1),
        now=datetime(2026, 11, 1, 12, tzinfo=UTC),
    )
    elapsed = time.perf_counter() - started
    own, children = (
        after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True)
    )
    print(f"database: {connection.vendor}")
    print(
        f"seeded {totals['created']:,} debts in {elapsed:.1f} s "
        f"({totals['created'] / elapsed:,.0f} accounts/s); peak memory {peak_rss_mb():,.0f} MB"
    )
    print(f"CPU: writer {own:.1f} s, generator {children:.1f} s")
    print(f"generator peak memory {child_peak_rss_mb():,.0f} MB")
    print(describe())


if __name__ == "__main__":
    main()
