from django.core.management.base import BaseCommand, CommandError

from amicable.kernel.clock import utc_now
from amicable.portfolio.models import Creditor
from amicable.portfolio.services import UnableToCreateCreditor, create_creditor


class Command(BaseCommand):
    help = "Manage creditors: `amicable creditor add CODE --name NAME [--fee-rate 0.30]`, `list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a creditor")
        add.add_argument("code")
        add.add_argument("--name", required=True)
        add.add_argument("--fee-rate", default="0.30", help="contingency fee, e.g. 0.30")
        add.add_argument(
            "--min-settlement",
            default="0.70",
            help="lowest settlement share agents may agree, e.g. 0.70",
        )
        add.add_argument("--max-plan-months", type=int, default=12)
        add.add_argument("--industry", default="OTHER", choices=Creditor.Industry.values)
        sub.add_parser("list", help="list creditors")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for creditor in Creditor.objects.all():
                self.stdout.write(
                    f"{creditor.code:<16} {creditor.name:<40} fee {creditor.contingency_fee_rate}"
                )
            return
        try:
            creditor = create_creditor(
                code=options["code"],
                name=options["name"],
                now=utc_now(),
                fee_rate=options["fee_rate"],
                min_settlement_rate=options["min_settlement"],
                max_plan_months=options["max_plan_months"],
                industry=options["industry"],
            )
        except UnableToCreateCreditor as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created creditor {creditor.code}: {creditor.name}")
