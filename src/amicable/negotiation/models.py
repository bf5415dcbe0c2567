"""What the collector learned about the person's means, and what they agreed to pay."""

from typing import TypedDict

from django.conf import settings
from django.db import models


class MoneyFieldOptions(TypedDict):
    """`DecimalField(**MONEY)`: typed so mypy can check the unpacked keywords."""

    max_digits: int
    decimal_places: int


MONEY: MoneyFieldOptions = {"max_digits": 14, "decimal_places": 2}


class HardshipAssessment(models.Model):
    """Why the person fell behind and what they can afford (income minus essentials)."""

    class Reason(models.TextChoices):
        JOB_LOSS = "JOB_LOSS", "Job loss"
        REDUCED_INCOME = "REDUCED_INCOME", "Reduced hours or income"
        ILLNESS = "ILLNESS", "Illness or injury"
        DISABILITY = "DISABILITY", "Disability"
        DIVORCE = "DIVORCE", "Divorce or separation"
        DEATH_IN_FAMILY = "DEATH_IN_FAMILY", "Death in the family"
        BUSINESS_FAILURE = "BUSINESS_FAILURE", "Business failure"
        UNEXPECTED_EXPENSE = "UNEXPECTED_EXPENSE", "Unexpected expense"
        DISPUTES_AMOUNT = "DISPUTES_AMOUNT", "Questions the amount"
        OTHER = "OTHER", "Other"

    consumer = models.ForeignKey(
        "portfolio.Consumer", on_delete=models.PROTECT, related_name="hardship_assessments"
    )
    reason = models.CharField(max_length=24, choices=Reason.choices)
    notes = models.TextField(blank=True)
    monthly_income = models.DecimalField(**MONEY)
    monthly_expenses = models.DecimalField(**MONEY)
    disposable_monthly = models.DecimalField(**MONEY)
    lines = models.JSONField(default=list, help_text="income and expense lines as entered")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · disposable {self.disposable_monthly}"


class Arrangement(models.Model):
    """A promise to pay, a payment plan, or a settlement, on one debt."""

    class Kind(models.TextChoices):
        PROMISE = "PROMISE", "Promise to pay"
        PAY_IN_FULL = "PAY_IN_FULL", "Pay in full"
        SETTLEMENT = "SETTLEMENT", "Settlement"
        PLAN = "PLAN", "Payment plan"

    class Status(models.TextChoices):
        PENDING_APPROVAL = "PENDING_APPROVAL", "Waiting for approval"
        ACTIVE = "ACTIVE", "Active"
        KEPT = "KEPT", "Kept"
        BROKEN = "BROKEN", "Broken"
        DECLINED = "DECLINED", "Declined by supervisor"
        CANCELLED = "CANCELLED", "Cancelled"

    debt = models.ForeignKey(
        "portfolio.Debt", on_delete=models.PROTECT, related_name="arrangements"
    )
    consumer = models.ForeignKey(
        "portfolio.Consumer", on_delete=models.PROTECT, related_name="arrangements"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=18, choices=Status.choices)
    frequency = models.CharField(max_length=10, blank=True)
    balance_at_agreement = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY, help_text="what the person agreed to pay in all")
    within_authority = models.BooleanField()
    authority_notes = models.JSONField(default=list, blank=True)
    assessment = models.ForeignKey(
        HardshipAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "consumer"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.total} ({self.get_status_display()})"


class Installment(models.Model):
    class Status(models.TextChoices):
        DUE = "DUE", "Due"
        KEPT = "KEPT", "Paid"
        BROKEN = "BROKEN", "Missed"

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="installments"
    )
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DUE)

    class Meta:
        ordering = ["arrangement_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "number"], name="installment_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.amount} due {self.due_on}"


class ApprovalRequest(models.Model):
    """An arrangement outside the agent's authority, waiting for a supervisor."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting"
        APPROVED = "APPROVED", "Approved"
        COUNTERED = "COUNTERED", "Countered"
        ACCEPTED = "ACCEPTED", "Counter accepted"  # the person took the counter: done
        DECLINED = "DECLINED", "Declined"

    arrangement = models.OneToOneField(
        Arrangement, on_delete=models.PROTECT, related_name="approval"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    agent_note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    counter_total = models.DecimalField(**MONEY, null=True, blank=True)
    counter_payments = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"Approval for {self.arrangement} ({self.get_status_display()})"
