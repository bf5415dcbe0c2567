"""Use cases of negotiation: assessments, arrangements, approvals, keeping promises."""

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from django.db import transaction

from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.kernel.money import ZERO, format_money, to_money
from amicable.negotiation import core
from amicable.negotiation.models import (
    ApprovalRequest,
    Arrangement,
    HardshipAssessment,
    Installment,
)
from amicable.portfolio.ledger import Buckets, post_ledger_entry
from amicable.portfolio.models import Debt, LedgerEntry


class UnableToArrange(UnableTo):
    pass


class UnableToDecideApproval(UnableTo):
    pass


def authority_of(debt: Debt) -> core.Authority:
    return core.Authority(
        min_settlement_rate=debt.creditor.min_settlement_rate,
        max_plan_months=debt.creditor.max_plan_months,
    )


@transaction.atomic
def record_assessment(
    *,
    consumer_id: int,
    reason: str,
    notes: str,
    incomes: list[core.Income],
    expenses: list[core.Expense],
    actor_id: int,
    now: datetime,
) -> HardshipAssessment:
    if reason not in HardshipAssessment.Reason.values:
        raise UnableToArrange(f"reason: {reason!r} is not a hardship code")
    affordability = core.assess_affordability(incomes=incomes, expenses=expenses)
    assessment = HardshipAssessment.objects.create(
        consumer_id=consumer_id,
        reason=reason,
        notes=notes.strip(),
        monthly_income=affordability.monthly_income,
        monthly_expenses=affordability.monthly_expenses,
        disposable_monthly=affordability.disposable_monthly,
        lines=[
            {
                "kind": "income" if isinstance(line, core.Income) else "expense",
                "name": getattr(line, "source", "") or getattr(line, "category", ""),
                "amount": str(line.amount),
                "frequency": line.frequency,
            }
            for line in affordability.lines
        ],
        created_by_id=actor_id,
        created_at=now,
    )
    record_audit_event(
        at=now,
        actor_id=actor_id,
        action="hardship.assessed",
        object_type="Consumer",
        object_id=consumer_id,
        details={"assessment_id": assessment.pk, "reason": reason},
    )
    return assessment


def propose_for_debt(
    *, debt: Debt, disposable_monthly: Decimal | None, today: date
) -> list[core.Option]:
    """The options to put side by side on the desk (pure maths, nothing stored)."""
    if debt.balance <= ZERO:
        return []
    return core.propose_options(
        balance=debt.balance,
        disposable_monthly=disposable_monthly,
        authority=authority_of(debt),
        today=today,
    )


@transaction.atomic
def create_arrangement(
    *,
    debt_id: int,
    kind: str,
    total: Decimal,
    count: int,
    frequency: str,
    first_due_on: date,
    actor_id: int,
    now: datetime,
    today: date,
    assessment_id: int | None = None,
    agent_note: str = "",
    approved_counter: ApprovalRequest | None = None,
) -> Arrangement:
    """Record what the person agreed. Outside the agent's authority it waits for a supervisor.

    One arrangement is live per debt: a new one cancels any active or pending one."""
    if kind not in Arrangement.Kind.values:
        raise UnableToArrange(f"kind: {kind!r} is not an arrangement kind")
    debt = Debt.objects.select_related("creditor").select_for_update().get(pk=debt_id)
    total = to_money(total)
    if count < 1:
        raise UnableToArrange("number of payments: must be at least 1")
    assessment = (
        HardshipAssessment.objects.filter(pk=assessment_id).first() if assessment_id else None
    )
    disposable = assessment.disposable_monthly if assessment else None
    # Not checked here: core refuses an unknown frequency (caught below).
    plan_frequency = cast(core.Frequency, frequency if count > 1 else "MONTHLY")
    try:
        verdict = core.evaluate_arrangement(
            balance=debt.balance,
            disposable_monthly=disposable,
            authority=authority_of(debt),
            today=today,
            total=total,
            first_due_on=first_due_on,
            count=count,
            frequency=plan_frequency,
        )
        schedule = core.build_schedule(
            total=total,
            count=count,
            frequency=plan_frequency,
            first_due_on=first_due_on,
        )
    except (core.UnableToProposeOptions, core.UnableToBuildSchedule) as error:
        raise UnableToArrange(str(error)) from error
    within = verdict.within_authority or approved_counter is not None
    replaced = Arrangement.objects.filter(
        debt=debt, status__in=[Arrangement.Status.ACTIVE, Arrangement.Status.PENDING_APPROVAL]
    )
    # Their requests still waiting leave the supervisors' queue: nothing is left to decide.
    ApprovalRequest.objects.filter(
        arrangement__in=replaced, status=ApprovalRequest.Status.PENDING
    ).update(
        status=ApprovalRequest.Status.DECLINED,
        decided_at=now,
        decision_reason="withdrawn: the agent agreed another arrangement",
    )
    replaced.update(status=Arrangement.Status.CANCELLED, status_changed_at=now)
    arrangement = Arrangement.objects.create(
        debt=debt,
        consumer_id=debt.consumer_id,
        kind=kind,
        status=Arrangement.Status.ACTIVE if within else Arrangement.Status.PENDING_APPROVAL,
        frequency=frequency if count > 1 else "",
        balance_at_agreement=debt.balance,
        total=total,
        within_authority=verdict.within_authority,
        authority_notes=list(verdict.reasons),
        assessment=assessment,
        created_by_id=actor_id,
        created_at=now,
        status_changed_at=now,
    )
    Installment.objects.bulk_create(
        [
            Installment(arrangement=arrangement, number=n, due_on=item.due_on, amount=item.amount)
            for n, item in enumerate(schedule, start=1)
        ]
    )
    if not within:
        ApprovalRequest.objects.create(
            arrangement=arrangement,
            requested_by_id=actor_id,
            requested_at=now,
            agent_note=agent_note.strip(),
        )
    record_audit_event(
        at=now,
        actor_id=actor_id,
        action="arrangement.created",
        object_type="Debt",
        object_id=debt.pk,
        details={"arrangement_id": arrangement.pk, "kind": kind, "status": arrangement.status},
    )
    return arrangement


