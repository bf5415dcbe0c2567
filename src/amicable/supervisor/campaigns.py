"""Supervisors' campaign screens: the list with live figures, creating one, start/pause/stop."""

import json
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from amicable.dialer.models import Campaign
from amicable.dialer.selectors import campaign_figures
from amicable.dialer.services import (
    CampaignFilter,
    UnableToManageCampaign,
    create_campaign,
    set_campaign_status,
)
from amicable.identity.permissions import role_required
from amicable.identity.roles import Role, has_any_role
from amicable.kernel.clock import utc_now
from amicable.kernel.ids import storable_id
from amicable.portfolio.models import Creditor
from amicable.strategy.services import work_queue_debt_ids

MANAGERS = (Role.SUPERVISOR, Role.ADMIN)


#: As many debt ids as the API takes in one campaign.
MAX_LISTED_DEBTS = 100_000


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows: write a finite number.")


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=100)
    mode = forms.ChoiceField(choices=Campaign.Mode.choices, initial=Campaign.Mode.PROGRESSIVE)
    creditors = forms.ModelMultipleChoiceField(
        queryset=Creditor.objects.filter(is_active=True).order_by("name", "id"),
        to_field_name="code",
        required=False,
    )
    min_balance = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    max_balance = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    states = forms.CharField(
        required=False, help_text="two-letter codes, separated by commas (e.g. NY, NJ)"
    )
    debt_ids = forms.CharField(
        required=False,
        label="Or a list of debt ids",
        help_text="used instead of the filter when given",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    work_queue_people = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=50_000,
        label="Or the next people of the work queue",
        help_text="how many: the desk's queue order (callbacks due, broken promises, new accounts)",
    )
    abandon_target_percent = forms.DecimalField(
        label="Abandonment target (%)",
        initial=Decimal("3.0"),
        min_value=0,
        max_value=3,
        decimal_places=1,
    )
    calling_starts_at = forms.TimeField(initial="08:00", label="Calls from (local time)")
    calling_ends_at = forms.TimeField(initial="21:00", label="Calls until (local time)")
    max_attempts = forms.IntegerField(
        required=False, initial=3, min_value=1, max_value=20, label="Tries per person"
    )
    retry_minutes = forms.IntegerField(
        required=False,
        initial=240,
        min_value=1,
        max_value=7 * 24 * 60,
        label="Minutes between tries",
    )
    pacing_options = forms.CharField(
        required=False,
        label="Pacing options (JSON)",
        help_text='for the predictive policy, e.g. {"safety_margin": 0.005}; see docs/dialer.md',
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_pacing_options(self):
        text = self.cleaned_data["pacing_options"].strip()
        if not text:
            return {}
        try:
            options = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not JSON: {error.msg} (line {error.lineno}).") from None
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if not isinstance(options, dict):
            raise forms.ValidationError('Write an object, e.g. {"safety_margin": 0.005}.')
        return options

    def clean_states(self):
        return tuple(s.strip().upper() for s in self.cleaned_data["states"].split(",") if s.strip())

    def clean_debt_ids(self):
        text = self.cleaned_data["debt_ids"].replace(",", " ").split()
        try:
            ids = tuple(int(x) for x in text)
        except ValueError:
            raise forms.ValidationError("Debt ids are whole numbers.") from None
        if len(ids) > MAX_LISTED_DEBTS:
            raise forms.ValidationError(f"At most {MAX_LISTED_DEBTS:,} debt ids.")
        unlikely = [i for i in ids if not storable_id(i)]
        if unlikely:
            raise forms.ValidationError(f"{unlikely[0]} is not a debt id.")
        return ids

    def clean(self):
        data = super().clean() or {}
        if data.get("work_queue_people") and data.get("debt_ids"):
            raise forms.ValidationError("Give a list of debt ids or the work queue, not both.")
        return data

    def list_filter(self, *, now) -> CampaignFilter:
        data = self.cleaned_data
        if data.get("work_queue_people"):
            return CampaignFilter(
                debt_ids=tuple(work_queue_debt_ids(people=data["work_queue_people"], now=now))
            )
        return CampaignFilter(
            creditor_codes=tuple(c.code for c in data["creditors"]),
            min_balance=data["min_balance"],
            max_balance=data["max_balance"],
            states=data["states"],
            debt_ids=data["debt_ids"],
        )


# The compliance officer reads the campaigns' abandonment (it is theirs to prove lawful) but
# does not run campaigns.
READERS = (*MANAGERS, Role.COMPLIANCE)


def _can_manage(user) -> bool:
    return has_any_role(user, set(MANAGERS))


@role_required(*READERS)
def campaign_list(request):
    return render(
        request,
        "supervisor/campaigns.html",
        {
            "nav": "campaigns",
            "figures": campaign_figures(now=utc_now()),
            "can_manage": _can_manage(request.user),
        },
    )


@role_required(*READERS)
def campaign_figures_partial(request):
    """The live figures, polled every 2 s by the list."""
    return render(
        request,
        "supervisor/_campaign_rows.html",
        {"figures": campaign_figures(now=utc_now()), "can_manage": _can_manage(request.user)},
    )


@role_required(*MANAGERS)
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = create_campaign(
                name=data["name"],
                mode=data["mode"],
                list_filter=form.list_filter(now=utc_now()),
                abandon_target=data["abandon_target_percent"] / 100,
                calling_starts_at=data["calling_starts_at"],
                calling_ends_at=data["calling_ends_at"],
                pacing_options=data["pacing_options"],
                max_attempts=data["max_attempts"] or 3,
                retry_minutes=data["retry_minutes"] or 240,
                created_by_id=request.user.pk,
                now=utc_now(),
            )
        except UnableToManageCampaign as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Campaign {campaign.name} created with {campaign.members.count():,} people "
                "on its list. Start it when agents have joined.",
            )
            return redirect("supervisor_campaigns")
    return render(request, "supervisor/campaign_form.html", {"nav": "campaigns", "form": form})


@role_required(*MANAGERS)
@require_POST
def campaign_status(request, campaign_id: int):
    status = request.POST.get("status", "")
    try:
        campaign = set_campaign_status(
            campaign_id=campaign_id, status=status, actor_id=request.user.pk, now=utc_now()
        )
    except UnableToManageCampaign as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{campaign.name}: {campaign.get_status_display().lower()}.")
    return redirect("supervisor_campaigns")
