"""The placement import's row rules: raw rows in, typed records and issues out.

A row is **rejected** (reported with level "error", not imported) when:
- a required field (account_number, first_name, last_name, balance) is blank;
- balance is not an amount or is negative;
- principal/interest/fees are given and do not sum to balance to the cent (a bucket left blank
  counts as 0.00 as soon as any bucket is given), or one of them is negative;
- a date is not a real date, or another money column is not an amount;
- a text value is longer than the database keeps (e.g. a first name over 100 characters);
- the row has more cells than the header (usually an unquoted comma);
- its account_number already appeared earlier in the same file ("duplicate of row N"; the first
  occurrence counts even when it was itself rejected: the file is ambiguous about that account).

A bad contact detail does **not** reject the row: an invalid phone, email, SSN, state or ZIP is
dropped and reported with level "warning". A rejected row's issues are all errors; an imported
row's issues are all warnings.
"""

import hashlib
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

from amicable.portfolio.core.errors import UnableToParseValue
from amicable.portfolio.core.placement_file import (
    STANDARD_COLUMNS,
    RawRow,
    open_placement_file,
)
from amicable.portfolio.core.values import (
    NormalizedPhone,
    normalize_email,
    normalize_phone,
    normalize_ssn,
    normalize_state,
    normalize_zip,
    parse_date,
    parse_money,
    quoted,
)

__all__ = [
    "MAX_TEXT_LENGTHS",
    "ParsedRow",
    "PlacementRecord",
    "RowIssue",
    "iter_placement_rows",
    "parse_placement_rows",
]

ZERO = Decimal("0.00")

# What the database keeps (portfolio.models); longer values would fail the insert of a batch.
MAX_TEXT_LENGTHS = {
    "account_number": 64,
    "first_name": 100,
    "last_name": 100,
    "original_creditor": 200,
    "address1": 200,
    "address2": 200,
    "city": 100,
}
_DATE_COLUMNS = (
    "date_of_birth",
    "delinquency_date",
    "charge_off_date",
    "last_payment_date",
    "itemization_date",
)
_BUCKET_COLUMNS = ("principal", "interest", "fees")
_OTHER_MONEY_COLUMNS = (
    "last_payment_amount",
    "itemization_balance",
    "interest_since_itemization",
    "fees_since_itemization",
    "payments_since_itemization",
    "credits_since_itemization",
)
_PHONE_COLUMNS = ("phone1", "phone2", "phone3")
_MONEY_COLUMNS = ("balance", *_BUCKET_COLUMNS, *_OTHER_MONEY_COLUMNS)
_CONTACT_DETAILS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("ssn", normalize_ssn),
    ("state", normalize_state),
    ("zip", normalize_zip),
    ("email", normalize_email),
)

# Where each column's cell is in `RawRow.cells`, looked up once here rather than per row.
_AT = {column: index for index, column in enumerate(STANDARD_COLUMNS)}
_TEXTS_AT = tuple((column, _AT[column], limit) for column, limit in MAX_TEXT_LENGTHS.items())
_MONEY_AT = tuple((column, _AT[column]) for column in _MONEY_COLUMNS)
_DATES_AT = tuple((column, _AT[column]) for column in _DATE_COLUMNS)
_CONTACT_DETAILS_AT = tuple(
    (column, _AT[column], normalize) for column, normalize in _CONTACT_DETAILS
)
_PHONES_AT = tuple(_AT[column] for column in _PHONE_COLUMNS)
_BALANCE, _PRINCIPAL, _INTEREST, _FEES = (_AT[c] for c in ("balance", *_BUCKET_COLUMNS))


class PlacementRecord(NamedTuple):
    """One accepted row, every value typed and normalised. Blank optional text is "" and blank
    optional amounts or dates are None. `phones` holds phone1..phone3 in order, without
    duplicates. When any balance bucket is given, all three are set (blank ones as 0.00).

    Immutable like a frozen dataclass, but a NamedTuple: one is built per row of files with
    millions of rows, and a frozen dataclass of 27 fields takes 1.8 µs to build (each field
    set through `object.__setattr__`) against 0.25 µs for a NamedTuple."""

    account_number: str
    first_name: str
    last_name: str
    balance: Decimal
    principal: Decimal | None = None
    interest: Decimal | None = None
    fees: Decimal | None = None
    original_creditor: str = ""
    date_of_birth: date | None = None
    ssn: str = ""  # 9 digits, or "" when absent or invalid
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""  # USPS code
    zip_code: str = ""  # "12345" or "12345-6789"
    phones: tuple[NormalizedPhone, ...] = ()
    email: str = ""
    delinquency_date: date | None = None
    charge_off_date: date | None = None
    last_payment_date: date | None = None
    last_payment_amount: Decimal | None = None
    itemization_date: date | None = None
    itemization_balance: Decimal | None = None
    interest_since_itemization: Decimal | None = None
    fees_since_itemization: Decimal | None = None
    payments_since_itemization: Decimal | None = None
    credits_since_itemization: Decimal | None = None

    def fingerprint(self) -> str:
        """A stable digest (64 hex characters) of every field.

        On re-import, an unchanged fingerprint means the row brings nothing new; a different one
        means the debt must be updated. Values are already normalised (amounts always carry two
        decimals, phones are E.164), so "1,234.5" and "$1234.50" give the same fingerprint.
        The "v1" prefix lets us change the recipe later without mistaking old digests for new.
        """
        return fingerprint_of(field_texts(fields_but_phones(self)), self.phones)


