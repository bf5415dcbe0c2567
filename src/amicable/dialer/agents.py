"""Recording and reading agents' states."""

from datetime import datetime

from django.db import transaction

from amicable.dialer.models import AgentState, AgentStateChange
from amicable.kernel.errors import UnableTo

PAUSE_REASONS = ("Break", "Lunch", "Training", "Coaching", "Meeting", "Technical issue", "Personal")


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


def current_state(*, agent_id: int) -> AgentStateChange | None:
    return AgentStateChange.objects.filter(agent_id=agent_id).order_by("-at", "-id").first()
