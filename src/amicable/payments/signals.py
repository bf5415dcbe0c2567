"""Upward notices from payments (sent on commit; see docs/architecture.md)."""

from django.dispatch import Signal

#: Sent after a successful payment is committed. Arguments: payment_id, debt_id.
payment_posted = Signal()
