"""Cell values of a placement file: amounts, dates, phones, emails, SSNs, ZIPs, states."""

import random
import re
from datetime import date
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.portfolio.core.errors import UnableToParseValue
from amicable.portfolio.core.values import (
    AREA_CODES_DECIDED_BY_SEVEN_DIGITS,
    LANDLINE,
    MOBILE,
    UNKNOWN,
    NormalizedPhone,
    normalize_email,
    normalize_phone,
    normalize_ssn,
    normalize_state,
    normalize_zip,
    parse_date,
    parse_money,
)

# --- Money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("1234", "1234.00"),
        ("1,234.50", "1234.50"),
        ("$1,234.50", "1234.50"),
        ("$1234.50", "1234.50"),
        ("  12.3  ", "12.30"),
        ("0", "0.00"),
        ("-5.25", "-5.25"),
        ("-$1,000", "-1000.00"),
        ("-0.00", "0.00"),
        ("1,234,567.89", "1234567.89"),
        ("007.10", "7.10"),
    ],
)
def test_accepted_amounts(text: str, expected: str) -> None:
    amount = parse_money(text)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # always two decimals: one spelling per amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12,3x",
        "1.234",  # more than two decimals: refused, not rounded
        "1,23.00",  # commas must group by three
        "1.234,50",  # European style
        "12,34",
        ".5",
        "5.",
        "$-5",
        "--5",
        "+5",
        "1 234",
        "(12.00)",
        "12.00 USD",
        "١٢٣",  # non-ASCII digits
        "1e3",
        "NaN",
    ],
)
def test_refused_amounts(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not an amount"):
        parse_money(text)


@pytest.mark.parametrize(
    "text", ["1000000000000.00", "999999999999999999.99", "$1,000,000,000,000", "-1000000000000"]
)
def test_amounts_larger_than_the_database_keeps_are_refused(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is too large"):
        parse_money(text)


def test_the_largest_amount_the_database_keeps_is_accepted() -> None:
    assert parse_money("999999999999.99") == Decimal("999999999999.99")
    assert parse_money("$999,999,999,999.99") == Decimal("999999999999.99")
    assert parse_money("0000999999999999.99") == Decimal("999999999999.99")


def test_amount_message_quotes_the_value() -> None:
    with pytest.raises(UnableToParseValue) as raised:
        parse_money("12,3x")
    assert str(raised.value) == '"12,3x" is not an amount'


cents = st.integers(min_value=-(10**12), max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))


def _with_commas(amount: Decimal) -> str:
    return f"{abs(amount):,.2f}"


@given(cents)
def test_money_round_trips_in_every_accepted_style(amount: Decimal) -> None:
    sign = "-" if amount < 0 else ""
    plain = f"{abs(amount):.2f}"
    styles = [
        f"{sign}{plain}",
        f"{sign}{_with_commas(amount)}",
        f"{sign}${_with_commas(amount)}",
        f"{sign}${plain}",
        f"  {sign}{plain}  ",
    ]
    if plain.endswith("0"):
        styles.append(f"{sign}{plain[:-1]}")  # one decimal: 1234.5
    if plain.endswith(".00"):
        styles.append(f"{sign}{plain[:-3]}")  # no decimals: 1234
    for text in styles:
        assert parse_money(text) == amount, text


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000)
)
def test_three_decimals_are_refused_unless_the_third_is_absent(amount: Decimal) -> None:
    text = f"{amount:.3f}"
    with pytest.raises(UnableToParseValue):
        parse_money(text)


