"""Back-office screens: account search, account detail, placement imports.

Views are thin: parse the request, call one selector or service, render.
"""

import csv
import tempfile
from itertools import islice
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from amicable.identity.permissions import role_required
from amicable.identity.roles import BACK_OFFICE, IMPORTERS, Role, roles_of
from amicable.kernel.clock import utc_now
from amicable.portfolio.imports import UnableToImportPlacement, receive_placement_file
from amicable.portfolio.selectors import (
    account_for,
    client_creditor_id,
    search_debts,
    visible_placements,
)
from amicable.portfolio.tasks import import_placement_task
from amicable.strategy.selectors import timeline_for

from .forms import PlacementUploadForm


@role_required(*BACK_OFFICE)
def home(request):
    """Each role lands where its day starts: collectors at the desk, compliance officers on
    their report, everyone else on account search."""
    roles = roles_of(request.user)
    if Role.AGENT in roles:
        return redirect("desk_home")
    if Role.COMPLIANCE in roles:
        return redirect("compliance_home")
    return redirect("account_search")


#: Search results shown at once; a notice says when there are more.
SHOWN = 50


@role_required(*BACK_OFFICE)
def account_search(request):
    text = request.GET.get("q", "")[:100]
    results = search_debts(user=request.user, text=text, limit=SHOWN + 1) if text.strip() else []
    context = {
        "q": text,
        "results": results[:SHOWN],
        "more": len(results) > SHOWN,
        "nav": "accounts",
    }
    if request.htmx:
        return render(request, "backoffice/_search_results.html", context)
    return render(request, "backoffice/account_search.html", context)


@role_required(*BACK_OFFICE)
def account_detail(request, consumer_id: int):
    account = account_for(user=request.user, consumer_id=consumer_id)
    if account is None:
        raise Http404("No such account, or not one you may see.")
    # The full timeline spans every creditor's debts of the person: agency staff only.
    staff = client_creditor_id(request.user) is None
    timeline = timeline_for(consumer_id=consumer_id) if staff else None
    return render(
        request,
        "backoffice/account_detail.html",
        {"account": account, "timeline": timeline, "nav": "accounts"},
    )


IMPORT_VIEWERS = IMPORTERS | {Role.COMPLIANCE, Role.CLIENT}


@role_required(*IMPORT_VIEWERS)
@require_http_methods(["GET", "POST"])
def placement_list(request):
    can_import = bool(roles_of(request.user) & IMPORTERS)
    form = PlacementUploadForm()
    if request.method == "POST":
        if not can_import:
            return HttpResponse("Only supervisors and administrators may import.", status=403)
        form = PlacementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                placement = _receive_upload(request, form)
            except UnableToImportPlacement as error:
                form.add_error(None, str(error))
            else:
                return redirect("placement_detail", placement_id=placement.pk)
    placements = visible_placements(request.user)[:100]
    return render(
        request,
        "backoffice/placement_list.html",
        {
            "form": form,
            "placements": placements,
            "can_import": can_import,
            "nav": "imports",
        },
    )


def _receive_upload(request, form):
    now = utc_now()
    with tempfile.TemporaryDirectory() as folder:
        upload = form.cleaned_data["file"]
        source = Path(folder) / "upload"
        with source.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        mapping_path = None
        if form.cleaned_data.get("mapping"):
            mapping_upload = form.cleaned_data["mapping"]
            mapping_path = Path(folder) / ("mapping" + Path(mapping_upload.name).suffix.lower())
            mapping_path.write_bytes(mapping_upload.read())
        with transaction.atomic():
            placement = receive_placement_file(
                creditor_code=form.cleaned_data["creditor"].code,
                source_path=source,
                file_name=upload.name,
                now=now,
                uploaded_by_id=request.user.pk,
                mapping_path=mapping_path,
            )
            transaction.on_commit(lambda: import_placement_task.enqueue(placement.pk))
    messages.success(request, f"{upload.name} received; its import is queued (status below).")
    return placement


def _placement_or_404(request, placement_id: int):
    placement = visible_placements(request.user).filter(pk=placement_id).first()
    if placement is None:
        raise Http404("No such placement, or not one you may see.")
    return placement


def _error_rows(placement, limit: int = 500) -> list[list[str]]:
    if not placement.errors_file or not Path(placement.errors_file).exists():
        return []
    with open(placement.errors_file, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return list(islice(reader, limit))


@role_required(*IMPORT_VIEWERS)
def placement_detail(request, placement_id: int):
    placement = _placement_or_404(request, placement_id)
    context = {"placement": placement, "nav": "imports", "error_rows": _error_rows(placement)}
    if request.htmx:
        return render(request, "backoffice/_placement_status.html", context)
    return render(request, "backoffice/placement_detail.html", context)


@role_required(*IMPORT_VIEWERS)
def placement_errors(request, placement_id: int):
    placement = _placement_or_404(request, placement_id)
    if not placement.errors_file or not Path(placement.errors_file).exists():
        raise Http404("This placement has no report yet.")
    return FileResponse(
        open(placement.errors_file, "rb"),
        as_attachment=True,  # noqa: SIM115
        filename=f"placement-{placement.pk}-errors.csv",
        content_type="text/csv",
    )
