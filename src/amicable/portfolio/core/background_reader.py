"""Read a placement file and prepare its rows for insertion, in a second process.

Parsing and validating a row costs about as much as inserting it, so on two cores an import
runs nearly twice as fast when the two overlap (see `amicable.kernel.background`). What
about a row does not need the database is done here: parsing, the SSN's lookup hash, the
row's fingerprint and the values of the consumer, contact point, debt and ledger rows it
may become. The writer is left with matching accounts and people already in the database,
allocating ids, encrypting the SSNs of the people it creates (about 2.5 µs a row, which
could go either side; measured, the reader was the slower side with it) and inserting.
Rows cross the process boundary as tuples of str, int, bool and None (the values both
databases take as they are; amounts are their `str`, dates ISO text), which unpickle
several times faster than dataclasses, dates and Decimals.

The seed's generator prepares its synthetic accounts with the same `prepare_records`.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from amicable.kernel.background import in_background
from amicable.kernel.money import ZERO
from amicable.portfolio.core.placement_file import OPTIONAL_COLUMNS
from amicable.portfolio.core.placement_rows import (
    FIELDS_BUT_PHONES,
    ParsedRow,
    PlacementRecord,
    field_texts,
    fields_but_phones,
    fingerprint_of,
    iter_placement_rows,
)
from amicable.portfolio.encryption import ssn_hash_with

# Column lists of the tables an import writes. The writer puts the ids it allocates first
# (the columns before the `*_FROM_READER` slice); the reader prepares the rest, in order.
# Columns whose value is the same for every row of a placement are not in these lists: the
# writer gives them once per statement (`*_constants`), so that they are neither pickled
# nor bound row by row (binding a value costs the SQLite writer about 0.1 µs, a bool or
# None about 0.4 µs; an account has some fifty). PLACEMENT ledger entries repeat their
# debt's amounts, so the writer copies them from the debts it has just inserted.
CONSUMER_COLUMNS = (
    "id",
    "name_key",
    "ssn_encrypted",
    "first_name",
    "last_name",
    "date_of_birth",
    "ssn_last4",
    "ssn_hash",
    "preferred_language",
    "state",
)
CONSUMER_FROM_READER = slice(3, None)
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
    "is_primary",
)
CONTACT_POINT_FROM_READER = slice(1, None)
DEBT_COLUMNS = (
    "id",
    "consumer_id",
    "account_number",
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
    "principal_balance",
    "interest_balance",
    "fees_balance",
    "balance",
    "source_fingerprint",
)
DEBT_FROM_READER = slice(2, None)


@dataclass(frozen=True)
class PlacementContext:
    """What the rows of one placement share; sent to the reader process once."""

    creditor_id: int
    placement_id: int
    debt_type: str  # the creditor's industry
    ledger_description: str  # of the PLACEMENT ledger entries
    effective_on: str  # ISO date of the PLACEMENT ledger entries
    now: str  # created_at / placed_at / recorded_at, as text the database parses
    key_material: bytes  # `amicable.portfolio.encryption.key_material()`
    # The standard columns the file has; empty when all of them count (the seed). On an
    # update, a column the file lacks keeps the debt's value rather than blanking it.
    columns: frozenset[str] = frozenset()
    uploaded_by_id: int | None = None  # who uploaded the file: the PLACEMENT entries' author


def consumer_constants(context: PlacementContext) -> dict[str, object]:
    """The consumer columns that are the same for every row of a placement."""
    return {"is_deceased": False, "in_bankruptcy": False, "created_at": context.now}


def contact_point_constants(context: PlacementContext) -> dict[str, object]:
    return {
        "status": "VALID",
        "source": "PLACEMENT",
        "consent": "UNKNOWN",
        "consent_by": "",
        "consent_method": "",
        "opted_out_by": "",
        "opted_out_method": "",
        "creditor_id": context.creditor_id,
        "created_at": context.now,
    }


def debt_constants(context: PlacementContext) -> dict[str, object]:
    return {
        "creditor_id": context.creditor_id,
        "placement_id": context.placement_id,
        "debt_type": context.debt_type,
        "status": "ACTIVE",
        "placed_at": context.now,
    }


class PreparedRow(NamedTuple):
    """One accepted row, ready to insert once the writer knows its ids."""

    row_number: int
    account_number: str
    fingerprint: str
    ssn_hash: str  # "" without an SSN
    ssn: str  # "" without one; the writer encrypts it for a new person (`encrypt_ssns_with`)
    consumer: tuple  # values of CONSUMER_COLUMNS[CONSUMER_FROM_READER]
    contact_points: tuple[tuple, ...]  # values of CONTACT_POINT_COLUMNS[...FROM_READER]
    debt: tuple  # values of DEBT_COLUMNS[DEBT_FROM_READER]
    balance: str  # principal + interest + fees, for the placement's total
    # The account number of the first earlier row of the same file with the same SSN ("" when
    # there is none, or when nobody kept track: the seed's generator). See `SameSsnInFile`.
    same_person_as: str = ""


class PreparedBatch(NamedTuple):
    """A batch of rows of the file: what to insert, and what to report."""

    first_row_number: int
    last_row_number: int
    rows: list[PreparedRow]
    rejected_row_numbers: list[int]
    issues: list[tuple[int, str, str, str]]  # row, account_number, level, message


class SameSsnInFile:
    """Which earlier row of a file had the same SSN: the first account number per SSN.

    A first import into an empty portfolio can only find a person again within its own file.
    With this, its writer does not need the SSN-hash index while it loads: a row whose SSN
    came earlier names that row's account, which the writer finds through the account-number
    constraint it keeps anyway, and the SSN-hash index (random keys, the costliest to keep up
    to date row by row) is built once at the end like the other plain indexes. It lives in
    the reader, which reads the SSNs anyway: keyed by the SSN's 9 digits as a number, a
    million people cost it about 60 MB and a fraction of a microsecond a row."""

    def __init__(self) -> None:
        self._first_account: dict[int, str] = {}

    def earlier_account(self, ssn: str, account_number: str) -> str:
        if not ssn:
            return ""
        first = self._first_account.setdefault(int(ssn), account_number)
        return "" if first == account_number else first


def prepare_records(
    records: list[tuple[int, PlacementRecord, str]],
    *,
    context: PlacementContext,
    same_ssn: SameSsnInFile | None = None,
) -> list[tuple]:
    """`(row_number, record, preferred_language)` triples -> rows ready to insert, as plain
    tuples in `PreparedRow`'s field order (`as_prepared_rows` names them): the reader makes a
    million of them to pickle, and a NamedTuple built with keywords costs twice a tuple."""
    prepared = []
    for row_number, record, language in records:
        ssn = record.ssn
        ssn_hash = ssn_hash_with(context.key_material, ssn)
        same_person_as = same_ssn.earlier_account(ssn, record.account_number) if same_ssn else ""
        # The fingerprint's texts of the fields are their database values too (str() of a
        # date is its ISO text), except that a blank field is NULL, not "None".
        values = fields_but_phones(record)
        texts = field_texts(values)
        fingerprint = fingerprint_of(texts, record.phones)
        optional = [None if values[i] is None else texts[i] for i in _OPTIONAL_DEBT_FIELDS]
        if record.principal is None and record.interest is None and record.fees is None:
            principal, interest, fees = record.balance, ZERO, ZERO
        else:
            principal = record.principal or ZERO
            interest = record.interest or ZERO
            fees = record.fees or ZERO
        balance = str(principal + interest + fees)
        buckets = (str(principal), str(interest), str(fees))
        prepared.append(
            (  # PreparedRow's fields, in order
                row_number,
                record.account_number,
                fingerprint,
                ssn_hash,
                ssn,
                (  # consumer
                    record.first_name,
                    record.last_name,
                    None if values[_DATE_OF_BIRTH] is None else texts[_DATE_OF_BIRTH],
                    ssn[-4:],
                    ssn_hash,
                    language,
                    record.state,
                ),
                _contact_points(record),
                (  # debt
                    record.account_number,
                    record.original_creditor,
                    *optional,
                    *buckets,
                    balance,
                    fingerprint,
                ),
                balance,
                same_person_as,
            )
        )
    return prepared


# Where the record's optional dates and amounts are in `fields_but_phones(record)`: those of
# the debt row (the standard columns from `delinquency_date` on, in DEBT_COLUMNS order), and
# the date of birth.
_OPTIONAL_DEBT_FIELDS = tuple(
    FIELDS_BUT_PHONES.index(name)
    for name in OPTIONAL_COLUMNS[OPTIONAL_COLUMNS.index("delinquency_date") :]
)
_DATE_OF_BIRTH = FIELDS_BUT_PHONES.index("date_of_birth")


def _contact_points(record: PlacementRecord) -> tuple[tuple, ...]:
    """A record's phones, email and address as contact point rows (no duplicates: the
    parser drops repeated phones, and the three kinds never collide)."""
    points = [
        ("PHONE", phone.e164, phone.phone_type, "", "", "", "", "", index == 0)
        for index, phone in enumerate(record.phones)
    ]
    if record.email:
        points.append(("EMAIL", record.email, "", "", "", "", "", "", True))
    if record.address1:
        one_line = ", ".join(
            [  # a list: join makes one of a generator anyway, after running it
                part
                for part in (
                    record.address1,
                    record.address2,
                    record.city,
                    f"{record.state} {record.zip_code}".strip(),
                )
                if part
            ]
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
    return tuple(points)


def prepare_batch(
    batch: list[ParsedRow], *, context: PlacementContext, same_ssn: SameSsnInFile | None = None
) -> tuple:
    """A batch of parsed rows as `PreparedBatch`'s fields in a plain tuple, its rows plain
    tuples too (`as_prepared_batch` names them)."""
    return (
        batch[0].row_number,
        batch[-1].row_number,
        prepare_records(
            [(p.row_number, p.record, "EN") for p in batch if p.record is not None],
            context=context,
            same_ssn=same_ssn,
        ),
        [p.row_number for p in batch if p.record is None],
        [(i.row_number, i.account_number, i.level, i.message) for p in batch for i in p.issues],
    )


def prepared_batches(
    path: str, mapping: dict[str, str] | None, batch_size: int, context: PlacementContext
) -> Iterator[PreparedBatch]:
    """The file's rows, `batch_size` at a time, prepared (in this process)."""
    for batch in plain_prepared_batches(path, mapping, batch_size, context):
        yield as_prepared_batch(batch)


