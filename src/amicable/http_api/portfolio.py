"""Portfolio endpoints: creditors, placements, consumers, debts and their ledgers."""

import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.http import FileResponse, Http404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from amicable.http_api.auth import require
from amicable.identity.roles import BACK_OFFICE, IMPORTERS, Role
from amicable.kernel.clock import utc_now
from amicable.kernel.ids import MAX_ID
from amicable.portfolio.imports import receive_placement_file
from amicable.portfolio.selectors import (
    account_for,
    search_debts,
    visible_creditors,
    visible_debts,
    visible_placements,
)
from amicable.portfolio.services import create_creditor
from amicable.portfolio.tasks import import_placement_task

router = Router(tags=["portfolio"])


class CreditorOut(Schema):
    id: int
    code: str
    name: str
    industry: str
    contingency_fee_rate: Decimal
    min_settlement_rate: Decimal
    max_plan_months: int
    is_active: bool


class CreditorIn(Schema):
    code: str
    name: str
    industry: str = "OTHER"
    fee_rate: Decimal = Decimal("0.30")
    min_settlement_rate: Decimal = Decimal("0.70")
    max_plan_months: int = 12


class PlacementOut(Schema):
    id: int
    creditor: str
    file_name: str
    status: str
    received_at: datetime
    finished_at: datetime | None
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    warnings: int
    placed_total: Decimal
    error_message: str

    @staticmethod
    def resolve_creditor(obj) -> str:
        return obj.creditor.code

    @staticmethod
    def resolve_rows(obj) -> int:
        return obj.rows_processed


class DebtOut(Schema):
    id: int
    creditor: str
    account_number: str
    consumer_id: int
    consumer_name: str
    original_creditor: str
    debt_type: str
    status: str
    principal_balance: Decimal
    interest_balance: Decimal
    fees_balance: Decimal
    balance: Decimal
    delinquency_on: date | None
    charge_off_on: date | None
    last_payment_on: date | None
    itemization_on: date | None
    itemization_balance: Decimal | None

    @staticmethod
    def resolve_creditor(obj) -> str:
        return obj.creditor.code

    @staticmethod
    def resolve_consumer_name(obj) -> str:
        return obj.consumer.full_name


class LedgerEntryOut(Schema):
    id: int
    kind: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    amount: Decimal
    effective_on: date
    recorded_at: datetime
    description: str


class ContactPointOut(Schema):
    kind: str
    value: str
    phone_type: str
    status: str
    consent: str
    opted_out_at: datetime | None


class ConsumerOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    ssn_last4: str
    preferred_language: str
    is_deceased: bool
    in_bankruptcy: bool
    contact_points: list[ContactPointOut]
    debts: list[DebtOut]


class DebtFilter(Schema):
    creditor: str | None = None
    status: str | None = None
    consumer_id: int | None = Field(None, ge=1, le=MAX_ID)
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None
    q: str | None = Field(None, max_length=100)
    limit: int = 50  # 1 to 500; other values are brought within
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/creditors", response=list[CreditorOut])
def list_creditors(request):
    require(request, BACK_OFFICE)
    return list(visible_creditors(request.user))


@router.post("/creditors", response={201: CreditorOut})
def add_creditor(request, payload: CreditorIn):
    require(request, {Role.ADMIN, Role.SUPERVISOR})
    creditor = create_creditor(
        code=payload.code,
        name=payload.name,
        industry=payload.industry,
        now=utc_now(),
        fee_rate=payload.fee_rate,
        min_settlement_rate=payload.min_settlement_rate,
        max_plan_months=payload.max_plan_months,
        actor_id=request.user.pk,
    )
    return Status(201, creditor)


@router.get("/placements", response=list[PlacementOut])
def list_placements(request, limit: int = 50):
    require(request, IMPORTERS | {Role.COMPLIANCE, Role.CLIENT})
    return list(visible_placements(request.user)[: max(1, min(limit, 500))])


