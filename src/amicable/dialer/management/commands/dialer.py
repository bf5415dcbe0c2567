"""`amicable dialer`: the live dialing loop (see docs/dialer.md, "Live dialing").

Every `--tick` seconds it paces each running campaign; between ticks it handles the provider's
events, connects people who answered and abandons those no agent could take within 2 seconds.
With `--speed S` the simulated world runs S times faster (rings, and the abandon deadline, last
1/S as long; ticks come S times as often). Stop it with Ctrl-C.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from amicable.dialer.core.scenario import UnableToLoadScenario, load_scenario
from amicable.dialer.loop import DialerLoop, TickReport
from amicable.dialer.telephony import UnableToPlaceCall, make_provider
from amicable.kernel.clock import utc_now

STEPS_PER_TICK = 5


class Command(BaseCommand):
    help = "Run the dialer loop: pace running campaigns, dial, connect, abandon (Ctrl-C stops)"

    def add_arguments(self, parser):
        parser.add_argument("--provider", default="simulated", choices=["simulated", "twilio"])
        parser.add_argument(
            "--scenario", help="scenario TOML for the simulated world (outcomes and timing)"
        )
        parser.add_argument("--seed", default=None, help="seed of the simulated world")
        parser.add_argument("--speed", type=float, default=1.0)
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between ticks")
        parser.add_argument("--ticks", type=int, default=0, help="stop after N ticks")
        parser.add_argument("--once", action="store_true", help="one tick, then stop")

    def handle(self, *args, **options):
        speed = options["speed"]
        if speed <= 0 or options["tick"] <= 0:
            raise CommandError("--speed and --tick must be more than 0")
        if speed != 1 and options["provider"] != "simulated":
            raise CommandError(
                "--speed only applies to the simulated provider: real calls run in real time "
                "(and a person must hear the safe-harbour message within 2 real seconds)"
            )
        scenario = None
        if options["scenario"]:
            try:
                scenario = load_scenario(options["scenario"])
            except UnableToLoadScenario as error:
                raise CommandError(f"{options['scenario']}: {error}") from None
        try:
            provider = make_provider(
                options["provider"], speed=speed, scenario=scenario, seed=options["seed"]
            )
        except UnableToPlaceCall as error:
            raise CommandError(str(error)) from None
        tick_real = options["tick"] / speed
        step_real = tick_real / STEPS_PER_TICK
        loop = DialerLoop(provider=provider, speed=speed, step_seconds=step_real)
        ticks = 1 if options["once"] else options["ticks"]

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        if ticks == 0:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            self.stdout.write(f"Dialer running ({provider.name}, speed {speed:g}). Ctrl-C stops.")

        # The clock is read once; elapsed time comes from the monotonic clock, so the loop's
        # `now` moves on even when the entry-point clock is pinned (demo offset, tests).
        started_at = utc_now()
        started = time.monotonic()
        if provider.name == "simulated":
            recovered = loop.recover_orphans(now=started_at)
            if recovered:
                self.stdout.write(f"Ended {recovered} call(s) left in flight by a previous run.")
        total = TickReport()
        done = 0
        while not stopping and (ticks == 0 or done < ticks):
            for step in range(STEPS_PER_TICK):
                now = started_at + _elapsed(started)
                if step == 0:
                    report = loop.tick(now=now)
                else:
                    report = loop.step_calls(now=now)
                total.add(report)
                if ticks and done + 1 >= ticks and step == 0:
                    break
                time.sleep(step_real)
            done += 1
        self.stdout.write(
            f"Dialer stopped after {done} tick(s): {total.placed} placed, {total.refused} not "
            "dialed (refused by compliance, outside the campaign's hours or no usable phone), "
            f"{total.connected} connected, {total.abandoned} abandoned."
        )


def _elapsed(started: float):
    from datetime import timedelta

    return timedelta(seconds=time.monotonic() - started)