# --- Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("02/29/2024", date(2024, 2, 29)),
        ("3/7/1980", date(1980, 3, 7)),
        (" 12/31/1999 ", date(1999, 12, 31)),
        # a date-time from a database export or a spreadsheet: the date is kept
        ("2024-01-31 00:00:00", date(2024, 1, 31)),
        ("2024-01-31T13:45", date(2024, 1, 31)),
        ("2024-01-31 23:59:59.123456", date(2024, 1, 31)),
        ("1/31/2024 1:45 PM", date(2024, 1, 31)),
        ("2024-01-31 00:00:00.0000000", date(2024, 1, 31)),  # SQL Server's datetime2
    ],
)
def test_accepted_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2023-02-29", "02/30/2024", "13/01/2024", "2024-00-10", "0000-01-01", "2023-02-29 00:00"],
)
def test_impossible_dates_are_refused(text: str) -> None:
    """(Also with a time of day after them: "2023-02-29 00:00" is no more real.)"""
    with pytest.raises(UnableToParseValue, match="is not a real date"):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-1-5",
        "20240105",
        "2024/01/05",
        "05-01-2024",
        "Jan 5 2024",
        "2024-W01-1",
        # a time with a zone: in UTC it may be another day where the person lives
        "2024-01-31T23:30:00Z",
        "2024-01-31 23:30+02:00",
        "2024-01-31 25:00",  # not a time of day
        # one time only, and AM/PM with 1 to 12 o'clock
        "2024-01-31 13:45 13:45",
        "2024-01-31T13:45 12:00",
        "2024-01-31 23:30 05:00",
        "1/31/2024 23:59 AM",
        "1/31/2024 0:00 PM",
        "x 2024-01-31 00:00",
        "2024-01-31" + " 0:00" * 1000,
    ],
)
def test_unknown_date_formats_are_refused(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not a date") as refused:
        parse_date(text)
    assert str(refused.value).startswith(f'"{text.strip()[:10]}')  # the cell as written


@pytest.mark.parametrize("text", ["2999-01-01", "0001-01-01", "12/31/9999", "1899-12-31"])
def test_placeholder_dates_are_refused_as_implausible(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not a plausible date"):
        parse_date(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip_in_both_formats(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%m/%d/%Y")) == day
    assert parse_date(f"{day.month}/{day.day}/{day.year}") == day


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 31))
def test_only_real_dates_are_accepted(year: int, month: int, day: int) -> None:
    try:
        real = date(year, month, day)
    except ValueError:
        real = None
    for text in (f"{year:04d}-{month:02d}-{day:02d}", f"{month:02d}/{day:02d}/{year:04d}"):
        if real is None:
            with pytest.raises(UnableToParseValue, match="not a real date"):
                parse_date(text)
        else:
            assert parse_date(text) == real


# --- Phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "(212) 555-0123",
        "212-555-0123",
        "212.555.0123",
        "2125550123",
        "1 212 555 0123",
        "+1 (212) 555-0123",
        "+12125550123",
    ],
)
def test_us_numbers_in_usual_spellings(text: str) -> None:
    assert normalize_phone(text) == NormalizedPhone("+12125550123", UNKNOWN)


