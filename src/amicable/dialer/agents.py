"""Recording and reading agents' states."""

from datetime import datetime, timedelta

from django.db import transaction

from amicable.dialer.models import AgentState, AgentStateChange
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
    the pacing), and signing out records "logged out"."""
    if state not in (AgentState.READY, AgentState.PAUSED):
        raise UnableToChangeState("Choose Ready or Pause.")
    if state == AgentState.PAUSED and reason.strip() not in PAUSE_REASONS:
        raise UnableToChangeState(f"Choose a reason for the pause: {', '.join(PAUSE_REASONS)}.")
    current = current_state(agent_id=agent_id)
    if current is not None and current.state == AgentState.ON_CALL:
        raise UnableToChangeState("Finish your call first (record its outcome).")
    return set_agent_state(agent_id=agent_id, state=state, now=now, reason=reason)


@transaction.atomic
def agent_signed_out(*, agent_id: int, now: datetime) -> None:
    """Signing out takes the agent out of the dialer: they leave their campaign and are
    logged out, so no call is routed to a desk nobody is at. An agent still on a call stays
    on it (the call must be finished from the desk; supervisors see it)."""
    from amicable.dialer.models import CampaignAgent, DialerCall

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
    from amicable.dialer.models import DialerCall

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
        set_agent_state(agent_id=agent_id, state=AgentState.WRAP_UP, now=now)
    return ended
