"""The contact-attempt ledger and the compliance facts log, both owned by compliance.

`ContactAttempt`: every contact someone asked to make, allowed or refused, with the decision
(reasons with citations, counted calls, next allowed time), who asked and through what, and
the result once known. `ComplianceFact`: what is not an attempt but changes what is allowed
(a consumer's own call, a validation notice, consents with provenance, holds and their end,
opt-outs, disputes...). Both are append-only: a correction or the end of a hold is a new row.
Nothing deletes them: they are the records kept for at least three years (1006.100).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AppendOnlyError(ValueError):
    """A ledger row was about to be changed or deleted."""


class ContactAttempt(models.Model):
    class Channel(models.TextChoices):
        CALL = "CALL", "Call"
        TEXT = "TEXT", "Text message"
        EMAIL = "EMAIL", "Email"
        LETTER = "LETTER", "Letter"
        BUREAU_REPORT = "BUREAU_REPORT", "Credit bureau report"

    class To(models.TextChoices):
        CONSUMER = "CONSUMER", "Consumer"
        ATTORNEY = "ATTORNEY", "Consumer's attorney"
        THIRD_PARTY = "THIRD_PARTY", "Third party"

    class Source(models.TextChoices):
        DESK = "DESK", "Agent desk"
        DIALER = "DIALER", "Dialer"
        API = "API", "API"
        SYSTEM = "SYSTEM", "System"

    class Result(models.TextChoices):
        NO_ANSWER = "no_answer", "No answer (rang)"
        VOICEMAIL_LIMITED_CONTENT = "voicemail_limited_content", "Limited-content voicemail"
        VOICEMAIL_NO_MESSAGE = "voicemail_no_message", "Voicemail, no message"
        RINGLESS_VOICEMAIL = "ringless_voicemail", "Ringless voicemail"
        ABANDONED = "abandoned", "Abandoned"
        CONVERSATION = "conversation", "Conversation"
        BUSY = "busy", "Busy"
        NOT_IN_SERVICE = "not_in_service", "Not in service"

    # Indexed through (consumer, requested_at, id) below.
    consumer = models.ForeignKey(
        "portfolio.Consumer",
        on_delete=models.PROTECT,
        related_name="contact_attempts",
        db_index=False,
    )
    debts = models.ManyToManyField(
        "portfolio.Debt", through="ContactAttemptDebt", related_name="contact_attempts"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    to = models.CharField(max_length=16, choices=To.choices, default=To.CONSUMER)
    contact_point = models.ForeignKey(
        "portfolio.ContactPoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_attempts",
        db_index=False,
    )
    requested_at = models.DateTimeField()
    allowed = models.BooleanField()
    reasons = models.JSONField(
        default=list, blank=True, help_text="[{rule, citation, message}] when refused"
    )
    rules = models.CharField(
        max_length=300,
        blank=True,
        help_text="The refusing rule codes as ',code,code,' (for reports without JSON queries)",
    )
    calls_in_window = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(
        default=list,
        blank=True,
        help_text="The exceptions the decision applied, in plain words (a consent that kept a "
        "call out of the count, a claimed 1006.10(c) exception...)",
    )
    next_allowed_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.DESK)
    campaign = models.CharField(max_length=100, blank=True)
    autodialed = models.BooleanField(default=False)
    result = models.CharField(max_length=32, choices=Result.choices, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["consumer", "requested_at", "id"], name="attempt_consumer_time"),
            models.Index(fields=["requested_at", "id"], name="attempt_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(allowed=True) | Q(result=""), name="attempt_refused_has_no_result"
            ),
            models.CheckConstraint(
                condition=Q(result="", result_at__isnull=True)
                | (~Q(result="") & Q(result_at__isnull=False)),
                name="attempt_result_with_time",
            ),
        ]

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return f"{self.get_channel_display()} #{self.pk} {verdict}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(
                "Contact attempts are append-only; record a result with record_attempt_result."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Contact attempts are kept (at least 3 years) and never deleted.")

    @property
    def refusal_rules(self) -> list[str]:
        return [code for code in self.rules.split(",") if code]


class ContactAttemptDebt(models.Model):
    """The debts one attempt is about (14(b)(4): what it counts toward)."""

    attempt = models.ForeignKey(
        ContactAttempt, on_delete=models.PROTECT, related_name="debt_links", db_index=False
    )
    debt = models.ForeignKey("portfolio.Debt", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "debt"], name="attempt_debt_unique"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.attempt_id} · debt {self.debt_id}"


class ComplianceFact(models.Model):
    """Something the collector learned or did that is not a contact attempt. Append-only."""

    class Kind(models.TextChoices):
        CONSUMER_CALL = "CONSUMER_CALL", "Consumer called and talked"
        VALIDATION_NOTICE = "VALIDATION_NOTICE", "Validation notice sent"
        CONSENT = "CONSENT", "Consent given"
        CONSENT_REVOKED = "CONSENT_REVOKED", "Consent revoked"
        NOT_PERSONS_NUMBER = "NOT_PERSONS_NUMBER", "Not the person's number"
        ATTORNEY = "ATTORNEY", "Represented by an attorney"
        CEASE = "CEASE", "Cease communication / refusal to pay"
        OPT_OUT = "OPT_OUT", "Opt-out"
        DISPUTE = "DISPUTE", "Dispute"
        VERIFICATION_SENT = "VERIFICATION_SENT", "Verification sent"
        BANKRUPTCY = "BANKRUPTCY", "Bankruptcy"
        DECEASED = "DECEASED", "Deceased"
        BUREAU_REPORT = "BUREAU_REPORT", "Reported to a credit bureau"
        LETTER = "LETTER", "Letter sent"
        INCONVENIENT_TIME = "INCONVENIENT_TIME", "Inconvenient time designated"
        INCONVENIENT_PLACE = "INCONVENIENT_PLACE", "Inconvenient place designated"
        EMPLOYER_PROHIBITS_CONTACT = "EMPLOYER_PROHIBITS_CONTACT", "Employer prohibits contact"

    # Indexed through (consumer, at, id) below.
    consumer = models.ForeignKey(
        "portfolio.Consumer",
        on_delete=models.PROTECT,
        related_name="compliance_facts",
        db_index=False,
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    debts = models.ManyToManyField(
        "portfolio.Debt",
        blank=True,
        related_name="compliance_facts",
        help_text="The debts it is about; none means every debt of the consumer",
    )
    contact_point = models.ForeignKey(
        "portfolio.ContactPoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compliance_facts",
        db_index=False,
    )
    at = models.DateTimeField(help_text="When it happened or was received")
    on = models.DateField(null=True, blank=True, help_text="Day-dated facts: letters, notices")
    ended = models.BooleanField(default=False, help_text="Ends an earlier hold of the same kind")
    details = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["consumer", "at", "id"], name="fact_consumer_time"),
        ]

    def __str__(self) -> str:
        ended = " (ended)" if self.ended else ""
        return f"{self.get_kind_display()}{ended} · consumer {self.consumer_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Compliance facts are append-only; record a new fact instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Compliance facts are kept (at least 3 years) and never deleted.")
