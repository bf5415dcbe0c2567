import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from amicable.kernel.clock import utc_now
from amicable.portfolio.seeding import UnableToSeed, seed_demo_portfolio


class Command(BaseCommand):
    help = "Build a realistic synthetic portfolio: amicable seed --accounts N --seed S"

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", help="date the portfolio is built for (YYYY-MM-DD)")

    def handle(self, *args, **options):
        if options["accounts"] < 1:
            raise CommandError("--accounts must be at least 1")
        now = utc_now()
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else now.date()
        except ValueError:
            raise CommandError(f"--as-of: {options['as_of']!r} is not a YYYY-MM-DD date") from None
        try:
            totals = seed_demo_portfolio(
                accounts=options["accounts"],
                seed=options["seed"],
                as_of=as_of,
                now=now,
                on_progress=lambda n: (sys.stderr.write(f"\r{n:,} accounts"), sys.stderr.flush()),
            )
        except UnableToSeed as error:
            raise CommandError(error.message) from None
        sys.stderr.write("\n")
        updated = f", {totals['updated']:,} updated" if totals["updated"] else ""
        self.stdout.write(
            f"Demo portfolio: {totals['created']:,} debts created, "
            f"{totals['unchanged']:,} already there{updated}."
        )
