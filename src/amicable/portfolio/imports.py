"""Importing a creditor's placement file into the portfolio.

The pure core (`portfolio.core`) reads and validates rows; this module applies them to the
database in batches. Each batch commits in one transaction together with the placement's
counters and a checkpoint (`rows_processed`), so an import that is killed can be run again:
it re-reads the file, rewrites the errors report, and applies only the rows after the
checkpoint. Re-importing the same file as a new placement matches debts on creditor +
account number and creates nothing new; a changed row updates the debt, and a changed
balance is posted as an ADJUSTMENT ledger entry (balances are never overwritten).
"""

import csv
import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, Model, Q, Sum

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.kernel.garbage import fewer_gc_passes
from amicable.kernel.money import ZERO
from amicable.portfolio.bulk_insert import (
    allocate_ids,
    build_missing_indexes,
    constants_as_column_defaults,
    db_date,
    db_datetime,
    drop_column_defaults,
    indexes_built_after_load,
    insert_rows,
    load_lock,
    rows_matching,
)
from amicable.portfolio.core.background_reader import (
    CONSUMER_COLUMNS,
    CONTACT_POINT_COLUMNS,
    DEBT_COLUMNS,
    DEBT_FROM_READER,
    PlacementContext,
    PreparedBatch,
    PreparedRow,
    batches_in_background,
    consumer_constants,
    contact_point_constants,
    debt_constants,
    prepared_batches,
)
from amicable.portfolio.core.errors import UnableToLoadMapping, UnableToReadPlacementFile
from amicable.portfolio.core.placement_file import (
    load_mapping,
    looks_like_xlsx,
    open_placement_file,
    unreadable_kind,
)
from amicable.portfolio.encryption import encrypt_ssns_with, key_material
from amicable.portfolio.ledger import Buckets, post_ledger_entry
from amicable.portfolio.models import (
    Consumer,
    ContactPoint,
    Creditor,
    Debt,
    LedgerEntry,
    Placement,
    name_key,
)
from amicable.portfolio.services import normalize_creditor_code

logger = logging.getLogger(__name__)

ERRORS_FILE_COLUMNS = ["row", "account_number", "level", "message"]


class UnableToImportPlacement(UnableTo):
    pass


@dataclass(frozen=True)
class ImportSummary:
    placement_id: int
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    warnings: int
    errors_file: str

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "errors_file": self.errors_file,
        }


def placements_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "placements"


@transaction.atomic
def receive_placement_file(
    *,
    creditor_code: str,
    source_path: Path,
    file_name: str,
    now: datetime,
    uploaded_by_id: int | None = None,
    mapping_path: Path | None = None,
) -> Placement:
    """Store a copy of the file and register a queued placement for it."""
    creditor_code = normalize_creditor_code(creditor_code)
    # Case-blind: codes are kept lower-case, but older ones may not be.
    creditor = Creditor.objects.filter(code__iexact=creditor_code).first()
    if creditor is None:
        raise UnableToImportPlacement(
            f"no creditor with code {creditor_code!r}; create it first "
            f"(amicable creditor add {creditor_code} --name NAME)"
        )
    if not creditor.is_active:
        raise UnableToImportPlacement(f"creditor {creditor_code!r} is inactive")
    kind = unreadable_kind(source_path)
    if kind is not None:
        raise UnableToImportPlacement(
            f"{Path(file_name).name} is {kind}; the import reads CSV (.csv, .txt) and Excel "
            ".xlsx files: save it as one of those and import that"
        )
    mapping: dict[str, str] = {}
    if mapping_path is not None:
        try:
            mapping = load_mapping(mapping_path)
        except UnableToLoadMapping as error:  # its message names the file
            raise UnableToImportPlacement(str(error)) from error
    digest = hashlib.sha256()
    with source_path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    placement = Placement.objects.create(
        creditor=creditor,
        file_name=Path(file_name).name[:255],
        file_sha256=digest.hexdigest(),
        file_size=source_path.stat().st_size,
        mapping=mapping,
        received_at=now,
        uploaded_by_id=uploaded_by_id,
    )
    suffix = ".xlsx" if looks_like_xlsx(source_path) else _suffix(file_name)
    target = placements_dir() / str(placement.pk) / ("placement" + suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_path, target)
    placement.file_path = str(target)
    placement.rows_total = _estimate_rows(target)
    placement.save(update_fields=["file_path", "rows_total"])
    record_audit_event(
        at=now,
        actor_id=uploaded_by_id,
        action="placement.received",
        object_type="Placement",
        object_id=placement.pk,
        details={"creditor": creditor.code, "bytes": placement.file_size},
    )
    return placement


