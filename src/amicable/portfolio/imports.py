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
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.kernel.money import ZERO
from amicable.portfolio.bulk_insert import allocate_ids, db_date, db_datetime, insert_rows
from amicable.portfolio.core.background_reader import batches_in_background
from amicable.portfolio.core.errors import UnableToReadPlacementFile
from amicable.portfolio.core.placement_file import load_mapping
from amicable.portfolio.core.placement_rows import (
    ParsedRow,
    PlacementRecord,
    iter_placement_rows,
)
from amicable.portfolio.encryption import encrypt_ssn, ssn_lookup_hash
from amicable.portfolio.models import (
    Consumer,
    ContactPoint,
    Creditor,
    Debt,
    LedgerEntry,
    Placement,
    name_key,
)

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
    creditor = Creditor.objects.filter(code=creditor_code).first()
    if creditor is None:
        raise UnableToImportPlacement(
            f"no creditor with code {creditor_code!r}; create it first "
            f"(amicable creditor add {creditor_code} --name NAME)"
        )
    if not creditor.is_active:
        raise UnableToImportPlacement(f"creditor {creditor_code!r} is inactive")
    mapping: dict[str, str] = {}
    if mapping_path is not None:
        try:
            mapping = load_mapping(mapping_path)
        except UnableToReadPlacementFile as error:
            raise UnableToImportPlacement(f"mapping file {mapping_path.name}: {error}") from error
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
    target = placements_dir() / str(placement.pk) / ("placement" + _suffix(file_name))
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
) -> ImportSummary:
    """Apply a received placement file; safe to call again after a crash.

    `parallel` reads the file in a second process (default: for files over 20,000 rows)."""
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
            for batch in _read_batches(placement, batch_size=batch_size, parallel=parallel):
                issues = [issue for parsed in batch for issue in parsed.issues]
                errors.writerows(
                    [i.row_number, i.account_number, i.level, i.message] for i in issues
                )
                last_row = batch[-1].row_number
                if last_row <= checkpoint:
                    continue  # committed before a crash; only the report is rebuilt
                fresh = [parsed for parsed in batch if parsed.row_number > checkpoint]
                _apply_batch(placement=placement, batch=fresh, now=now)
                if on_progress is not None:
                    on_progress(placement)
    except UnableToReadPlacementFile as error:
        placement.status = Placement.Status.FAILED
        placement.error_message = str(error)
        placement.finished_at = clock() if clock else now
        placement.save(update_fields=["status", "error_message", "finished_at"])
        raise UnableToImportPlacement(str(error)) from error
    except Exception:
        logger.exception("placement %s import failed", placement_id)
        Placement.objects.filter(pk=placement_id).update(
            status=Placement.Status.FAILED,
            error_message="The import stopped on an unexpected error; it can be run again.",
        )
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


def _summary(placement: Placement) -> ImportSummary:
    return ImportSummary(
        placement_id=placement.pk,
        rows=placement.rows_processed,
        created=placement.created,
        updated=placement.updated,
        unchanged=placement.unchanged,
        rejected=placement.rejected,
        warnings=placement.warnings,
        errors_file=placement.errors_file,
    )


def _read_batches(
    placement: Placement, *, batch_size: int, parallel: bool | None
) -> Iterator[list[ParsedRow]]:
    path = Path(placement.file_path)
    mapping = placement.mapping or None
    if parallel is None:
        parallel = placement.rows_total > PARALLEL_READ_FROM_ROWS
    if parallel:
        yield from batches_in_background(path, mapping=mapping, batch_size=batch_size)
        return
    rows = iter_placement_rows(path, mapping=mapping)
    while batch := list(islice(rows, batch_size)):
        yield batch


PARALLEL_READ_FROM_ROWS = 20_000


