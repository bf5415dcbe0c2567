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

from _django import (
    child_peak_rss_mb,
    cpu_seconds,
    peak_rss_mb,
    reset_peak_rss,
    setup_django,
)  # noqa: E402
from _machine import describe  # noqa: E402
from make_placement_file import write_file  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    source = Path(__file__).resolve().parent / "out" / f"placement-{rows}.csv"
    if not source.exists():
        print(f"writing {source.name} ({rows:,} rows)…", flush=True)
        write_file(rows, source)
        reset_peak_rss()
    setup_django()
    from django.db import connection

    from amicable.portfolio.imports import receive_placement_file, run_placement_import
    from amicable.portfolio.services import create_creditor

    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    create_creditor(code="bench", name="Benchmark Creditor", now=now)
    placement = receive_placement_file(
        creditor_code="bench", source_path=source, file_name=source.name, now=now
    )
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    summary = run_placement_import(
        placement_id=placement.pk, now=now, on_progress=_progress_printer(started)
    )
    elapsed = time.perf_counter() - started
    own, children = (
        after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True)
    )
    print(f"database: {connection.vendor}")
    print(f"rows: {summary.rows:,}  created: {summary.created:,}  rejected: {summary.rejected:,}")
    print(f"import: {elapsed:.1f} s, {summary.rows / elapsed:,.0f} rows/s")
    print(f"CPU: writer {own:.1f} s, reader {children:.1f} s")
    print(f"peak memory: {peak_rss_mb():,.0f} MB (reader process {child_peak_rss_mb():,.0f} MB)")
    print(describe())


def _progress_printer(started: float):
    """Print the rate of each 100,000 rows: the database slows down as its indexes grow."""
    last = {"rows": 0, "at": started}

    def on_progress(placement) -> None:
        if placement.rows_processed - last["rows"] < 100_000:
            return
        at = time.perf_counter()
        rate = (placement.rows_processed - last["rows"]) / (at - last["at"])
        print(f"  {placement.rows_processed:>9,} rows  {rate:,.0f} rows/s", flush=True)
        last.update(rows=placement.rows_processed, at=at)

    return on_progress


if __name__ == "__main__":
    main()