def run_placement_import(
    *,
    placement_id: int,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
    batch_size: int | None = None,
    on_progress: Callable[[Placement], None] | None = None,
    parallel: bool | None = None,
    rows_per_commit: int | None = None,
) -> ImportSummary:
    """Apply a received placement file; safe to call again after a crash.

    `parallel` reads the file in a second process (default: for files over 20,000 rows).
    Batches are committed together until a commit holds `rows_per_commit` rows of the file
    (default: on SQLite `SQLITE_ROWS_PER_COMMIT`, or `SQLITE_FIRST_LOAD_ROWS_PER_COMMIT` into
    an empty portfolio; one batch per commit on PostgreSQL).

    One load at a time (`load_lock`): the placement is read once this load has the lock, so
    a second run of the same placement (a task run twice, `--resume` while the worker is on
    it) waits for the first, then finds it done, or resumes where it stopped."""
    with load_lock():
        return _run_placement_import(
            placement_id=placement_id,
            now=now,
            clock=clock,
            batch_size=batch_size,
            on_progress=on_progress,
            parallel=parallel,
            rows_per_commit=rows_per_commit,
        )


def _run_placement_import(
    *,
    placement_id: int,
    now: datetime,
    clock: Callable[[], datetime] | None,
    batch_size: int | None,
    on_progress: Callable[[Placement], None] | None,
    parallel: bool | None,
    rows_per_commit: int | None,
) -> ImportSummary:
    placement = Placement.objects.select_related("creditor").get(pk=placement_id)
    if placement.status == Placement.Status.COMPLETED:
        return _summary(placement)
    batch_size = batch_size or settings.AMICABLE_IMPORT_BATCH_SIZE
    checkpoint = placement.rows_processed
    placement.status = Placement.Status.RUNNING
    placement.started_at = placement.started_at or now
    placement.error_message = ""
    placement.save(update_fields=["status", "started_at", "error_message"])
    errors_path = Path(placement.file_path).with_name("errors.csv")
    try:
        with errors_path.open("w", newline="", encoding="utf-8") as errors_handle:
            errors = csv.writer(errors_handle)
            errors.writerow(ERRORS_FILE_COLUMNS)
            columns, notes = _layout_of(placement)
            errors.writerows(("", "", "warning", note) for note in notes)
            context = replace(
                placement_context(placement=placement, now=now), columns=frozenset(columns)
            )
            batches = _read_batches(
                placement, batch_size=batch_size, parallel=parallel, context=context
            )
            rows_left = placement.rows_total - checkpoint
            analyzed_at = checkpoint
            with (
                fewer_gc_passes(),
                # Into an empty portfolio, people can only be found again within the file.
                indexes_for_a_load(
                    rows=rows_left, first_load_reads_ssn_hashes=False
                ) as in_file_only,
            ):
                if rows_per_commit is None:
                    rows_per_commit = _rows_per_commit(first_load=in_file_only)
                to_apply = _batches_to_apply(batches, checkpoint=checkpoint, errors=errors)
                for first in to_apply:
                    with transaction.atomic():  # a commit: batches up to rows_per_commit rows
                        batch: PreparedBatch | None = first
                        while batch is not None:
                            _apply_batch(
                                placement=placement,
                                batch=batch,
                                now=now,
                                context=context,
                                in_file_only=in_file_only,
                            )
                            rows_in_commit = batch.last_row_number - first.first_row_number + 1
                            if rows_in_commit >= rows_per_commit:
                                break
                            batch = next(to_apply, None)
                    if in_file_only:
                        analyzed_at = keep_statistics_fresh(
                            rows_done=placement.rows_processed, analyzed_at=analyzed_at
                        )
                    if on_progress is not None:
                        on_progress(placement)
    except UnableToReadPlacementFile as error:
        placement.status = Placement.Status.FAILED
        placement.error_message = str(error)
        placement.finished_at = clock() if clock else now
        placement.save(update_fields=["status", "error_message", "finished_at"])
        _record_failure(placement, at=placement.finished_at, reason=str(error))
        raise UnableToImportPlacement(str(error)) from error
    except Exception:
        logger.exception("placement %s import failed", placement_id)
        message = "The import stopped on an unexpected error; it can be run again."
        Placement.objects.filter(pk=placement_id).update(
            status=Placement.Status.FAILED, error_message=message
        )
        _record_failure(placement, at=clock() if clock else now, reason=message)
        raise
    placement.status = Placement.Status.COMPLETED
    placement.finished_at = clock() if clock else now
    placement.rows_total = placement.rows_processed
    placement.errors_file = str(errors_path)
    placement.save(update_fields=["status", "finished_at", "rows_total", "errors_file"])
    record_audit_event(
        at=placement.finished_at,
        actor_id=placement.uploaded_by_id,
        action="placement.imported",
        object_type="Placement",
        object_id=placement.pk,
        details=_summary(placement).as_json(),
    )
    return _summary(placement)