def _suffix(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    return suffix if suffix in {".csv", ".xlsx", ".txt"} else ".csv"


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


@transaction.atomic
def _apply_batch(*, placement: Placement, batch: list[ParsedRow], now: datetime) -> None:
    """Create or update the debts of one batch, and move the checkpoint, atomically."""
    records = [parsed.record for parsed in batch if parsed.record is not None]
    counts = apply_records(placement=placement, records=records, now=now)
    placement.rows_processed = batch[-1].row_number
    placement.rejected += sum(1 for parsed in batch if parsed.record is None)
    placement.warnings += sum(
        1 for parsed in batch for issue in parsed.issues if issue.level == "warning"
    )
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


def apply_records(
    *,
    placement: Placement,
    records: list[PlacementRecord],
    now: datetime,
    languages: dict[str, str] | None = None,
) -> AppliedCounts:
    """Create the debts that are new to the creditor, update the changed ones.

    `languages` maps account numbers to a preferred language for new consumers (the demo
    seed uses it; placement files carry no language column)."""
    existing = {
        debt.account_number: debt
        for debt in Debt.objects.filter(
            creditor_id=placement.creditor_id,
            account_number__in=[r.account_number for r in records],
        )
    }
    new_records = [r for r in records if r.account_number not in existing]
    created, placed_total = _create_debts(
        placement=placement, records=new_records, now=now, languages=languages or {}
    )
    updated = unchanged = 0
    for record in records:
        debt = existing.get(record.account_number)
        if debt is None:
            continue
        if debt.source_fingerprint == record.fingerprint():
            unchanged += 1
        else:
            _update_debt(placement=placement, debt=debt, record=record, now=now)
            updated += 1
    return AppliedCounts(created, updated, unchanged, placed_total)


def _find_consumers(
    records: list[PlacementRecord], now_db, languages: dict[str, str]
) -> tuple[list[int], set[int]]:
    """The consumer id of each record, and which of them were created just now.

    The same SSN (in the portfolio or earlier in this batch) is the same person, so their
    debts are linked; without an SSN each row is its own person."""
    hashes = {r.ssn: ssn_lookup_hash(r.ssn) for r in records if r.ssn}
    by_hash: dict[str, int] = (
        dict(
            Consumer.objects.filter(ssn_hash__in=set(hashes.values())).values_list("ssn_hash", "id")
        )
        if hashes
        else {}
    )
    pending: list[PlacementRecord] = []
    pending_by_hash: dict[str, int] = {}  # SSN hash -> index in `pending`
    slots: list[int] = []  # a known consumer id, or -(index in `pending` + 1)
    for record in records:
        ssn_hash = hashes.get(record.ssn, "")
        if ssn_hash in by_hash:
            slots.append(by_hash[ssn_hash])
        elif ssn_hash in pending_by_hash:
            slots.append(-(pending_by_hash[ssn_hash] + 1))
        else:
            if ssn_hash:
                pending_by_hash[ssn_hash] = len(pending)
            pending.append(record)
            slots.append(-len(pending))
    new_ids = allocate_ids(Consumer, len(pending))
    insert_rows(
        Consumer,
        CONSUMER_COLUMNS,
        [
            (
                new_id,
                r.first_name,
                r.last_name,
                db_date(r.date_of_birth),
                encrypt_ssn(r.ssn),
                r.ssn[-4:],
                hashes.get(r.ssn, ""),
                languages.get(r.account_number, "EN"),
                False,
                False,
                r.state,
                name_key(r.first_name, r.last_name),
                now_db,
            )
            for new_id, r in zip(new_ids, pending, strict=True)
        ],
    )
    ids = [slot if slot > 0 else new_ids[-slot - 1] for slot in slots]
    return ids, set(new_ids)


CONSUMER_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "date_of_birth",
    "ssn_encrypted",
    "ssn_last4",
    "ssn_hash",
    "preferred_language",
    "is_deceased",
    "in_bankruptcy",
    "state",
    "name_key",
    "created_at",
)
CONTACT_POINT_COLUMNS = (
    "consumer_id",
    "kind",
    "value",
    "phone_type",
    "address1",
    "address2",
    "city",
    "state",
    "zip_code",
    "status",
    "source",
    "is_primary",
    "consent",
    "consent_by",
    "consent_method",
    "opted_out_by",
    "opted_out_method",
    "created_at",
)
DEBT_COLUMNS = (
    "id",
    "creditor_id",
    "placement_id",
    "consumer_id",
    "account_number",
    "original_creditor",
    "debt_type",
    "status",
    "placed_at",
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
    "principal_balance",
    "interest_balance",
    "fees_balance",
    "balance",
    "source_fingerprint",
)
LEDGER_COLUMNS = (
    "debt_id",
    "kind",
    "principal",
    "interest",
    "fees",
    "amount",
    "effective_on",
    "recorded_at",
    "idempotency_key",
    "description",
    "placement_id",
)


def _contact_point_values(record: PlacementRecord) -> list[tuple]:
    """(kind, value, phone_type, address1, address2, city, state, zip, is_primary)."""
    points = [
        ("PHONE", phone.e164, phone.phone_type, "", "", "", "", "", index == 0)
        for index, phone in enumerate(record.phones)
    ]
    if record.email:
        points.append(("EMAIL", record.email, "", "", "", "", "", "", True))
    if record.address1:
        one_line = ", ".join(
            part
            for part in (
                record.address1,
                record.address2,
                record.city,
                f"{record.state} {record.zip_code}".strip(),
            )
            if part
        )
        points.append(
            (
                "ADDRESS",
                one_line[:320],
                "",
                record.address1,
                record.address2,
                record.city,
                record.state,
                record.zip_code,
                True,
            )
        )
    return points


def _contact_points(record: PlacementRecord, consumer_id: int, now: datetime) -> list[ContactPoint]:
    points = []
    for values in _contact_point_values(record):
        kind, value, phone_type, address1, address2, city, state, zip_code, primary = values
        points.append(
            ContactPoint(
                consumer_id=consumer_id,
                kind=kind,
                value=value,
                phone_type=phone_type,
                address1=address1,
                address2=address2,
                city=city,
                state=state,
                zip_code=zip_code,
                is_primary=primary,
                created_at=now,
            )
        )
    return points


