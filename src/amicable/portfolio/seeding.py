"""`amicable seed`: put the synthetic demo portfolio in the database.

It goes through the same `apply_prepared_rows` path as a placement file, so seeded accounts
are indistinguishable from imported ones (ledger entries, contact points, linked debts).
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from itertools import islice

from django.db import transaction

from amicable.kernel.background import in_background
from amicable.kernel.errors import UnableTo
from amicable.kernel.garbage import fewer_gc_passes
from amicable.portfolio.core.background_reader import as_prepared_rows
from amicable.portfolio.demo_data import CHUNK_SIZE, DEMO_CREDITORS, prepared_demo_chunks
from amicable.portfolio.imports import (
    _add_counts,
    apply_prepared_rows,
    indexes_for_a_load,
    keep_statistics_fresh,
    placement_context,
)
from amicable.portfolio.models import Consumer, Creditor, Debt, Placement
from amicable.portfolio.services import create_creditor


class UnableToSeed(UnableTo):
    pass


def ensure_demo_creditors(*, now: datetime) -> dict[str, Creditor]:
    creditors = {
        c.code: c for c in Creditor.objects.filter(code__in=[d.code for d in DEMO_CREDITORS])
    }
    for demo in DEMO_CREDITORS:
        if demo.code not in creditors:
            creditors[demo.code] = create_creditor(
                code=demo.code,
                name=demo.name,
                now=now,
                fee_rate=demo.fee_rate,
                min_settlement_rate=demo.min_settlement_rate,
                max_plan_months=demo.max_plan_months,
                industry=demo.industry,
            )
    return creditors


# Chunks committed together. Each commit writes every index page its rows touched, and the
# accounts' keys (SSN hash, name, account number, phone...) land all over the indexes, so
# on SQLite a commit of 25,000 accounts writes about a third as much per account as one of
# 5,000 (measured: 1.0 GB against 2.7 GB for 200,000 rows); memory stays well under 500 MB.
CHUNKS_PER_TRANSACTION = 5


def seed_demo_portfolio(
    *,
    accounts: int,
    seed: int,
    as_of: date,
    now: datetime,
    on_progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Build (or top up) the demo portfolio; returns created/unchanged counts.

    The accounts of every seed have the same numbers (a seed changes the people, not the
    numbering), so a portfolio holds one seed's demo: another seed would overwrite it."""
    earlier = (
        Placement.objects.filter(file_name__startswith="demo-seed-", file_name__endswith=".csv")
        .exclude(file_name=f"demo-seed-{seed}.csv")
        .values_list("file_name", flat=True)
        .first()
    )
    if earlier is not None:
        other = earlier.removeprefix("demo-seed-").removesuffix(".csv")
        raise UnableToSeed(
            f"this database holds the demo portfolio of seed {other}; another seed would "
            f"overwrite its accounts. Use --seed {other} to top it up, or a fresh database "
            "(AMICABLE_DATA_DIR or DATABASE_URL)."
        )
    creditors = ensure_demo_creditors(now=now)
    placements = {}
    for code, creditor in creditors.items():
        placements[code], _ = Placement.objects.get_or_create(
            creditor=creditor,
            file_name=f"demo-seed-{seed}.csv",
            defaults={"received_at": now, "status": Placement.Status.RUNNING, "started_at": now},
        )
    contexts = {
        code: placement_context(placement=placement, now=now)
        for code, placement in placements.items()
    }
    if accounts > 4 * CHUNK_SIZE:  # generate in a second process while this one inserts
        chunks = in_background(
            prepared_demo_chunks, count=accounts, seed=seed, as_of=as_of, contexts=contexts
        )
    else:
        chunks = prepared_demo_chunks(count=accounts, seed=seed, as_of=as_of, contexts=contexts)
    totals = {"created": 0, "unchanged": 0, "updated": 0}
    with fewer_gc_passes(), indexes_for_a_load(rows=accounts):
        _insert_chunks(
            chunks, placements=placements, totals=totals, now=now, on_progress=on_progress
        )
    for placement in placements.values():
        placement.status = Placement.Status.COMPLETED
        placement.finished_at = now
        placement.rows_total = placement.rows_processed
        placement.save(update_fields=["status", "finished_at", "rows_total"])
    return totals


def _insert_chunks(
    chunks: Iterator[dict],
    *,
    placements: dict[str, Placement],
    totals: dict[str, int],
    now: datetime,
    on_progress: Callable[[int], object] | None,
) -> None:
    done = 0
    analyzed_at = 0
    while group := list(islice(chunks, CHUNKS_PER_TRANSACTION)):
        with transaction.atomic():
            for chunk in group:
                for code, rows in chunk.items():
                    placement = placements[code]
                    counts = apply_prepared_rows(
                        placement=placement, rows=as_prepared_rows(rows), now=now
                    )
                    placement.rows_processed += len(rows)
                    _add_counts(placement, counts)
                    totals["created"] += counts.created
                    totals["unchanged"] += counts.unchanged
                    totals["updated"] += counts.updated
                    done += len(rows)
        # The seed finds people again by SSN hash and looks up each chunk's accounts: both
        # need statistics that keep up with the tables (measured on PostgreSQL, a million
        # accounts: 212 s without, the server busy with scans).
        analyzed_at = keep_statistics_fresh(
            rows_done=done, analyzed_at=analyzed_at, tables=(Debt, Consumer)
        )
        if on_progress is not None:
            on_progress(done)
