"""Compliance endpoints: scenario check, explain, batch eligibility, the contact log.

Who may call them: compliance officers, supervisors and administrators; agents may also ask
for an explanation and for eligibility (the desk and the dialer lists need them). Clients never.
"""

import csv
import json
from datetime import date, datetime

from django.http import StreamingHttpResponse
from ninja import Router, Schema

from amicable.compliance.api import eligible_debts, explain_debt
from amicable.compliance.core.scenario import ScenarioError, check_json, render_decision
from amicable.compliance.selectors import MAX_RANGE_DAYS, contact_log, day_range
from amicable.http_api.auth import require
from amicable.identity.roles import Role
from amicable.kernel.clock import utc_now
from amicable.kernel.errors import UnableTo

router = Router(tags=["compliance"])

OFFICERS = frozenset({Role.COMPLIANCE, Role.SUPERVISOR, Role.ADMIN})
DESK = OFFICERS | {Role.AGENT}
MAX_ELIGIBILITY_DEBTS = 100_000


class UnableToReadRequest(UnableTo):
    pass


class Reason(Schema):
    rule: str
    citation: str
    message: str


class DecisionOut(Schema):
    allowed: bool
    reasons: list[Reason]
    calls_in_window: dict[str, int]
    next_allowed_at: datetime | None
    notes: list[str] | None = None


class EligibilityIn(Schema):
    debt_ids: list[int]
    at: datetime | None = None
    channel: str = "call"


class DebtEligibility(Schema):
    debt_id: int
    allowed: bool
    next_allowed_at: datetime | None


class EligibilityOut(Schema):
    at: datetime
    channel: str
    debts: list[DebtEligibility]


@router.post("/check", summary="Evaluate a what-if scenario (no database)")
def check(request, notes: bool = False):
    """The body is a scenario (or a list of them) in the `amicable compliance check` format;
    the answer is exactly what that command prints. An invalid scenario gets 422 with the
    field named."""
    require(request, OFFICERS)
    try:
        data = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnableToReadRequest(f"not valid JSON: {error}") from None
    try:
        return check_json(data, notes=notes)
    except ScenarioError as error:
        raise UnableToReadRequest(f"invalid scenario: {error}") from None


@router.get("/explain", response=DecisionOut, summary="Decide a contact about one debt")
def explain(
    request,
    debt_id: int,
    at: datetime | None = None,
    channel: str = "call",
    contact_point_id: int | None = None,
    notes: bool = False,
):
    """What the chokepoint would answer for this debt at ``at`` (default now); nothing is
    recorded."""
    require(request, DESK)
    if at is not None and at.tzinfo is None:
        raise UnableToReadRequest("at: give a time with its offset")
    decision = explain_debt(
        debt_id=debt_id,
        at=at or utc_now(),
        channel=channel,
        contact_point_id=contact_point_id,
    )
    return render_decision(decision, notes=notes)


@router.post("/eligibility", response=EligibilityOut, summary="Which debts may be contacted now")
def eligibility(request, payload: EligibilityIn):
    """For each debt: allowed now, or the next time it may be (null: only a new fact, such
    as the end of a hold, can allow it)."""
    require(request, DESK)
    if len(payload.debt_ids) > MAX_ELIGIBILITY_DEBTS:
        raise UnableToReadRequest(f"at most {MAX_ELIGIBILITY_DEBTS:,} debts per request")
    if payload.at is not None and payload.at.tzinfo is None:
        raise UnableToReadRequest("at: give a time with its offset")
    at = payload.at or utc_now()
    answers = eligible_debts(debt_ids=payload.debt_ids, now=at, channel=payload.channel)
    return {
        "at": at,
        "channel": payload.channel,
        "debts": [
            {"debt_id": debt_id, "allowed": a.allowed, "next_allowed_at": a.next_allowed_at}
            for debt_id, a in sorted(answers.items())
        ],
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _day(request, name: str) -> date:
    value = request.GET.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UnableToReadRequest(f"{name}: give a date YYYY-MM-DD") from None


@router.get("/contact-log.csv", summary="The contact log as CSV (query: from, to)")
def contact_log_csv(request):
    """Every attempt, allowed or refused, from ``from`` to ``to`` (days, both included)."""
    require(request, OFFICERS)
    start_on, end_on = _day(request, "from"), _day(request, "to")
    if end_on < start_on or (end_on - start_on).days > MAX_RANGE_DAYS:
        raise UnableToReadRequest("to must be on or after from, and within about three years")
    start, end = day_range(start_on, end_on)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in contact_log(start=start, end=end)),
        content_type="text/csv",
    )
    name = f"contact-log-{start_on.isoformat()}-{end_on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