def _buckets(record: PlacementRecord) -> tuple:
    if record.principal is None and record.interest is None and record.fees is None:
        return record.balance, ZERO, ZERO
    return record.principal or ZERO, record.interest or ZERO, record.fees or ZERO


def _debt_fields(record: PlacementRecord) -> dict:
    return {
        "original_creditor": record.original_creditor,
        "delinquency_on": record.delinquency_date,
        "charge_off_on": record.charge_off_date,
        "last_payment_on": record.last_payment_date,
        "last_payment_amount": record.last_payment_amount,
        "itemization_on": record.itemization_date,
        "itemization_balance": record.itemization_balance,
        "interest_since_itemization": record.interest_since_itemization,
        "fees_since_itemization": record.fees_since_itemization,
        "payments_since_itemization": record.payments_since_itemization,
        "credits_since_itemization": record.credits_since_itemization,
        "source_fingerprint": record.fingerprint(),
    }


def _create_debts(
    *,
    placement: Placement,
    records: list[PlacementRecord],
    now: datetime,
    languages: dict[str, str],
) -> tuple[int, Decimal]:
    """Insert new debts with their consumers, contact points and placement ledger entries
    (see bulk_insert for why this does not use bulk_create)."""
    if not records:
        return 0, ZERO
    now_db = db_datetime(now)
    consumer_ids, new_consumers = _find_consumers(records, now_db, languages)
    fresh_points: list[tuple] = []
    known_points: list[tuple] = []
    seen: set[tuple[int, str, str]] = set()
    for record, consumer_id in zip(records, consumer_ids, strict=True):
        target = fresh_points if consumer_id in new_consumers else known_points
        for (
            kind,
            value,
            phone_type,
            a1,
            a2,
            city,
            state,
            zip_code,
            primary,
        ) in _contact_point_values(record):
            if (consumer_id, kind, value) in seen:
                continue  # a second debt of the same person in this batch
            seen.add((consumer_id, kind, value))
            target.append(
                (
                    consumer_id,
                    kind,
                    value,
                    phone_type,
                    a1,
                    a2,
                    city,
                    state,
                    zip_code,
                    "VALID",
                    "PLACEMENT",
                    primary,
                    "UNKNOWN",
                    "",
                    "",
                    "",
                    "",
                    now_db,
                )
            )
    insert_rows(ContactPoint, CONTACT_POINT_COLUMNS, fresh_points)
    # People already in the portfolio may have some of these contact points already.
    insert_rows(ContactPoint, CONTACT_POINT_COLUMNS, known_points, ignore_conflicts=True)

    debt_ids = allocate_ids(Debt, len(records))
    debt_rows = []
    ledger_rows = []
    placed_total = ZERO
    effective_on = db_date(now.date())
    description = f"Placed by {placement.creditor.name}"
    for debt_id, record, consumer_id in zip(debt_ids, records, consumer_ids, strict=True):
        principal, interest, fees = _buckets(record)
        balance = principal + interest + fees
        placed_total += balance
        debt_rows.append(
            (
                debt_id,
                placement.creditor_id,
                placement.pk,
                consumer_id,
                record.account_number,
                record.original_creditor,
                placement.creditor.industry,
                "ACTIVE",
                now_db,
                db_date(record.delinquency_date),
                db_date(record.charge_off_date),
                db_date(record.last_payment_date),
                record.last_payment_amount,
                db_date(record.itemization_date),
                record.itemization_balance,
                record.interest_since_itemization,
                record.fees_since_itemization,
                record.payments_since_itemization,
                record.credits_since_itemization,
                principal,
                interest,
                fees,
                balance,
                record.fingerprint(),
            )
        )
        ledger_rows.append(
            (
                debt_id,
                "PLACEMENT",
                principal,
                interest,
                fees,
                balance,
                effective_on,
                now_db,
                f"placement:{placement.pk}:{record.account_number}",
                description,
                placement.pk,
            )
        )
    insert_rows(Debt, DEBT_COLUMNS, debt_rows)
    insert_rows(LedgerEntry, LEDGER_COLUMNS, ledger_rows)
    return len(records), placed_total


def _update_debt(
    *, placement: Placement, debt: Debt, record: PlacementRecord, now: datetime
) -> None:
    """A changed row: refresh descriptive fields, add new contact points, and post the
    difference in each balance bucket as an adjustment."""
    from amicable.portfolio.ledger import Buckets, post_ledger_entry

    fields = _debt_fields(record)
    for name, value in fields.items():
        setattr(debt, name, value)
    debt.save(update_fields=list(fields))
    ContactPoint.objects.bulk_create(
        _contact_points(record, debt.consumer_id, now), ignore_conflicts=True
    )
    principal, interest, fees = _buckets(record)
    delta = Buckets(
        principal=principal - debt.principal_balance,
        interest=interest - debt.interest_balance,
        fees=fees - debt.fees_balance,
    )
    if delta.principal or delta.interest or delta.fees:
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
