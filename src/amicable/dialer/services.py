"""Campaigns: creating them, building their lists, starting and stopping them, and who takes
their calls. The dialer loop (`amicable.dialer.loop`) dials them; the desk and the supervisor
screens call these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from amicable.dialer.agents import settle_pause_requests
from amicable.dialer.core import Snapshot, UnableToBuildPolicy, make_policy
from amicable.dialer.models import (
    Campaign,
    CampaignAgent,
    CampaignMember,
    DialerCall,
    ProviderEvent,
)
from amicable.identity.services import record_audit_event
from amicable.kernel.errors import UnableTo
from amicable.portfolio.core.errors import UnableToParseValue
from amicable.portfolio.core.values import normalize_state
from amicable.portfolio.models import Creditor, Debt

#: Status changes a supervisor may make.
TRANSITIONS: dict[str, set[str]] = {
    Campaign.Status.DRAFT: {Campaign.Status.RUNNING, Campaign.Status.STOPPED},
    Campaign.Status.RUNNING: {Campaign.Status.PAUSED, Campaign.Status.STOPPED},
    Campaign.Status.PAUSED: {Campaign.Status.RUNNING, Campaign.Status.STOPPED},
    Campaign.Status.STOPPED: set(),
}


class UnableToManageCampaign(UnableTo):
    pass


class UnableToJoinCampaign(UnableTo):
    pass


@dataclass(frozen=True)
class CampaignFilter:
    """Which debts a campaign dials: a static list of debt ids, or the filter."""

    creditor_codes: tuple[str, ...] = ()
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None
    states: tuple[str, ...] = ()
    debt_ids: tuple[int, ...] = ()


@transaction.atomic
def create_campaign(
    *,
    name: str,
    mode: str,
    list_filter: CampaignFilter,
    created_by_id: int | None,
    now: datetime,
    abandon_target: Decimal = Decimal("0.030"),
    calling_starts_at: time = time(8, 0),
    calling_ends_at: time = time(21, 0),
    pacing_options: dict | None = None,
    max_attempts: int = 3,
    retry_minutes: int = 240,
) -> Campaign:
    name = name.strip()
    if not name:
        raise UnableToManageCampaign("Give the campaign a name.")
    if Campaign.objects.filter(name__iexact=name).exists():
        raise UnableToManageCampaign(f"There is already a campaign called {name!r}.")
    if mode not in Campaign.Mode.values:
        raise UnableToManageCampaign(f"{mode!r} is not a dialing mode.")
    if not Decimal("0") <= abandon_target <= Decimal("0.03"):
        raise UnableToManageCampaign("The abandonment target must be between 0% and 3%.")
    if calling_starts_at >= calling_ends_at:
        raise UnableToManageCampaign("The calling hours must start before they end.")
    options = dict(pacing_options or {})
    if "abandon_target" in options:
        raise UnableToManageCampaign(
            "Pacing options: set the abandonment target in its own field, not here."
        )
    try:
        json.dumps(options, allow_nan=False)
    except ValueError:
        raise UnableToManageCampaign("Pacing options: numbers must be finite.") from None
    if mode != Campaign.Mode.PREVIEW:
        _check_policy(mode.lower(), options, abandon_target=float(abandon_target))
    if not (list_filter.debt_ids or list_filter.creditor_codes or list_filter.states) and (
        list_filter.min_balance is None and list_filter.max_balance is None
    ):
        raise UnableToManageCampaign(
            "Say which debts to dial: creditors, a balance range, states or a list of debts."
        )
    states = _checked_states(list_filter.states)
    low, high = list_filter.min_balance, list_filter.max_balance
    if low is not None and high is not None and low > high:
        raise UnableToManageCampaign(f"The balance range is empty: from {low} to {high}.")
    _check_debt_ids(list_filter.debt_ids)
    _check_creditor_codes(list_filter.creditor_codes)
    if max_attempts < 1 or retry_minutes < 1:
        raise UnableToManageCampaign("Attempts and the retry delay must be at least 1.")
    campaign = Campaign.objects.create(
        name=name,
        mode=mode,
        pacing_options=options,
        abandon_target=abandon_target,
        calling_starts_at=calling_starts_at,
        calling_ends_at=calling_ends_at,
        creditor_codes=sorted({c.strip() for c in list_filter.creditor_codes if c.strip()}),
        min_balance=list_filter.min_balance,
        max_balance=list_filter.max_balance,
        states=states,
        debt_ids=sorted(set(list_filter.debt_ids)),
        max_attempts=max_attempts,
        retry_minutes=retry_minutes,
        created_by_id=created_by_id,
        created_at=now,
        status_changed_at=now,
    )
    build_campaign_list(campaign_id=campaign.pk, now=now)
    record_audit_event(
        at=now,
        actor_id=created_by_id,
        action="dialer.campaign_created",
        object_type="Campaign",
        object_id=campaign.pk,
        details={"mode": mode},
    )
    return campaign


#: Why a member is skipped when none of their listed debts is active any more.
NO_ACTIVE_DEBT = "no active debt left"


def _check_policy(spec: str, options: dict, *, abandon_target: float) -> None:
    """Build the campaign's policy and ask it once, as the loop will: options of the wrong
    kind (text where a number goes) fail here, with a message, rather than on every tick of
    a running campaign that then dials nothing."""
    try:
        policy = make_policy(spec, dict(options), abandon_target=abandon_target)
        for idle, dialing in ((1, 0), (3, 2)):
            policy.calls_to_place(
                Snapshot(
                    now=60.0,
                    agents_logged_in=4,
                    agents_idle=idle,
                    agents_talking=4 - idle,
                    agents_wrapping=0,
                    calls_dialing=dialing,
                    calls_waiting=0,
                    dials=100,
                    live_answers=15,
                    abandoned=0,
                )
            )
    except UnableToBuildPolicy as error:
        raise UnableToManageCampaign(str(error)) from None
    except Exception as error:
        raise UnableToManageCampaign(
            f"Pacing options: the policy cannot work with them ({type(error).__name__}: {error})."
        ) from None


def _list_debts(campaign: Campaign):
    debts = Debt.objects.filter(status=Debt.Status.ACTIVE, balance__gt=0)
    if campaign.debt_ids:
        return debts.filter(pk__in=campaign.debt_ids)
    if campaign.creditor_codes:
        debts = debts.filter(creditor__code__in=campaign.creditor_codes)
    if campaign.min_balance is not None:
        debts = debts.filter(balance__gte=campaign.min_balance)
    if campaign.max_balance is not None:
        debts = debts.filter(balance__lte=campaign.max_balance)
    if campaign.states:
        debts = debts.filter(consumer__state__in=campaign.states)
    return debts


@transaction.atomic
def build_campaign_list(*, campaign_id: int, now: datetime) -> int:
    """Add everyone the campaign's filter selects (one member per person, with their matching
    debts; the largest is the member's `debt`). People already on the list keep their place
    and history; their pending debts are refreshed. Returns how many people were added."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    per_consumer: dict[int, list[int]] = {}
    rows = _list_debts(campaign).order_by("consumer_id", "-balance", "id")
    for debt_id, consumer_id in rows.values_list("id", "consumer_id").iterator(chunk_size=5000):
        per_consumer.setdefault(consumer_id, []).append(debt_id)
    existing = dict(
        CampaignMember.objects.filter(campaign=campaign).values_list("consumer_id", "id")
    )
    new = [
        CampaignMember(campaign=campaign, consumer_id=consumer_id, debt_id=ids[0], debt_ids=ids)
        for consumer_id, ids in per_consumer.items()
        if consumer_id not in existing
    ]
    CampaignMember.objects.bulk_create(new, batch_size=2000)
    # People whose debts are no longer active (paid, settled, recalled) since they were listed
    # are not called about them again.
    CampaignMember.objects.filter(campaign=campaign, status=CampaignMember.Status.PENDING).exclude(
        consumer_id__in=per_consumer
    ).update(status=CampaignMember.Status.SKIPPED, skip_reason=NO_ACTIVE_DEBT)
    # Someone skipped for having no active debt whose debt owes again (a later file added
    # interest) is on the list again.
    CampaignMember.objects.filter(
        campaign=campaign,
        status=CampaignMember.Status.SKIPPED,
        skip_reason=NO_ACTIVE_DEBT,
        consumer_id__in=per_consumer,
    ).update(status=CampaignMember.Status.PENDING, skip_reason="")
    for member in CampaignMember.objects.filter(
        campaign=campaign, status=CampaignMember.Status.PENDING, consumer_id__in=per_consumer
    ).exclude(pk__in=[m.pk for m in new if m.pk]):
        ids = per_consumer[member.consumer_id]
        if member.debt_ids != ids:
            member.debt_ids = ids
            member.debt_id = ids[0]
            member.save(update_fields=["debt_ids", "debt"])
    campaign.list_built_at = now
    campaign.save(update_fields=["list_built_at"])
    return len(new)


