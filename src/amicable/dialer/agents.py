"""Recording and reading agents' states."""

from datetime import datetime, timedelta

from django.db import transaction

from amicable.dialer.models import AgentState, AgentStateChange, CampaignAgent, DialerCall
from amicable.kernel.errors import UnableTo

PAUSE_REASONS = ("Break", "Lunch", "Training", "Coaching", "Meeting", "Technical issue", "Personal")
#: The reason recorded when the dialer pauses an agent whose desk stopped asking for calls.
DESK_CLOSED = "Desk closed"
#: A ready agent's desk asks for calls every 2 s; one silent this long is no longer there.
#: (A browser slows the timers of a tab left in the background, down to once a minute in
#: Chrome after five minutes hidden: the timeout leaves room for that.)
PRESENCE_TIMEOUT = timedelta(seconds=90)


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

    A pause cannot strand a person who is about to answer: while lines dialed when the agent
    was counted as ready still ring, or while the agent is on a call, the pause is *requested*
    (see `pause_requested`): the dialer stops counting them as idle at once, may still connect
    a person those lines bring, and pauses them when the lines are done or the call is
    finished. Choosing Ready withdraws the request."""
    if state not in (AgentState.READY, AgentState.PAUSED):
        raise UnableToChangeState("Choose Ready or Pause.")
    if state == AgentState.PAUSED and reason.strip() not in PAUSE_REASONS:
        raise UnableToChangeState(f"Choose a reason for the pause: {', '.join(PAUSE_REASONS)}.")
    membership = (
        CampaignAgent.objects.select_for_update()
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
            and _lines_ringing(membership, now)
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
    membership = CampaignAgent.objects.filter(
        agent_id=agent_id, left_at__isnull=True, pause_requested_at__isnull=False
    ).first()
    return membership.pause_reason if membership is not None else ""


@transaction.atomic
def withdraw_pause_request(*, agent_id: int) -> None:
    """The agent no longer wants the pause they asked for (unticked "Pause after this call")."""
    for membership in CampaignAgent.objects.select_for_update().filter(
        agent_id=agent_id, left_at__isnull=True, pause_requested_at__isnull=False
    ):
        _clear_pause_request(membership)


def grant_pause_if_clear(*, membership: CampaignAgent, now: datetime) -> bool:
    """Pause a ready agent who asked to, once no line dialed while they were counted as
    ready still rings or waits. An agent no longer ready (paused for a silent desk, logged
    out) keeps no request; one on a call is paused by `call_finished`."""
    if membership.pause_requested_at is None:
        return False
    current = current_state(agent_id=membership.agent_id)
    if current is None or current.state in (AgentState.PAUSED, AgentState.LOGGED_OUT):
        _clear_pause_request(membership)
        return False
    if current.state != AgentState.READY:
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
    CampaignAgent.objects.filter(agent_id=agent_id, left_at__isnull=True).update(left_at=now)
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
        membership = (
            CampaignAgent.objects.select_for_update()
            .filter(agent_id=agent_id, left_at__isnull=True, pause_requested_at__isnull=False)
            .first()
        )
        if membership is not None:  # the agent asked for a pause during the call
            reason = membership.pause_reason or PAUSE_REASONS[0]
            _clear_pause_request(membership)
            set_agent_state(agent_id=agent_id, state=AgentState.PAUSED, reason=reason, now=now)
        else:
            set_agent_state(agent_id=agent_id, state=AgentState.WRAP_UP, now=now)
    return ended
