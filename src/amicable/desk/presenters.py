"""What the desk's account screen shows, gathered in a fixed number of queries.

Before the person's identity is verified the screen must not reveal anything about a debt:
`AccountScreen.debts` is empty then, and the templates only show the scripts for a
limited-content message and the third-party / wrong-number paths."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch

from amicable.communications.scripts import render_scripts
from amicable.compliance import api as compliance
from amicable.kernel.money import format_money
from amicable.negotiation.models import ApprovalRequest, Arrangement, HardshipAssessment
from amicable.payments.models import Payment
from amicable.portfolio.models import ContactPoint, Debt, LedgerEntry
from amicable.strategy.models import Callback, CallSession
from amicable.strategy.selectors import TimelineItem, timeline_for


@dataclass
class AccountScreen:
    session: CallSession
    phones: list[ContactPoint]
    snapshot: compliance.ComplianceSnapshot
    scripts: dict[str, str]
    debts: list[Debt] = field(default_factory=list)
    arrangements: list[Arrangement] = field(default_factory=list)
    assessment: HardshipAssessment | None = None
    payments: list[Payment] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    total_balance: Decimal | int | None = None  # 0 (an int) without active debts


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


def pending_approvals_for(*, agent_id: int) -> list[ApprovalRequest]:
    return list(
        ApprovalRequest.objects.filter(requested_by_id=agent_id)
        .select_related("arrangement__debt__creditor", "arrangement__consumer")
        .order_by("-requested_at", "-id")[:10]
    )