def batches_in_background(
    path: Path,
    *,
    mapping: Mapping[str, str] | None,
    batch_size: int,
    context: PlacementContext,
) -> Iterator[PreparedBatch]:
    """`prepared_batches`, read and prepared in a second process."""
    for batch in in_background(
        plain_prepared_batches, str(path), dict(mapping) if mapping else None, batch_size, context
    ):
        yield as_prepared_batch(batch)


def plain_prepared_batches(
    path: str, mapping: dict[str, str] | None, batch_size: int, context: PlacementContext
) -> Iterator[tuple]:
    """The file's batches as plain tuples (`prepare_batch`), which cross from the reader
    process cheaply: a NamedTuple pickles through its class (measured: 9.5 µs a row to pickle
    and 9.4 µs to unpickle a `PreparedRow`, against 6 and 5 µs for a plain tuple)."""
    rows = iter_placement_rows(Path(path), mapping=mapping)
    same_ssn = SameSsnInFile()
    while batch := list(islice(rows, batch_size)):
        yield prepare_batch(batch, context=context, same_ssn=same_ssn)


def as_prepared_batch(batch: tuple) -> PreparedBatch:
    first, last, rows, rejected, issues = batch
    return PreparedBatch(first, last, as_prepared_rows(rows), rejected, issues)


def as_prepared_rows(rows: list[tuple]) -> list[PreparedRow]:
    return list(map(PreparedRow._make, rows))
