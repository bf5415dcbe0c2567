"""Recording and reading agents' states."""

from datetime import datetime, timedelta

from django.db import transaction

from amicable.dialer.models import (
    AgentState,
    AgentStateChange,
    Campaign,
    CampaignAgent,
    DialerCall,
)
from amicable.kernel.errors import UnableTo

PAUSE_REASONS = ("Break", "Lunch", "Training", "Coaching", "Meeting", "Technical issue", "Personal")
#: The reason recorded when the dialer pauses an agent whose desk stopped asking for calls.
DESK_CLOSED = "Desk closed"
#: A ready agent's desk asks for calls every 2 s; one silent this long is no longer there.
#: (A browser slows the timers of a tab left in the background, down to once a minute in
#: Chrome after five minutes hidden: the timeout leaves room for that.)
PRESENCE_TIMEOUT = timedelta(seconds=90)
#: A campaign a dialer loop has not looked after for this long has no loop running: nothing
#: is being dialed for its agents, so a pause is immediate (the loop ticks every second).
LOOP_SILENCE = timedelta(seconds=10)


class UnableToChangeState(UnableTo):
    pass


@transaction.atomic
def set_agent_state(
    *, agent_id: int, state: str, now: datetime, reason: str = ""
) -> AgentStateChange:
    if state not in AgentState.values:
        raise UnableToChangeState(f"{state!r} is not an agent state")
    if state == AgentState.PAUSED and not reason.strip():
        raise UnableToChangeState("Choose a reason for the pause.")
    current = current_state(agent_id=agent_id)
    if current is not None and current.state == state and current.reason == reason.strip():
        return current
    return AgentStateChange.objects.create(
        agent_id=agent_id, state=state, reason=reason.strip()[:100], at=now
    )


@transaction.atomic
def agent_chooses_state(
    *, agent_id: int, state: str, now: datetime, reason: str = ""
) -> AgentStateChange:
    """What an agent may set from the desk: ready, or paused for one of `PAUSE_REASONS`.
    On call and wrap-up are the dialer's to set (a fake "on call" would count as talking in
    the pacing), and signing out records "logged out".

    A pause cannot strand a person who is about to answer. While a dialer loop looks after
    the agent's running campaign (it may be dialing for them this very moment) or lines of
    the campaign still ring, and while the agent is on a call, the pause is *requested* (see
    `pause_requested`): the loop stops counting them as idle from its next pass, may still
    connect a person the lines already placed bring, and pauses them once a pass has left
    them out and those lines are done (`grant_pause_if_clear`), or when the call is finished
    (`call_finished`). Choosing Ready withdraws the request."""
    if state not in (AgentState.READY, AgentState.PAUSED):
        raise UnableToChangeState("Choose Ready or Pause.")
    if state == AgentState.PAUSED and reason.strip() not in PAUSE_REASONS:
        raise UnableToChangeState(f"Choose a reason for the pause: {', '.join(PAUSE_REASONS)}.")
    membership = (
        # Only the membership: locking the campaign's row too would deadlock with a
        # supervisor stopping it (who locks the campaign, then its agents).
        CampaignAgent.objects.select_for_update(of=("self",))
        .filter(agent_id=agent_id, left_at__isnull=True)
        .select_related("campaign")
        .first()
    )
    current = current_state(agent_id=agent_id)
    on_call = current is not None and current.state == AgentState.ON_CALL
    if state == AgentState.READY:
        if on_call:
            raise UnableToChangeState("Finish your call first (record its outcome).")
        if membership is not None and membership.pause_requested_at is not None:
            _clear_pause_request(membership)
        return set_agent_state(agent_id=agent_id, state=state, now=now)
    if membership is not None and (
        on_call
        or (
            current is not None
            and current.state == AgentState.READY
            and _loop_may_be_dialing(membership, now)
        )
    ):
        if membership.pause_requested_at is None:
            membership.pause_requested_at = now
        membership.pause_reason = reason.strip()
        membership.save(update_fields=["pause_requested_at", "pause_reason"])
        assert current is not None
        return current
    if on_call:
        raise UnableToChangeState("Finish your call first (record its outcome).")
    if membership is not None and membership.pause_requested_at is not None:
        _clear_pause_request(membership)
    return set_agent_state(agent_id=agent_id, state=state, now=now, reason=reason)


