"""The portfolio: who placed which debts, owed by whom, reachable how, and the ledger.

A debt's balance is never edited by hand: it is the sum of its append-only ledger entries.
The balance columns on `Debt` are a cache written only by `services.post_ledger_entries`
in the same transaction as the entries (so list screens need no aggregate queries).
"""

import unicodedata
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Combinable

from amicable.portfolio.fields import BytewiseCharField


class MoneyFieldOptions(TypedDict):
    """`DecimalField(**MONEY)`: typed so mypy can check the unpacked keywords."""

    max_digits: int
    decimal_places: int


MONEY: MoneyFieldOptions = {"max_digits": 14, "decimal_places": 2}


# Apostrophes people and phones type for one another: "O’Brien" is "O'Brien".
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u00b4`", "'"))


def fold(text: str) -> str:
    """Lower case without accents, one kind of apostrophe and single spaces: 'García' and
    'garcia', 'O’Brien' and "O'Brien", 'Mary  Ann' and 'Mary Ann' find the same person."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(folded.split())


def sums_to(total: str, *parts: str) -> Q:
    """`total = sum(parts)` to the cent. SQLite compares decimals as floating point, so the
    check allows half a cent either way (amounts are always whole cents)."""
    expression: Combinable = F(parts[0])
    for part in parts[1:]:
        expression = expression + F(part)
    half_cent = Decimal("0.005")
    return Q(**{f"{total}__gte": expression - half_cent}) & Q(
        **{f"{total}__lte": expression + half_cent}
    )


def name_key(first_name: str, last_name: str) -> str:
    return f"{fold(last_name)} {fold(first_name)}"[:210]


class Creditor(models.Model):
    class AllocationRule(models.TextChoices):
        FEES_INTEREST_PRINCIPAL = "FEES_INTEREST_PRINCIPAL", "Fees, then interest, then principal"
        INTEREST_FEES_PRINCIPAL = "INTEREST_FEES_PRINCIPAL", "Interest, then fees, then principal"
        PRINCIPAL_FIRST = "PRINCIPAL_FIRST", "Principal, then interest, then fees"
        PRO_RATA = "PRO_RATA", "Pro rata across buckets"

    class Industry(models.TextChoices):
        MEDICAL = "MEDICAL", "Medical"
        TELECOM = "TELECOM", "Telecom"
        CREDIT_CARD = "CREDIT_CARD", "Credit card"
        UTILITY = "UTILITY", "Utility"
        STUDENT_LOAN = "STUDENT_LOAN", "Student loan"
        AUTO = "AUTO", "Auto loan"
        OTHER = "OTHER", "Other"

    code = models.SlugField(
        max_length=32, unique=True, help_text="Short code used in files and the CLI"
    )
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=16, choices=Industry.choices, default=Industry.OTHER)
    contingency_fee_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.3000"),
        help_text="Share of collections kept by the agency (0.30 = 30%)",
    )
    min_settlement_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.7000"),
        help_text="Lowest settlement (share of the balance) an agent may agree without approval",
    )
    max_plan_months = models.PositiveSmallIntegerField(
        default=12, help_text="Longest payment plan an agent may agree without approval"
    )
    allocation_rule = models.CharField(
        max_length=32,
        choices=AllocationRule.choices,
        default=AllocationRule.FEES_INTEREST_PRINCIPAL,
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contingency_fee_rate__gte=0) & Q(contingency_fee_rate__lte=1),
                name="creditor_fee_rate_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(min_settlement_rate__gt=0) & Q(min_settlement_rate__lte=1),
                name="creditor_settlement_rate_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CreditorUser(models.Model):
    """Ties a CLIENT user to the one creditor whose accounts they may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creditor_link"
    )
    creditor = models.ForeignKey(Creditor, on_delete=models.CASCADE, related_name="users")

    def __str__(self) -> str:
        return f"{self.user} → {self.creditor.code}"


class Placement(models.Model):
    """One file or batch of accounts from a creditor, and how its import went."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        RUNNING = "RUNNING", "Running"
        COMPLETED = "COMPLETED", "Completed"
        FAILED = "FAILED", "Failed"

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="placements")
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    file_size = models.BigIntegerField(default=0)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    # The sum of a file's balances: a million accounts of up to 999,999,999,999.99 each.
    placed_total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    errors_file = models.CharField(max_length=500, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.creditor.code} · {self.file_name}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.COMPLETED:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_processed / max(self.rows_total, 1)))


class Consumer(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "EN", "English"
        SPANISH = "ES", "Spanish"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    ssn_encrypted = models.TextField(blank=True, editable=False)
    ssn_last4 = BytewiseCharField(max_length=4, blank=True)
    ssn_hash = BytewiseCharField(max_length=64, blank=True, editable=False)
    preferred_language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    is_deceased = models.BooleanField(default=False)
    in_bankruptcy = models.BooleanField(default=False)
    state = models.CharField(max_length=2, blank=True, help_text="State of the mailing address")
    name_key = BytewiseCharField(
        max_length=210,
        blank=True,
        editable=False,
        help_text="'last first', lower case without accents, for search",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        # Declared here rather than with db_index=True: on PostgreSQL, db_index on a text
        # field adds a second, pattern-matching (`_like`) index, which these do not need: the
        # first two are only ever looked up by equality, and the name key's byte-wise ("C")
        # index serves its prefix search itself.
        indexes = [
            models.Index(fields=["name_key"], name="consumer_name_key"),
            models.Index(fields=["ssn_last4"], name="consumer_ssn_last4"),
            models.Index(fields=["ssn_hash"], name="consumer_ssn_hash"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.first_name, self.last_name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def masked_ssn(self) -> str:
        return f"***-**-{self.ssn_last4}" if self.ssn_last4 else ""


class ContactPoint(models.Model):
    class Kind(models.TextChoices):
        PHONE = "PHONE", "Phone"
        EMAIL = "EMAIL", "Email"
        ADDRESS = "ADDRESS", "Postal address"

    class PhoneType(models.TextChoices):
        MOBILE = "MOBILE", "Mobile"
        LANDLINE = "LANDLINE", "Landline"
        UNKNOWN = "UNKNOWN", "Unknown"

    class Status(models.TextChoices):
        VALID = "VALID", "Valid"
        WRONG_NUMBER = "WRONG_NUMBER", "Wrong number"
        DISCONNECTED = "DISCONNECTED", "Disconnected"
        UNDELIVERABLE = "UNDELIVERABLE", "Undeliverable"

    class Source(models.TextChoices):
        PLACEMENT = "PLACEMENT", "Creditor placement"
        CONSUMER = "CONSUMER", "Given by the consumer"
        AGENT = "AGENT", "Entered by an agent"
        SKIP_TRACE = "SKIP_TRACE", "Skip trace"

    class Consent(models.TextChoices):
        UNKNOWN = "UNKNOWN", "Unknown"
        GRANTED = "GRANTED", "Granted"
        REVOKED = "REVOKED", "Revoked"

    # Indexed through the (consumer, kind, value) unique constraint.
    consumer = models.ForeignKey(
        Consumer, on_delete=models.CASCADE, related_name="contact_points", db_index=False
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = BytewiseCharField(max_length=320, help_text="E.164 phone, email, or one-line address")
    phone_type = models.CharField(max_length=8, choices=PhoneType.choices, blank=True)
    address1 = models.CharField(max_length=200, blank=True)
    address2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.PLACEMENT)
    is_primary = models.BooleanField(default=False)
    consent = models.CharField(max_length=8, choices=Consent.choices, default=Consent.UNKNOWN)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_by = models.CharField(max_length=100, blank=True, help_text="Who recorded it")
    consent_method = models.CharField(max_length=100, blank=True, help_text="How it was given")
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opted_out_by = models.CharField(max_length=100, blank=True)
    opted_out_method = models.CharField(max_length=100, blank=True)
    # The creditor whose placement file first gave this contact point (None when it came
    # from elsewhere: the person, an agent, a skip trace). A person matched across creditors
    # by SSN has one set of contact points; a creditor's client users see only the ones their
    # own files gave, never another creditor's. Not indexed: it is read per person.
    creditor = models.ForeignKey(
        "Creditor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text="The creditor whose placement file gave it",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "kind", "value"], name="contact_point_unique_per_consumer"
            ),
        ]
        # Search looks people up by phone or email, never by address: one partial index per
        # kind searched leaves out the addresses (a third of the rows and the longest values),
        # which halves what a first load's index build sorts. Both databases use a partial
        # index for `kind = %s AND value = %s` (SQLite re-plans once the kind is bound).
        indexes = [
            models.Index(
                fields=["value"], condition=Q(kind="PHONE"), name="contact_point_phone_value"
            ),
            models.Index(
                fields=["value"], condition=Q(kind="EMAIL"), name="contact_point_email_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Debt(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        PAID = "PAID", "Paid in full"
        SETTLED = "SETTLED", "Settled in full"
        RECALLED = "RECALLED", "Recalled by creditor"
        CLOSED = "CLOSED", "Closed"

    # Foreign keys without their own index where a constraint already covers them or
    # nothing looks them up: every index is paid for on each imported row.
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="debts", db_index=False
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="debts", db_index=False
    )
    consumer = models.ForeignKey(Consumer, on_delete=models.PROTECT, related_name="debts")
    account_number = BytewiseCharField(max_length=64)
    original_creditor = models.CharField(max_length=200, blank=True)
    debt_type = models.CharField(
        max_length=16, choices=Creditor.Industry.choices, default=Creditor.Industry.OTHER
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    placed_at = models.DateTimeField()
    delinquency_on = models.DateField(null=True, blank=True)
    charge_off_on = models.DateField(null=True, blank=True)
    last_payment_on = models.DateField(null=True, blank=True)
    last_payment_amount = models.DecimalField(**MONEY, null=True, blank=True)
    # Regulation F itemization (12 CFR 1006.34(c)(2)).
    itemization_on = models.DateField(null=True, blank=True)
    itemization_balance = models.DecimalField(**MONEY, null=True, blank=True)
    interest_since_itemization = models.DecimalField(**MONEY, null=True, blank=True)
    fees_since_itemization = models.DecimalField(**MONEY, null=True, blank=True)
    payments_since_itemization = models.DecimalField(**MONEY, null=True, blank=True)
    credits_since_itemization = models.DecimalField(**MONEY, null=True, blank=True)
    # Cache of the ledger, written only with ledger entries (see module docstring).
    principal_balance = models.DecimalField(**MONEY, default=Decimal("0"))
    interest_balance = models.DecimalField(**MONEY, default=Decimal("0"))
    fees_balance = models.DecimalField(**MONEY, default=Decimal("0"))
    balance = models.DecimalField(**MONEY, default=Decimal("0"))
    # Fingerprint of the placement row last applied: tells "unchanged" from "updated".
    source_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["creditor_id", "account_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "account_number"],
                name="debt_account_number_unique_per_creditor",
            ),
            models.CheckConstraint(
                condition=sums_to(
                    "balance", "principal_balance", "interest_balance", "fees_balance"
                ),
                name="debt_balance_is_sum_of_buckets",
            ),
        ]
        indexes = [
            models.Index(fields=["account_number"]),
            # The desk's queue of fresh work: newest placements, largest balances first.
            models.Index(
                fields=["-placed_at", "-balance", "id"],
                condition=Q(status="ACTIVE"),
                name="debt_work_queue_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creditor.code}/{self.account_number}"


class LedgerEntry(models.Model):
    """One movement of a debt's balance, per bucket. Append-only: corrections are new rows."""

    class Kind(models.TextChoices):
        PLACEMENT = "PLACEMENT", "Placement balance"
        INTEREST = "INTEREST", "Interest"
        FEE = "FEE", "Fee"
        PAYMENT = "PAYMENT", "Payment"
        ADJUSTMENT = "ADJUSTMENT", "Adjustment"
        REVERSAL = "REVERSAL", "Reversal"

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    principal = models.DecimalField(**MONEY, default=Decimal("0"))
    interest = models.DecimalField(**MONEY, default=Decimal("0"))
    fees = models.DecimalField(**MONEY, default=Decimal("0"))
    amount = models.DecimalField(**MONEY, help_text="principal + interest + fees (signed)")
    effective_on = models.DateField(help_text="When it counts for the debt")
    recorded_at = models.DateTimeField(help_text="When we learned of it")
    idempotency_key = BytewiseCharField(max_length=128)
    description = models.CharField(max_length=200, blank=True)
    placement = models.ForeignKey(
        Placement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["debt_id", "effective_on", "recorded_at", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            # A constraint rather than unique=True, which on PostgreSQL adds a pattern-matching
            # (`_like`) index that no query uses.
            models.UniqueConstraint(
                fields=["idempotency_key"], name="ledger_entry_idempotency_key_unique"
            ),
            models.CheckConstraint(
                condition=sums_to("amount", "principal", "interest", "fees"),
                name="ledger_amount_is_sum_of_buckets",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.effective_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only; post a reversal or adjustment.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only and cannot be deleted.")
