"""Agents' states over time: the dialer routes calls to ready agents, and the time spent in
each state is what talk-time and utilisation reports are made of."""

from django.conf import settings
from django.db import models


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