@transaction.atomic
def set_campaign_status(
    *, campaign_id: int, status: str, actor_id: int | None, now: datetime
) -> Campaign:
    """Start, pause, resume or stop a campaign. Starting refreshes its list."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise UnableToManageCampaign("No such campaign.")
    if status == campaign.status:
        return campaign
    if status not in TRANSITIONS.get(campaign.status, set[str]()):
        wanted = Campaign.Status(status).label if status in Campaign.Status.values else status
        raise UnableToManageCampaign(
            f"A {campaign.get_status_display().lower()} campaign cannot become {wanted.lower()}."
        )
    previous = campaign.status
    campaign.status = status
    campaign.status_changed_at = now
    campaign.save(update_fields=["status", "status_changed_at"])
    if status == Campaign.Status.RUNNING:
        build_campaign_list(campaign_id=campaign.pk, now=now)
    if status == Campaign.Status.STOPPED:
        ending = CampaignAgent.objects.filter(campaign=campaign, left_at__isnull=True)
        settle_pause_requests(memberships=ending, now=now)
        ending.update(left_at=now)
    record_audit_event(
        at=now,
        actor_id=actor_id,
        action="dialer.campaign_status",
        object_type="Campaign",
        object_id=campaign.pk,
        details={"from": previous, "to": status},
    )
    return campaign


@transaction.atomic
def join_campaign(*, campaign_id: int, agent_id: int, now: datetime) -> CampaignAgent:
    """The agent takes this campaign's calls (leaving any other campaign)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status == Campaign.Status.STOPPED:
        raise UnableToJoinCampaign("This campaign is not taking agents.")
    if DialerCall.objects.filter(
        connected_agent_id=agent_id, state=DialerCall.State.CONNECTED
    ).exists():
        raise UnableToJoinCampaign("Finish your call first (record its outcome).")
    current = (
        CampaignAgent.objects.select_for_update()
        .filter(agent_id=agent_id, left_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.campaign_id == campaign_id:
            return current
        settle_pause_requests(memberships=CampaignAgent.objects.filter(pk=current.pk), now=now)
        current.left_at = now
        current.save(update_fields=["left_at"])
    try:
        with transaction.atomic():
            return CampaignAgent.objects.create(campaign=campaign, agent_id=agent_id, joined_at=now)
    except IntegrityError:
        raise UnableToJoinCampaign("You joined another campaign at the same moment.") from None


@transaction.atomic
def leave_campaign(*, agent_id: int, now: datetime) -> None:
    if DialerCall.objects.filter(
        connected_agent_id=agent_id, state=DialerCall.State.CONNECTED
    ).exists():
        raise UnableToJoinCampaign("Finish your call first (record its outcome).")
    ending = CampaignAgent.objects.filter(agent_id=agent_id, left_at__isnull=True)
    settle_pause_requests(memberships=ending, now=now)
    ending.update(left_at=now)


def agent_campaign(*, agent_id: int) -> Campaign | None:
    membership = (
        CampaignAgent.objects.filter(agent_id=agent_id, left_at__isnull=True)
        .select_related("campaign")
        .first()
    )
    return membership.campaign if membership else None


def _checked_states(states: tuple[str, ...]) -> list[str]:
    """USPS codes (full names are accepted); an unknown one is an error, not an empty list."""
    codes = set()
    for text in states:
        if not text.strip():
            continue
        try:
            codes.add(normalize_state(text))
        except UnableToParseValue:
            raise UnableToManageCampaign(f"States: {text.strip()!r} is not a US state.") from None
    return sorted(codes)


def _check_creditor_codes(codes: tuple[str, ...]) -> None:
    wanted = {code.strip() for code in codes if code.strip()}
    if not wanted:
        return
    found = set(Creditor.objects.filter(code__in=wanted).values_list("code", flat=True))
    if missing := wanted - found:
        listed = ", ".join(repr(code) for code in sorted(missing)[:10])
        raise UnableToManageCampaign(f"No creditors with these codes: {listed}.")


def _check_debt_ids(debt_ids: tuple[int, ...]) -> None:
    wanted = set(debt_ids)
    if not wanted:
        return
    missing = wanted - set(Debt.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if missing:
        listed = ", ".join(str(i) for i in sorted(missing)[:10])
        raise UnableToManageCampaign(f"No debts with these ids: {listed}.")


# -- preview campaigns: the desk works the list -------------------------------------------------


def preview_campaign(*, agent_id: int) -> Campaign | None:
    """The running preview campaign this agent has joined, if any: its list is what their
    desk's "Next account" offers (nothing is dialed for them; they see the account first)."""
    campaign = agent_campaign(agent_id=agent_id)
    if campaign is None or campaign.mode != Campaign.Mode.PREVIEW:
        return None
    return campaign if campaign.status == Campaign.Status.RUNNING else None


def preview_candidates(*, campaign: Campaign, now: datetime, limit: int) -> list[int]:
    """The people next on a preview campaign's list (consumer ids), in the dialer's order:
    due for a try, never tried first."""
    return list(
        CampaignMember.objects.filter(campaign=campaign, status=CampaignMember.Status.PENDING)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
        .order_by(F("next_try_at").asc(nulls_first=True), "id")
        .values_list("consumer_id", flat=True)[:limit]
    )


@transaction.atomic
def member_previewed(*, campaign: Campaign, consumer_id: int, now: datetime) -> None:
    """An agent opened this person from the campaign's list: that is one of their tries. They
    come back after the campaign's retry delay, until its last try."""
    member = (
        CampaignMember.objects.select_for_update()
        .filter(campaign=campaign, consumer_id=consumer_id)
        .first()
    )
    if member is None:
        return
    member.attempts += 1
    member.last_result = "previewed"
    if member.attempts >= campaign.max_attempts:
        member.status = CampaignMember.Status.DONE
    else:
        member.next_try_at = now + timedelta(minutes=campaign.retry_minutes)
    member.save(update_fields=["attempts", "last_result", "status", "next_try_at"])


# -- the screen pop: what the desk asks -------------------------------------------------------


def call_to_pop(*, agent_id: int) -> DialerCall | None:
    """The call the dialer connected to this agent that their desk has not opened yet,
    locked until the caller's transaction ends (two polls of one desk, two tabs, must not
    both take it)."""
    return (
        DialerCall.objects.select_for_update()
        .filter(
            connected_agent_id=agent_id,
            state=DialerCall.State.CONNECTED,
            popped_at__isnull=True,
        )
        .order_by("connected_at", "id")
        .first()
    )


def current_call(*, agent_id: int) -> DialerCall | None:
    """The agent's connected call, popped or not."""
    return (
        DialerCall.objects.filter(connected_agent_id=agent_id, state=DialerCall.State.CONNECTED)
        .order_by("-connected_at", "-id")
        .first()
    )


@transaction.atomic
def mark_popped(*, call_id: int, session_id: int | None, now: datetime) -> None:
    DialerCall.objects.filter(pk=call_id, popped_at__isnull=True).update(
        popped_at=now, desk_session_id=session_id
    )


# -- provider callbacks ----------------------------------------------------------------------


def record_provider_event(
    *,
    provider: str,
    provider_call_id: str,
    kind: str,
    received_at: datetime,
    ring_seconds: float | None = None,
    payload: dict | None = None,
) -> ProviderEvent:
    """Keep a provider's callback for the dialer loop (which runs in another process)."""
    return ProviderEvent.objects.create(
        provider=provider,
        provider_call_id=provider_call_id,
        kind=kind,
        ring_seconds=ring_seconds,
        payload=payload or {},
        received_at=received_at,
    )
