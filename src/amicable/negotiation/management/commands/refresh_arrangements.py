from django.core.management.base import BaseCommand

from amicable.kernel.clock import utc_now
from amicable.negotiation.services import refresh_due_arrangements


class Command(BaseCommand):
    help = (
        "Judge every active promise and plan with a payment due by today: kept or broken. "
        "Run it daily (payments already update their own arrangement as they post)."
    )

    def handle(self, *args, **options):
        now = utc_now()
        count = refresh_due_arrangements(today=now.date(), now=now)
        self.stdout.write(f"Checked {count} arrangement(s) with payments due.")
