"""Write a standard placement CSV of N synthetic accounts (for the import benchmark).

uv run python benchmarks/make_placement_file.py 1000000 benchmarks/out/placement-1m.csv
"""

import csv
import sys
from datetime import date
from pathlib import Path

from amicable.portfolio.core.placement_file import STANDARD_COLUMNS
from amicable.portfolio.demo_data import demo_accounts

# The standard columns this generator fills (the itemization "since" amounts stay blank).
COLUMNS = [c for c in STANDARD_COLUMNS if not c.endswith("_since_itemization")]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_file(count: int, path: Path, *, seed: int = 11) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for account in demo_accounts(count=count, seed=seed, as_of=date(2026, 11, 1)):
            r = account.record
            phones = [p.e164 for p in r.phones] + ["", "", ""]
            writer.writerow(
                [
                    _text(v)
                    for v in (
                        r.account_number,
                        r.first_name,
                        r.last_name,
                        r.balance,
                        r.principal,
                        r.interest,
                        r.fees,
                        r.original_creditor,
                        r.date_of_birth,
                        r.ssn,
                        r.address1,
                        r.address2,
                        r.city,
                        r.state,
                        r.zip_code,
                        phones[0],
                        phones[1],
                        phones[2],
                        r.email,
                        r.delinquency_date,
                        r.charge_off_date,
                        r.last_payment_date,
                        r.last_payment_amount,
                        r.itemization_date,
                        r.itemization_balance,
                    )
                ]
            )
    return path


if __name__ == "__main__":
    write_file(int(sys.argv[1]), Path(sys.argv[2]))
