"""Campaign endpoints: the campaigns with their live figures and 30-day abandonment, creating
one, and starting, pausing or stopping it (what `/supervisor/campaigns/` does, for scripts and
wallboards).

Who may call them: supervisors and administrators run campaigns; the compliance officer reads
them (abandonment is theirs to prove lawful). Agents and clients never.
"""

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from amicable.dialer.models import Campaign
from amicable.dialer.selectors import CampaignFigures, campaign_figures
from amicable.dialer.services import (
    CampaignFilter,
    UnableToManageCampaign,
    create_campaign,
    set_campaign_status,
)
from amicable.http_api.auth import require
from amicable.identity.roles import Role
from amicable.kernel.clock import utc_now
from amicable.kernel.ids import storable_id
from amicable.strategy.services import work_queue_debt_ids

router = Router(tags=["campaigns"])

MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
READERS = MANAGERS | {Role.COMPLIANCE}
MAX_WORK_QUEUE_PEOPLE = 50_000
MAX_LIST_DEBTS = 100_000


class AgentsOut(Schema):
    ready: int
    on_call: int
    wrap_up: int
    paused: int
    pausing: int = Field(
        description="agents counted above who asked for a pause the dialer grants once the "
        "lines dialed for them are done or their call is finished"
    )


class CampaignOut(Schema):
    id: int
    name: str
    mode: str
    status: str
    abandon_target: Decimal
    calling_starts_at: time
    calling_ends_at: time
    max_attempts: int
    retry_minutes: int
    pacing_options: dict
    creditor_codes: list[str]
    min_balance: Decimal | None
    max_balance: Decimal | None
    states: list[str]
    debt_ids: list[int]
    created_at: datetime
    status_changed_at: datetime
    list_built_at: datetime | None
    people_total: int
    people_pending: int
    agents: AgentsOut
    calls_in_flight: int
    dials_today: int
    live_answers_today: int
    abandoned_today: int
    live_answers_30d: int
    abandoned_30d: int
    abandon_rate_30d: float = Field(
        description="abandoned / people who answered, 30 days (0 while nobody has answered: "
        "see live_answers_30d)"
    )
    over_target: bool


DebtId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CampaignIn(Schema):
    """The supervisor's form, as JSON; the same limits."""

    name: str = Field(min_length=1, max_length=100)
    mode: Literal["PREVIEW", "PROGRESSIVE", "PREDICTIVE"] = "PROGRESSIVE"
    creditor_codes: list[str] = Field(default=[], max_length=1000)
    min_balance: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    max_balance: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    states: list[str] = Field(default=[], max_length=100)
    debt_ids: list[DebtId] = Field(
        default=[],
        max_length=MAX_LIST_DEBTS,
        description="used instead of the filter when given",
    )
    work_queue_people: int | None = Field(
        default=None,
        description="or the next N people of the work queue (callbacks due, broken promises, "
        "new accounts), instead of the filter",
    )
    abandon_target: Decimal = Field(
        default=Decimal("0.030"),
        ge=0,
        le=Decimal("0.03"),
        decimal_places=3,
        description="a fraction, at most 0.03",
    )
    calling_starts_at: time = Field(default=time(8, 0), description="local time, no offset")
    calling_ends_at: time = Field(default=time(21, 0), description="local time, no offset")
    max_attempts: int = Field(default=3, ge=1, le=20, description="tries per person")
    retry_minutes: int = Field(default=240, ge=1, le=7 * 24 * 60)
    pacing_options: dict = Field(default={}, description="for the predictive policy")

    @field_validator("calling_starts_at", "calling_ends_at")
    @classmethod
    def _local_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("give the local time at the number called, without an offset")
        return value


class StatusIn(Schema):
    status: Literal["RUNNING", "PAUSED", "STOPPED"]


