"""The placement import's row rules: what is rejected, what is only warned about, and why."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from amicable.portfolio.core.errors import UnableToReadPlacementFile
from amicable.portfolio.core.placement_file import RawRow
from amicable.portfolio.core.placement_rows import (
    ParsedRow,
    PlacementRecord,
    RowIssue,
    iter_placement_rows,
    parse_placement_rows,
)
from amicable.portfolio.core.values import LANDLINE, UNKNOWN, NormalizedPhone

GOOD = {"account_number": "A1", "first_name": "Ann", "last_name": "Lee", "balance": "100.00"}


def parse(*rows: dict[str, str]) -> list[ParsedRow]:
    raw = [RawRow.of(number, values) for number, values in enumerate(rows, start=1)]
    return list(parse_placement_rows(raw))


def parse_one(**changes: str) -> ParsedRow:
    return parse({**GOOD, **changes})[0]


def messages(row: ParsedRow) -> list[str]:
    return [issue.message for issue in row.issues]


def test_a_minimal_row_is_accepted() -> None:
    row = parse_one()
    assert row.issues == ()
    assert row.record == PlacementRecord(
        account_number="A1", first_name="Ann", last_name="Lee", balance=Decimal("100.00")
    )


def test_every_column_is_typed_and_normalised() -> None:
    row = parse_one(
        account_number=" A1 ",
        balance="$1,234.50",
        principal="1,000",
        interest="200.5",
        fees="34",
        original_creditor="Acme Medical",
        date_of_birth="03/07/1980",
        ssn="123-45-6789",
        address1="12 Main St",
        address2="Apt 4",
        city="Austin",
        state="tx",
        zip="78701-1234",
        phone1="(212) 555-0123",
        phone2="+44 20 7946 0958",
        phone3="212.555.0123",
        email="Ann@Example.com",
        delinquency_date="2023-01-15",
        charge_off_date="2023-06-30",
        last_payment_date="12/01/2022",
        last_payment_amount="50",
        itemization_date="2023-06-30",
        itemization_balance="1,100.00",
        interest_since_itemization="100.50",
        fees_since_itemization="34",
        payments_since_itemization="0",
        credits_since_itemization="0.00",
    )
    assert row.issues == ()
    assert row.record == PlacementRecord(
        account_number="A1",
        first_name="Ann",
        last_name="Lee",
        balance=Decimal("1234.50"),
        principal=Decimal("1000.00"),
        interest=Decimal("200.50"),
        fees=Decimal("34.00"),
        original_creditor="Acme Medical",
        date_of_birth=date(1980, 3, 7),
        ssn="123456789",
        address1="12 Main St",
        address2="Apt 4",
        city="Austin",
        state="TX",
        zip_code="78701-1234",
        phones=(
            NormalizedPhone("+12125550123", UNKNOWN),
            NormalizedPhone("+442079460958", LANDLINE),
        ),
        email="ann@example.com",
        delinquency_date=date(2023, 1, 15),
        charge_off_date=date(2023, 6, 30),
        last_payment_date=date(2022, 12, 1),
        last_payment_amount=Decimal("50.00"),
        itemization_date=date(2023, 6, 30),
        itemization_balance=Decimal("1100.00"),
        interest_since_itemization=Decimal("100.50"),
        fees_since_itemization=Decimal("34.00"),
        payments_since_itemization=Decimal("0.00"),
        credits_since_itemization=Decimal("0.00"),
    )


# --- Rejections --------------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["account_number", "first_name", "last_name", "balance"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_required_field_rejects_the_row(column: str, blank: str) -> None:
    row = parse_one(**{column: blank})
    assert row.record is None and row.rejected
    assert messages(row) == [f"{column}: is blank"]
    assert all(issue.level == "error" for issue in row.issues)


def test_a_required_column_absent_from_the_values_rejects_the_row() -> None:
    row = parse({"account_number": "A1", "first_name": "Ann", "balance": "1"})[0]
    assert messages(row) == ["last_name: is blank"]


@pytest.mark.parametrize(
    ("balance", "message"),
    [
        ("12,3x", 'balance: "12,3x" is not an amount'),
        ("-5.00", 'balance: "-5.00" is negative'),
        ("1.005", 'balance: "1.005" is not an amount'),
    ],
)
def test_bad_balance_rejects_the_row(balance: str, message: str) -> None:
    row = parse_one(balance=balance)
    assert row.record is None
    assert messages(row) == [message]


def test_zero_balance_is_accepted() -> None:
    assert parse_one(balance="0").record is not None


def test_buckets_must_sum_to_the_balance_to_the_cent() -> None:
    row = parse_one(balance="110.00", principal="100", interest="5")
    assert row.record is None
    assert messages(row) == [
        "buckets: principal 100.00 + interest 5.00 + fees 0.00 = 105.00, but balance is 110.00"
    ]
    off_by_a_cent = parse_one(balance="105.01", principal="100", interest="5", fees="0")
    assert off_by_a_cent.record is None


def test_buckets_that_sum_are_kept_and_missing_ones_count_as_zero() -> None:
    row = parse_one(balance="105.00", principal="100", interest="5")
    assert row.record is not None
    assert (row.record.principal, row.record.interest, row.record.fees) == (
        Decimal("100.00"),
        Decimal("5.00"),
        Decimal("0.00"),
    )


def test_a_negative_bucket_rejects_the_row_even_when_the_buckets_sum() -> None:
    row = parse_one(balance="10.00", principal="-5.00", interest="15.00")
    assert row.record is None
    assert messages(row) == ['principal: "-5.00" is negative']


def test_no_buckets_means_none() -> None:
    record = parse_one().record
    assert record is not None
    assert (record.principal, record.interest, record.fees) == (None, None, None)


def test_a_bucket_that_is_not_an_amount_rejects_without_a_misleading_sum() -> None:
    row = parse_one(balance="105.00", principal="100", interest="5x")
    assert messages(row) == ['interest: "5x" is not an amount']


@pytest.mark.parametrize(
    "column",
    [
        "date_of_birth",
        "delinquency_date",
        "charge_off_date",
        "last_payment_date",
        "itemization_date",
    ],
)
def test_a_date_that_is_not_real_rejects_the_row(column: str) -> None:
    row = parse_one(**{column: "02/30/2024"})
    assert row.record is None
    assert messages(row) == [f'{column}: "02/30/2024" is not a real date']


@pytest.mark.parametrize(
    "column",
    [
        "last_payment_amount",
        "itemization_balance",
        "interest_since_itemization",
        "fees_since_itemization",
        "payments_since_itemization",
        "credits_since_itemization",
    ],
)
def test_another_money_field_that_is_not_an_amount_rejects_the_row(column: str) -> None:
    row = parse_one(**{column: "ten"})
    assert messages(row) == [f'{column}: "ten" is not an amount']


def test_a_repeated_account_number_is_rejected_as_a_duplicate() -> None:
    rows = parse(GOOD, {**GOOD, "account_number": "A2"}, {**GOOD, "account_number": " A1"})
    assert [row.rejected for row in rows] == [False, False, True]
    assert rows[2].issues == (
        RowIssue(3, "A1", "error", 'account_number: "A1" is a duplicate of row 1'),
    )


def test_a_duplicate_of_a_rejected_row_is_still_a_duplicate() -> None:
    rows = parse({**GOOD, "balance": "x"}, GOOD)
    assert messages(rows[1]) == ['account_number: "A1" is a duplicate of row 1']


def test_every_error_of_a_row_is_reported_at_once() -> None:
    row = parse_one(first_name="", balance="-1", date_of_birth="13/13/2000", phone1="bad")
    assert messages(row) == [
        "first_name: is blank",
        'balance: "-1" is negative',
        'date_of_birth: "13/13/2000" is not a real date',
    ]  # a rejected row reports only its errors


def test_too_long_text_rejects_the_row() -> None:
    row = parse_one(first_name="x" * 101)
    assert messages(row) == ["first_name: is 101 characters long; at most 100 fit"]


def test_a_malformed_record_is_rejected_with_the_file_readers_reason() -> None:
    raw = RawRow.of(
        7, dict(GOOD), "the row has 6 cells but the header has 5 columns (an unquoted comma?)"
    )
    row = next(parse_placement_rows([raw]))
    assert row.issues == (RowIssue(7, "A1", "error", raw.problem),)


# --- Warnings: the contact point is dropped, the row is kept -----------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("phone2", "555-0100", 'phone2: "555-0100" is not a valid phone number; dropped'),
        ("email", "bob@", 'email: "bob@" is not a valid email address; dropped'),
        (
            "ssn",
            "000-12-3456",
            "ssn: is not a valid social security number (area 000 is never issued); dropped",
        ),
        ("state", "ZZ", 'state: "ZZ" is not a US state or territory code; dropped'),
        ("zip", "1234", 'zip: "1234" is not a ZIP code (12345 or 12345-6789); dropped'),
    ],
)
def test_a_bad_contact_detail_is_dropped_with_a_warning(
    column: str, value: str, message: str
) -> None:
    row = parse_one(phone1="2125550123", **{column: value})
    assert row.record is not None
    assert row.issues == (RowIssue(1, "A1", "warning", message),)
    assert row.record.phones == (NormalizedPhone("+12125550123", UNKNOWN),)
    if not column.startswith("phone"):
        assert getattr(row.record, {"zip": "zip_code"}.get(column, column)) == ""


def test_duplicate_phones_are_kept_once() -> None:
    record = parse_one(phone1="212-555-0123", phone2="(212) 555 0123", phone3="").record
    assert record is not None
    assert record.phones == (NormalizedPhone("+12125550123", UNKNOWN),)


# --- Fingerprint -------------------------------------------------------------------------------


def test_fingerprint_ignores_spelling_but_not_content() -> None:
    one = parse_one(balance="1234.5", phone1="(212) 555-0123").record
    same = parse_one(balance="$1,234.50", phone1="+1 212 555 0123").record
    other = parse_one(balance="1234.51", phone1="(212) 555-0123").record
    assert one is not None and same is not None and other is not None
    assert one.fingerprint() == same.fingerprint()
    assert one.fingerprint() != other.fingerprint()
    assert len(one.fingerprint()) == 64


def test_fingerprint_is_stable_across_runs() -> None:
    """Pinned: a change of recipe must come with a new version prefix, or every re-import of
    every file would look like an update."""
    record = PlacementRecord(
        account_number="A1",
        first_name="Ann",
        last_name="Lee",
        balance=Decimal("100.00"),
        phones=(NormalizedPhone("+12125550123", UNKNOWN),),
        date_of_birth=date(1980, 3, 7),
    )
    assert record.fingerprint() == PINNED_FINGERPRINT


PINNED_FINGERPRINT = "4289014823d80c7b401c71ec7b0647b19bd76d16d968b3bac8c3a16da3079a29"


def test_blank_and_absent_optional_values_fingerprint_alike() -> None:
    with_blanks = parse_one(email="", phone1=" ", interest="").record
    assert with_blanks is not None
    assert with_blanks.fingerprint() == parse_one().record.fingerprint()  # type: ignore[union-attr]


# --- From a file -------------------------------------------------------------------------------


def test_rejected_rows_never_stop_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "placement.csv"
    path.write_text(
        "account_number,first_name,last_name,balance,phone1\r\n"
        "A1,Ann,Lee,10.00,2125550123\r\n"
        "A2,,Ray,x,\r\n"
        'A3,"Cy\r\nJr",Lee,5,555\r\n'
        "A1,Dup,Lee,1,\r\n"
        "A4,Di,Lee,1,\r\n",
        encoding="utf-8",
    )
    rows = list(iter_placement_rows(path))
    assert [(row.row_number, row.rejected) for row in rows] == [
        (1, False),
        (2, True),
        (3, False),
        (4, True),
        (5, False),
    ]
    assert [issue.level for issue in rows[2].issues] == ["warning"]


def test_file_level_problems_surface_on_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "placement.csv"
    path.write_text("account_number,balance\nA1,1\n", encoding="utf-8")
    rows = iter_placement_rows(path)
    with pytest.raises(UnableToReadPlacementFile, match="first_name, last_name"):
        next(rows)