def _record_failure(placement: Placement, *, at: datetime, reason: str) -> None:
    try:
        record_audit_event(
            at=at,
            actor_id=placement.uploaded_by_id,
            action="placement.failed",
            object_type="Placement",
            object_id=placement.pk,
            details={"rows_processed": placement.rows_processed, "reason": reason[:500]},
        )
    except Exception:  # the database itself may be what failed; the log has the error
        logger.exception("placement %s: could not record the failure", placement.pk)


# During a first load on PostgreSQL, the debts' statistics are refreshed from this many rows
# on, each time the rows loaded have doubled since the last refresh.
ANALYZE_FROM_ROWS = 100_000


def keep_statistics_fresh(
    *, rows_done: int, analyzed_at: int, tables: Sequence[type[Model]] = (Debt,)
) -> int:
    """Refresh the statistics of `tables` on PostgreSQL as a load from empty grows them.

    Without statistics (a table loaded from empty, autovacuum not there yet) the planner
    misjudges the look-ups of each batch: it takes "creditor = X" as selective and reads
    every debt of the creditor (measured: 5 ms a batch at 30,000 debts and 180 ms at
    935,000), and a seed's look-up of people by SSN hash turns into scans. Statistics off by
    at most a factor of two keep the right plans, and an ANALYZE costs more as the table
    grows (0.3-0.4 s at several hundred thousand debts, while the load waits), so it runs at
    `ANALYZE_FROM_ROWS` and then each time the rows done have doubled (a million-row load:
    four times instead of ten every 100,000 rows). Returns the row it last ran at."""
    if connection.vendor != "postgresql" or rows_done < max(ANALYZE_FROM_ROWS, 2 * analyzed_at):
        return analyzed_at
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table._meta.db_table)}")
    return rows_done


def _rows_per_commit(*, first_load: bool) -> int:
    if connection.vendor != "sqlite":
        return 1
    return SQLITE_FIRST_LOAD_ROWS_PER_COMMIT if first_load else SQLITE_ROWS_PER_COMMIT


# Rows of the file an import commits together on SQLite. A commit writes every page its rows
# touched, and the keys of the unique indexes (account number, idempotency key, SSN hash)
# land all over them: measured on a 1,000,000-row import, committing 25,000 rows at a time
# instead of every 5,000-row batch cut the commits' CPU from 10.3 s to 5.6 s. Memory does not
# grow: batches are still applied one at a time, and SQLite's page cache is bounded. A commit
# holds the database's write lock (about 1 s for 25,000 rows; other writers wait, up to the
# 10 s busy timeout).
SQLITE_ROWS_PER_COMMIT = 25_000
# Into an empty portfolio nobody else is writing accounts yet, so a first load commits
# 100,000 rows at a time (about 4 s of write lock): the commits' CPU fell from about 5.6 to
# 3 s, about 1.5 s of a million-row import.
SQLITE_FIRST_LOAD_ROWS_PER_COMMIT = 100_000

# The tables a load writes.
PORTFOLIO_TABLES = (Consumer, ContactPoint, Debt, LedgerEntry)
# From this many rows, a load into an empty portfolio builds the plain indexes afterwards.
DEFER_INDEXES_FROM_ROWS = 50_000


def is_first_load(*, rows: int) -> bool:
    """A large load into an empty portfolio (decision 0004)."""
    return (
        rows >= DEFER_INDEXES_FROM_ROWS
        and not Debt.objects.exists()
        and not Consumer.objects.exists()
    )