def _out(figures: CampaignFigures) -> dict:
    campaign = figures.campaign
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "mode": campaign.mode,
        "status": campaign.status,
        "abandon_target": campaign.abandon_target,
        "calling_starts_at": campaign.calling_starts_at,
        "calling_ends_at": campaign.calling_ends_at,
        "max_attempts": campaign.max_attempts,
        "retry_minutes": campaign.retry_minutes,
        "pacing_options": campaign.pacing_options,
        "creditor_codes": campaign.creditor_codes,
        "min_balance": campaign.min_balance,
        "max_balance": campaign.max_balance,
        "states": campaign.states,
        "debt_ids": campaign.debt_ids,
        "created_at": campaign.created_at,
        "status_changed_at": campaign.status_changed_at,
        "list_built_at": campaign.list_built_at,
        "people_total": figures.members_total,
        "people_pending": figures.members_pending,
        "agents": {
            "ready": figures.agents_ready,
            "on_call": figures.agents_on_call,
            "wrap_up": figures.agents_wrap_up,
            "paused": figures.agents_paused,
            "pausing": figures.agents_pausing,
        },
        "calls_in_flight": figures.calls_in_flight,
        "dials_today": figures.dials_today,
        "live_answers_today": figures.live_answers_today,
        "abandoned_today": figures.abandoned_today,
        "live_answers_30d": figures.live_answers_30d,
        "abandoned_30d": figures.abandoned_30d,
        "abandon_rate_30d": figures.abandon_rate_30d,
        "over_target": figures.over_target,
    }


def _one(campaign_id: int) -> dict:
    if not storable_id(campaign_id):
        raise Http404(f"No campaign {campaign_id}.")
    found = campaign_figures(now=utc_now(), campaign_ids=[campaign_id])
    if not found:
        raise Http404(f"No campaign {campaign_id}.")
    return _out(found[0])


@router.get("", response=list[CampaignOut], summary="Campaigns with their live figures")
def list_campaigns(request):
    """Every campaign, with agents by state, calls in flight, today's dials and answers, and
    the abandonment rate over the rolling 30 days its target is measured on."""
    require(request, READERS)
    return [_out(figures) for figures in campaign_figures(now=utc_now())]


@router.get("/{campaign_id}", response=CampaignOut, summary="One campaign")
def get_campaign(request, campaign_id: int):
    require(request, READERS)
    return _one(campaign_id)


@router.post("", response={201: CampaignOut}, summary="Create a campaign (a draft)")
def create(request, payload: CampaignIn):
    """Its list is built at once (one line per person, with their matching debts) and again at
    every start. A refused campaign (a name in use, no filter, hours that end before they
    start, a target over 3%, unknown pacing options...) gets 422 saying what is wrong."""
    require(request, MANAGERS)
    now = utc_now()
    debt_ids = tuple(payload.debt_ids)
    if payload.work_queue_people is not None:
        if debt_ids:
            raise UnableToManageCampaign("Give a list of debt ids or the work queue, not both.")
        if not 1 <= payload.work_queue_people <= MAX_WORK_QUEUE_PEOPLE:
            raise UnableToManageCampaign(
                f"work_queue_people: between 1 and {MAX_WORK_QUEUE_PEOPLE:,}."
            )
        debt_ids = tuple(work_queue_debt_ids(people=payload.work_queue_people, now=now))
        if not debt_ids:
            raise UnableToManageCampaign("The work queue has nobody to call now.")
    campaign = create_campaign(
        name=payload.name,
        mode=payload.mode,
        list_filter=CampaignFilter(
            creditor_codes=tuple(payload.creditor_codes),
            min_balance=payload.min_balance,
            max_balance=payload.max_balance,
            states=tuple(payload.states),
            debt_ids=debt_ids,
        ),
        abandon_target=payload.abandon_target,
        calling_starts_at=payload.calling_starts_at,
        calling_ends_at=payload.calling_ends_at,
        pacing_options=payload.pacing_options,
        max_attempts=payload.max_attempts,
        retry_minutes=payload.retry_minutes,
        created_by_id=request.user.pk,
        now=now,
    )
    return Status(201, _one(campaign.pk))


@router.post("/{campaign_id}/status", response=CampaignOut, summary="Start, pause or stop")
def change_status(request, campaign_id: int, payload: StatusIn):
    """RUNNING starts (or resumes) a campaign and refreshes its list; PAUSED holds its
    dialing; STOPPED ends it for good. A change its status does not allow gets 422."""
    require(request, MANAGERS)
    if not storable_id(campaign_id) or not Campaign.objects.filter(pk=campaign_id).exists():
        raise Http404(f"No campaign {campaign_id}.")
    set_campaign_status(
        campaign_id=campaign_id, status=payload.status, actor_id=request.user.pk, now=utc_now()
    )
    return _one(campaign_id)
