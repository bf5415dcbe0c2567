"""Which payment processor this installation uses.

`AMICABLE_PAYMENT_PROCESSOR` = "simulated" (default: the demo and tests; documented test
numbers in docs/payments.md) or "stripe" (needs `STRIPE_SECRET_KEY` in the environment).
"""

import os
from functools import cache

from amicable.kernel.errors import UnableTo


class UnableToConfigureProcessor(UnableTo):
    pass


@cache
def configured_processor():
    choice = os.environ.get("AMICABLE_PAYMENT_PROCESSOR", "simulated").strip().lower()
    if choice == "simulated":
        from amicable.kernel.clock import utc_now
        from amicable.payments.processors.simulated import SimulatedProcessor

        return SimulatedProcessor(today=lambda: utc_now().date())
    if choice == "stripe":
        from amicable.payments.processors.stripe import StripeProcessor

        secret = os.environ.get("STRIPE_SECRET_KEY", "")
        if not secret:
            raise UnableToConfigureProcessor(
                "AMICABLE_PAYMENT_PROCESSOR=stripe needs STRIPE_SECRET_KEY in the environment"
            )
        return StripeProcessor(secret_key=secret)
    raise UnableToConfigureProcessor(
        f"AMICABLE_PAYMENT_PROCESSOR={choice!r}: use 'simulated' or 'stripe'"
    )