@contextmanager
def indexes_for_a_load(*, rows: int, first_load_reads_ssn_hashes: bool = True) -> Iterator[bool]:
    """Ready the portfolio's tables for a load of `rows` rows; yields whether it is a first
    load (a large load into an empty portfolio, decision 0004).

    A first load builds the plain indexes after the rows are in (`indexes_built_after_load`),
    but for the SSN-hash index when it looks people up by it (`first_load_reads_ssn_hashes`;
    a first import does not, see `SameSsnInFile`), and on PostgreSQL sends the rows'
    constants as column defaults (`constants_as_column_defaults`). Any other load keeps the
    indexes, and first builds any that a killed earlier load left missing.

    One load at a time (`load_lock`): a load waits for the one before it to end, then
    decides whether it is a first load. Two loads at once into an empty portfolio would both
    skip looking people up, and two ordinary ones would race to create the same new people;
    either way the people of both files would be created twice."""
    with load_lock():
        if is_first_load(rows=rows):
            keep = [(Consumer, "ssn_hash")] if first_load_reads_ssn_hashes else []
            with (
                indexes_built_after_load(PORTFOLIO_TABLES, keep=keep),
                constants_as_column_defaults(PORTFOLIO_TABLES),
            ):
                yield True
            return
        # Mend what a first load killed before its end left behind.
        build_missing_indexes(PORTFOLIO_TABLES)
        drop_column_defaults(PORTFOLIO_TABLES)
        yield False


def _spreadsheet_safe(issue: tuple[int, str, str, str]) -> tuple[int, str, str, str]:
    """A report line a spreadsheet shows as text: an account number from the file such as
    `=HYPERLINK(...)` would otherwise run as a formula when the report is opened."""
    row, account_number, level, message = issue
    if account_number[:1] in _FORMULA_STARTS:
        account_number = "'" + account_number
    return row, account_number, level, message


_FORMULA_STARTS = frozenset("=+-@\t\r")


def _batches_to_apply(
    batches: Iterator[PreparedBatch], *, checkpoint: int, errors
) -> Iterator[PreparedBatch]:
    """The batches (or parts) after the checkpoint; every batch's issues go to `errors`."""
    for batch in batches:
        errors.writerows(map(_spreadsheet_safe, batch.issues))
        if batch.last_row_number <= checkpoint:
            continue  # committed before a crash; only the report is rebuilt
        yield _after(batch, checkpoint)


def _after(batch: PreparedBatch, checkpoint: int) -> PreparedBatch:
    """The part of a batch after the checkpoint (all of it, but in the batch a crash cut)."""
    if batch.first_row_number > checkpoint:
        return batch
    return PreparedBatch(
        first_row_number=checkpoint + 1,
        last_row_number=batch.last_row_number,
        rows=[row for row in batch.rows if row.row_number > checkpoint],
        rejected_row_numbers=[n for n in batch.rejected_row_numbers if n > checkpoint],
        issues=[issue for issue in batch.issues if issue[0] > checkpoint],
    )


def _summary(placement: Placement) -> ImportSummary:
    # `rows_processed` is a position in the file (blank lines count, so that report row
    # numbers are where the rows are); `rows` is the rows read, so the counts add up.
    return ImportSummary(
        placement_id=placement.pk,
        rows=placement.created + placement.updated + placement.unchanged + placement.rejected,
        created=placement.created,
        updated=placement.updated,
        unchanged=placement.unchanged,
        rejected=placement.rejected,
        warnings=placement.warnings,
        errors_file=placement.errors_file,
    )


def _layout_of(placement: Placement) -> tuple[list[str], tuple[str, ...]]:
    """The standard columns the file has (after its mapping) and its file-level notes
    (ignored columns), from its header."""
    with open_placement_file(Path(placement.file_path), mapping=placement.mapping or None) as f:
        return list(f.columns), tuple(f.notes)


def _read_batches(
    placement: Placement, *, batch_size: int, parallel: bool | None, context: PlacementContext
) -> Iterator[PreparedBatch]:
    path = Path(placement.file_path)
    mapping = placement.mapping or None
    if parallel is None:
        parallel = placement.rows_total > PARALLEL_READ_FROM_ROWS
    if parallel:
        yield from batches_in_background(
            path, mapping=mapping, batch_size=batch_size, context=context
        )
        return
    yield from prepared_batches(str(path), mapping, batch_size, context)


