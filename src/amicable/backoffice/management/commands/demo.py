"""`amicable demo`: everything a new user needs, in one command.

Migrates, creates one user per role, seeds a 5,000-account portfolio and a (paused) dialing
campaign the first time, then serves the app (ASGI, uvicorn) with the task worker and the dialer
loop (simulated telephony) beside it until Ctrl-C. Running it again reuses the data.
"""

import os
import signal
import subprocess
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from amicable.backoffice.demo_dialer import ensure_demo_campaign
from amicable.backoffice.demo_users import ensure_demo_users
from amicable.identity.services import ensure_role_groups
from amicable.kernel.clock import utc_now
from amicable.portfolio.models import Debt
from amicable.portfolio.seeding import ensure_demo_creditors, seed_demo_portfolio


class Command(BaseCommand):
    help = "Set up a demo (migrate, users, 5,000 accounts) and serve it on http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--accounts", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--dialer-speed",
            type=float,
            default=1.0,
            help="speed of the simulated telephony world (2: rings last half as long)",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="set up and print the logins, but do not start the server",
        )
        parser.add_argument(
            "--real-clock",
            action="store_true",
            help="keep the real time even outside US calling hours",
        )

    def handle(self, *args, **options):
        if "SECRET_KEY" in os.environ and not os.environ.get("AMICABLE_ALLOW_DEMO"):
            raise CommandError(
                "SECRET_KEY is set, so this looks like a real installation; the demo creates "
                "users with published passwords. Set AMICABLE_ALLOW_DEMO=1 to go ahead."
            )
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if not options["real_clock"]:
            self._move_into_calling_hours()
        now = utc_now()
        ensure_role_groups()
        ensure_demo_creditors(now=now)
        logins = ensure_demo_users()
        if not Debt.objects.exists():
            self.stdout.write(f"Building a demo portfolio of {options['accounts']:,} accounts…")
            seed_demo_portfolio(
                accounts=options["accounts"], seed=options["seed"], as_of=now.date(), now=now
            )
        campaign = ensure_demo_campaign(now=now)
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"\nAmicable is ready on {url}\n"))
        self.stdout.write("Sign in as:")
        for username, password, role in logins:
            self.stdout.write(f"  {role.value.lower():<11} {username:<7} password {password}")
        if campaign is not None and campaign.status == "RUNNING":
            self.stdout.write(
                f"\nDialing: the campaign {campaign.name!r} (simulated telephony) is running; "
                "as alice press Ready on the desk and wait for a call."
            )
        elif campaign is not None:
            self.stdout.write(
                f"\nDialing: the campaign {campaign.name!r} (simulated telephony) is "
                f"{campaign.get_status_display().lower()}; as sam, start it under Campaigns, "
                "then as alice press Ready on the desk and wait for a call."
            )
        self.stdout.write(f"\nData lives in {settings.DATA_DIR}. Stop with Ctrl-C.\n")
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"], options["dialer_speed"])

    def _move_into_calling_hours(self) -> None:
        """No lawful call can be placed at night, so a demo started then would show an empty
        queue. Shift the demo's clock (AMICABLE_CLOCK_OFFSET, inherited by the worker) to the
        next 10:30 in New York, and say so."""
        eastern = ZoneInfo("America/New_York")
        local = utc_now().astimezone(eastern)
        if time(10, 0) <= local.time() <= time(18, 0):
            return
        target = datetime.combine(local.date(), time(10, 30), tzinfo=eastern)
        if local.time() > time(18, 0):
            target += timedelta(days=1)
        offset = (target - local).total_seconds()
        os.environ["AMICABLE_CLOCK_OFFSET"] = str(offset)
        self.stdout.write(
            self.style.WARNING(
                f"It is {local:%H:%M} in New York: outside the hours when people may be called. "
                f"The demo's clock is moved forward to {target:%a %H:%M} Eastern "
                "(start with --real-clock to keep real time)."
            )
        )

    def _serve(self, host: str, port: int, dialer_speed: float = 1.0) -> None:
        import uvicorn

        worker = subprocess.Popen(
            [sys.executable, "-m", "amicable.config.cli", "db_worker", "--interval", "0.5"],
        )
        dialer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "amicable.config.cli",
                "dialer",
                "--provider",
                "simulated",
                "--speed",
                str(dialer_speed),
            ],
        )
        try:
            uvicorn.run(
                "amicable.config.asgi:application",
                host=host,
                port=port,
                log_level="warning",
                lifespan="off",
            )
        finally:
            for process in (dialer, worker):
                process.send_signal(signal.SIGINT)
            for process in (dialer, worker):
                try:
                    process.wait(timeout=10)
                except (subprocess.TimeoutExpired, KeyboardInterrupt):  # a second Ctrl-C
                    process.kill()
            self.stdout.write("Stopped.")
