"""Benchmark: import a standard placement file end to end (parse, validate, insert).

    uv run python benchmarks/import_placement.py [ROWS]          # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        uv run python benchmarks/import_placement.py

Prints rows/second and the process's peak memory. Target: 20,000 rows/s with peak memory
under 500 MB for 1,000,000 rows, on SQLite and PostgreSQL.
"""

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import peak_rss_mb, setup_django  # noqa: E402
from make_placement_file import write_file  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    source = Path(__file__).resolve().parent / "out" / f"placement-{rows}.csv"
    if not source.exists():
        print(f"writing {source.name} ({rows:,} rows)…", flush=True)
        write_file(rows, source)
    setup_django()
    from django.db import connection

    from amicable.portfolio.imports import receive_placement_file, run_placement_import
    from amicable.portfolio.services import create_creditor

    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    create_creditor(code="bench", name="Benchmark Creditor", now=now)
    placement = receive_placement_file(
        creditor_code="bench", source_path=source, file_name=source.name, now=now
    )
    started = time.perf_counter()
    summary = run_placement_import(placement_id=placement.pk, now=now)
    elapsed = time.perf_counter() - started
    print(f"database: {connection.vendor}")
    print(f"rows: {summary.rows:,}  created: {summary.created:,}  rejected: {summary.rejected:,}")
    print(f"import: {elapsed:.1f} s, {summary.rows / elapsed:,.0f} rows/s")
    print(f"peak memory: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