def placement_context(*, placement: Placement, now: datetime) -> PlacementContext:
    """What the reader (or the seed's generator) needs to prepare this placement's rows."""
    return PlacementContext(
        creditor_id=placement.creditor_id,
        placement_id=placement.pk,
        debt_type=placement.creditor.industry,
        ledger_description=f"Placed by {placement.creditor.name}",
        effective_on=db_date(now.date()) or "",
        now=db_datetime(now),
        key_material=key_material(),
        uploaded_by_id=placement.uploaded_by_id,
    )


PARALLEL_READ_FROM_ROWS = 20_000


def _suffix(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    return suffix if suffix in {".csv", ".txt"} else ".csv"


def _estimate_rows(path: Path) -> int:
    """Rows for the progress bar: exact for XLSX, newline count for CSV (quoted newlines
    make it an over-estimate, which only slows the bar)."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            return max((workbook.worksheets[0].max_row or 1) - 1, 0)
        finally:
            workbook.close()
    newlines = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            newlines += chunk.count(b"\n")
    return max(newlines - 1, 0) + 1


def _apply_batch(
    *,
    placement: Placement,
    batch: PreparedBatch,
    now: datetime,
    context: PlacementContext,
    in_file_only: bool,
) -> None:
    """Create or update the debts of one batch, and move the checkpoint with them (in the
    caller's transaction)."""
    counts = apply_prepared_rows(
        placement=placement, rows=batch.rows, now=now, context=context, in_file_only=in_file_only
    )
    placement.rows_processed = batch.last_row_number
    placement.rejected += len(batch.rejected_row_numbers)
    placement.warnings += sum(1 for issue in batch.issues if issue[2] == "warning")
    _add_counts(placement, counts)


def _add_counts(placement: Placement, counts: "AppliedCounts") -> None:
    placement.created += counts.created
    placement.updated += counts.updated
    placement.unchanged += counts.unchanged
    placement.placed_total += counts.placed_total
    placement.save(
        update_fields=[
            "rows_processed",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "warnings",
            "placed_total",
        ]
    )


@dataclass(frozen=True)
class AppliedCounts:
    created: int
    updated: int
    unchanged: int
    placed_total: Decimal


def apply_prepared_rows(
    *,
    placement: Placement,
    rows: list[PreparedRow],
    now: datetime,
    context: PlacementContext | None = None,
    in_file_only: bool = False,
) -> AppliedCounts:
    """Create the debts that are new to the creditor, update the changed ones.

    The rows were prepared for this placement with `context` (default:
    `placement_context(placement=placement, now=now)`), whose values the columns the rows
    leave out take; must run inside a transaction. `in_file_only`: the portfolio held nobody
    when the load began, so a person is found again only through `same_person_as`."""
    context = context or placement_context(placement=placement, now=now)
    if in_file_only:  # an empty portfolio: every row is a new debt (the reader rejects repeats)
        created, placed_total = _create_debts(rows, context, in_file_only=True)
        return AppliedCounts(created, 0, 0, placed_total)
    existing = {
        account_number: (debt_id, fingerprint)
        for account_number, debt_id, fingerprint in rows_matching(
            Debt,
            columns=("account_number", "id", "source_fingerprint"),
            key_column="account_number",
            keys=[row.account_number for row in rows],
            where='"creditor_id" = %s',
            params=[placement.creditor_id],
        )
    }
    if not existing:
        created, placed_total = _create_debts(rows, context)
        return AppliedCounts(created, 0, 0, placed_total)
    created, placed_total = _create_debts(
        [row for row in rows if row.account_number not in existing], context
    )
    updated = unchanged = 0
    for row in rows:
        found = existing.get(row.account_number)
        if found is None:
            continue
        debt_id, fingerprint = found
        if fingerprint == row.fingerprint:
            unchanged += 1
        elif _update_debt(placement=placement, debt_id=debt_id, row=row, now=now, context=context):
            updated += 1
        else:  # the row reads differently (a file with fewer columns) but changes nothing
            unchanged += 1
    return AppliedCounts(created, updated, unchanged, placed_total)


# Many people share a name; `name_key` (unicode folding) costs a few µs a call.
_name_key = lru_cache(maxsize=1 << 16)(name_key)


def _find_consumers(
    rows: list[PreparedRow], context: PlacementContext, *, in_file_only: bool = False
) -> tuple[list[int], set[int]]:
    """The consumer id of each row, and which of them were created just now.

    The same SSN (in the portfolio or earlier in this batch) is the same person, so their
    debts are linked; without an SSN each row is its own person. `in_file_only`: the
    portfolio was empty when the load began, so the people to find are those of earlier
    rows of the file, through the account their row names (`same_person_as`) rather than
    through the SSN-hash index, which such a load builds at the end."""
    if in_file_only:
        # Earlier rows of this batch are not in the database yet: they are found below.
        in_batch = {row.account_number for row in rows}
        by_account = dict(
            rows_matching(
                Debt,
                columns=("account_number", "consumer_id"),
                key_column="account_number",
                keys={
                    row.same_person_as
                    for row in rows
                    if row.same_person_as and row.same_person_as not in in_batch
                },
                where='"creditor_id" = %s',
                params=[context.creditor_id],
            )
        )
        by_hash = {
            row.ssn_hash: by_account[row.same_person_as]
            for row in rows
            if row.same_person_as in by_account
        }
    else:
        by_hash = dict(
            rows_matching(
                Consumer,
                columns=("ssn_hash", "id"),
                key_column="ssn_hash",
                keys={row.ssn_hash for row in rows if row.ssn_hash},
            )
        )
    pending: list[PreparedRow] = []
    pending_by_hash: dict[str, int] = {}  # SSN hash -> index in `pending`
    slots: list[int] = []  # a known consumer id, or -(index in `pending` + 1)
    for row in rows:
        ssn_hash = row.ssn_hash
        if not ssn_hash:
            pending.append(row)
            slots.append(-len(pending))
        elif ssn_hash in by_hash:
            slots.append(by_hash[ssn_hash])
        elif ssn_hash in pending_by_hash:
            slots.append(-(pending_by_hash[ssn_hash] + 1))
        else:
            pending_by_hash[ssn_hash] = len(pending)
            pending.append(row)
            slots.append(-len(pending))
    new_ids = allocate_ids(Consumer, len(pending))
    ssn_tokens = encrypt_ssns_with(context.key_material, [row.ssn for row in pending])
    insert_rows(
        Consumer,
        CONSUMER_COLUMNS,
        [
            (new_id, _name_key(row.consumer[0], row.consumer[1]), ssn_token, *row.consumer)
            for new_id, row, ssn_token in zip(new_ids, pending, ssn_tokens, strict=True)
        ],
        constants=consumer_constants(context),
    )
    ids = [slot if slot > 0 else new_ids[-slot - 1] for slot in slots]
    return ids, set(new_ids)


def _create_debts(
    rows: list[PreparedRow], context: PlacementContext, *, in_file_only: bool = False
) -> tuple[int, Decimal]:
    """Insert new debts with their consumers, contact points and placement ledger entries
    (see bulk_insert for why this does not use bulk_create)."""
    if not rows:
        return 0, ZERO
    consumer_ids, new_consumers = _find_consumers(rows, context, in_file_only=in_file_only)
    debts_per_consumer = Counter(consumer_ids)
    fresh_points: list[tuple] = []
    known_points: list[tuple] = []
    seen: set[tuple[int, str, str]] = set()
    for row, consumer_id in zip(rows, consumer_ids, strict=True):
        if consumer_id in new_consumers and debts_per_consumer[consumer_id] == 1:
            fresh_points += [(consumer_id, *point) for point in row.contact_points]
            continue  # a new person with one debt here: nothing to de-duplicate
        target = fresh_points if consumer_id in new_consumers else known_points
        for point in row.contact_points:
            key = (consumer_id, point[0], point[1])  # the unique (consumer, kind, value)
            if key in seen:
                continue  # a second debt of the same person in this batch
            seen.add(key)
            target.append((consumer_id, *point))
    point_constants = contact_point_constants(context)
    insert_rows(ContactPoint, CONTACT_POINT_COLUMNS, fresh_points, constants=point_constants)
    # People already in the portfolio may have some of these contact points already.
    insert_rows(
        ContactPoint,
        CONTACT_POINT_COLUMNS,
        known_points,
        constants=point_constants,
        ignore_conflicts=True,
    )

    debt_ids = allocate_ids(Debt, len(rows))
    insert_rows(
        Debt,
        DEBT_COLUMNS,
        [
            (debt_id, consumer_id, *row.debt)
            for debt_id, consumer_id, row in zip(debt_ids, consumer_ids, rows, strict=True)
        ],
        constants=debt_constants(context),
    )
    _post_placement_entries(debt_ids, context)
    return len(rows), sum(map(Decimal, [row.balance for row in rows]), ZERO)


def _post_placement_entries(debt_ids: list[int], context: PlacementContext) -> None:
    """The PLACEMENT ledger entry of each new debt, which puts the debt's balance buckets on
    the ledger: one INSERT ... SELECT copying the amounts from the debts just inserted."""
    debt_table = connection.ops.quote_name(Debt._meta.db_table)
    ledger_table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    ids_params: list[int | str | list[int]]
    if debt_ids == list(range(debt_ids[0], debt_ids[-1] + 1)):
        which, ids_params = '"id" BETWEEN %s AND %s', [debt_ids[0], debt_ids[-1]]
    elif connection.vendor == "postgresql":
        which, ids_params = '"id" = ANY(%s)', [debt_ids]
    else:
        which, ids_params = '"id" IN (SELECT value FROM json_each(%s))', [json.dumps(debt_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ledger_table} ("  # noqa: S608
            '"debt_id", "kind", "principal", "interest", "fees", "amount", "effective_on",'
            ' "recorded_at", "idempotency_key", "description", "placement_id", "created_by_id")'
            ' SELECT "id", %s, "principal_balance", "interest_balance", "fees_balance",'
            ' "balance", %s, %s, %s || "account_number", %s, %s, %s'
            f' FROM {debt_table} WHERE {which} ORDER BY "id"',
            [
                LedgerEntry.Kind.PLACEMENT.value,
                context.effective_on,
                context.now,
                f"placement:{context.placement_id}:",
                context.ledger_description,
                context.placement_id,
                context.uploaded_by_id,
                *ids_params,
            ],
        )


# The debt fields a changed row refreshes (balances change only through the ledger).
_UPDATED_DEBT_FIELDS = (
    "original_creditor",
    "delinquency_on",
    "charge_off_on",
    "last_payment_on",
    "last_payment_amount",
    "itemization_on",
    "itemization_balance",
    "interest_since_itemization",
    "fees_since_itemization",
    "payments_since_itemization",
    "credits_since_itemization",
    "source_fingerprint",
)
_DEBT_VALUE_INDEX = {name: i for i, name in enumerate(DEBT_COLUMNS[DEBT_FROM_READER])}
# The file's column behind each updated debt field whose name differs from it.
_DEBT_FIELD_COLUMN = {
    "original_creditor": "original_creditor",
    "delinquency_on": "delinquency_date",
    "charge_off_on": "charge_off_date",
    "last_payment_on": "last_payment_date",
    "last_payment_amount": "last_payment_amount",
    "itemization_on": "itemization_date",
    "itemization_balance": "itemization_balance",
    "interest_since_itemization": "interest_since_itemization",
    "fees_since_itemization": "fees_since_itemization",
    "payments_since_itemization": "payments_since_itemization",
    "credits_since_itemization": "credits_since_itemization",
}


def _update_debt(
    *,
    placement: Placement,
    debt_id: int,
    row: PreparedRow,
    now: datetime,
    context: PlacementContext,
) -> bool:
    """A changed row: refresh descriptive fields, add new contact points, and post the
    difference in each balance bucket as an adjustment. Returns whether anything changed
    besides the row's fingerprint (kept, so that the same file next time is skipped fast).

    The difference is taken from what the creditor's files said before (the entries posted by
    placements), not from the debt's balance now: a payment the agency collected since the
    last file must not be undone by a file that is merely resent with a new email."""

    def value(name: str):
        field = cast(Field, Debt._meta.get_field(name))
        return field.to_python(row.debt[_DEBT_VALUE_INDEX[name]])

    # A column the file does not have says nothing about the debt: its value is kept.
    given = context.columns
    updated = [
        name
        for name in _UPDATED_DEBT_FIELDS
        if not given or name not in _DEBT_FIELD_COLUMN or _DEBT_FIELD_COLUMN[name] in given
    ]
    debt = Debt.objects.get(pk=debt_id)
    differing = [name for name in updated if getattr(debt, name) != value(name)]
    for name in differing:
        setattr(debt, name, value(name))
    if differing:
        debt.save(update_fields=differing)
    changed = any(name != "source_fingerprint" for name in differing)
    changed |= _refresh_person(consumer_id=debt.consumer_id, row=row, context=context)
    known = set(
        ContactPoint.objects.filter(consumer_id=debt.consumer_id).values_list("kind", "value")
    )
    new_points = [point for point in row.contact_points if (point[0], point[1]) not in known]
    insert_rows(
        ContactPoint,
        CONTACT_POINT_COLUMNS,
        [(debt.consumer_id, *point) for point in new_points],
        constants=contact_point_constants(context),
        ignore_conflicts=True,
    )
    changed |= bool(new_points)
    placed = _placed_buckets(debt.pk)
    current = Buckets(
        principal=debt.principal_balance, interest=debt.interest_balance, fees=debt.fees_balance
    )
    if given and not given & {"principal", "interest", "fees"}:
        # A file without buckets only gives the balance: the split stays as it was; a rise
        # goes to principal, a fall comes off principal, then interest, then fees.
        delta = _spread(value("balance") - placed.total, current)
    else:
        # No bucket goes below zero: a fall the debt has already had (a payment collected
        # since the last file, which the creditor's figures now show too) is not taken twice.
        delta = Buckets(
            principal=max(value("principal_balance") - placed.principal, -current.principal),
            interest=max(value("interest_balance") - placed.interest, -current.interest),
            fees=max(value("fees_balance") - placed.fees, -current.fees),
        )
    if not (delta.principal or delta.interest or delta.fees):
        return changed
    post_ledger_entry(
        debt_id=debt.pk,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        buckets=delta,
        effective_on=now.date(),
        recorded_at=now,
        placement_id=placement.pk,
        idempotency_key=f"placement:{placement.pk}:{debt.account_number}:adjustment",
        description=f"Balance updated by placement file {placement.file_name}",
        created_by_id=placement.uploaded_by_id,
    )
    return True


def _spread(change: Decimal, current: Buckets) -> Buckets:
    """A change of the balance as bucket changes: a rise to principal; a fall off principal,
    then interest, then fees, none below zero."""
    if change >= 0:
        return Buckets(principal=change)
    left = -change
    taken = []
    for bucket in (current.principal, current.interest, current.fees):
        take = min(left, max(bucket, ZERO))
        taken.append(-take if take else ZERO)
        left -= take
    return Buckets(principal=taken[0], interest=taken[1], fees=taken[2])


def _refresh_person(*, consumer_id: int, row: PreparedRow, context: PlacementContext) -> bool:
    """A creditor's corrected name (or date of birth) reaches the person, when the person is
    this creditor's alone. A person other creditors placed too keeps what they have: one
    creditor's file does not rename another's debtor (their client users see the name).
    Returns whether the person changed."""
    others = Debt.objects.filter(consumer_id=consumer_id).exclude(creditor_id=context.creditor_id)
    if others.exists():
        return False
    first_name, last_name, date_of_birth = row.consumer[:3]
    changes: dict[str, object] = {}
    consumer = Consumer.objects.get(pk=consumer_id)
    if (first_name, last_name) != (consumer.first_name, consumer.last_name):
        changes.update(
            first_name=first_name,
            last_name=last_name,
            name_key=name_key(first_name, last_name),
        )
    given = context.columns
    if (
        date_of_birth
        and (not given or "date_of_birth" in given)
        and date_of_birth != db_date(consumer.date_of_birth)
    ):
        changes["date_of_birth"] = date_of_birth
    if changes:
        Consumer.objects.filter(pk=consumer_id).update(**changes)
    return bool(changes)


def _placed_buckets(debt_id: int) -> Buckets:
    """The balance buckets as the creditor's files left them: the sum of the ledger entries
    placements posted (and of any reversals of them)."""
    sums = LedgerEntry.objects.filter(
        Q(placement__isnull=False) | Q(reverses__placement__isnull=False), debt_id=debt_id
    ).aggregate(principal=Sum("principal"), interest=Sum("interest"), fees=Sum("fees"))
    return Buckets(
        principal=sums["principal"] or ZERO,
        interest=sums["interest"] or ZERO,
        fees=sums["fees"] or ZERO,
    )
