"""Reads of the collectors' work, shared by the desk and the back office."""

from dataclasses import dataclass
from datetime import datetime

from amicable.compliance import api as compliance
from amicable.kernel.money import format_money
from amicable.negotiation.models import Arrangement
from amicable.portfolio.models import LedgerEntry
from amicable.strategy.models import Disposition, Note


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    who: str
    text: str


def timeline_for(*, consumer_id: int, limit: int = 100) -> list[TimelineItem]:
    """One timeline of everything that happened on the account, newest first."""
    items: list[TimelineItem] = []
    for attempt in (
        compliance.ContactAttempt.objects.filter(consumer_id=consumer_id)
        .select_related("actor")
        .order_by("-requested_at", "-id")[:limit]
    ):
        verdict = "allowed" if attempt.allowed else "refused"
        result = f", {attempt.result.replace('_', ' ')}" if attempt.result else ""
        items.append(
            TimelineItem(
                attempt.requested_at,
                "Contact",
                attempt.actor.username if attempt.actor else attempt.source.lower(),
                f"{attempt.get_channel_display()} {verdict}{result}",
            )
        )
    for disposition in (
        Disposition.objects.filter(consumer_id=consumer_id)
        .select_related("agent")
        .order_by("-at", "-id")[:limit]
    ):
        items.append(
            TimelineItem(
                disposition.at,
                "Outcome",
                disposition.agent.username,
                disposition.get_code_display(),
            )
        )
    for note in (
        Note.objects.filter(consumer_id=consumer_id)
        .select_related("author")
        .order_by("-at", "-id")[:limit]
    ):
        items.append(TimelineItem(note.at, "Note", note.author.username, note.text))
    for arrangement in (
        Arrangement.objects.filter(consumer_id=consumer_id)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    ):
        items.append(
            TimelineItem(
                arrangement.created_at,
                "Arrangement",
                arrangement.created_by.username,
                f"{arrangement.get_kind_display()} {format_money(arrangement.total)} "
                f"({arrangement.get_status_display().lower()})",
            )
        )
    for entry in LedgerEntry.objects.filter(debt__consumer_id=consumer_id).order_by(
        "-recorded_at", "-id"
    )[:limit]:
        items.append(
            TimelineItem(
                entry.recorded_at,
                "Ledger",
                "system",
                f"{entry.get_kind_display()} {format_money(entry.amount)}",
            )
        )
    for fact in (
        compliance.ComplianceFact.objects.filter(consumer_id=consumer_id)
        .select_related("recorded_by")
        .order_by("-at", "-id")[:limit]
    ):
        who = fact.recorded_by.username if fact.recorded_by else "system"
        items.append(TimelineItem(fact.at, "Compliance", who, fact.get_kind_display()))
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
