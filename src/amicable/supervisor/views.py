"""The supervisor's approval queue: arrangements outside an agent's authority."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from amicable.identity.permissions import role_required
from amicable.identity.roles import Role
from amicable.kernel.clock import utc_now
from amicable.negotiation.models import ApprovalRequest
from amicable.negotiation.services import UnableToDecideApproval, decide_approval


@role_required(Role.SUPERVISOR, Role.ADMIN)
def approvals(request):
    pending = (
        ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING)
        .select_related(
            "arrangement__debt__creditor",
            "arrangement__consumer",
            "arrangement__assessment",
            "requested_by",
        )
        .prefetch_related("arrangement__installments")
        .order_by("requested_at", "id")
    )
    decided = (
        ApprovalRequest.objects.exclude(status=ApprovalRequest.Status.PENDING)
        .select_related(
            "arrangement__debt__creditor", "arrangement__consumer", "decided_by", "requested_by"
        )
        .order_by("-decided_at", "-id")[:20]
    )
    return render(
        request,
        "supervisor/approvals.html",
        {"nav": "approvals", "pending": pending, "decided": decided},
    )


@role_required(Role.SUPERVISOR, Role.ADMIN)
@require_POST
def decide(request, approval_id: int):
    try:
        counter_total = (
            Decimal(request.POST["counter_total"]) if request.POST.get("counter_total") else None
        )
        counter_payments = (
            int(request.POST["counter_payments"]) if request.POST.get("counter_payments") else None
        )
        decide_approval(
            approval_id=approval_id,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            supervisor_id=request.user.pk,
            now=utc_now(),
            counter_total=counter_total,
            counter_payments=counter_payments,
        )
    except (InvalidOperation, ValueError):
        messages.error(request, "The counter needs an amount and a whole number of payments.")
    except UnableToDecideApproval as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Decision recorded; the agent sees it on their desk.")
    return redirect("supervisor_approvals")
