"""Parsing and normalising single cell values of a placement file.

Every function takes the raw text of one cell and either returns a clean, typed value or raises
`UnableToParseValue` with a message about the value (the caller adds the column name).

These functions run millions of times per import, so the common cases take a fast path
(a precompiled regular expression, `date.fromisoformat`, a cache of phone-number prefixes) and
only unusual input pays for the slower, general code.
"""

import functools
import re
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType

from amicable.portfolio.core.errors import UnableToParseValue

__all__ = [
    "LANDLINE",
    "MOBILE",
    "UNKNOWN",
    "NormalizedPhone",
    "normalize_email",
    "normalize_phone",
    "normalize_ssn",
    "normalize_state",
    "normalize_zip",
    "parse_date",
    "parse_money",
]


# Placement files repeat the same dates (a charge-off date, a birth date...) thousands of times,
# so parsed dates, and amounts in unusual spellings, are cached by their text. Decimal and date
# are immutable, so sharing them is safe; failures are not cached (lru_cache does not store
# exceptions).
_CACHE_SIZE = 100_000


def quoted(text: str, *, limit: int = 60) -> str:
    """Quote a cell value for an error message, shortening it so one bad cell cannot bloat a
    report (a broken quote can swallow a whole file into one cell)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


# --- Money -------------------------------------------------------------------------------------

# An optional minus, an optional dollar sign, then either plain digits or digits grouped by
# commas in threes, then at most two decimals. `[0-9]` rather than `\d`: `\d` also matches
# non-ASCII digits such as "٣", which we do not want to accept silently.
_MONEY = re.compile(r"(-?)\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")
_PLAIN_MONEY = re.compile(r"[0-9]{1,12}\.[0-9]{2}")
# What the database keeps: 14 digits, 2 of them decimals. A larger amount in a file is a
# mistake to report, not a value to store (SQLite would keep a rounded float of it).
MAX_WHOLE_DIGITS = 12


def parse_money(text: str) -> Decimal:
    """Parse an amount written `1234.5`, `1,234.50` or `$1,234.50` (optionally `-` in front).

    The result always has exactly two decimal places (`Decimal("1234.50")`), so equal amounts
    have equal text and equal fingerprints. More than two decimals is refused rather than
    rounded: a creditor's file that carries fractions of a cent has a problem we should show,
    not hide. Commas must group digits in threes (`1,23.00` is refused) because a misplaced
    comma often means a European decimal comma (`1.234,50`), which we must not misread.

    Amounts over 999,999,999,999.99 (what the database keeps) are refused.

    The most common spelling by far ("1234.50") is read straight away and not cached: balances
    are nearly all different, and a cache that misses costs three times the parse.
    """
    if _PLAIN_MONEY.fullmatch(text):
        return Decimal(text)
    return _parse_other_money(text)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_other_money(text: str) -> Decimal:
    stripped = text.strip()
    match = _MONEY.fullmatch(stripped)
    if match is None:
        raise UnableToParseValue(f"{quoted(stripped)} is not an amount")
    sign, whole, cents = match.groups()
    if "," in whole:
        whole = whole.replace(",", "")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise UnableToParseValue(f"{quoted(stripped)} is too large (at most 999,999,999,999.99)")
    if cents is None:
        cents = "00"
    elif len(cents) == 1:
        cents += "0"
    if sign and not whole.strip("0") and cents == "00":
        sign = ""  # "-0.00" is zero; keep one spelling of zero
    return Decimal(f"{sign}{whole}.{cents}")


# --- Dates -------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_US_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# One time of day after a date, as database exports and spreadsheet date-times write it
# ("2024-01-31 00:00:00", "2024-01-31T13:45", "2024-01-31 00:00:00.0000000" from SQL Server,
# "1/31/2024 1:45 PM"): 0-23 o'clock, or 1-12 with AM/PM. No time zone: a date in UTC may be
# another day where the person lives, so "...Z" or "+02:00" stays refused.
_DATE_AND_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})(?: |T)"
    r"(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,7})?)?"
    r"|(?:0?[1-9]|1[0-2]):[0-5][0-9](?::[0-5][0-9])? ?[AaPp][Mm])"
)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def parse_date(text: str) -> date:
    """Parse a date written `YYYY-MM-DD` or `MM/DD/YYYY` (month and day may have one digit,
    as spreadsheets often write `3/7/2024`). The date must exist: `02/30/2024` is refused;
    and be plausible for a person or a debt: years 1900 to 2100 (`0001-01-01` or
    `9999-12-31` are placeholders, not dates). A time of day after it (a date-time column
    of a database export) is left out: the date is what the column means."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = date.fromisoformat(text)  # fast path: "2024-01-31"
        except ValueError:
            pass  # the general path below says what is wrong
        else:
            if _FIRST_YEAR <= day.year <= _LAST_YEAR:
                return day
    stripped = text.strip()  # what messages quote
    with_time = _DATE_AND_TIME.fullmatch(stripped)
    written = with_time.group(1) if with_time is not None else stripped
    if _ISO_DATE.fullmatch(written):
        try:
            day = date.fromisoformat(written)
        except ValueError:
            raise UnableToParseValue(f"{quoted(stripped)} is not a real date") from None
        return _plausible(day, stripped)
    match = _US_DATE.fullmatch(written)
    if match is None:
        raise UnableToParseValue(
            f"{quoted(stripped)} is not a date (write YYYY-MM-DD or MM/DD/YYYY)"
        )
    month, day_of_month, year = match.groups()
    try:
        real = date(int(year), int(month), int(day_of_month))
    except ValueError:
        raise UnableToParseValue(f"{quoted(stripped)} is not a real date") from None
    return _plausible(real, stripped)