def pause_requested(*, agent_id: int) -> str:
    """The reason of the pause the agent asked for and the dialer has not granted yet, or ""."""
    membership = (  # an ended membership keeps one only while its agent is on a call
        CampaignAgent.objects.filter(agent_id=agent_id, pause_requested_at__isnull=False)
        .order_by("-joined_at", "-id")
        .first()
    )
    return membership.pause_reason if membership is not None else ""


@transaction.atomic
def withdraw_pause_request(*, agent_id: int) -> None:
    """The agent no longer wants the pause they asked for (unticked "Pause after this call")."""
    for membership in CampaignAgent.objects.select_for_update().filter(
        agent_id=agent_id, pause_requested_at__isnull=False
    ):
        _clear_pause_request(membership)


@transaction.atomic
def grant_pause_if_clear(*, membership_id: int, counted_out: bool, now: datetime) -> bool:
    """Pause a ready agent who asked to, once the loop's pacing has left them out
    (`counted_out`: a pass that read the request is over, so no dial counting them is still
    being placed) and no line placed before the request still rings or waits. An agent no
    longer ready (paused for a silent desk, logged out) keeps no request; one on a call is
    paused by `call_finished`. The membership is locked and read again: the agent may have
    pressed Ready, or been connected, since the caller looked."""
    membership = (
        # Locking the campaign's row too would deadlock with a supervisor stopping it (who
        # locks the campaign, then its agents): only the membership is locked.
        CampaignAgent.objects.select_for_update(of=("self",))
        .filter(pk=membership_id, left_at__isnull=True, pause_requested_at__isnull=False)
        .select_related("campaign")
        .first()
    )
    if membership is None or membership.pause_requested_at is None:
        return False
    current = current_state(agent_id=membership.agent_id)
    if current is None or current.state in (AgentState.PAUSED, AgentState.LOGGED_OUT):
        _clear_pause_request(membership)
        return False
    if current.state != AgentState.READY:
        return False
    if membership.campaign.status == Campaign.Status.RUNNING and not counted_out:
        return False
    if _lines_ringing(membership, membership.pause_requested_at):
        return False
    set_agent_state(
        agent_id=membership.agent_id,
        state=AgentState.PAUSED,
        reason=membership.pause_reason or PAUSE_REASONS[0],
        now=now,
    )
    _clear_pause_request(membership)
    return True


@transaction.atomic
def settle_pause_requests(*, memberships, now: datetime) -> None:
    """Memberships about to end (campaign stopped, agent leaving or joining another): a
    ready agent who asked for a pause gets it now, since no line of that campaign can reach
    them any more; one on a call keeps the request, which `call_finished` grants."""
    for membership in memberships.filter(pause_requested_at__isnull=False).select_for_update():
        current = current_state(agent_id=membership.agent_id)
        if current is not None and current.state == AgentState.ON_CALL:
            continue
        if current is not None and current.state == AgentState.READY:
            set_agent_state(
                agent_id=membership.agent_id,
                state=AgentState.PAUSED,
                reason=membership.pause_reason or PAUSE_REASONS[0],
                now=now,
            )
        _clear_pause_request(membership)


def _loop_may_be_dialing(membership: CampaignAgent, now: datetime) -> bool:
    """Might a dial counting this agent as ready be on its way, or a line of the campaign
    reach them? Only while a dialer loop looks after the campaign (`LOOP_SILENCE`)."""
    campaign = membership.campaign
    if campaign.mode == Campaign.Mode.PREVIEW:
        return False
    if campaign.loop_seen_at is None or campaign.loop_seen_at < now - LOOP_SILENCE:
        return False
    return campaign.status == Campaign.Status.RUNNING or _lines_ringing(membership, now)