@transaction.atomic
def decide_approval(
    *,
    approval_id: int,
    decision: str,
    reason: str,
    supervisor_id: int,
    now: datetime,
    counter_total: Decimal | None = None,
    counter_payments: int | None = None,
) -> ApprovalRequest:
    """Approve, counter (with the terms the supervisor would accept) or decline."""
    approval = (
        ApprovalRequest.objects.select_for_update()
        .select_related("arrangement")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        raise UnableToDecideApproval("there is no such approval request")
    if approval.status != ApprovalRequest.Status.PENDING:
        raise UnableToDecideApproval(
            f"this request was already {approval.get_status_display().lower()}"
        )
    if not reason.strip():
        raise UnableToDecideApproval("reason: say why, so the agent can explain it")
    arrangement = approval.arrangement
    if arrangement.status != Arrangement.Status.PENDING_APPROVAL:
        # The agent agreed something else meanwhile, which cancelled this one.
        raise UnableToDecideApproval(
            "this arrangement was replaced by another one meanwhile: there is nothing to decide"
        )
    if decision == "APPROVE":
        approval.status = ApprovalRequest.Status.APPROVED
        arrangement.status = Arrangement.Status.ACTIVE
    elif decision == "DECLINE":
        approval.status = ApprovalRequest.Status.DECLINED
        arrangement.status = Arrangement.Status.DECLINED
    elif decision == "COUNTER":
        if counter_total is None or not counter_payments or counter_payments < 1:
            raise UnableToDecideApproval("a counter needs a total and a number of payments")
        if counter_total <= 0 or counter_total != to_money(counter_total):
            raise UnableToDecideApproval("the counter total must be a positive amount in cents")
        if to_money(counter_total) > arrangement.balance_at_agreement:
            raise UnableToDecideApproval("the counter total cannot exceed the balance")
        approval.status = ApprovalRequest.Status.COUNTERED
        approval.counter_total = to_money(counter_total)
        approval.counter_payments = counter_payments
        arrangement.status = Arrangement.Status.DECLINED
    else:
        raise UnableToDecideApproval(f"decision: {decision!r} is not APPROVE, COUNTER or DECLINE")
    approval.decided_by_id = supervisor_id
    approval.decided_at = now
    approval.decision_reason = reason.strip()
    approval.save()
    arrangement.status_changed_at = now
    arrangement.save(update_fields=["status", "status_changed_at"])
    record_audit_event(
        at=now,
        actor_id=supervisor_id,
        action="approval.decided",
        object_type="Debt",
        object_id=arrangement.debt_id,
        details={"approval_id": approval.pk, "decision": decision},
    )
    return approval


@transaction.atomic
def accept_counter(
    *, approval_id: int, actor_id: int, now: datetime, today: date, first_due_on: date
) -> Arrangement:
    """The person accepts the supervisor's counter: it becomes an active arrangement, once
    (the request is locked and marked accepted, so a second press or a retry makes nothing)."""
    approval = (
        ApprovalRequest.objects.select_for_update()
        .select_related("arrangement")
        .filter(pk=approval_id)
        .first()
    )
    if approval is not None and approval.status == ApprovalRequest.Status.ACCEPTED:
        raise UnableToArrange("this counter offer was already accepted")
    if approval is None or approval.status != ApprovalRequest.Status.COUNTERED:
        raise UnableToArrange("there is no counter offer to accept")
    original = approval.arrangement
    # `decide_approval` sets both when it counters.
    assert approval.counter_total is not None and approval.counter_payments is not None
    balance = Debt.objects.get(pk=original.debt_id).balance
    if balance != original.balance_at_agreement:
        raise UnableToArrange(
            "the balance changed since the supervisor's counter "
            f"({format_money(original.balance_at_agreement)} then, {format_money(balance)} now):"
            " agree the terms again, for a new approval"
        )
    approval.status = ApprovalRequest.Status.ACCEPTED
    approval.save(update_fields=["status"])
    return create_arrangement(
        debt_id=original.debt_id,
        kind=original.kind,
        total=approval.counter_total,
        count=approval.counter_payments,
        frequency=original.frequency or "MONTHLY",
        first_due_on=first_due_on,
        actor_id=actor_id,
        now=now,
        today=today,
        assessment_id=original.assessment_id,
        approved_counter=approval,
    )


def _payments_since(debt_id: int, since: datetime) -> list[tuple[date, Decimal]]:
    """Payments recorded since the arrangement was agreed (a down payment taken an hour
    before is not one of its installments)."""
    entries = (
        LedgerEntry.objects.filter(
            debt_id=debt_id, kind=LedgerEntry.Kind.PAYMENT, recorded_at__gte=since
        )
        .order_by("effective_on", "id")
        .values_list("effective_on", "amount")
    )
    return [(on, -amount) for on, amount in entries]


@transaction.atomic
def refresh_arrangement(*, arrangement_id: int, today: date, now: datetime) -> Arrangement:
    """Judge an active arrangement against the payments received: kept, broken or pending."""
    arrangement = Arrangement.objects.select_for_update().get(pk=arrangement_id)
    if arrangement.status != Arrangement.Status.ACTIVE:
        return arrangement
    installments = list(arrangement.installments.order_by("number"))
    status = core.plan_status(
        installments=[core.Installment(due_on=i.due_on, amount=i.amount) for i in installments],
        payments=_payments_since(arrangement.debt_id, arrangement.created_at),
        today=today,
    )
    for row, judged in zip(installments, status.installments, strict=True):
        new_status = {"KEPT": "KEPT", "BROKEN": "BROKEN"}.get(judged.status, "DUE")
        if row.paid != judged.paid or row.status != new_status:
            row.paid, row.status = judged.paid, new_status
            row.save(update_fields=["paid", "status"])
    if status.status in {"KEPT", "BROKEN"}:
        arrangement.status = status.status
        arrangement.status_changed_at = now
        arrangement.save(update_fields=["status", "status_changed_at"])
        record_audit_event(
            at=now,
            actor_id=None,
            action=f"arrangement.{status.status.lower()}",
            object_type="Debt",
            object_id=arrangement.debt_id,
            details={"arrangement_id": arrangement.pk},
        )
        if status.status == "KEPT" and arrangement.kind == Arrangement.Kind.SETTLEMENT:
            _settle(arrangement, now=now)
    return arrangement


def _settle(arrangement: Arrangement, *, now: datetime) -> None:
    """A settlement paid as agreed settles the debt: what is left is written off (an
    adjustment, so the ledger still sums to the balance) and the debt is SETTLED, out of
    the queues for good."""
    debt = Debt.objects.select_for_update().get(pk=arrangement.debt_id)
    if debt.balance > ZERO:
        post_ledger_entry(
            debt_id=debt.pk,
            kind=LedgerEntry.Kind.ADJUSTMENT,
            buckets=Buckets(
                principal=-debt.principal_balance,
                interest=-debt.interest_balance,
                fees=-debt.fees_balance,
            ),
            effective_on=now.date(),
            recorded_at=now,
            idempotency_key=f"settlement:{arrangement.pk}:write-off",
            description="Settled: the rest written off "
            f"(settlement of {format_money(arrangement.total)})",
        )
    previous = debt.status
    Debt.objects.filter(pk=debt.pk).update(status=Debt.Status.SETTLED)
    record_audit_event(
        at=now,
        actor_id=None,
        action="debt.status_changed",
        object_type="Debt",
        object_id=debt.pk,
        details={"from": previous, "to": Debt.Status.SETTLED, "arrangement_id": arrangement.pk},
    )


def refresh_due_arrangements(*, today: date, now: datetime) -> int:
    """Judge every active arrangement with an installment due by today (a daily task)."""
    ids = list(
        Arrangement.objects.filter(
            status=Arrangement.Status.ACTIVE, installments__due_on__lte=today
        )
        .values_list("id", flat=True)
        .distinct()
        .order_by("id")
    )
    for arrangement_id in ids:
        refresh_arrangement(arrangement_id=arrangement_id, today=today, now=now)
    return len(ids)
