"""`amicable compliance explain|check|export`: the rules from the command line.

amicable compliance explain --debt 42 [--at 2026-04-08T10:00:00-04:00] [--channel call]
amicable compliance check SCENARIO.json [--notes]       # no database (see check_cli)
amicable compliance export --from 2026-01-01 --to 2026-03-31 [--out log.csv]
"""

import csv
import json
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError

from amicable.compliance.api import UnableToExplain, explain_debt
from amicable.compliance.core.scenario import render_decision
from amicable.compliance.selectors import contact_log, day_range
from amicable.kernel.clock import utc_now


def _instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at: not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise CommandError("--at: give a time with its offset, e.g. 2026-04-08T10:00:00-04:00")
    return parsed


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Explain a debt's contact decision, check a scenario, or export the contact log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        explain = sub.add_parser(
            "explain", help="decide a contact about one debt, from the database"
        )
        explain.add_argument("--debt", type=int, required=True, help="debt id")
        explain.add_argument("--at", help="ISO 8601 time with offset (default: now)")
        explain.add_argument(
            "--channel", default="call", help="call, text, email, letter, bureau_report"
        )
        explain.add_argument("--contact-point", type=int, default=None, help="contact point id")
        explain.add_argument("--notes", action="store_true", help="also list exceptions applied")
        check = sub.add_parser("check", help="evaluate a scenario file (no database)")
        check.add_argument("scenario", metavar="SCENARIO.json")
        check.add_argument("--notes", action="store_true")
        export = sub.add_parser("export", help="the contact log as CSV")
        export.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        export.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        export.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "check":
            from amicable.compliance.check_cli import main as check

            argv = [options["scenario"], *(["--notes"] if options["notes"] else [])]
            status = check(argv)
            if status:
                raise SystemExit(status)
            return
        if action == "explain":
            at = _instant(options["at"]) if options["at"] else utc_now()
            try:
                decision = explain_debt(
                    debt_id=options["debt"],
                    at=at,
                    channel=options["channel"],
                    contact_point_id=options["contact_point"],
                )
            except UnableToExplain as error:
                raise CommandError(error.message) from None
            self.stdout.write(
                json.dumps(render_decision(decision, notes=options["notes"]), indent=2)
            )
            return
        start_on = _day(options["start"], "--from")
        end_on = _day(options["end"], "--to")
        if end_on < start_on:
            raise CommandError("--to is before --from")
        start, end = day_range(start_on, end_on)
        if options["out"]:
            with open(options["out"], "w", newline="", encoding="utf-8") as handle:
                count = _write(handle, contact_log(start=start, end=end))
            self.stderr.write(f"{count} attempts written to {options['out']}")
        else:
            _write(self.stdout, contact_log(start=start, end=end))


def _write(handle, rows) -> int:
    writer = csv.writer(handle)
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
