"""A realistic synthetic portfolio for the demo, tests and benchmarks.

Deterministic for a seed and an as-of date: the same arguments build the same accounts, so
running `amicable seed` twice changes nothing (debts match on creditor + account number).
People live at real ZIP codes (from the `zipcodes` package) with phone numbers in their
ZIP's area codes that `phonenumbers` accepts as valid; balances are lognormal per industry.
"""

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

import phonenumbers
import zipcodes

from amicable.kernel.money import ZERO, to_money
from amicable.portfolio.core.background_reader import (
    PlacementContext,
    prepare_records,
)
from amicable.portfolio.core.placement_rows import PlacementRecord
from amicable.portfolio.core.values import NormalizedPhone


@dataclass(frozen=True)
class DemoCreditor:
    code: str
    name: str
    industry: str
    fee_rate: str
    min_settlement_rate: str
    max_plan_months: int
    median_balance: float
    sigma: float
    original_creditors: tuple[str, ...]


DEMO_CREDITORS = (
    DemoCreditor(
        "mercy-health",
        "Mercy Regional Health System",
        "MEDICAL",
        "0.33",
        "0.60",
        18,
        480.0,
        0.9,
        ("Mercy Regional Hospital", "Mercy Emergency Physicians", "Mercy Imaging Associates"),
    ),
    DemoCreditor(
        "brightline",
        "Brightline Wireless",
        "TELECOM",
        "0.35",
        "0.50",
        12,
        310.0,
        0.7,
        ("Brightline Wireless", "Brightline Home Internet"),
    ),
    DemoCreditor(
        "harbor-card",
        "Harbor Bank Card Services",
        "CREDIT_CARD",
        "0.28",
        "0.70",
        24,
        2600.0,
        0.8,
        ("Harbor Bank Visa", "Harbor Bank Rewards Mastercard"),
    ),
    DemoCreditor(
        "citywide-power",
        "Citywide Power & Gas",
        "UTILITY",
        "0.30",
        "0.75",
        12,
        390.0,
        0.6,
        ("Citywide Power & Gas",),
    ),
)

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa Timothy Deborah "
    "Ronald Stephanie Jason Dorothy George Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry "
    "Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine "
    "Keisha Tyrone Aaliyah DeShawn Mei Wei Priya Raj Minh Linh Fatima Omar"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Hill Green Adams Nelson Baker Hall Campbell Mitchell Carter Roberts Phillips "
    "Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Peterson "
    "Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray "
    "James Hughes Price Sanders Myers Long Ross Foster Nguyen Patel Kim Chen Washington"
).split()
HISPANIC_FIRST_NAMES = (
    "José María Juan Guadalupe Luis Carmen Carlos Rosa Jorge Ana Miguel Sofía Alejandro "
    "Lucía Francisco Isabel Javier Elena Ricardo Verónica Manuel Gabriela Fernando Adriana"
).split()
HISPANIC_LAST_NAMES = (
    "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
    "Rivera Gómez Díaz Reyes Cruz Morales Ortiz Gutiérrez Chávez Ramos Ruiz Jiménez Mendoza"
).split()
STREETS = (
    "Main St|Oak Ave|Maple Dr|Cedar Ln|Pine St|Elm St|Washington Ave|Lake Rd|Hill St|Park Ave|"
    "Sunset Blvd|River Rd|Church St|Highland Ave|Meadow Ln|Jefferson St|Lincoln Ave|Spring St"
).split("|")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@cache
def _zip_codes() -> tuple[dict, ...]:
    return tuple(
        record
        for record in zipcodes.list_all()
        if record["active"]
        and record["zip_code_type"] == "STANDARD"
        and record["timezone"]
        and record["area_codes"]
        and record["state"] != "PR"
    )


@cache
def _exchanges(npa: str) -> tuple[str, ...]:
    """A few dozen exchanges of an area code that `phonenumbers` accepts as valid.

    Real portfolios cluster the same way (many people share an exchange), and checking a
    small pool once per area code keeps seeding a million accounts fast."""
    rng = random.Random(int(npa))
    pool: list[str] = []
    for _ in range(200):
        nxx = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if nxx[1:] == "11" or nxx == "555" or nxx in pool:
            continue
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{npa}{nxx}4567")):
            pool.append(nxx)
        if len(pool) == 40:
            break
    return tuple(pool)


def _phone(rng: random.Random, area_codes: list[str]) -> NormalizedPhone | None:
    npa = rng.choice(area_codes)
    exchanges = _exchanges(npa)
    if not exchanges:
        return None
    return NormalizedPhone(
        e164=f"+1{npa}{rng.choice(exchanges)}{rng.randint(0, 9999):04d}",
        phone_type=rng.choice(("MOBILE", "MOBILE", "UNKNOWN")),
    )


def _ssn(rng: random.Random) -> str:
    area = rng.randint(1, 899)
    area = 667 if area == 666 else area
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _money(value: float) -> Decimal:
    return to_money(Decimal(str(round(value, 2))))


@dataclass(frozen=True)
class DemoAccount:
    creditor_code: str
    record: PlacementRecord
    language: str


CHUNK_SIZE = 5000


