"""Keep arrangements current when a payment is posted (payments.signals.payment_posted)."""

from django.dispatch import receiver

from amicable.kernel.clock import utc_now
from amicable.negotiation.models import Arrangement
from amicable.negotiation.services import refresh_arrangement
from amicable.payments.signals import payment_posted


@receiver(payment_posted)
def judge_arrangements_after_payment(sender, payment_id: int, debt_id: int, **kwargs) -> None:
    now = utc_now()
    for arrangement_id in Arrangement.objects.filter(
        debt_id=debt_id, status=Arrangement.Status.ACTIVE
    ).values_list("id", flat=True):
        refresh_arrangement(arrangement_id=arrangement_id, today=now.date(), now=now)
