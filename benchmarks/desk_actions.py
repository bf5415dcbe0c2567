"""Benchmark: server time of each desk action on a large portfolio (target: under 100 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amicable_bench_search \\
        uv run python benchmarks/desk_actions.py [ROUNDS]

Uses the portfolio built by benchmarks/account_search.py (1,000,000 accounts). Each round an
agent takes the next account, opens the screen, places a call, verifies the person, reads
the disclosure, opens the negotiation screen, and closes with an outcome; every step goes
through Django's test client (URL routing, middleware, the view, the template), and the
script prints p50/p95/max per action.
"""

import os
import statistics
import sys
import time
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.config.settings")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from amicable.dialer.agents import set_agent_state
    from amicable.identity.roles import Role
    from amicable.identity.services import create_user_with_roles
    from amicable.kernel.clock import freeze
    from amicable.portfolio.models import ContactPoint, Debt
    from amicable.strategy.models import CallSession

    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.filter(username="bench_desk").first() or create_user_with_roles(
        username="bench_desk", password="bench-password-2026", roles=[Role.AGENT]
    )
    browser = Client()
    browser.force_login(user)
    now = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # 11:00 in New York, a Monday
    timings: dict[str, list[float]] = {}

    def timed(name: str, method: str, url: str, data: dict | None = None):
        started = time.perf_counter()
        response = getattr(browser, method)(url, data or {})
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (name, response.status_code)
        return response

    print(f"debts: {Debt.objects.count():,}", flush=True)
    with freeze(now):
        set_agent_state(agent_id=user.pk, state="READY", now=now)
        for _ in range(rounds):
            timed("next account", "post", "/desk/next/")
            session = (
                CallSession.objects.filter(agent=user, ended_at__isnull=True)
                .select_related("consumer")
                .order_by("-id")
                .first()
            )
            if session is None:
                print("the queue is empty")
                break
            url = f"/desk/calls/{session.pk}/"
            timed("open screen", "get", url)
            phone = ContactPoint.objects.filter(
                consumer_id=session.consumer_id, kind="PHONE"
            ).first()
            if phone is not None:
                timed("place call", "post", url + "call/", {"phone": phone.pk})
            consumer = session.consumer
            answers = {"dob": consumer.date_of_birth.isoformat(), "ssn4": consumer.ssn_last4}
            timed("verify", "post", url + "verify/", answers)
            timed("disclosure", "post", url + "disclosure/")
            timed("negotiation screen", "get", url)
            timed("outcome", "post", url + "outcome/", {"code": "REFUSED"})
    for name, values in timings.items():
        values.sort()
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(
            f"{name:<20} n={len(values):<4} p50 {statistics.median(values):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
        )


if __name__ == "__main__":
    main()