def fingerprint_of(texts: list[str], phones: tuple[NormalizedPhone, ...]) -> str:
    """`PlacementRecord.fingerprint` from `field_texts(fields_but_phones(record))`, for a
    caller that needs those texts anyway (the import's reader puts them in the debt row)."""
    text = "\x1f".join(texts)
    phone_text = ",".join([f"{phone.e164}/{phone.phone_type}" for phone in phones])
    return hashlib.sha256(f"v1\x1f{text}\x1f{phone_text}".encode()).hexdigest()


# The fields of a record but `phones`, in declaration order.
FIELDS_BUT_PHONES = tuple(name for name in PlacementRecord._fields if name != "phones")
# Reads every field but `phones` in one C-level call (str() of None, a Decimal or a date is
# stable across Python versions, which the pinned-fingerprint test guards).
fields_but_phones = operator.attrgetter(*FIELDS_BUT_PHONES)
_DATE_POSITIONS = tuple(FIELDS_BUT_PHONES.index(column) for column in _DATE_COLUMNS)
_date_texts: dict[date, str] = {}


def field_texts(values: tuple) -> list[str]:
    """The `str()` of each of `fields_but_phones(record)`: a date's ISO text, an amount's
    digits, "None" for a blank optional field.

    `str()` of a date costs 0.8 µs (it looks `isoformat` up by name), four times an amount's,
    and a placement row has up to five dates; files repeat the same dates over and over
    (a few thousand different ones in a million rows), so their texts are kept here.
    """
    texts = list(values)
    for index in _DATE_POSITIONS:
        day = texts[index]
        if day is not None:
            text = _date_texts.get(day)
            if text is None:
                text = _date_texts[day] = str(day)
            texts[index] = text
    return list(map(str, texts))


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One line of the import report (the errors file has these four columns)."""

    row_number: int
    account_number: str
    level: Literal["error", "warning"]
    message: str


class ParsedRow(NamedTuple):
    """The outcome for one data row: a record to import (None when rejected) and its issues.
    (A NamedTuple for the same reason as `PlacementRecord`.)"""

    row_number: int
    record: PlacementRecord | None
    issues: tuple[RowIssue, ...]

    @property
    def rejected(self) -> bool:
        return self.record is None


def _is_blank(text: str | None) -> bool:
    return not text or text.isspace()


def _parse_row(raw: RawRow, *, first_row_of: dict[str, int]) -> ParsedRow:
    """Apply the rules of the module docstring to one raw row.

    This runs once per row of files with millions of rows, so it is one flat function that
    calls each value parser directly and reads each cell at a position fixed in advance
    (a column the file lacks reads as a blank cell).
    """
    cells = raw.cells
    errors: list[str] = [raw.problem] if raw.problem else []

    # Text: required ones must not be blank; none may exceed what the database keeps.
    texts: dict[str, str] = {}
    for column, at, limit in _TEXTS_AT:
        text = cells[at].strip()
        if len(text) > limit:
            errors.append(f"{column}: is {len(text)} characters long; at most {limit} fit")
        texts[column] = text
    account_number = texts["account_number"]
    for column in ("account_number", "first_name", "last_name"):
        if not texts[column]:
            errors.append(f"{column}: is blank")
    if account_number:
        earlier = first_row_of.setdefault(account_number, raw.row_number)
        if earlier != raw.row_number:
            errors.append(
                f"account_number: {quoted(account_number)} is a duplicate of row {earlier}"
            )

    # Amounts: balance first (required, not negative), then the buckets, then the others.
    amounts: dict[str, Decimal | None] = {}
    for column, at in _MONEY_AT:
        cell = cells[at]
        amount = None
        if cell:
            try:
                amount = parse_money(cell)
            except UnableToParseValue as problem:
                if not cell.isspace():
                    errors.append(f"{column}: {problem}")
        amounts[column] = amount
    balance = amounts.pop("balance")
    if balance is None:
        if _is_blank(cells[_BALANCE]):
            errors.append("balance: is blank")
    elif balance < 0:
        errors.append(f"balance: {quoted(cells[_BALANCE].strip())} is negative")

    # Written out rather than looped over: this runs for every row of million-row files.
    principal = amounts.pop("principal")
    interest = amounts.pop("interest")
    fees = amounts.pop("fees")
    if principal is None and interest is None and fees is None:
        pass  # no buckets given
    else:
        # A bucket left blank counts as 0.00; one that could not be read is an error above.
        all_buckets_read = (
            (principal is not None or _is_blank(cells[_PRINCIPAL]))
            and (interest is not None or _is_blank(cells[_INTEREST]))
            and (fees is not None or _is_blank(cells[_FEES]))
        )
        principal = ZERO if principal is None else principal
        interest = ZERO if interest is None else interest
        fees = ZERO if fees is None else fees
        # A negative bucket would be a credit hidden inside a balance (the ledger refuses it).
        negative = [
            (column, at)
            for column, at, bucket in (
                ("principal", _PRINCIPAL, principal),
                ("interest", _INTEREST, interest),
                ("fees", _FEES, fees),
            )
            if bucket < 0
        ]
        for column, at in negative:
            errors.append(f"{column}: {quoted(cells[at].strip())} is negative")
        total = principal + interest + fees
        if balance is not None and all_buckets_read and not negative and total != balance:
            errors.append(
                f"buckets: principal {principal} + interest {interest} + fees {fees} = {total}, "
                f"but balance is {balance}"
            )

    dates: dict[str, date | None] = {}
    for column, at in _DATES_AT:
        cell = cells[at]
        day = None
        if cell:
            try:
                day = parse_date(cell)
            except UnableToParseValue as problem:
                if not cell.isspace():
                    errors.append(f"{column}: {problem}")
        dates[column] = day

    if errors:
        issues = tuple(
            RowIssue(raw.row_number, account_number, "error", message) for message in errors
        )
        return ParsedRow(raw.row_number, None, issues)

    # Contact details: an invalid one is dropped with a warning; the row is still imported.
    warnings: list[str] = []
    details: dict[str, str] = {}
    for column, at, normalize in _CONTACT_DETAILS_AT:
        cell = cells[at]
        detail = ""
        if cell:
            try:
                detail = normalize(cell)
            except UnableToParseValue as problem:
                if not cell.isspace():
                    warnings.append(f"{column}: {problem}; dropped")
        details[column] = detail
    phones: list[NormalizedPhone] = []
    for column, at in zip(_PHONE_COLUMNS, _PHONES_AT, strict=True):
        cell = cells[at]
        if not cell:
            continue
        try:
            phone = normalize_phone(cell)
        except UnableToParseValue as problem:
            if not cell.isspace():
                warnings.append(f"{column}: {problem}; dropped")
            continue
        if phone not in phones:
            phones.append(phone)

    assert balance is not None  # a blank or bad balance is an error above
    record = PlacementRecord(
        account_number,
        texts["first_name"],
        texts["last_name"],
        balance,
        principal,
        interest,
        fees,
        texts["original_creditor"],
        dates["date_of_birth"],
        details["ssn"],
        texts["address1"],
        texts["address2"],
        texts["city"],
        details["state"],
        details["zip"],
        tuple(phones),
        details["email"],
        dates["delinquency_date"],
        dates["charge_off_date"],
        dates["last_payment_date"],
        amounts["last_payment_amount"],
        dates["itemization_date"],
        amounts["itemization_balance"],
        amounts["interest_since_itemization"],
        amounts["fees_since_itemization"],
        amounts["payments_since_itemization"],
        amounts["credits_since_itemization"],
    )
    issues = tuple(RowIssue(raw.row_number, account_number, "warning", text) for text in warnings)
    return ParsedRow(raw.row_number, record, issues)


def parse_placement_rows(raw_rows: Iterable[RawRow]) -> Iterator[ParsedRow]:
    """Judge raw rows (from `PlacementFile.rows()`) one by one, in order.

    Remembers each account number's first row to report duplicates: that dict is the only state
    that grows with the file (about 100 bytes per row).
    """
    first_row_of: dict[str, int] = {}
    for raw in raw_rows:
        yield _parse_row(raw, first_row_of=first_row_of)


def iter_placement_rows(
    path: str | Path, *, mapping: Mapping[str, str] | None = None
) -> Iterator[ParsedRow]:
    """Open a placement file and yield a `ParsedRow` per data row, streaming.

    File-level problems raise `UnableToReadPlacementFile` / `UnableToLoadMapping` on the first
    `next()`. Callers that also want the file-level notes (ignored columns) use
    `open_placement_file` and `parse_placement_rows` directly.
    """
    with open_placement_file(path, mapping=mapping) as placement_file:
        yield from parse_placement_rows(placement_file.rows())
