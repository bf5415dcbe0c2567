"""`evaluate`: may this contact happen now, why not, and when could it.

The engine runs every rule module on the request and collects their refusals. When the contact is
refused it searches for ``next_allowed_at`` by jumping, not scanning: each refusal says the
earliest instant its rule could stop refusing (the next 8:00 a.m. in a zone, the day the oldest
counted call leaves the window, the end of the 7 days after a conversation, the end of a
designated inconvenient window...). The latest of those instants is the next candidate; the
rules are run again there, with the same knowledge, until a candidate passes. A refusal without
an instant (a hold, an opt-out) means no time is known: None.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from amicable.compliance.core import (
    frequency,
    holds,
    media,
    passive,
    places,
    state_limits,
    tcpa,
    times,
)
from amicable.compliance.core.check import Check
from amicable.compliance.core.decision import Decision, Request
from amicable.compliance.core.facts import Facts
from amicable.compliance.core.policy import DEFAULT_POLICY, Policy
from amicable.compliance.core.states import overlays_in_force

RULES = (
    holds.check,
    media.check,
    places.check,
    times.check,
    frequency.check,
    state_limits.check,
    tcpa.check,
    passive.check,
)
# The rules that can say anything about each action (each rule also checks for itself), so the
# hot path does not call the others. frequency always runs: it fills ``calls_in_window``.
RULES_FOR_ACTION = {
    "call": RULES[:7],
    "text": RULES[:7],
    "email": RULES[:6],
    "letter": (holds.check, media.check, places.check, frequency.check, state_limits.check),
    "bureau_report": (holds.check, frequency.check, passive.check),
}
MAX_SEARCH_STEPS = 200


def evaluate(
    request: Request, facts: Facts, now: datetime, *, policy: Policy = DEFAULT_POLICY
) -> Decision:
    """Decide whether ``request`` may be carried out at ``now`` given ``facts``.

    ``now`` must be timezone-aware; it is both the instant of the contact and the limit of what
    is known (events after it are ignored). Pure: no clock, no I/O.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    known_ts = now.timestamp()
    first = _run(request, facts, policy, at=now, known_ts=known_ts, known_day=None, first=True)
    known_day = first.day
    counts = {debt_id: first.counts.get(debt_id, 0) for debt_id in first.debt_ids}
    if not first.reasons:
        return Decision(True, (), counts, now, tuple(first.notes))
    next_at = _search(request, facts, policy, first, known_ts=known_ts, known_day=known_day)
    if next_at is not None:
        next_at = next_at.astimezone(facts.history.day_zone)
    return Decision(False, tuple(first.reasons), counts, next_at, tuple(first.notes))


def _run(
    request: Request,
    facts: Facts,
    policy: Policy,
    *,
    at: datetime,
    known_ts: float,
    known_day: int | None,
    first: bool,
) -> Check:
    """Run every rule for the contact at ``at``, knowing the events up to ``known_ts``
    (``known_day`` None: ``at`` is the moment of knowledge itself)."""
    history = facts.history
    local = tuple([at.astimezone(zone) for zone in history.zones])
    day = local[0].toordinal()
    consumer = facts.consumer
    overlays = (
        overlays_in_force(
            policy.overlays, state=consumer.state, city=consumer.city, on=local[0].date()
        )
        if consumer.state in policy.overlay_states
        else ()
    )
    check = Check(
        request=request,
        consumer=consumer,
        history=history,
        policy=policy,
        at=at,
        known_ts=known_ts,
        known_day=day if known_day is None else known_day,
        local=local,
        day=day,
        overlays=overlays,
        want_counts=first,
        debt_ids=history.ids(request.debt_ids),
    )
    for rule in RULES_FOR_ACTION.get(request.action, RULES):
        rule(check)
    return check


def _latest_retry(check: Check) -> datetime | None:
    """The latest of the refusing rules' retry instants; None if any rule gave none."""
    latest: datetime | None = None
    for retry_at in check.retry:
        if retry_at is None:
            return None
        if latest is None or retry_at > latest:
            latest = retry_at
    return latest


def _search(
    request: Request,
    facts: Facts,
    policy: Policy,
    refused: Check,
    *,
    known_ts: float,
    known_day: int,
) -> datetime | None:
    """Jump from candidate to candidate until every rule allows the contact."""
    horizon = refused.at + timedelta(days=policy.search_horizon_days)
    at = refused.at
    candidate = _latest_retry(refused)
    for _ in range(MAX_SEARCH_STEPS):
        if candidate is None or candidate > horizon:
            return None
        if candidate <= at:  # a rule must always point forward; never loop
            candidate = at + timedelta(minutes=1)
        at = candidate
        check = _run(
            request, facts, policy, at=at, known_ts=known_ts, known_day=known_day, first=False
        )
        if not check.reasons:
            return at
        candidate = _latest_retry(check)
    return None
