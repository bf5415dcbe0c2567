"""The dialer's screen pop: turn the call the dialer connected to an agent into their desk
session (the dialer, below strategy, records the connection; the desk asks here when the
agent's screen polls)."""

from datetime import datetime

from django.db import transaction

from amicable.dialer import services as dialer
from amicable.dialer.agents import call_finished
from amicable.strategy.models import CallSession
from amicable.strategy.services import UnableToWorkAccount, open_account


def take_dialer_call(*, agent_id: int, now: datetime) -> CallSession | None:
    """Open the account of the person the dialer connected to this agent, with the call's
    compliance attempt and number on the session (so the disposition records the attempt's
    result). None when no call waits for this agent's screen.

    When another agent holds the account (they opened it between the dial and the answer),
    this agent cannot work it: the call is ended (the agent goes to wrap-up, the line is hung
    up) and `UnableToWorkAccount` says so, once. Leaving it connected would keep the agent on
    a call they have no screen for, and their desk asking again every 2 seconds."""
    with transaction.atomic():
        call = dialer.call_to_pop(agent_id=agent_id)
        if call is None:
            return None
        session: CallSession | None
        try:
            with transaction.atomic():
                opened = open_account(
                    agent_id=agent_id, consumer_id=call.consumer_id, origin="DIALER", now=now
                )
        except UnableToWorkAccount:
            dialer.mark_popped(call_id=call.pk, session_id=None, now=now)
            call_finished(agent_id=agent_id, now=now, call_id=call.pk)
            session = None
        else:
            CallSession.objects.filter(pk=opened.pk).update(
                attempt_id=call.attempt_id, phone_id=call.contact_point_id
            )
            opened.attempt_id = call.attempt_id
            opened.phone_id = call.contact_point_id
            dialer.mark_popped(call_id=call.pk, session_id=opened.pk, now=now)
            session = opened
    if session is None:
        raise UnableToWorkAccount(
            "The dialer connected you to a person whose account another agent has open; "
            "the call was ended. Press Ready for the next one."
        )
    return session
