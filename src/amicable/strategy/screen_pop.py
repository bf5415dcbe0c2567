"""The dialer's screen pop: turn the call the dialer connected to an agent into their desk
session (the dialer, below strategy, records the connection; the desk asks here when the
agent's screen polls)."""

from datetime import datetime

from django.db import transaction

from amicable.dialer import services as dialer
from amicable.strategy.models import CallSession
from amicable.strategy.services import UnableToWorkAccount, open_account


@transaction.atomic
def take_dialer_call(*, agent_id: int, now: datetime) -> CallSession | None:
    """Open the account of the person the dialer connected to this agent, with the call's
    compliance attempt and number on the session (so the disposition records the attempt's
    result). None when no call waits for this agent's screen. Raises `UnableToWorkAccount`
    when another agent holds the account (the call is still this agent's)."""
    call = dialer.call_to_pop(agent_id=agent_id)
    if call is None:
        return None
    try:
        session = open_account(
            agent_id=agent_id, consumer_id=call.consumer_id, origin="DIALER", now=now
        )
    except UnableToWorkAccount:
        dialer.mark_popped(call_id=call.pk, session_id=None, now=now)
        raise
    CallSession.objects.filter(pk=session.pk).update(
        attempt_id=call.attempt_id, phone_id=call.contact_point_id
    )
    session.attempt_id = call.attempt_id
    session.phone_id = call.contact_point_id
    dialer.mark_popped(call_id=call.pk, session_id=session.pk, now=now)
    return session