_FIRST_YEAR, _LAST_YEAR = 1900, 2100


def _plausible(day: date, text: str) -> date:
    if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
        raise UnableToParseValue(
            f"{quoted(text)} is not a plausible date (years {_FIRST_YEAR} to {_LAST_YEAR})"
        )
    return day


# --- Phones ------------------------------------------------------------------------------------

MOBILE = "MOBILE"
LANDLINE = "LANDLINE"
UNKNOWN = "UNKNOWN"


class NormalizedPhone(NamedTuple):
    """A phone number in E.164 (`+12125550123`) and its type: MOBILE, LANDLINE or UNKNOWN."""

    e164: str
    phone_type: str


def _phone_type_of(number: PhoneNumber) -> str:
    """Map libphonenumber's many types onto the three we store.

    Most US numbers are FIXED_LINE_OR_MOBILE (the numbering plan does not tell them apart), which
    is honestly UNKNOWN: only a carrier lookup can say whether a US number is a mobile.
    """
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.MOBILE:
        return MOBILE
    if number_type == PhoneNumberType.FIXED_LINE:
        return LANDLINE
    return UNKNOWN


def _normalize_phone_slowly(text: str, *, default_region: str) -> NormalizedPhone:
    """The general path: let libphonenumber parse anything (international, extensions...)."""
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise UnableToParseValue(f"{quoted(text)} is not a valid phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise UnableToParseValue(f"{quoted(text)} is not a valid phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedPhone(e164, _phone_type_of(number))


# Characters people put in North American numbers: "(212) 555-0123", "212.555.0123", "+1 212...".
_NANP_PUNCTUATION = str.maketrans("", "", " ()-.+\t")
# No area code starts with 0 or 1. (Exchanges should not either, but libphonenumber accepts some,
# e.g. in the Dominican Republic, and we follow the library rather than second-guess it.)
_NANP_AREA_CODE_FIRST_DIGITS = frozenset("23456789")

# In the North American Numbering Plan, libphonenumber decides validity and type from the area
# code and the exchange (the first 6 digits), except in the few areas below, whose patterns also
# look at the 7th digit (Barbados 246, Jamaica 658/876). A test checks this against the library's
# own answers, so an upgrade of `phonenumbers` that breaks the assumption is caught.
AREA_CODES_DECIDED_BY_SEVEN_DIGITS = frozenset({"246", "658", "876"})

# Prefix -> phone type, or None when numbers with this prefix are invalid. Real data needs at
# most a few hundred thousand entries (area codes x exchanges in use); the limit bounds memory.
_nanp_prefix_cache: dict[str, str | None] = {}
_NANP_PREFIX_CACHE_LIMIT = 1_000_000


def _nanp_national_digits(stripped: str) -> str | None:
    """Return the 10 national digits when `stripped` is plainly a North American number written
    with the usual punctuation, or None when the general path must decide."""
    digits = stripped.translate(_NANP_PUNCTUATION)
    if not (digits.isascii() and digits.isdigit()):
        return None  # letters, "x123" extensions, other symbols: let libphonenumber decide
    if stripped.startswith("+"):
        if len(digits) == 11 and digits[0] == "1":
            return digits[1:]
        return None  # another country code
    if len(digits) == 10:
        return digits
    if len(digits) == 11 and digits[0] == "1":
        return digits[1:]
    return None


def normalize_phone(text: str, *, default_region: str = "US") -> NormalizedPhone:
    """Normalise a phone number to E.164 with its type, or raise `UnableToParseValue`.

    libphonenumber's `parse` costs tens of microseconds, too slow for a million rows with three
    phones each. North American numbers (nearly all of ours) take a fast path: strip the
    punctuation, check the plan's shape (the area code starts with 2-9), then look the
    prefix up in a cache filled by asking libphonenumber once per prefix. Everything else goes
    through libphonenumber.
    """
    national: str | None
    if len(text) == 12 and text.startswith("+1") and text.isascii() and text[2:].isdigit():
        national = text[2:]  # already E.164, as many systems export numbers
        stripped = text
    else:
        stripped = text.strip()
        if not stripped:
            raise UnableToParseValue('"" is not a valid phone number')
        national = _nanp_national_digits(stripped) if default_region == "US" else None
        if national is None:
            return _normalize_phone_slowly(stripped, default_region=default_region)
    if national[0] not in _NANP_AREA_CODE_FIRST_DIGITS:
        raise UnableToParseValue(f"{quoted(stripped)} is not a valid phone number")
    area_code = national[:3]
    prefix = national[:7] if area_code in AREA_CODES_DECIDED_BY_SEVEN_DIGITS else national[:6]
    try:
        phone_type = _nanp_prefix_cache[prefix]
    except KeyError:
        number = PhoneNumber(country_code=1, national_number=int(national))
        phone_type = _phone_type_of(number) if phonenumbers.is_valid_number(number) else None
        if len(_nanp_prefix_cache) >= _NANP_PREFIX_CACHE_LIMIT:
            _nanp_prefix_cache.clear()  # only a file full of junk numbers gets here
        _nanp_prefix_cache[prefix] = phone_type
    if phone_type is None:
        raise UnableToParseValue(f"{quoted(stripped)} is not a valid phone number")
    return NormalizedPhone("+1" + national, phone_type)


# --- Email -------------------------------------------------------------------------------------

# Deliberately pragmatic: an ASCII local part of the characters mail systems accept unquoted, an
# "@", and a domain of letter/digit/hyphen labels ending in an alphabetic top-level domain.
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def normalize_email(text: str) -> str:
    """Return the address stripped and lower-cased, or raise `UnableToParseValue`.

    Lower-casing the local part is technically lossy, but no mainstream provider treats it as
    case-sensitive, and one spelling per address is what matching and opt-outs need.
    """
    candidate = text.strip().lower()
    if len(candidate) > 254 or _EMAIL.fullmatch(candidate) is None:
        raise UnableToParseValue(f"{quoted(text.strip())} is not a valid email address")
    return candidate


# --- Social security number ----------------------------------------------------------------------

_SSN = re.compile(r"([0-9]{3})-?([0-9]{2})-?([0-9]{4})")


def normalize_ssn(text: str) -> str:
    """Return the 9 digits of a social security number (`123-45-6789` or `123456789`).

    Numbers the Social Security Administration never issues are refused: area 000, 666 or
    900-999, group 00, serial 0000. They are typically placeholders ("000-00-0000") and would
    otherwise match unrelated people. Unlike the other functions, the messages never repeat the
    value: import reports are files, and a social security number must not leak into them.
    """
    match = _SSN.fullmatch(text.strip())
    if match is None:
        raise UnableToParseValue("is not a social security number (9 digits, dashes allowed)")
    area, group, serial = match.groups()
    if area in ("000", "666") or area[0] == "9":
        reason = f"area {area} is never issued"
    elif group == "00":
        reason = "group 00 is never issued"
    elif serial == "0000":
        reason = "serial 0000 is never issued"
    else:
        return area + group + serial
    raise UnableToParseValue(f"is not a valid social security number ({reason})")


# --- Postal address ----------------------------------------------------------------------------

_ZIP = re.compile(r"([0-9]{5})(?:-?([0-9]{4}))?")


def normalize_zip(text: str) -> str:
    """Return a ZIP code as `12345` or ZIP+4 as `12345-6789` (written with or without the dash)."""
    stripped = text.strip()
    match = _ZIP.fullmatch(stripped)
    if match is None or match.group(1) == "00000":
        raise UnableToParseValue(f"{quoted(stripped)} is not a ZIP code (12345 or 12345-6789)")
    zip5, plus4 = match.groups()
    return f"{zip5}-{plus4}" if plus4 else zip5


STATE_NAMES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    # Territories and freely associated states with USPS codes.
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "UM": "U.S. Minor Outlying Islands",
    "FM": "Federated States of Micronesia",
    "MH": "Marshall Islands",
    "PW": "Palau",
    # Military mail.
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}
_STATE_BY_NAME = {name.upper(): code for code, name in STATE_NAMES.items()}


def normalize_state(text: str) -> str:
    """Return a USPS two-letter code (`NY`), accepting the code in any case or the full name."""
    candidate = " ".join(text.split()).upper()
    if candidate in STATE_NAMES:
        return candidate
    code = _STATE_BY_NAME.get(candidate)
    if code is None:
        raise UnableToParseValue(f"{quoted(text.strip())} is not a US state or territory code")
    return code
