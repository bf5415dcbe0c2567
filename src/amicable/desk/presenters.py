"""What the desk's account screen shows, gathered in a fixed number of queries.

Before the person's identity is verified the screen must not reveal anything about a debt:
`AccountScreen.debts` is empty then, and the templates only show the scripts for a
limited-content message and the third-party / wrong-number paths."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from amicable.communications.scripts import render_scripts
from amicable.compliance import api as compliance
from amicable.kernel.money import format_money
from amicable.negotiation.models import ApprovalRequest, Arrangement, HardshipAssessment
from amicable.payments.models import Payment
from amicable.portfolio.models import ContactPoint, Debt, LedgerEntry
from amicable.strategy.models import Callback, CallSession, Disposition, Note


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    who: str
    text: str


@dataclass
class AccountScreen:
    session: CallSession
    phones: list[ContactPoint]
    snapshot: object
    scripts: dict[str, str]
    debts: list[Debt] = field(default_factory=list)
    arrangements: list[Arrangement] = field(default_factory=list)
    assessment: HardshipAssessment | None = None
    payments: list[Payment] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    total_balance: object = None


def account_screen(*, session: CallSession, now: datetime) -> AccountScreen:
    consumer = session.consumer
    phones = list(
        consumer.contact_points.filter(kind=ContactPoint.Kind.PHONE).order_by("-is_primary", "id")
    )
    snapshot = compliance.compliance_snapshot(consumer_id=consumer.pk, now=now)
    screen = AccountScreen(session=session, phones=phones, snapshot=snapshot, scripts={})
    values = {
        "agent_first_name": session.agent.first_name or session.agent.username,
        "consumer_first_name": consumer.first_name,
        "consumer_last_name": consumer.last_name,
        "creditor_name": "",
        "balance": "",
    }
    if session.may_discuss_debt:
        screen.debts = list(
            Debt.objects.filter(consumer=consumer)
            .select_related("creditor")
            .prefetch_related(
                Prefetch(
                    "ledger_entries",
                    queryset=LedgerEntry.objects.order_by("effective_on", "recorded_at", "id"),
                )
            )
            .order_by("status", "creditor__name", "id")
        )
        active = [d for d in screen.debts if d.status == Debt.Status.ACTIVE]
        screen.total_balance = sum((d.balance for d in active), 0)
        values["creditor_name"] = ", ".join(sorted({d.creditor.name for d in active}))
        values["balance"] = format_money(screen.total_balance)
        screen.arrangements = list(
            Arrangement.objects.filter(consumer=consumer)
            .select_related("debt", "approval")
            .prefetch_related("installments")
            .order_by("-created_at", "-id")[:10]
        )
        screen.assessment = consumer.hardship_assessments.order_by("-created_at", "-id").first()
        screen.payments = list(
            Payment.objects.filter(debt__consumer=consumer).order_by("-requested_at", "-id")[:10]
        )
        screen.callbacks = list(
            Callback.objects.filter(consumer=consumer, completed_at__isnull=True).order_by(
                "due_at", "id"
            )
        )
        screen.timeline = timeline_for(consumer_id=consumer.pk)
    screen.scripts = render_scripts(language=session.language, values=values)
    return screen


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


def pending_approvals_for(*, agent_id: int) -> list[ApprovalRequest]:
    return list(
        ApprovalRequest.objects.filter(requested_by_id=agent_id)
        .select_related("arrangement__debt__creditor", "arrangement__consumer")
        .order_by("-requested_at", "-id")[:10]
    )
