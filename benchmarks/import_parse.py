"""Benchmark: the pure placement parser (file reading + row rules), no database.

Generates a standard placement CSV (1,000,000 rows by default, every standard column filled the
way real files are) once in the temp directory, then parses it with `iter_placement_rows` and
prints rows/second and peak memory.

Target: at least 60,000 rows/s on one core, so that the database side keeps enough of the
budget for the 20,000 rows/s end-to-end import target.

    uv run python benchmarks/import_parse.py [--rows 1000000] [--regenerate]
"""

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from amicable.portfolio.core.placement_file import STANDARD_COLUMNS
from amicable.portfolio.core.placement_rows import iter_placement_rows

TARGET_ROWS_PER_SECOND = 60_000

# A few real area codes per time zone, so the phone prefix cache sees a realistic spread.
AREA_CODES = [
    "212", "315", "518", "617", "413", "201", "973", "215", "412", "202", "305", "404", "704",
    "919", "313", "614", "216", "312", "773", "214", "713", "512", "210", "504", "615", "901",
    "303", "602", "505", "801", "406", "208", "213", "310", "415", "619", "206", "503", "702",
    "907", "808", "787",
]  # fmt: skip
FIRST_NAMES = ["Dana", "Luis", "Ruth", "José", "Mary", "Chen", "Aisha", "Robert", "Zoë", "Ann"]
LAST_NAMES = ["Whitfield", "García", "Okafor", "Smith", "Nguyen", "Müller", "O'Brien", "Lee"]
CITIES = [("Albany", "NY", "12207"), ("Austin", "TX", "78701"), ("Boston", "MA", "02134")]


def _money(amount: Decimal, generator: random.Random) -> str:
    """Write amounts in the three accepted styles, as a mix of creditors would."""
    style = generator.random()
    if style < 0.6:
        return f"{amount:.2f}"
    if style < 0.9:
        return f"{amount:,.2f}"
    return f"${amount:,.2f}"


def _day(day: date, generator: random.Random) -> str:
    return day.isoformat() if generator.random() < 0.7 else day.strftime("%m/%d/%Y")


def generate(path: Path, *, rows: int, seed: int = 2024) -> None:
    generator = random.Random(seed)
    start = date(2018, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STANDARD_COLUMNS)
        for index in range(rows):
            principal = Decimal(int(generator.lognormvariate(7, 1) * 100)).scaleb(-2)
            interest = (principal * Decimal("0.1")).quantize(Decimal("0.01"))
            fees = Decimal(generator.choice([0, 25, 35])).quantize(Decimal("0.01"))
            balance = principal + interest + fees
            city, state, zip_code = generator.choice(CITIES)
            delinquent = start + timedelta(days=generator.randint(0, 2000))

            def phone() -> str:
                return (
                    f"({generator.choice(AREA_CODES)}) {generator.randint(200, 999)}-"
                    f"{generator.randint(0, 9999):04d}"
                )

            first = generator.choice(FIRST_NAMES)
            ascii_first = first.lower().encode("ascii", "ignore").decode()
            values = {
                "account_number": f"ACC{index:09d}",
                "first_name": first,
                "last_name": generator.choice(LAST_NAMES),
                "balance": _money(balance, generator),
                "principal": _money(principal, generator),
                "interest": _money(interest, generator),
                "fees": _money(fees, generator),
                "original_creditor": "Mercy General Hospital",
                "date_of_birth": _day(date(1950, 1, 1) + timedelta(days=index % 18000), generator),
                "ssn": f"{generator.randint(1, 665):03d}-{generator.randint(1, 99):02d}-"
                f"{generator.randint(1, 9999):04d}",
                "address1": f"{generator.randint(1, 9999)} Main St",
                "address2": "Apt 4" if generator.random() < 0.2 else "",
                "city": city,
                "state": state,
                "zip": zip_code,
                "phone1": phone(),
                "phone2": phone() if generator.random() < 0.5 else "",
                "phone3": "",
                "email": f"{ascii_first}.{index}@example.com" if generator.random() < 0.6 else "",
                "delinquency_date": _day(delinquent, generator),
                "charge_off_date": _day(delinquent + timedelta(days=180), generator),
                "last_payment_date": _day(delinquent - timedelta(days=30), generator),
                "last_payment_amount": _money(Decimal("25.00"), generator),
                "itemization_date": _day(delinquent + timedelta(days=180), generator),
                "itemization_balance": _money(principal, generator),
                "interest_since_itemization": _money(interest, generator),
                "fees_since_itemization": _money(fees, generator),
                "payments_since_itemization": "0.00",
                "credits_since_itemization": "0.00",
            }
            writer.writerow([values[column] for column in STANDARD_COLUMNS])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-fingerprint", action="store_true", help="skip record.fingerprint()")
    arguments = parser.parse_args()

    path = Path(tempfile.gettempdir()) / f"amicable-bench-placement-{arguments.rows}.csv"
    if arguments.regenerate or not path.exists():
        print(f"generating {arguments.rows:,} rows in {path} ...", flush=True)
        generate(path, rows=arguments.rows)
    size_mb = path.stat().st_size / 1e6
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = rejected = warnings = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for parsed in iter_placement_rows(path):
        rows += 1
        if parsed.record is None:
            rejected += 1
        else:
            if not arguments.no_fingerprint:
                parsed.record.fingerprint()  # the DB side needs it for every row
            warnings += len(parsed.issues)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rate = rows / elapsed
    cpu_rate = rows / cpu
    print(f"file:        {path} ({size_mb:,.0f} MB, {rows:,} rows)")
    print(f"parsed in:   {elapsed:.1f} s  ({rejected:,} rejected, {warnings:,} warnings)")
    print(f"rate:        {rate:,.0f} rows/s wall clock (target {TARGET_ROWS_PER_SECOND:,})")
    print(f"             {cpu_rate:,.0f} rows/s of CPU time (less sensitive to a busy machine)")
    print(f"peak memory: {peak_rss_mb:,.0f} MB resident (before parsing: {rss_before_mb:,.0f} MB)")
    if rate < TARGET_ROWS_PER_SECOND:
        print("BELOW TARGET")
        sys.exit(1)


if __name__ == "__main__":
    main()
