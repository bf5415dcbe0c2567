"""`amicable seed`: put the synthetic demo portfolio in the database.

It goes through the same `apply_records` path as a placement file, so seeded accounts are
indistinguishable from imported ones (ledger entries, contact points, linked debts).
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from django.db import transaction

from amicable.kernel.background import in_background
from amicable.portfolio.demo_data import (
    CHUNK_SIZE,
    DEMO_CREDITORS,
    demo_account_chunks,
    rebuild_chunk,
)
from amicable.portfolio.imports import _add_counts, apply_records
from amicable.portfolio.models import Creditor, Placement
from amicable.portfolio.services import create_creditor


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


def seed_demo_portfolio(
    *,
    accounts: int,
    seed: int,
    as_of: date,
    now: datetime,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Build (or top up) the demo portfolio; returns created/unchanged counts."""
    creditors = ensure_demo_creditors(now=now)
    placements = {}
    for code, creditor in creditors.items():
        placements[code], _ = Placement.objects.get_or_create(
            creditor=creditor,
            file_name=f"demo-seed-{seed}.csv",
            defaults={"received_at": now, "status": Placement.Status.RUNNING, "started_at": now},
        )
    done = 0
    totals = {"created": 0, "unchanged": 0, "updated": 0}
    chunks = demo_account_chunks(count=accounts, seed=seed, as_of=as_of)
    if accounts > 4 * CHUNK_SIZE:  # generate in a second process while this one inserts
        chunks = in_background(demo_account_chunks, count=accounts, seed=seed, as_of=as_of)
    for chunk in chunks:
        batch = rebuild_chunk(chunk)
        by_creditor = defaultdict(list)
        for account in batch:
            by_creditor[account.creditor_code].append(account)
        with transaction.atomic():
            for code, items in by_creditor.items():
                placement = placements[code]
                counts = apply_records(
                    placement=placement,
                    records=[a.record for a in items],
                    now=now,
                    languages={a.record.account_number: a.language for a in items},
                )
                placement.rows_processed += len(items)
                _add_counts(placement, counts)
                totals["created"] += counts.created
                totals["unchanged"] += counts.unchanged
                totals["updated"] += counts.updated
        done += len(batch)
        if on_progress is not None:
            on_progress(done)
    for placement in placements.values():
        placement.status = Placement.Status.COMPLETED
        placement.finished_at = now
        placement.rows_total = placement.rows_processed
        placement.save(update_fields=["status", "finished_at", "rows_total"])
    return totals
