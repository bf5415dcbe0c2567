"""The collectors' work: who is working which account, what happened, what comes next."""

from django.conf import settings
from django.db import models


class CallSession(models.Model):
    """One agent working one person's account: a preview, a call, its outcome.

    Identity checks and the debt-collection disclosure are recorded here because the desk
    must not show anything about a debt before the person is verified (right-party contact)
    and the disclosure was read."""

    class Origin(models.TextChoices):
        PREVIEW = "PREVIEW", "Preview (agent's queue)"
        DIALER = "DIALER", "Connected by the dialer"
        INBOUND = "INBOUND", "The person called in"
        SEARCH = "SEARCH", "Opened from search"

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consumer = models.ForeignKey(
        "portfolio.Consumer", on_delete=models.PROTECT, related_name="call_sessions"
    )
    origin = models.CharField(max_length=8, choices=Origin.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    phone = models.ForeignKey(
        "portfolio.ContactPoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempt_id = models.BigIntegerField(
        null=True, blank=True, help_text="the compliance ContactAttempt of the call"
    )
    language = models.CharField(max_length=2, default="EN")
    verification_checks = models.JSONField(default=list, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    disclosure_at = models.DateTimeField(null=True, blank=True)
    wrong_party = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["consumer", "started_at"]),
            models.Index(fields=["agent", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} · {self.consumer_id} by {self.agent_id}"

    @property
    def may_discuss_debt(self) -> bool:
        return self.verified_at is not None and not self.wrong_party

    @property
    def may_negotiate(self) -> bool:
        return self.may_discuss_debt and self.disclosure_at is not None


class DeskLock(models.Model):
    """An account being worked: the unique consumer makes a second agent's claim fail."""

    consumer = models.OneToOneField(
        "portfolio.Consumer", on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(CallSession, on_delete=models.CASCADE, related_name="+")
    locked_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.consumer_id} locked by {self.agent_id}"


class WorkState(models.Model):
    """When an account was last worked: the queue rests an account for a day after a try."""

    consumer = models.OneToOneField(
        "portfolio.Consumer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_worked_at = models.DateTimeField(db_index=True)
    sessions = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.consumer_id} worked {self.last_worked_at}"


class Callback(models.Model):
    """A time the person asked to be called back ("fix up a meeting")."""

    consumer = models.ForeignKey(
        "portfolio.Consumer", on_delete=models.PROTECT, related_name="callbacks"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the agent it comes back to first",
    )
    due_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    session = models.ForeignKey(
        CallSession, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["completed_at", "due_at"])]

    def __str__(self) -> str:
        return f"Callback {self.consumer_id} at {self.due_at}"


class Note(models.Model):
    consumer = models.ForeignKey(
        "portfolio.Consumer", on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Notes are append-only; add a new note instead.")
        super().save(*args, **kwargs)


class Disposition(models.Model):
    """The outcome of working an account, with the agent and the time."""

    class Code(models.TextChoices):
        PROMISE = "PROMISE", "Promise / arrangement made"
        PAID = "PAID", "Paid"
        REFUSED = "REFUSED", "Refused to pay"
        DISPUTE = "DISPUTE", "Disputes the debt"
        HARDSHIP = "HARDSHIP", "Hardship, no arrangement yet"
        CALLBACK = "CALLBACK", "Callback requested"
        THIRD_PARTY = "THIRD_PARTY", "Third party answered"
        WRONG_NUMBER = "WRONG_NUMBER", "Wrong number"
        LEFT_MESSAGE = "LEFT_MESSAGE", "Left limited-content message"
        NO_ANSWER = "NO_ANSWER", "No answer"
        BUSY = "BUSY", "Busy"
        DISCONNECTED = "DISCONNECTED", "Disconnected number"
        CEASE = "CEASE", "Asked us to stop contacting them"
        ATTORNEY = "ATTORNEY", "Represented by an attorney"
        BANKRUPTCY = "BANKRUPTCY", "Filed for bankruptcy"
        DECEASED = "DECEASED", "Deceased"

    session = models.OneToOneField(
        CallSession, on_delete=models.PROTECT, related_name="disposition"
    )
    consumer = models.ForeignKey(
        "portfolio.Consumer", on_delete=models.PROTECT, related_name="dispositions"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    code = models.CharField(max_length=16, choices=Code.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_code_display()} at {self.at}"