def _lines_ringing(membership: CampaignAgent, placed_by: datetime) -> bool:
    """Does the agent's campaign have a line placed at or before `placed_by` still ringing,
    or a person on it waiting for an agent? (Preview campaigns place none.)"""
    return DialerCall.objects.filter(
        campaign_id=membership.campaign_id,
        state__in=(DialerCall.State.DIALING, DialerCall.State.WAITING),
        placed_at__lte=placed_by,
    ).exists()


def _clear_pause_request(membership: CampaignAgent) -> None:
    membership.pause_requested_at = None
    membership.pause_reason = ""
    membership.save(update_fields=["pause_requested_at", "pause_reason"])


@transaction.atomic
def agent_signed_out(*, agent_id: int, now: datetime) -> None:
    """Signing out takes the agent out of the dialer: they leave their campaign and are
    logged out, so no call is routed to a desk nobody is at. An agent still on a call stays
    on it (the call must be finished from the desk; supervisors see it)."""
    if DialerCall.objects.filter(
        connected_agent_id=agent_id, state=DialerCall.State.CONNECTED
    ).exists():
        return
    ending = CampaignAgent.objects.filter(agent_id=agent_id, left_at__isnull=True)
    settle_pause_requests(memberships=ending, now=now)
    ending.update(left_at=now)
    current = current_state(agent_id=agent_id)
    if current is not None and current.state != AgentState.LOGGED_OUT:
        set_agent_state(agent_id=agent_id, state=AgentState.LOGGED_OUT, now=now)


def desk_seen(*, agent_id: int, now: datetime) -> None:
    """The agent's desk asked for calls (it polls every 2 s while open): see `PRESENCE_TIMEOUT`."""
    from amicable.dialer.models import CampaignAgent

    CampaignAgent.objects.filter(agent_id=agent_id, left_at__isnull=True).update(last_seen_at=now)


def current_state(*, agent_id: int) -> AgentStateChange | None:
    return AgentStateChange.objects.filter(agent_id=agent_id).order_by("-at", "-id").first()


@transaction.atomic
def call_finished(
    *, agent_id: int, now: datetime, session_id: int | None = None, call_id: int | None = None
) -> bool:
    """The desk recorded the outcome of the agent's call (desk session `session_id`). If the
    dialer connected that call, it ends (the dialer loop hangs the line up) and the agent moves
    from on-call to wrap-up; they press Ready when they can take the next call. Nothing
    happens for other calls (a preview call, an account opened from search). Returns whether
    a dialer call ended."""
    calls = DialerCall.objects.select_for_update().filter(
        connected_agent_id=agent_id, state=DialerCall.State.CONNECTED
    )
    if session_id is not None:
        calls = calls.filter(desk_session_id=session_id)
    if call_id is not None:
        calls = calls.filter(pk=call_id)
    ended = False
    for call in calls.order_by("id"):
        call.state = DialerCall.State.ENDED
        call.ended_at = call.ended_at or now
        call.save(update_fields=["state", "ended_at"])
        ended = True
    current = current_state(agent_id=agent_id)
    if ended and current is not None and current.state == AgentState.ON_CALL:
        membership = (  # the campaign may have been stopped during the call: open or not
            CampaignAgent.objects.select_for_update()
            .filter(agent_id=agent_id, pause_requested_at__isnull=False)
            .order_by("-joined_at", "-id")
            .first()
        )
        if membership is not None:  # the agent asked for a pause during the call
            reason = membership.pause_reason or PAUSE_REASONS[0]
            _clear_pause_request(membership)
            set_agent_state(agent_id=agent_id, state=AgentState.PAUSED, reason=reason, now=now)
        else:
            set_agent_state(agent_id=agent_id, state=AgentState.WRAP_UP, now=now)
    return ended
