"""Payments taken from consumers. Card and bank numbers never reach this table or the logs:
only the processor's reference, the method type, brand and last four digits."""

from django.conf import settings
from django.db import models


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Processing"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        DECLINED = "DECLINED", "Declined"
        FAILED = "FAILED", "Failed"

    class Method(models.TextChoices):
        CARD = "CARD", "Card"
        BANK_ACCOUNT = "BANK_ACCOUNT", "Bank account"
        PROCESSOR_TOKEN = "PROCESSOR_TOKEN", "Saved payment method"

    debt = models.ForeignKey("portfolio.Debt", on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    method_type = models.CharField(max_length=16, choices=Method.choices)
    brand = models.CharField(max_length=32, blank=True)
    last4 = models.CharField(max_length=4, blank=True)
    processor = models.CharField(max_length=32)
    processor_reference = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decline_code = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=128, unique=True)
    ledger_entry = models.OneToOneField(
        "portfolio.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_method_type_display()} …{self.last4} {self.amount} {self.status}"

    @property
    def receipt_number(self) -> str:
        return f"R{self.pk:08d}"