@router.post("/placements", response={202: PlacementOut})
def upload_placement(
    request,
    creditor: Form[str],
    file: File[UploadedFile],
    mapping: UploadedFile | None = File(None),  # noqa: B008 (django-ninja's way to say "a file")
):
    """Upload a placement file; the import runs in the background (poll its status)."""
    require(request, IMPORTERS)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "upload"
        with source.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        mapping_path = None
        if mapping is not None:
            mapping_path = Path(folder) / ("mapping" + Path(mapping.name or "").suffix.lower())
            mapping_path.write_bytes(mapping.read())
        with transaction.atomic():
            placement = receive_placement_file(
                creditor_code=creditor,
                source_path=source,
                file_name=file.name or "upload.csv",
                now=utc_now(),
                uploaded_by_id=request.user.pk,
                mapping_path=mapping_path,
            )
            transaction.on_commit(lambda: import_placement_task.enqueue(placement.pk))
    placement.refresh_from_db()
    return Status(202, placement)


def _placement(request, placement_id: int):
    require(request, IMPORTERS | {Role.COMPLIANCE, Role.CLIENT})
    placement = visible_placements(request.user).filter(pk=placement_id).first()
    if placement is None:
        raise Http404("No such placement, or not one you may see.")
    return placement


@router.get("/placements/{placement_id}", response=PlacementOut)
def get_placement(request, placement_id: int):
    return _placement(request, placement_id)


@router.get(
    "/placements/{placement_id}/errors",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def get_placement_errors(request, placement_id: int):
    """The report of rejected rows and warnings: CSV with row, account_number, level, message."""
    placement = _placement(request, placement_id)
    if not placement.errors_file or not Path(placement.errors_file).exists():
        raise Http404("This placement has no report yet.")
    return FileResponse(
        open(placement.errors_file, "rb"),
        content_type="text/csv",  # noqa: SIM115
        filename=f"placement-{placement.pk}-errors.csv",
    )


@router.get("/consumers/{consumer_id}", response=ConsumerOut)
def get_consumer(request, consumer_id: int):
    require(request, BACK_OFFICE)
    account = account_for(user=request.user, consumer_id=consumer_id)
    if account is None:
        raise Http404("No such consumer, or not one you may see.")
    consumer = account.consumer
    return {
        **{
            f: getattr(consumer, f)
            for f in (
                "id",
                "first_name",
                "last_name",
                "date_of_birth",
                "ssn_last4",
                "preferred_language",
                "is_deceased",
                "in_bankruptcy",
            )
        },
        "contact_points": account.contact_points,
        "debts": account.debts,
    }


@router.get("/debts", response=list[DebtOut])
def list_debts(request, filters: Query[DebtFilter]):
    """Filter debts; `q` searches like the back office (name, account, phone, email, SSN
    last 4)."""
    require(request, BACK_OFFICE)
    limit = max(1, min(filters.limit, 500))
    debts = visible_debts(request.user).select_related("creditor", "consumer")
    if filters.creditor:
        debts = debts.filter(creditor__code=filters.creditor)
    if filters.status:
        debts = debts.filter(status=filters.status.upper())
    if filters.consumer_id:
        debts = debts.filter(consumer_id=filters.consumer_id)
    if filters.min_balance is not None:
        debts = debts.filter(balance__gte=filters.min_balance)
    if filters.max_balance is not None:
        debts = debts.filter(balance__lte=filters.max_balance)
    offset = filters.offset
    if filters.q:  # the search's order (people by name), within the filters
        found = search_debts(user=request.user, text=filters.q, limit=offset + limit, within=debts)
        return found[offset : offset + limit]
    return list(debts.order_by("id")[offset : offset + limit])


def _debt(request, debt_id: int):
    require(request, BACK_OFFICE)
    debt = (
        visible_debts(request.user)
        .select_related("creditor", "consumer")
        .filter(pk=debt_id)
        .first()
    )
    if debt is None:
        raise Http404("No such debt, or not one you may see.")
    return debt


@router.get("/debts/{debt_id}", response=DebtOut)
def get_debt(request, debt_id: int):
    return _debt(request, debt_id)


@router.get("/debts/{debt_id}/ledger", response=list[LedgerEntryOut])
def get_debt_ledger(request, debt_id: int):
    debt = _debt(request, debt_id)
    return list(debt.ledger_entries.order_by("effective_on", "recorded_at", "id"))