@pytest.mark.parametrize(
    "text",
    ["", "555-0123", "123-456-7890", "212-055-0123", "+2125550123", "12345", "call me", "2" * 15],
)
def test_invalid_phones_are_refused(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not a valid phone number"):
        normalize_phone(text)


def test_foreign_numbers_go_through_libphonenumber() -> None:
    phone = normalize_phone("+44 7911 123456")
    assert phone == NormalizedPhone("+447911123456", MOBILE)
    assert normalize_phone("+44 20 7946 0958").phone_type == LANDLINE


def test_extensions_are_dropped() -> None:
    assert normalize_phone("212-555-0123 x45").e164 == "+12125550123"


def _library_answer(national: str) -> NormalizedPhone | None:
    number = phonenumbers.parse(national, "US")
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    phone_type = {
        phonenumbers.PhoneNumberType.MOBILE: MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE: LANDLINE,
    }.get(kind, UNKNOWN)
    return NormalizedPhone("+1" + national, phone_type)


def _fast_answer(national: str) -> NormalizedPhone | None:
    try:
        return normalize_phone(national)
    except UnableToParseValue:
        return None


def test_fast_path_agrees_with_libphonenumber_on_random_numbers() -> None:
    """The prefix cache must give libphonenumber's own answer (validity and type)."""
    generator = random.Random(20240501)
    for _ in range(5000):
        national = f"{generator.randint(200, 999)}{generator.randint(0, 9_999_999):07d}"
        assert _fast_answer(national) == _library_answer(national), national


def test_fast_path_agrees_where_the_seventh_digit_matters() -> None:
    generator = random.Random(7)
    area_codes = sorted(AREA_CODES_DECIDED_BY_SEVEN_DIGITS) + ["204", "787", "264", "345"]
    for area_code in area_codes:
        for _ in range(300):
            national = f"{area_code}{generator.randint(200, 999)}{generator.randint(0, 9999):04d}"
            assert _fast_answer(national) == _library_answer(national), national


_TYPE_DESCRIPTIONS = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def test_only_the_listed_area_codes_have_patterns_that_read_the_seventh_digit() -> None:
    """The fast path caches by 6 digits. That is sound while every North American pattern ends
    with at least 4 free digits (`\\d{4}`); a region whose patterns end sooner must have its area
    codes in AREA_CODES_DECIDED_BY_SEVEN_DIGITS. Catches a libphonenumber upgrade that adds one."""
    for region in phonenumbers.region_codes_for_country_code(1):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for name in _TYPE_DESCRIPTIONS:
            description = getattr(metadata, name)
            if description is None or not description.national_number_pattern:
                continue
            for alternative in _top_level_alternatives(description.national_number_pattern):
                if re.search(r"\\d\{([4-9])\}$", alternative):
                    continue
                area_codes = (
                    {alternative[:3]}
                    if alternative[:3].isdigit()
                    else set((metadata.leading_digits or "").split("|"))
                )
                assert area_codes <= AREA_CODES_DECIDED_BY_SEVEN_DIGITS, (region, alternative)


def test_fast_path_agrees_on_the_seven_digit_prefixes_themselves() -> None:
    for prefix in ("246521", "876606"):
        for digit in "0123456789":
            national = f"{prefix}{digit}123"
            assert _fast_answer(national) == _library_answer(national), national


# --- Email, SSN, ZIP, state --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  a+tag@mail.co.uk ", "a+tag@mail.co.uk"),
        ("o'brien@sub-domain.example.org", "o'brien@sub-domain.example.org"),
    ],
)
def test_accepted_emails(text: str, expected: str) -> None:
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "bob@",
        "@example.com",
        "bob",
        "bob@example",
        "bob@@example.com",
        "bob @example.com",
        ".bob@example.com",
        "bob..x@example.com",
        "bob@-example.com",
        "bob@example.c0m",
        "jösé@x.com",
    ],
)
def test_refused_emails(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not a valid email address"):
        normalize_email(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123-45-6789", "123456789"), ("123456789", "123456789"), (" 665-01-0001 ", "665010001")],
)
def test_accepted_ssns(text: str, expected: str) -> None:
    assert normalize_ssn(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("000-12-3456", "area 000"),
        ("666-12-3456", "area 666"),
        ("900-12-3456", "area 900"),
        ("999-12-3456", "area 999"),
        ("123-00-4567", "group 00"),
        ("123-45-0000", "serial 0000"),
        ("12-345-6789", "9 digits"),
        ("1234567890", "9 digits"),
        ("123 45 6789", "9 digits"),
    ],
)
def test_refused_ssns_never_repeat_the_number(text: str, reason: str) -> None:
    with pytest.raises(UnableToParseValue, match=reason) as raised:
        normalize_ssn(text)
    digits = "".join(char for char in text if char.isdigit())
    assert digits not in str(raised.value).replace("-", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("02134", "02134"), ("10001-1234", "10001-1234"), ("100011234", "10001-1234")],
)
def test_accepted_zips(text: str, expected: str) -> None:
    assert normalize_zip(text) == expected


@pytest.mark.parametrize("text", ["2134", "00000", "1234a", "10001-12", "K1A 0B1"])
def test_refused_zips(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not a ZIP code"):
        normalize_zip(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NY", "NY"),
        ("ny", "NY"),
        (" dc ", "DC"),
        ("PR", "PR"),
        ("AE", "AE"),
        ("new  york", "NY"),
        ("Puerto Rico", "PR"),
    ],
)
def test_accepted_states(text: str, expected: str) -> None:
    assert normalize_state(text) == expected


@pytest.mark.parametrize("text", ["ZZ", "N.Y.", "Ontario", "XX", "N"])
def test_refused_states(text: str) -> None:
    with pytest.raises(UnableToParseValue, match="is not a US state"):
        normalize_state(text)