def _demo_chunks(*, count: int, seed: int, as_of: date) -> Iterator[list[DemoAccount]]:
    """The accounts, CHUNK_SIZE at a time.

    Each chunk has its own random stream, so the portfolio is the same whether the chunks
    are made here or in a background process; about 1 in 10 people owe two debts."""
    zips = _zip_codes()
    for start in range(0, count, CHUNK_SIZE):
        rng = random.Random(seed * 1_000_003 + start)
        person: dict | None = None
        chunk = []
        for index in range(start, min(start + CHUNK_SIZE, count)):
            creditor = DEMO_CREDITORS[index % len(DEMO_CREDITORS)]
            if person is None or rng.random() >= 0.1:
                person = _person(rng, rng.choice(zips), as_of)
            record = _record(rng, creditor, person, index, as_of)
            chunk.append(DemoAccount(creditor.code, record, person["language"]))
        yield chunk


def demo_accounts(*, count: int, seed: int, as_of: date) -> Iterator[DemoAccount]:
    for chunk in _demo_chunks(count=count, seed=seed, as_of=as_of):
        yield from chunk


def prepared_demo_chunks(
    *, count: int, seed: int, as_of: date, contexts: dict[str, PlacementContext]
) -> Iterator[dict[str, list[tuple]]]:
    """The accounts, a chunk at a time, prepared for insertion and grouped by creditor code
    (`contexts` holds each demo creditor's seed placement), as plain tuples (rebuild them
    with `as_prepared_rows`: they cross from the generator's process cheaper that way).

    The seed runs this in a second process: generating an account and preparing its rows
    (encrypting the SSN, hashing, fingerprinting) cost about as much as inserting them."""
    for start, chunk in zip(
        range(0, count, CHUNK_SIZE), _demo_chunks(count=count, seed=seed, as_of=as_of), strict=True
    ):
        by_creditor: dict[str, list] = defaultdict(list)
        for index, account in enumerate(chunk, start=start + 1):
            by_creditor[account.creditor_code].append((index, account.record, account.language))
        yield {
            code: prepare_records(items, context=contexts[code])
            for code, items in by_creditor.items()
        }


def _person(rng: random.Random, place: dict, as_of: date) -> dict:
    spanish = rng.random() < 0.14
    hispanic_name = spanish or rng.random() < 0.08
    first = rng.choice(HISPANIC_FIRST_NAMES if hispanic_name else FIRST_NAMES)
    last = rng.choice(HISPANIC_LAST_NAMES if hispanic_name else LAST_NAMES)
    phones: list[NormalizedPhone] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        phone = _phone(rng, place["area_codes"])
        if phone is not None and phone.e164 not in {p.e164 for p in phones}:
            phones.append(phone)
    ascii_last = last.encode("ascii", "ignore").decode().lower() or "user"
    ascii_first = first.encode("ascii", "ignore").decode().lower() or "user"
    return {
        "first_name": first,
        "last_name": last,
        "language": "ES" if spanish else "EN",
        "date_of_birth": as_of - timedelta(days=rng.randint(21 * 365, 85 * 365)),
        "ssn": _ssn(rng) if rng.random() < 0.9 else "",
        "address1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
        "address2": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else "",
        "city": place["city"].title(),
        "state": place["state"],
        "zip": place["zip_code"],
        "phones": tuple(phones),
        "email": (f"{ascii_first}.{ascii_last}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}")
        if rng.random() < 0.6
        else "",
    }


def _record(
    rng: random.Random, creditor: DemoCreditor, person: dict, index: int, as_of: date
) -> PlacementRecord:
    balance = _money(
        min(creditor.median_balance * math.exp(rng.gauss(0, creditor.sigma)), 75000.0) + 25
    )
    if creditor.industry == "CREDIT_CARD":
        interest = _money(float(balance) * rng.uniform(0.05, 0.22))
        fees = _money(rng.choice((0, 35, 70, 105)))
        fees = min(fees, balance - interest)
        principal = balance - interest - fees
    elif creditor.industry == "MEDICAL":
        principal, interest, fees = balance, ZERO, ZERO
    else:
        fees = min(_money(rng.choice((0, 0, 15, 25, 50))), balance)
        principal, interest = balance - fees, ZERO
    delinquent = as_of - timedelta(days=int(rng.triangular(45, 6 * 365, 240)))
    charged_off = delinquent + timedelta(days=180) if creditor.industry == "CREDIT_CARD" else None
    if charged_off is not None and charged_off > as_of:
        charged_off = None  # an account placed before its charge-off date (an early-out)
    paid_before = rng.random() < 0.4
    last_payment = delinquent - timedelta(days=rng.randint(10, 60)) if paid_before else None
    itemization = charged_off or (delinquent + timedelta(days=30))
    if itemization > as_of:
        itemization = delinquent
    return PlacementRecord(
        account_number=f"{creditor.code[:3].upper()}{100000000 + index * 7919 % 900000000}",
        first_name=person["first_name"],
        last_name=person["last_name"],
        balance=balance,
        principal=principal,
        interest=interest,
        fees=fees,
        original_creditor=rng.choice(creditor.original_creditors),
        date_of_birth=person["date_of_birth"],
        ssn=person["ssn"],
        address1=person["address1"],
        address2=person["address2"],
        city=person["city"],
        state=person["state"],
        zip_code=person["zip"],
        phones=person["phones"],
        email=person["email"],
        delinquency_date=delinquent,
        charge_off_date=charged_off,
        last_payment_date=last_payment,
        last_payment_amount=_money(rng.uniform(25, 300)) if paid_before else None,
        itemization_date=itemization,
        itemization_balance=principal,
        interest_since_itemization=interest,
        fees_since_itemization=fees,
        payments_since_itemization=ZERO,
        credits_since_itemization=ZERO,
    )


def as_of_datetime(as_of: date) -> datetime:
    from datetime import UTC, time

    return datetime.combine(as_of, time(12, 0), tzinfo=UTC)
