"""Agents' states over time: the dialer routes calls to ready agents, and the time spent in
each state is what talk-time and utilisation reports are made of."""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AgentState(models.TextChoices):
    READY = "READY", "Ready"
    ON_CALL = "ON_CALL", "On a call"
    WRAP_UP = "WRAP_UP", "Wrap-up"
    PAUSED = "PAUSED", "Paused"
    LOGGED_OUT = "LOGGED_OUT", "Logged out"


class AgentStateChange(models.Model):
    """Append-only: the agent's current state is their latest change."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=AgentState.choices)
    reason = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agent", "at"])]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state} at {self.at}"


# -- live dialing: campaigns, their lists, the agents taking their calls, the calls --------------


class Campaign(models.Model):
    """A named list of debts dialed in one mode, within hours, under an abandonment target."""

    class Mode(models.TextChoices):
        PREVIEW = "PREVIEW", "Preview (agents choose and dial)"
        PROGRESSIVE = "PROGRESSIVE", "Progressive (one line per ready agent)"
        PREDICTIVE = "PREDICTIVE", "Predictive"

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        RUNNING = "RUNNING", "Running"
        PAUSED = "PAUSED", "Paused"
        STOPPED = "STOPPED", "Stopped"

    name = models.CharField(max_length=100, unique=True)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.PROGRESSIVE)
    pacing_options = models.JSONField(
        default=dict, blank=True, help_text="keyword arguments for the pacing policy"
    )
    abandon_target = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.030"))
    calling_starts_at = models.TimeField(
        default=time(8, 0), help_text="earliest local time at the number called"
    )
    calling_ends_at = models.TimeField(
        default=time(21, 0), help_text="latest local time at the number called"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # The list: a filter, or a static list of debt ids (used instead of the filter when set).
    creditor_codes = models.JSONField(default=list, blank=True)
    min_balance = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_balance = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    states = models.JSONField(default=list, blank=True, help_text="consumers' states, e.g. NY")
    debt_ids = models.JSONField(default=list, blank=True, help_text="a static list of debts")
    max_attempts = models.PositiveSmallIntegerField(default=3)
    retry_minutes = models.PositiveIntegerField(default=240)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    list_built_at = models.DateTimeField(null=True, blank=True)
    # When a dialer loop last looked after the campaign (every tick while it is not stopped):
    # a pause pressed while a loop may be dialing for the agent waits for that loop to count
    # them out (`agents.agent_chooses_state`); with no loop running it is immediate.
    loop_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(abandon_target__gte=0) & Q(abandon_target__lte=1),
                name="campaign_abandon_target_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=Q(calling_starts_at__lt=F("calling_ends_at")),
                name="campaign_hours_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pacing(self) -> str:
        """The pacing policy's name for `amicable.dialer.core.make_policy`."""
        return self.mode.lower()


class CampaignMember(models.Model):
    """One person on a campaign's list (their debts that match the list), dialed until done."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "To dial"
        DIALED = "DIALED", "Call in progress"
        DONE = "DONE", "Done"
        SKIPPED = "SKIPPED", "Skipped"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    debt = models.ForeignKey(
        "portfolio.Debt", on_delete=models.PROTECT, related_name="+", help_text="largest debt"
    )
    consumer = models.ForeignKey("portfolio.Consumer", on_delete=models.PROTECT, related_name="+")
    debt_ids = models.JSONField(default=list, help_text="the person's debts on this list")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_result = models.CharField(max_length=32, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "consumer"], name="member_once_per_campaign"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "next_try_at", "id"], name="member_next"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.consumer_id} {self.status}"


class CampaignAgent(models.Model):
    """An agent taking a campaign's calls from `joined_at` until `left_at`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="agents")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # When the agent's desk last asked for calls (None until it first does): a ready agent
    # whose desk has gone quiet is paused by the dialer (`agents.PRESENCE_TIMEOUT`).
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # A pause the agent asked for while lines dialed for them were still ringing, or while on
    # a call: the dialer stops counting them as idle at once, and pauses them when those lines
    # are done or when they finish the call (`agents.agent_chooses_state`).
    pause_requested_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["campaign_id", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"], condition=Q(left_at__isnull=True), name="agent_in_one_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} in {self.campaign_id}"


class DialerCall(models.Model):
    """One dial the dialer placed, from its compliance attempt to its end.

    `state` is where the call is now (for the pacing snapshot); `outcome` what it came to."""

    class State(models.TextChoices):
        DIALING = "DIALING", "Dialing"
        WAITING = "WAITING", "Answered, waiting for an agent"
        CONNECTED = "CONNECTED", "Connected to an agent"
        ENDED = "ENDED", "Ended"

    class Outcome(models.TextChoices):
        LIVE = "LIVE", "Person, connected"
        MACHINE = "MACHINE", "Answering machine"
        NO_ANSWER = "NO_ANSWER", "No answer"
        BUSY = "BUSY", "Busy"
        INVALID = "INVALID", "Not in service"
        ABANDONED = "ABANDONED", "Abandoned (no agent free)"
        FAILED = "FAILED", "Not placed (provider error)"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="calls")
    member = models.ForeignKey(CampaignMember, on_delete=models.PROTECT, related_name="calls")
    consumer = models.ForeignKey("portfolio.Consumer", on_delete=models.PROTECT, related_name="+")
    contact_point = models.ForeignKey(
        "portfolio.ContactPoint", on_delete=models.PROTECT, related_name="+"
    )
    attempt_id = models.BigIntegerField(help_text="the compliance ContactAttempt", unique=True)
    provider = models.CharField(max_length=16)
    provider_call_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DIALING)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    placed_at = models.DateTimeField()
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="a person or machine picked up (after detection)"
    )
    ring_seconds = models.FloatField(null=True, blank=True)
    connected_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    safe_harbour_played = models.BooleanField(default=False)
    # When the loop hung up the line of a call the agent finished on the desk: a loop started
    # later still finds the lines left to hang up (in the database, not in its memory).
    hung_up_at = models.DateTimeField(null=True, blank=True)
    desk_session_id = models.BigIntegerField(
        null=True, blank=True, help_text="the desk's CallSession opened by the screen pop"
    )
    popped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "placed_at"], name="dialercall_campaign_time"),
            models.Index(fields=["state", "campaign"], name="dialercall_in_flight"),
            models.Index(fields=["provider", "provider_call_id"], name="dialercall_provider_id"),
            models.Index(fields=["connected_agent", "state"], name="dialercall_agent"),
            # The lines the loop still has to hang up, looked for every tick: a few rows, not
            # the whole history of calls.
            models.Index(
                fields=["provider", "id"],
                name="dialercall_to_hang_up",
                condition=Q(state="ENDED", outcome="LIVE", hung_up_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="ENDED") | Q(outcome="") | Q(outcome="LIVE"),
                name="dialercall_outcome_when_ended",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="ABANDONED") | Q(connected_agent__isnull=True),
                name="dialercall_abandoned_never_connected",
            ),
        ]

    def __str__(self) -> str:
        return f"Call {self.pk} {self.state} {self.outcome}"


class ProviderEvent(models.Model):
    """A telephony provider's callback (e.g. Twilio's status callback), kept as received and
    handed to the dialer loop, which marks it processed."""

    provider = models.CharField(max_length=16)
    provider_call_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=24)
    ring_seconds = models.FloatField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(
                fields=["received_at", "id"],
                condition=Q(processed_at__isnull=True),
                name="provider_event_unprocessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_call_id} {self.kind}"
