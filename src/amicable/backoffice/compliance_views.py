"""The compliance officer's screens: a consumer's contact ledger, refusals by rule, the log.

Thin views: parse the request, call one selector, render. Compliance officers, supervisors and
administrators only; agents and clients get 403.
"""

import csv
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render

from amicable.compliance.selectors import (
    MAX_RANGE_DAYS,
    consumer_ledger,
    contact_log,
    day_range,
    refused_attempts,
    refused_by_rule,
)
from amicable.identity.permissions import role_required
from amicable.identity.roles import Role
from amicable.kernel.clock import utc_now

OFFICERS = (Role.COMPLIANCE, Role.SUPERVISOR, Role.ADMIN)


class DateRangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > MAX_RANGE_DAYS):
            raise forms.ValidationError("Give a range of at most about three years, from ≤ to.")
        return data


def _range(request) -> tuple[DateRangeForm, date, date]:
    """The asked days (``from``/``to``), by default the last 30 days up to today."""
    today = utc_now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    initial = {"start": today - timedelta(days=29), "end": today}
    data = {
        "start": request.GET.get("from") or initial["start"],
        "end": request.GET.get("to") or initial["end"],
    }
    form = DateRangeForm(data)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, initial["start"], initial["end"]


@role_required(*OFFICERS)
def compliance_home(request):
    return redirect("compliance_refused")


@role_required(*OFFICERS)
def consumer_ledger_view(request, consumer_id: int):
    ledger = consumer_ledger(consumer_id=consumer_id)
    if ledger is None:
        raise Http404("No such consumer.")
    return render(
        request, "backoffice/compliance/ledger.html", {"ledger": ledger, "nav": "compliance"}
    )


@role_required(*OFFICERS)
def refused_report(request):
    form, start_on, end_on = _range(request)
    start, end = day_range(start_on, end_on)
    rules, total = refused_by_rule(start=start, end=end)
    return render(
        request,
        "backoffice/compliance/refused.html",
        {
            "form": form,
            "start_on": start_on,
            "end_on": end_on,
            "rules": rules,
            "total": total,
            "nav": "compliance",
        },
    )


@role_required(*OFFICERS)
def refused_rule(request, rule: str):
    form, start_on, end_on = _range(request)
    start, end = day_range(start_on, end_on)
    attempts = refused_attempts(start=start, end=end, rule=rule[:60])
    return render(
        request,
        "backoffice/compliance/refused_rule.html",
        {
            "form": form,
            "rule": rule,
            "start_on": start_on,
            "end_on": end_on,
            "attempts": attempts,
            "nav": "compliance",
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(*OFFICERS)
def contact_log_export(request):
    form, start_on, end_on = _range(request)
    if not form.is_valid():
        return render(
            request,
            "backoffice/compliance/refused.html",
            {"form": form, "rules": [], "total": 0, "nav": "compliance"},
            status=400,
        )
    start, end = day_range(start_on, end_on)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in contact_log(start=start, end=end)),
        content_type="text/csv",
    )
    name = f"contact-log-{start_on.isoformat()}-{end_on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
