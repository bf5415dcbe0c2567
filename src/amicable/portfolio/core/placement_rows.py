"""The placement import's row rules: raw rows in, typed records and issues out.

A row is **rejected** (reported with level "error", not imported) when:
- a required field (account_number, first_name, last_name, balance) is blank;
- balance is not an amount or is negative;
- principal/interest/fees are given and do not sum to balance to the cent (a bucket left blank
  counts as 0.00 as soon as any bucket is given);
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from amicable.portfolio.core.errors import UnableToParseValue
from amicable.portfolio.core.placement_file import RawRow, open_placement_file
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


@dataclass(frozen=True, slots=True)
class PlacementRecord:
    """One accepted row, every value typed and normalised. Blank optional text is "" and blank
    optional amounts or dates are None. `phones` holds phone1..phone3 in order, without
    duplicates. When any balance bucket is given, all three are set (blank ones as 0.00)."""

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
        parts = ["v1"]
        for name in _RECORD_FIELD_NAMES:
            value = getattr(self, name)
            if value is None:
                parts.append("")
            elif name == "phones":
                parts.append(",".join(f"{phone.e164}/{phone.phone_type}" for phone in value))
            else:
                parts.append(str(value))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


_RECORD_FIELD_NAMES = tuple(field.name for field in fields(PlacementRecord))


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One line of the import report (the errors file has these four columns)."""

    row_number: int
    account_number: str
    level: Literal["error", "warning"]
    message: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """The outcome for one data row: a record to import (None when rejected) and its issues."""

    row_number: int
    record: PlacementRecord | None
    issues: tuple[RowIssue, ...]

    @property
    def rejected(self) -> bool:
        return self.record is None


class _RowReader:
    """Reads the values of one raw row, collecting errors and warnings as it goes, so the rules
    in `_parse_row` read as a simple list."""

    __slots__ = ("values", "errors", "warnings")

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def text(self, column: str) -> str:
        value = self.values.get(column, "").strip()
        limit = MAX_TEXT_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            self.errors.append(f"{column}: is {len(value)} characters long; at most {limit} fit")
        return value

    def required_text(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.errors.append(f"{column}: is blank")
        return value

    def money(self, column: str) -> Decimal | None:
        text = self.values.get(column, "")
        if not text or text.isspace():
            return None
        try:
            return parse_money(text)
        except UnableToParseValue as problem:
            self.errors.append(f"{column}: {problem}")
            return None

    def date(self, column: str) -> date | None:
        text = self.values.get(column, "")
        if not text or text.isspace():
            return None
        try:
            return parse_date(text)
        except UnableToParseValue as problem:
            self.errors.append(f"{column}: {problem}")
            return None

    def optional(self, column: str, normalize: Callable[[str], str]) -> str:
        """A contact detail: normalised, or dropped with a warning when invalid."""
        text = self.values.get(column, "")
        if not text or text.isspace():
            return ""
        try:
            return normalize(text)
        except UnableToParseValue as problem:
            self.warnings.append(f"{column}: {problem}; dropped")
            return ""

    def phones(self) -> tuple[NormalizedPhone, ...]:
        phones: list[NormalizedPhone] = []
        for column in _PHONE_COLUMNS:
            text = self.values.get(column, "")
            if not text or text.isspace():
                continue
            try:
                phone = normalize_phone(text)
            except UnableToParseValue as problem:
                self.warnings.append(f"{column}: {problem}; dropped")
                continue
            if all(phone.e164 != kept.e164 for kept in phones):
                phones.append(phone)
        return tuple(phones)


def _parse_row(raw: RawRow, *, first_row_of: dict[str, int]) -> ParsedRow:
    """Apply the rules of the module docstring to one raw row."""
    read = _RowReader(raw.values)
    if raw.problem:
        read.errors.append(raw.problem)

    account_number = read.required_text("account_number")
    if account_number:
        earlier = first_row_of.setdefault(account_number, raw.row_number)
        if earlier != raw.row_number:
            read.errors.append(
                f"account_number: {quoted(account_number)} is a duplicate of row {earlier}"
            )
    first_name = read.required_text("first_name")
    last_name = read.required_text("last_name")

    balance_text = raw.values.get("balance", "")
    balance = read.money("balance")
    if balance is None and not balance_text.strip():
        read.errors.append("balance: is blank")
    elif balance is not None and balance < 0:
        read.errors.append(f"balance: {quoted(balance_text.strip())} is negative")

    bucket_errors_before = len(read.errors)
    buckets = [read.money(column) for column in _BUCKET_COLUMNS]
    buckets_parsed = len(read.errors) == bucket_errors_before
    if any(bucket is not None for bucket in buckets):
        principal, interest, fees = (ZERO if bucket is None else bucket for bucket in buckets)
        total = principal + interest + fees
        if balance is not None and buckets_parsed and total != balance:
            read.errors.append(
                f"buckets: principal {principal} + interest {interest} + fees {fees} = {total}, "
                f"but balance is {balance}"
            )
    else:
        principal = interest = fees = None

    original_creditor = read.text("original_creditor")
    dates = {column: read.date(column) for column in _DATE_COLUMNS}
    amounts = {column: read.money(column) for column in _OTHER_MONEY_COLUMNS}
    address1 = read.text("address1")
    address2 = read.text("address2")
    city = read.text("city")

    if read.errors:
        issues = tuple(
            RowIssue(raw.row_number, account_number, "error", message) for message in read.errors
        )
        return ParsedRow(raw.row_number, None, issues)

    assert balance is not None  # a blank or bad balance is an error above
    record = PlacementRecord(
        account_number=account_number,
        first_name=first_name,
        last_name=last_name,
        balance=balance,
        principal=principal,
        interest=interest,
        fees=fees,
        original_creditor=original_creditor,
        ssn=read.optional("ssn", normalize_ssn),
        address1=address1,
        address2=address2,
        city=city,
        state=read.optional("state", normalize_state),
        zip_code=read.optional("zip", normalize_zip),
        phones=read.phones(),
        email=read.optional("email", normalize_email),
        **dates,
        **amounts,
    )
    issues = tuple(
        RowIssue(raw.row_number, account_number, "warning", message) for message in read.warnings
    )
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
