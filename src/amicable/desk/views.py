"""The collector's desk. Views are thin: parse, call one service, redirect or render."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from amicable.compliance.api import UnableToAuthorizeContact, UnableToRecordFact
from amicable.desk import forms
from amicable.desk.presenters import account_screen, pending_approvals_for
from amicable.dialer.agents import (
    PAUSE_REASONS,
    UnableToChangeState,
    agent_chooses_state,
    call_finished,
    current_state,
    pause_requested,
    withdraw_pause_request,
)
from amicable.identity.permissions import role_required
from amicable.identity.roles import Role
from amicable.kernel.clock import utc_now
from amicable.kernel.errors import UnableTo
from amicable.negotiation import core as negotiation_core
from amicable.negotiation.models import Arrangement
from amicable.negotiation.services import (
    accept_counter,
    create_arrangement,
    propose_for_debt,
    record_assessment,
)
from amicable.payments.models import Payment
from amicable.payments.processors.base import BankAccount, Card, PaymentMethodInput
from amicable.payments.services import take_payment
from amicable.portfolio.models import Debt
from amicable.strategy import services as work
from amicable.strategy.models import Callback, CallSession

DESK_ROLES = (Role.AGENT, Role.SUPERVISOR)


def _session(request, session_id: int) -> CallSession:
    try:
        return work.session_for_agent(session_id=session_id, agent_id=request.user.pk)
    except work.UnableToWorkAccount:
        raise Http404("No such call, or not yours.") from None


def _back(session_id: int, anchor: str = ""):
    return redirect(reverse("desk_session", args=[session_id]) + (f"#{anchor}" if anchor else ""))


@role_required(*DESK_ROLES)
def home(request):
    now = utc_now()
    state = current_state(agent_id=request.user.pk)
    open_sessions = (
        CallSession.objects.filter(agent=request.user, ended_at__isnull=True)
        .select_related("consumer")
        .order_by("-started_at")
    )
    callbacks = (
        Callback.objects.filter(agent=request.user, completed_at__isnull=True)
        .select_related("consumer")
        .order_by("due_at", "id")[:20]
    )
    return render(
        request,
        "desk/home.html",
        {
            "nav": "desk",
            "state": state,
            "pausing": pause_requested(agent_id=request.user.pk),
            "pause_reasons": PAUSE_REASONS,
            "now": now,
            "open_sessions": open_sessions,
            "callbacks": callbacks,
            "approvals": pending_approvals_for(agent_id=request.user.pk),
        },
    )


@role_required(*DESK_ROLES)
@require_POST
def set_status(request):
    state = request.POST.get("state", "")
    try:
        agent_chooses_state(
            agent_id=request.user.pk,
            state=state,
            reason=request.POST.get("reason", ""),
            now=utc_now(),
        )
    except UnableToChangeState as error:
        messages.error(request, error.message)
    else:
        if state == "PAUSED" and pause_requested(agent_id=request.user.pk):
            current = current_state(agent_id=request.user.pk)
            if current is not None and current.state == "ON_CALL":
                messages.info(request, "You will be paused when you record this call's outcome.")
            else:
                messages.info(
                    request,
                    "You will be paused in a few seconds, when the lines already dialed for you "
                    "are done: a person who answers one still comes to you.",
                )
    return redirect("desk_home")


@role_required(*DESK_ROLES)
@require_POST
def next_account(request):
    now = utc_now()
    state = current_state(agent_id=request.user.pk)
    if state is None or state.state != "READY":
        messages.error(request, "Set yourself ready to take the next account.")
        return redirect("desk_home")
    session = work.next_account(agent_id=request.user.pk, now=now)
    if session is None:
        messages.info(request, "No account in your queue may be called right now.")
        return redirect("desk_home")
    return redirect("desk_session", session_id=session.pk)


@role_required(*DESK_ROLES)
@require_POST
def open_account(request, consumer_id: int):
    try:
        origin = request.POST.get("origin", "SEARCH")
        session = work.open_account(
            agent_id=request.user.pk,
            consumer_id=consumer_id,
            origin=origin if origin in ("SEARCH", "INBOUND") else "SEARCH",
            now=utc_now(),
        )
    except work.UnableToWorkAccount as error:
        messages.error(request, error.message)
        return redirect("account_detail", consumer_id=consumer_id)
    return redirect("desk_session", session_id=session.pk)


@role_required(*DESK_ROLES)
def session_view(request, session_id: int):
    session = _session(request, session_id)
    now = utc_now()
    screen = account_screen(session=session, now=now)
    zone = screen.snapshot.local_times[0].zone if screen.snapshot.local_times else "UTC"
    context = {
        "nav": "desk",
        "screen": screen,
        "session": session,
        "now": now,
        "zone": zone,
        "verify_form": forms.VerifyForm(),
        "required_checks": work.required_checks(),
        "disposition_form": forms.DispositionForm(),
        "note_form": forms.NoteForm(),
        "callback_form": forms.CallbackForm(),
        "pause_reasons": PAUSE_REASONS,
    }
    state = current_state(agent_id=request.user.pk)
    if state is not None and state.state == "ON_CALL":  # a call the dialer connected
        context["dialer_call"] = True
        context["pausing"] = pause_requested(agent_id=request.user.pk)
    if session.may_negotiate:
        context.update(_negotiation_context(request, screen, now))
    return render(request, "desk/session.html", context)


def _negotiation_context(request, screen, now: datetime) -> dict:
    today = now.date()
    disposable = screen.assessment.disposable_monthly if screen.assessment else None
    active = [d for d in screen.debts if d.status == Debt.Status.ACTIVE and d.balance > 0]
    options = {
        debt.pk: propose_for_debt(debt=debt, disposable_monthly=disposable, today=today)
        for debt in active
    }
    return {
        "hardship_form": forms.HardshipForm(),
        "options": options,
        "active_debts": active,
        "arrangement_form": forms.ArrangementForm(
            initial={"first_due_on": forms.default_first_due(today)}
        ),
        "payment_key": uuid.uuid4().hex + uuid.uuid4().hex[:8],
        "payment_form": forms.PaymentForm(),
    }


def _run(request, session_id: int, action, *, anchor: str = "", success: str = ""):
    try:
        action()
    except UnableTo as error:
        messages.error(request, error.message)
    else:
        if success:
            messages.success(request, success)
    return _back(session_id, anchor)


@role_required(*DESK_ROLES)
@require_POST
def place_call(request, session_id: int):
    _session(request, session_id)
    try:
        authorization = work.place_call(
            session_id=session_id,
            agent_id=request.user.pk,
            contact_point_id=int(request.POST["phone"]),
            now=utc_now(),
        )
    except (UnableToAuthorizeContact, work.UnableToWorkAccount, KeyError, ValueError) as error:
        messages.error(request, getattr(error, "message", "Choose a number to call."))
        return _back(session_id)
    if authorization.allowed:
        messages.success(request, "Call allowed and recorded. Dialing…")
    else:
        reasons = " ".join(f"{r.message} ({r.citation})" for r in authorization.decision.reasons)
        messages.error(request, f"This call is not allowed: {reasons}")
    return _back(session_id)


@role_required(*DESK_ROLES)
@require_POST
def verify(request, session_id: int):
    _session(request, session_id)
    form = forms.VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the identity answers.")
        return _back(session_id)
    try:
        result = work.verify_identity(
            session_id=session_id, agent_id=request.user.pk, answers=form.answers(), now=utc_now()
        )
    except work.UnableToWorkAccount as error:
        messages.error(request, error.message)
        return _back(session_id)
    if result.verified:
        messages.success(
            request, "Identity confirmed. Read the disclosure before discussing the account."
        )
    elif result.failed:
        messages.error(
            request,
            "The answers did not match our records. Do not discuss the "
            "account; offer the limited-content message.",
        )
    else:
        messages.info(
            request, f"{len(result.passed)} check(s) passed; {work.required_checks()} are needed."
        )
    return _back(session_id)


@role_required(*DESK_ROLES)
@require_POST
def wrong_party(request, session_id: int):
    _session(request, session_id)
    return _run(
        request,
        session_id,
        lambda: work.mark_wrong_party(
            session_id=session_id, agent_id=request.user.pk, now=utc_now()
        ),
    )


@role_required(*DESK_ROLES)
@require_POST
def disclosure(request, session_id: int):
    _session(request, session_id)
    return _run(
        request,
        session_id,
        lambda: work.confirm_disclosure(
            session_id=session_id, agent_id=request.user.pk, now=utc_now()
        ),
        anchor="situation",
    )


def _require_negotiation(request, session_id: int) -> CallSession:
    session = _session(request, session_id)
    if not session.may_negotiate:
        raise Http404("Verify the person and read the disclosure first.")
    return session


@role_required(*DESK_ROLES)
@require_POST
def hardship(request, session_id: int):
    session = _require_negotiation(request, session_id)
    form = forms.HardshipForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Check the income and expenses: "
            + "; ".join(
                f"{form.fields[f].label or f}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
            ),
        )
        return _back(session_id, "situation")
    data = form.cleaned_data
    incomes = [
        negotiation_core.Income(
            source="take-home pay", amount=data["income"], frequency=data["income_frequency"]
        )
    ]
    if data.get("other_income"):
        incomes.append(negotiation_core.Income(source="other", amount=data["other_income"]))
    expenses = [
        negotiation_core.Expense(category=name.removeprefix("expense_").upper(), amount=value)
        for name, value in data.items()
        if name.startswith("expense_") and value
    ]
    return _run(
        request,
        session_id,
        lambda: record_assessment(
            consumer_id=session.consumer_id,
            reason=data["reason"],
            notes=data["notes"],
            incomes=incomes,
            expenses=expenses,
            actor_id=request.user.pk,
            now=utc_now(),
        ),
        anchor="options",
        success="Situation recorded; the options below fit it.",
    )


@role_required(*DESK_ROLES)
@require_POST
def arrangement(request, session_id: int):
    session = _require_negotiation(request, session_id)
    form = forms.ArrangementForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Check the arrangement: "
            + "; ".join(f"{f}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()),
        )
        return _back(session_id, "options")
    data = form.cleaned_data
    if not Debt.objects.filter(pk=data["debt"], consumer_id=session.consumer_id).exists():
        raise Http404("Not this person's debt.")
    now = utc_now()
    assessment = session.consumer.hardship_assessments.order_by("-created_at", "-id").first()
    try:
        created = create_arrangement(
            debt_id=data["debt"],
            kind=data["kind"],
            total=data["total"],
            count=data["count"],
            frequency=data["frequency"],
            first_due_on=data["first_due_on"],
            actor_id=request.user.pk,
            now=now,
            today=now.date(),
            assessment_id=assessment.pk if assessment else None,
            agent_note=data["agent_note"],
        )
    except UnableTo as error:
        messages.error(request, error.message)
        return _back(session_id, "options")
    if created.status == Arrangement.Status.PENDING_APPROVAL:
        messages.info(
            request,
            "This is outside your authority: it was sent to a supervisor. "
            "You'll see the answer here.",
        )
    else:
        messages.success(request, f"{created.get_kind_display()} recorded.")
    return _back(session_id, "arrangements")


@role_required(*DESK_ROLES)
@require_POST
def take_counter(request, session_id: int):
    _require_negotiation(request, session_id)
    now = utc_now()
    return _run(
        request,
        session_id,
        lambda: accept_counter(
            approval_id=int(request.POST.get("approval", 0)),
            actor_id=request.user.pk,
            now=now,
            today=now.date(),
            first_due_on=forms.default_first_due(now.date()),
        ),
        anchor="arrangements",
        success="The supervisor's counter offer is now the arrangement.",
    )


@sensitive_post_parameters(
    "card_number", "cvc", "account_number", "routing_number", "exp_month", "exp_year"
)
@role_required(*DESK_ROLES)
@require_POST
def payment(request, session_id: int):
    session = _require_negotiation(request, session_id)
    form = forms.PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Check the payment details: "
            + "; ".join(
                f"{f.replace('_', ' ')}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
            ),
        )
        return _back(session_id, "payment")
    data = form.cleaned_data
    if not Debt.objects.filter(pk=data["debt"], consumer_id=session.consumer_id).exists():
        raise Http404("Not this person's debt.")
    try:
        if data["method"] == "CARD":
            method = PaymentMethodInput(
                card=Card(
                    number=data["card_number"],
                    exp_month=data["exp_month"],
                    exp_year=data["exp_year"],
                    cvc=data["cvc"],
                    postal_code=data["postal_code"],
                )
            )
        else:
            method = PaymentMethodInput(
                bank_account=BankAccount(
                    routing_number=data["routing_number"],
                    account_number=data["account_number"],
                    account_type=data["account_type"] or "CHECKING",
                    holder_name=data["holder_name"],
                )
            )
        result = take_payment(
            debt_id=data["debt"],
            amount=data["amount"],
            method=method,
            idempotency_key=data["idempotency_key"],
            now=utc_now(),
            actor_id=request.user.pk,
        )
    except UnableTo as error:
        messages.error(request, error.message)
        return _back(session_id, "payment")
    if result.status == Payment.Status.SUCCEEDED:
        return redirect("desk_receipt", session_id=session_id, payment_id=result.pk)
    messages.error(
        request,
        f"The payment was {result.get_status_display().lower()}: "
        f"{result.message or result.decline_code}",
    )
    return _back(session_id, "payment")


@role_required(*DESK_ROLES)
def receipt(request, session_id: int, payment_id: int):
    session = _session(request, session_id)
    found = (
        Payment.objects.select_related("debt__creditor", "ledger_entry")
        .filter(pk=payment_id, debt__consumer_id=session.consumer_id)
        .first()
    )
    if found is None:
        raise Http404("No such payment on this account.")
    return render(
        request, "desk/receipt.html", {"nav": "desk", "session": session, "payment": found}
    )


@role_required(*DESK_ROLES)
@require_POST
def callback(request, session_id: int):
    session = _session(request, session_id)
    form = forms.CallbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a date and a time for the callback.")
        return _back(session_id)
    at = forms.local_datetime(
        form.cleaned_data["callback_on"],
        form.cleaned_data["callback_time"],
        request.POST.get("zone", ""),
    )
    return _run(
        request,
        session.pk,
        lambda: work.schedule_callback(
            session_id=session.pk,
            agent_id=request.user.pk,
            at=at,
            now=utc_now(),
            note=form.cleaned_data["note"],
        ),
        success="Callback booked.",
    )


@role_required(*DESK_ROLES)
@require_POST
def note(request, session_id: int):
    session = _session(request, session_id)
    return _run(
        request,
        session.pk,
        lambda: work.add_note(
            consumer_id=session.consumer_id,
            author_id=request.user.pk,
            text=request.POST.get("text", ""),
            now=utc_now(),
        ),
        anchor="timeline",
        success="Note added.",
    )


@role_required(*DESK_ROLES)
@require_POST
def dispose(request, session_id: int):
    session = _session(request, session_id)
    form = forms.DispositionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an outcome.")
        return _back(session_id, "outcome")
    zone = request.POST.get("zone") or "UTC"
    now = utc_now()
    try:
        work.record_disposition(
            session_id=session.pk,
            agent_id=request.user.pk,
            code=form.cleaned_data["code"],
            note=form.cleaned_data["note"],
            callback_at=form.callback_at(zone),
            now=now,
        )
    except (UnableTo, UnableToRecordFact) as error:
        messages.error(request, error.message)
        return _back(session_id, "outcome")
    pause_after = bool(request.POST.get("pause_after"))  # "Pause after this call"
    if request.POST.get("pause_offered") and not pause_after:
        withdraw_pause_request(agent_id=request.user.pk)
    reason = request.POST.get("pause_reason", "")
    if pause_after and pause_requested(agent_id=request.user.pk):
        # A pause asked for from the desk home: the reason chosen here is the one that counts.
        withdraw_pause_request(agent_id=request.user.pk)
    call_finished(agent_id=request.user.pk, session_id=session.pk, now=now)  # dialer calls
    if pause_after:  # from wrap-up (the call is finished), a pause is immediate
        try:
            agent_chooses_state(agent_id=request.user.pk, state="PAUSED", reason=reason, now=now)
        except UnableToChangeState as error:
            messages.error(request, error.message)
    state = current_state(agent_id=request.user.pk)
    if state is not None and state.state == "PAUSED":
        messages.success(request, f"Outcome recorded. You are paused ({state.reason}).")
    else:
        messages.success(request, "Outcome recorded. Ready for the next account.")
    return redirect("desk_home")
