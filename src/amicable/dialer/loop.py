"""The dialer loop: pace each running campaign, dial with compliance's permission, route people
who answer to the longest-idle ready agent, and abandon (safe-harbour message) when none is free
within `abandon_after` seconds.

`DialerLoop.tick(now=...)` does one pass; the `amicable dialer` command calls it every second
(and `step` in between, so a person who answers waits no longer than needed). Every dial goes
through `compliance.api.authorize_contact` (autodialed, source DIALER, the campaign's name)
first, and a refused dial is never placed; every placed dial's result goes back through
`record_attempt_result` — except a call connected to an agent, whose result the desk records
with the agent's disposition (a conversation, a third party, a wrong number...).

The pacing policy of each campaign (`amicable.dialer.core.make_policy`) sees a `Snapshot` built
from agents' recorded states and the calls in flight, and `observe`s the same events as in the
simulator, in "world seconds" since the loop started the campaign (real seconds x `speed`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Greatest

from amicable.compliance import api as compliance
from amicable.dialer.agents import (
    DESK_CLOSED,
    PRESENCE_TIMEOUT,
    grant_pause_if_clear,
    set_agent_state,
)
from amicable.dialer.core import Event, Snapshot, UnableToBuildPolicy, make_policy
from amicable.dialer.core import pacing as kinds
from amicable.dialer.models import (
    AgentState,
    AgentStateChange,
    Campaign,
    CampaignAgent,
    CampaignMember,
    DialerCall,
    ProviderEvent,
)
from amicable.dialer.selectors import abandonment_30d
from amicable.dialer.services import NO_ACTIVE_DEBT
from amicable.dialer.telephony.base import (
    ANSWERED_LIVE,
    ANSWERED_MACHINE,
    BUSY,
    COMPLETED,
    INVALID,
    NO_ANSWER,
    PICKED_UP,
    CallEvent,
    TelephonyProvider,
    UnableToPlaceCall,
)
from amicable.portfolio.models import ContactPoint, Debt

logger = logging.getLogger("amicable.dialer")

MAX_DIALS_PER_TICK = 50
POSTPONE = timedelta(hours=1)
THIRTY_DAY_CHECK = timedelta(seconds=30)
#: A dial rings for well under a minute; one the provider is silent about this long is lost.
SILENT_AFTER = timedelta(minutes=3)
#: How long a provider callback for a call we do not know yet is kept (it can overtake the
#: reply to the request that placed the call).
ORPHAN_EVENT_SECONDS = 60

#: What each non-connected outcome is in the call record and in the compliance ledger.
OUTCOMES = {
    ANSWERED_MACHINE: (DialerCall.Outcome.MACHINE, "voicemail_no_message"),
    NO_ANSWER: (DialerCall.Outcome.NO_ANSWER, "no_answer"),
    BUSY: (DialerCall.Outcome.BUSY, "busy"),
    INVALID: (DialerCall.Outcome.INVALID, "not_in_service"),
}


@dataclass
class CampaignRun:
    """What the loop remembers about one campaign: its policy and the counters it is shown."""

    campaign_id: int
    signature: tuple
    started_at: datetime
    policy: Any
    dials: int = 0
    live_answers: int = 0
    abandoned: int = 0
    on_call: dict[int, tuple[int, datetime]] = field(default_factory=dict)  # agent -> call
    wrapping: dict[int, datetime] = field(default_factory=dict)  # agent -> since
    thirty_day_checked_at: datetime | None = None  # see DialerLoop._over_thirty_day_target
    thirty_day_over: bool = False
    # Agents who had asked for a pause when the last pass read the agents: it left them out.
    left_out: frozenset[int] = frozenset()


@dataclass
class TickReport:
    placed: int = 0
    refused: int = 0  # not dialed: refused by compliance, outside the campaign's hours, no phone
    connected: int = 0
    abandoned: int = 0
    resolved: int = 0

    def add(self, other: TickReport) -> None:
        for name in ("placed", "refused", "connected", "abandoned", "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class AgentNow:
    agent_id: int
    state: str | None
    since: datetime | None
    #: The agent asked for a pause the dialer has not granted yet: not counted in the pacing,
    #: connected to a person only when no other agent is ready.
    pausing: bool = False


class DialerLoop:
    def __init__(
        self,
        *,
        provider: TelephonyProvider,
        speed: float = 1.0,
        abandon_after: float = 2.0,
        step_seconds: float = 0.0,
        max_dials_per_tick: int = MAX_DIALS_PER_TICK,
    ) -> None:
        """`abandon_after` is in world seconds (2 s of a person's time at speed 1);
        `step_seconds` (real) is how long until the next pass: a waiting person is abandoned
        at this pass if the deadline would pass before the next one. Only the simulated
        world can run faster or slower: real calls are in real time, and a person must hear
        the safe-harbour message within 2 real seconds."""
        if speed != 1 and provider.name != "simulated":
            raise ValueError(f"speed {speed:g}: the {provider.name} provider runs in real time")
        self.provider = provider
        self.speed = speed
        self.abandon_after = timedelta(seconds=abandon_after / speed)
        self.step = timedelta(seconds=step_seconds)
        self.max_dials_per_tick = max_dials_per_tick
        self.runs: dict[int, CampaignRun] = {}

    # -- the passes ----------------------------------------------------------------------------

    def tick(self, *, now: datetime) -> TickReport:
        """One full pass: events, routing, abandonment, then pacing of running campaigns."""
        # Seen before anything else: an agent's pause now waits for this loop to count them
        # out (`agents.agent_chooses_state`).
        Campaign.objects.exclude(status=Campaign.Status.STOPPED).exclude(
            mode=Campaign.Mode.PREVIEW
        ).update(loop_seen_at=now)
        report = self.step_calls(now=now)
        self._end_silent_calls(now)
        for campaign in Campaign.objects.filter(status=Campaign.Status.RUNNING).order_by("id"):
            if campaign.mode == Campaign.Mode.PREVIEW:
                continue
            report.add(self._pace(campaign, now))
        return report

    def step_calls(self, *, now: datetime) -> TickReport:
        """Everything but pacing: what the provider reported, people to connect or abandon,
        lines to hang up."""
        report = TickReport()
        self._end_lines_of_stopped_campaigns(now)
        for event in self.provider.poll_events(now=now):
            self._handle_event(event, now, report)
        self._handle_stored_events(now, report)
        self._pause_absent_agents(now)
        self._route_waiting(now, report)
        self._abandon_overdue(now, report)
        self._grant_pauses(now)
        self._hang_up_finished(now)
        return report

    def recover_orphans(self, *, now: datetime) -> int:
        """Calls a previous run of an in-memory provider (the simulated one) left in flight:
        nobody will report on them, so a dial still ringing ends as no answer and a person
        still waiting as abandoned (without the message). Connected calls stay: their agent
        records the outcome. Returns how many calls were ended."""
        ended = 0
        stale = DialerCall.objects.filter(
            provider=self.provider.name,
            state__in=[DialerCall.State.DIALING, DialerCall.State.WAITING],
        ).order_by("id")
        for call_id in stale.values_list("id", flat=True):
            with transaction.atomic():
                call = DialerCall.objects.select_for_update().get(pk=call_id)
                if call.state == DialerCall.State.WAITING:
                    self._abandon(call, now, played=False)
                elif call.state == DialerCall.State.DIALING:
                    self._end_unanswered(call, now)
                ended += 1
        return ended

    def _end_silent_calls(self, now: datetime) -> None:
        """A dial the provider has said nothing about for `SILENT_AFTER` (a lost status
        callback, a provider outage) would otherwise ring forever in our books, holding its
        person and counting as a line in flight: it ends as no answer."""
        queued = ProviderEvent.objects.filter(
            provider=self.provider.name, processed_at__isnull=True
        ).values("provider_call_id")
        silent = (
            DialerCall.objects.filter(
                provider=self.provider.name,
                state=DialerCall.State.DIALING,
                placed_at__lt=now - SILENT_AFTER,
            )
            .exclude(provider_call_id__in=queued)  # its news is waiting to be applied
            .order_by("id")
        )
        for call_id in silent.values_list("id", flat=True):
            with transaction.atomic():
                call = DialerCall.objects.select_for_update().get(pk=call_id)
                if call.state != DialerCall.State.DIALING:
                    continue
                logger.warning("call %s: no word from the provider; ended", call.pk)
                self._end_unanswered(call, now)
            # The policy still counts the line as ringing (or picked up): it ends for it too.
            run = self.runs.get(call.campaign_id)
            if run is not None:
                ring = max(0.0, (now - call.placed_at).total_seconds()) * self.speed
                self._observe(run, Event(NO_ANSWER, self._world(run, now), call.pk, None, ring))

    def _end_unanswered(self, call: DialerCall, now: datetime) -> None:
        call.state = DialerCall.State.ENDED
        call.outcome = DialerCall.Outcome.NO_ANSWER
        call.ended_at = now
        call.save(update_fields=["state", "outcome", "ended_at"])
        self._record_result(call, "no_answer", now)
        campaign = Campaign.objects.get(pk=call.campaign_id)
        self._after_attempt(call.member_id, campaign, "no_answer", now)

    # -- world time and runs -------------------------------------------------------------------

    def _run_for(self, campaign: Campaign, now: datetime) -> CampaignRun:
        signature = (
            campaign.mode,
            repr(sorted(campaign.pacing_options.items())),
            str(campaign.abandon_target),
        )
        run = self.runs.get(campaign.pk)
        if run is None or run.signature != signature:
            policy = None
            if campaign.mode != Campaign.Mode.PREVIEW:
                try:
                    options = {  # the campaign's own target, never an option's
                        k: v for k, v in campaign.pacing_options.items() if k != "abandon_target"
                    }
                    policy = make_policy(
                        campaign.pacing, options, abandon_target=float(campaign.abandon_target)
                    )
                except UnableToBuildPolicy:
                    logger.exception("campaign %s: cannot build its pacing policy", campaign.pk)
            run = CampaignRun(campaign.pk, signature, now, policy)
            self.runs[campaign.pk] = run
        return run

    def _world(self, run: CampaignRun, at: datetime) -> float:
        return max(0.0, (at - run.started_at).total_seconds() * self.speed)

    def _observe(self, run: CampaignRun, event: Event) -> None:
        observe = getattr(run.policy, "observe", None)
        if observe is not None:
            observe(event)

    # -- provider events -----------------------------------------------------------------------

    def _handle_stored_events(self, now: datetime, report: TickReport) -> None:
        stored = ProviderEvent.objects.filter(
            provider=self.provider.name, processed_at__isnull=True
        ).order_by("received_at", "id")[:500]
        for row in stored:
            event = CallEvent(row.provider_call_id, row.kind, row.received_at, row.ring_seconds)
            known = self._handle_event(event, now, report)
            if known or (now - row.received_at).total_seconds() > ORPHAN_EVENT_SECONDS:
                ProviderEvent.objects.filter(pk=row.pk).update(processed_at=now)

    def _handle_event(self, event: CallEvent, now: datetime, report: TickReport) -> bool:
        """Apply one provider event; False when the call is not (yet) known."""
        after: list = []
        with transaction.atomic():
            call = (
                DialerCall.objects.select_for_update()
                .filter(provider=self.provider.name, provider_call_id=event.provider_call_id)
                .first()
            )
            if call is None:
                return False
            campaign = Campaign.objects.get(pk=call.campaign_id)
            run = self._run_for(campaign, now)
            kind = event.kind
            if kind == COMPLETED:
                replaced = self._completed(call, event, after)
                if replaced is None:
                    return True
                kind = replaced
            if call.state != DialerCall.State.DIALING:
                return True  # a late or repeated event: the call has moved on
            ring = event.ring_seconds
            if ring is None and call.ring_seconds is not None:
                # Picked up earlier: the ring ended then. A provider that reports the verdict
                # after its answering-machine detection (Twilio) does not say how long the line
                # rang, and the time to the verdict would count the detection as ringing.
                ring = call.ring_seconds
            elif ring is None:
                ring = max(0.0, (event.at - call.placed_at).total_seconds())
            # The policy hears each dial's pick-up and ending, with its ring time.
            dial_event = Event(kind, self._world(run, event.at), call.pk, None, ring * self.speed)
            if kind == PICKED_UP:
                # Only the pacing policy needs it: who answered is known at the AMD verdict.
                call.ring_seconds = ring
                call.save(update_fields=["ring_seconds"])
                self._observe(run, dial_event)
                return True
            if kind == ANSWERED_LIVE:
                call.state = DialerCall.State.WAITING
                call.answered_at = event.at
                call.ring_seconds = ring
                call.save(update_fields=["state", "answered_at", "ring_seconds"])
                run.live_answers += 1
                self._observe(run, dial_event)
                return True
            if kind not in OUTCOMES:
                logger.warning("call %s: unknown provider event %r", call.pk, kind)
                return True
            outcome, result = OUTCOMES[kind]
            call.state = DialerCall.State.ENDED
            call.outcome = outcome
            call.ring_seconds = ring
            call.ended_at = event.at
            if kind == ANSWERED_MACHINE:
                call.answered_at = event.at
            call.save(update_fields=["state", "outcome", "ring_seconds", "ended_at", "answered_at"])
            self._record_result(call, result, event.at)
            self._after_attempt(call.member_id, campaign, result, now)
            report.resolved += 1
            self._observe(run, dial_event)
            if kind == ANSWERED_MACHINE:
                after.append(lambda: self.provider.hang_up(event.provider_call_id))
        for action in after:
            self._provider_safely(action, call.pk)
        return True

    def _completed(self, call: DialerCall, event: CallEvent, after: list) -> str | None:
        """The line ended. While dialing: no answer. While waiting: the person hung up before
        an agent was free (an abandoned call, without the message). Connected: the agent's
        call is over on the line; the agent still records its outcome."""
        if call.state == DialerCall.State.DIALING:
            return NO_ANSWER
        if call.state == DialerCall.State.WAITING:
            self._abandon(call, event.at, played=False)
            return None
        if call.state == DialerCall.State.CONNECTED and call.ended_at is None:
            call.ended_at = event.at
            call.save(update_fields=["ended_at"])
        return None

    # -- people who answered -------------------------------------------------------------------

    def _route_waiting(self, now: datetime, report: TickReport) -> None:
        waiting = list(
            DialerCall.objects.filter(state=DialerCall.State.WAITING).order_by("answered_at", "id")
        )
        for call in waiting:
            if call.answered_at is None or call.answered_at + self.abandon_after < now:
                continue  # too late: abandoned below
            agent_id = self._longest_idle(call.campaign_id)
            if agent_id is None:
                continue
            if self._connect(call.pk, agent_id, now):
                report.connected += 1

    def _pause_absent_agents(self, now: datetime) -> None:
        """A ready agent whose desk stopped asking for calls (closed tab, lost network) is
        paused, so no person is connected to an empty desk. Agents whose desk never asked
        (no `last_seen_at`) are left alone."""
        latest = AgentStateChange.objects.filter(agent_id=OuterRef("agent_id")).order_by(
            "-at", "-id"
        )
        absent = (
            CampaignAgent.objects.filter(
                left_at__isnull=True, last_seen_at__lt=now - PRESENCE_TIMEOUT
            )
            # Preview agents work from the account screen, which does not ask for calls.
            .exclude(campaign__mode=Campaign.Mode.PREVIEW)
            .annotate(current=Subquery(latest.values("state")[:1]))
            .filter(current=AgentState.READY)
            .values_list("agent_id", flat=True)
        )
        for agent_id in list(absent):
            set_agent_state(agent_id=agent_id, state=AgentState.PAUSED, reason=DESK_CLOSED, now=now)
            logger.info("agent %s: desk silent, paused", agent_id)

    def _grant_pauses(self, now: datetime) -> None:
        """Pause the ready agents who asked to once the lines dialed for them are done."""
        asking = CampaignAgent.objects.filter(
            left_at__isnull=True, pause_requested_at__isnull=False
        ).order_by("id")
        for membership in asking:
            run = self.runs.get(membership.campaign_id)
            counted_out = run is not None and membership.agent_id in run.left_out
            if grant_pause_if_clear(membership_id=membership.pk, counted_out=counted_out, now=now):
                logger.info("agent %s: paused as asked, no line left ringing", membership.agent_id)

    def _agents(self, campaign_id: int) -> list[AgentNow]:
        latest = AgentStateChange.objects.filter(agent_id=OuterRef("agent_id")).order_by(
            "-at", "-id"
        )
        rows = (
            CampaignAgent.objects.filter(campaign_id=campaign_id, left_at__isnull=True)
            .annotate(
                current=Subquery(latest.values("state")[:1]),
                since=Subquery(latest.values("at")[:1]),
            )
            .order_by("agent_id")
            .values_list("agent_id", "current", "since", "pause_requested_at")
        )
        return [
            AgentNow(agent_id, state, since, asked is not None)
            for agent_id, state, since, asked in rows
        ]

    def _busy_agents(self) -> set[int]:
        return set(
            DialerCall.objects.filter(state=DialerCall.State.CONNECTED).values_list(
                "connected_agent_id", flat=True
            )
        )

    def _longest_idle(self, campaign_id: int) -> int | None:
        busy = self._busy_agents()
        ready = [
            a
            for a in self._agents(campaign_id)
            if a.state == AgentState.READY and a.agent_id not in busy
        ]
        if not ready:
            return None
        return min(ready, key=lambda a: (a.pausing, a.since, a.agent_id)).agent_id

    def _connect(self, call_id: int, agent_id: int, now: datetime) -> bool:
        with transaction.atomic():
            call = DialerCall.objects.select_for_update().filter(pk=call_id).first()
            if call is None or call.state != DialerCall.State.WAITING:
                return False
            membership = (  # still in this call's campaign (they may have just moved on)
                CampaignAgent.objects.select_for_update()
                .filter(agent_id=agent_id, left_at__isnull=True, campaign_id=call.campaign_id)
                .first()
            )
            if membership is None:
                return False
            current = (
                AgentStateChange.objects.filter(agent_id=agent_id).order_by("-at", "-id").first()
            )
            if current is None or current.state != AgentState.READY:
                return False
            if DialerCall.objects.filter(
                connected_agent_id=agent_id, state=DialerCall.State.CONNECTED
            ).exists():
                return False
            call.state = DialerCall.State.CONNECTED
            call.outcome = DialerCall.Outcome.LIVE
            call.connected_agent_id = agent_id
            call.connected_at = now
            call.save(update_fields=["state", "outcome", "connected_agent", "connected_at"])
            set_agent_state(agent_id=agent_id, state=AgentState.ON_CALL, now=now)
            CampaignMember.objects.filter(pk=call.member_id).update(
                status=CampaignMember.Status.DONE, last_result="connected"
            )
            campaign = Campaign.objects.get(pk=call.campaign_id)
            run = self._run_for(campaign, now)
            run.on_call[agent_id] = (call.pk, now)
            answered_at = call.answered_at or now
            wait = (now - answered_at).total_seconds() * self.speed
            self._observe(
                run, Event(kinds.CONNECTED, self._world(run, now), call.pk, agent_id, wait)
            )
        logger.info("call %s connected to agent %s", call.pk, agent_id)
        try:
            self.provider.bridge(call.provider_call_id, agent_id)
        except Exception:
            logger.exception("call %s: the provider could not bridge it", call.pk)
            self._unbridged(call.pk, agent_id, now)
            return False
        return True

    def _unbridged(self, call_id: int, agent_id: int, now: datetime) -> None:
        """The provider refused to bridge a person to the agent: the person is abandoned
        (the safe-harbour message, as when no agent is free) and the agent is ready again."""
        with transaction.atomic():
            call = DialerCall.objects.select_for_update().get(pk=call_id)
            if call.state != DialerCall.State.CONNECTED or call.connected_agent_id != agent_id:
                return
            call.connected_agent_id = None
            call.connected_at = None
            call.save(update_fields=["connected_agent", "connected_at"])
            self._abandon(call, now, played=False)
            run = self.runs.get(call.campaign_id)
            if run is not None:
                run.on_call.pop(agent_id, None)
            set_agent_state(agent_id=agent_id, state=AgentState.READY, now=now)
        self._play_safe_harbour(call.pk, call.provider_call_id)

    def _abandon_overdue(self, now: datetime, report: TickReport) -> None:
        deadline = now + self.step - self.abandon_after
        overdue = DialerCall.objects.filter(
            state=DialerCall.State.WAITING, answered_at__lte=deadline
        ).order_by("answered_at", "id")
        for call in overdue:
            with transaction.atomic():
                locked = DialerCall.objects.select_for_update().filter(pk=call.pk).first()
                if locked is None or locked.state != DialerCall.State.WAITING:
                    continue
                self._abandon(locked, now, played=False)
            report.abandoned += 1
            self._play_safe_harbour(call.pk, call.provider_call_id)

    def _play_safe_harbour(self, call_id: int, provider_call_id: str) -> None:
        """Play the safe-harbour message and hang up; recorded as played only once the
        provider took the request (a false record would be worse than none). If it fails,
        the line is at least hung up."""
        try:
            self.provider.play_safe_harbour_and_hang_up(provider_call_id)
        except Exception:
            logger.exception("call %s: the safe-harbour message could not be played", call_id)
            self._provider_safely(lambda: self.provider.hang_up(provider_call_id), call_id)
            return
        DialerCall.objects.filter(pk=call_id).update(safe_harbour_played=True)

    def _abandon(self, call: DialerCall, at: datetime, *, played: bool) -> None:
        """Inside the caller's transaction, with the call locked."""
        call.state = DialerCall.State.ENDED
        call.outcome = DialerCall.Outcome.ABANDONED
        call.safe_harbour_played = played
        call.ended_at = at
        call.save(update_fields=["state", "outcome", "safe_harbour_played", "ended_at"])
        self._record_result(call, "abandoned", at)
        campaign = Campaign.objects.get(pk=call.campaign_id)
        self._after_attempt(call.member_id, campaign, "abandoned", at)
        run = self._run_for(campaign, at)
        run.abandoned += 1
        wait = (at - call.answered_at).total_seconds() * self.speed if call.answered_at else 0.0
        self._observe(run, Event(kinds.ABANDONED, self._world(run, at), call.pk, None, wait))
        logger.info("call %s abandoned (no agent free)", call.pk)

    def _hang_up_finished(self, now: datetime) -> None:
        """Lines of calls the agent finished on the desk (`agents.call_finished`), also those
        connected before this loop started."""
        finished = DialerCall.objects.filter(
            provider=self.provider.name,
            state=DialerCall.State.ENDED,
            outcome=DialerCall.Outcome.LIVE,
            hung_up_at__isnull=True,
        ).order_by("id")
        for call_id, provider_call_id in finished.values_list("id", "provider_call_id"):
            DialerCall.objects.filter(pk=call_id).update(hung_up_at=now)
            self._provider_safely(lambda p=provider_call_id: self.provider.hang_up(p), call_id)

    def _end_lines_of_stopped_campaigns(self, now: datetime) -> None:
        """A stopped campaign has no agents any more: its lines still ringing are hung up
        before anyone answers (a person who answered to no agent would be abandoned)."""
        ringing = DialerCall.objects.filter(
            provider=self.provider.name,
            state=DialerCall.State.DIALING,
            campaign__status=Campaign.Status.STOPPED,
        ).order_by("id")
        for call_id in ringing.values_list("id", flat=True):
            with transaction.atomic():
                call = DialerCall.objects.select_for_update().get(pk=call_id)
                if call.state != DialerCall.State.DIALING:
                    continue
                self._end_unanswered(call, now)
            logger.info("call %s: its campaign stopped; the line is hung up", call.pk)
            self._provider_safely(lambda c=call: self.provider.hang_up(c.provider_call_id), call.pk)

    # -- pacing and dialing --------------------------------------------------------------------

    def _pace(self, campaign: Campaign, now: datetime) -> TickReport:
        report = TickReport()
        run = self._run_for(campaign, now)
        agents = self._agents(campaign.pk)
        states = {a.agent_id: a for a in agents}
        run.left_out = frozenset(a.agent_id for a in agents if a.pausing)
        self._observe_agents(run, states, now)
        if run.policy is None:
            return report
        busy = self._busy_agents()
        agents = [a for a in agents if not a.pausing]  # on their way out: not counted
        idle = sum(1 for a in agents if a.state == AgentState.READY and a.agent_id not in busy)
        talking = sum(
            1
            for a in agents
            if a.state == AgentState.ON_CALL or (a.state == AgentState.READY and a.agent_id in busy)
        )
        wrapping = sum(1 for a in agents if a.state == AgentState.WRAP_UP)
        in_flight = DialerCall.objects.filter(campaign=campaign).exclude(
            state__in=[DialerCall.State.ENDED, DialerCall.State.CONNECTED]
        )
        dialing = waiting = 0
        for state in in_flight.values_list("state", flat=True):
            if state == DialerCall.State.DIALING:
                dialing += 1
            else:
                waiting += 1
        snapshot = Snapshot(
            now=self._world(run, now),
            agents_logged_in=idle + talking + wrapping,
            agents_idle=idle,
            agents_talking=talking,
            agents_wrapping=wrapping,
            calls_dialing=dialing,
            calls_waiting=waiting,
            dials=run.dials,
            live_answers=run.live_answers,
            abandoned=run.abandoned,
        )
        if self._over_thirty_day_target(campaign, run, now):
            # One line per idle agent until the campaign is back under; the policy is not
            # asked, so it does not count on dials that are not placed.
            wanted = kinds.progressive_count(snapshot)
        else:
            try:
                wanted = int(run.policy.calls_to_place(snapshot))
            except Exception:
                logger.exception("campaign %s: the pacing policy failed", campaign.pk)
                return report
        wanted = min(max(0, wanted), self.max_dials_per_tick)
        if snapshot.agents_logged_in == 0:
            wanted = 0
        if wanted:
            self._dial(campaign, run, wanted, now, report)
        return report

    def _over_thirty_day_target(self, campaign: Campaign, run: CampaignRun, now: datetime) -> bool:
        """Is the campaign over its abandonment target over the last 30 days? The policy
        only sees the calls since this loop started the campaign (its counters restart with
        the loop); the cap is the campaign's, over 30 days, so it is checked here too.
        Looked up at most every `THIRTY_DAY_CHECK` (a count over a month of calls)."""
        if run.thirty_day_checked_at is None or now - run.thirty_day_checked_at >= (
            THIRTY_DAY_CHECK
        ):
            answered, abandoned = abandonment_30d(campaign_id=campaign.pk, now=now)
            run.thirty_day_over = abandoned > float(campaign.abandon_target) * answered
            run.thirty_day_checked_at = now
        return run.thirty_day_over

    def _observe_agents(self, run: CampaignRun, states: dict[int, AgentNow], now: datetime) -> None:
        for agent_id, (call_id, connected_at) in list(run.on_call.items()):
            current = states.get(agent_id)
            if current is not None and current.state == AgentState.ON_CALL:
                continue
            del run.on_call[agent_id]
            ended = current.since if current is not None and current.since else now
            self._observe(
                run,
                Event(
                    kinds.TALK_ENDED,
                    self._world(run, ended),
                    call_id,
                    agent_id,
                    max(0.0, (ended - connected_at).total_seconds()) * self.speed,
                ),
            )
            if current is not None and current.state == AgentState.WRAP_UP:
                run.wrapping[agent_id] = ended
        for agent_id, since in list(run.wrapping.items()):
            current = states.get(agent_id)
            if current is not None and current.state == AgentState.WRAP_UP:
                continue
            del run.wrapping[agent_id]
            ended = current.since if current is not None and current.since else now
            self._observe(
                run,
                Event(
                    kinds.WRAP_ENDED,
                    self._world(run, ended),
                    None,
                    agent_id,
                    max(0.0, (ended - since).total_seconds()) * self.speed,
                ),
            )

    def _dial(
        self, campaign: Campaign, run: CampaignRun, wanted: int, now: datetime, report: TickReport
    ) -> None:
        in_flight = DialerCall.objects.exclude(state=DialerCall.State.ENDED).values("consumer_id")
        candidates = list(
            CampaignMember.objects.filter(campaign=campaign, status=CampaignMember.Status.PENDING)
            .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
            .exclude(consumer_id__in=in_flight)
            .order_by(F("next_try_at").asc(nulls_first=True), "id")[: wanted * 3 + 5]
        )
        if not candidates:
            return
        listed = [d for m in candidates for d in m.debt_ids]
        # A debt paid, settled or recalled since the list was built is not called about.
        active = set(
            Debt.objects.filter(
                pk__in=listed, status=Debt.Status.ACTIVE, balance__gt=0
            ).values_list("pk", flat=True)
        )
        verdicts = compliance.eligible_debts(debt_ids=[d for d in listed if d in active], now=now)
        for member in candidates:
            if report.placed >= wanted:
                break
            if not any(d in active for d in member.debt_ids):
                _skip(member, NO_ACTIVE_DEBT)
                continue
            allowed = [d for d in member.debt_ids if d in verdicts and verdicts[d].allowed]
            if not allowed:
                later = [
                    at
                    for d in member.debt_ids
                    if d in verdicts and (at := verdicts[d].next_allowed_at) is not None
                ]
                _postpone(member.pk, min(later) if later else now + POSTPONE)
                continue
            dialed = dial_member(
                member_id=member.pk,
                debt_ids=allowed,
                campaign=campaign,
                provider=self.provider.name,
                now=now,
            )
            if dialed is None:
                report.refused += 1
                continue
            call, number = dialed
            try:
                provider_call_id = self.provider.place_call(
                    call_ref=str(call.pk), to=number, now=now
                )
            except UnableToPlaceCall as error:
                logger.warning("call %s: not placed (%s)", call.pk, error)
                _not_placed(call.pk, now)
                continue
            except Exception:  # the provider's own failure: this call is not placed, go on
                logger.exception("call %s: not placed (the provider failed)", call.pk)
                _not_placed(call.pk, now)
                continue
            DialerCall.objects.filter(pk=call.pk).update(provider_call_id=provider_call_id)
            run.dials += 1
            report.placed += 1
            self._observe(run, Event(kinds.DIAL_PLACED, self._world(run, now), call.pk))

    # -- small helpers -------------------------------------------------------------------------

    def _record_result(self, call: DialerCall, result: str, at: datetime) -> None:
        try:
            compliance.record_attempt_result(attempt_id=call.attempt_id, result=result, at=at)
        except compliance.UnableToRecordResult:
            logger.exception("call %s: could not record its result", call.pk)

    def _after_attempt(self, member_id: int, campaign: Campaign, result: str, now: datetime):
        member = CampaignMember.objects.select_for_update().get(pk=member_id)
        member.last_result = result
        if result == "not_in_service":
            member.status = CampaignMember.Status.SKIPPED
            member.skip_reason = "number not in service"
        elif member.attempts >= campaign.max_attempts:
            member.status = CampaignMember.Status.DONE
        else:
            member.status = CampaignMember.Status.PENDING
            member.next_try_at = now + timedelta(minutes=campaign.retry_minutes)
        member.save(update_fields=["last_result", "status", "skip_reason", "next_try_at"])

    def _provider_safely(self, action, call_id: int) -> None:
        try:
            action()
        except UnableToPlaceCall as error:
            logger.warning("call %s: the provider refused (%s)", call_id, error)
        except Exception:
            logger.exception("call %s: the provider failed", call_id)


# -- one dial: the compliance chokepoint, then the call record ----------------------------------


@transaction.atomic
def dial_member(
    *, member_id: int, debt_ids: list[int], campaign: Campaign, provider: str, now: datetime
) -> tuple[DialerCall, str] | None:
    """Ask compliance whether this person may be called now about these debts on their best
    number; record the dial if so. None when there is nothing to dial or the call is refused
    (compliance keeps the refused attempt; the member is postponed or skipped)."""
    member = CampaignMember.objects.select_for_update().filter(pk=member_id).first()
    if member is None or member.status != CampaignMember.Status.PENDING:
        return None
    phone = (
        ContactPoint.objects.filter(
            consumer_id=member.consumer_id,
            kind=ContactPoint.Kind.PHONE,
            status=ContactPoint.Status.VALID,
        )
        .order_by("-is_primary", "id")
        .first()
    )
    if phone is None:
        _skip(member, "no valid phone number")
        return None
    if not within_campaign_hours(campaign, phone.value, now):
        _postpone(member.pk, now + timedelta(minutes=30))
        return None
    try:
        authorization = compliance.authorize_contact(
            consumer_id=member.consumer_id,
            debt_ids=debt_ids,
            channel="call",
            now=now,
            contact_point_id=phone.pk,
            actor_id=None,
            source="DIALER",
            autodialed=True,
            campaign=campaign.name,
        )
    except compliance.UnableToAuthorizeContact as error:
        _skip(member, error.message[:200])
        return None
    if not authorization.allowed:
        decision = authorization.decision
        if decision.next_allowed_at is None:
            # No time makes it lawful (no autodial consent for a mobile, a cease request...):
            # asking again every hour would only add refused attempts to the ledger.
            reasons = "; ".join(reason.message for reason in decision.reasons)
            _skip(member, f"refused by compliance: {reasons}"[:200])
        else:
            _postpone(member.pk, decision.next_allowed_at)
        return None
    call = DialerCall.objects.create(
        campaign=campaign,
        member=member,
        consumer_id=member.consumer_id,
        contact_point=phone,
        attempt_id=authorization.attempt_id,
        provider=provider,
        placed_at=now,
    )
    member.status = CampaignMember.Status.DIALED
    member.attempts += 1
    member.save(update_fields=["status", "attempts"])
    return call, phone.value


def within_campaign_hours(campaign: Campaign, number: str, now: datetime) -> bool:
    """Is it within the campaign's hours at every place the number may ring? (Compliance
    applies the legal hours at all the person's known locations; this is the campaign's own,
    usually narrower, choice.) Unknown places: yes, compliance decides."""
    zones = phone_zones(number)
    for zone in zones:
        local = now.astimezone(zone).time()
        if not campaign.calling_starts_at <= local < campaign.calling_ends_at:
            return False
    return True


def phone_zones(number: str) -> list[ZoneInfo]:
    import phonenumbers
    from phonenumbers import timezone as phone_timezone

    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return []
    zones = []
    for name in phone_timezone.time_zones_for_number(parsed):
        try:
            zones.append(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return zones


def _postpone(member_id: int, until: datetime) -> None:
    CampaignMember.objects.filter(pk=member_id, status=CampaignMember.Status.PENDING).update(
        next_try_at=until
    )


def _skip(member: CampaignMember, reason: str) -> None:
    member.status = CampaignMember.Status.SKIPPED
    member.skip_reason = reason
    member.save(update_fields=["status", "skip_reason"])


@transaction.atomic
def _not_placed(call_id: int, now: datetime) -> None:
    call = DialerCall.objects.select_for_update().get(pk=call_id)
    call.state = DialerCall.State.ENDED
    call.outcome = DialerCall.Outcome.FAILED
    call.ended_at = now
    call.save(update_fields=["state", "outcome", "ended_at"])
    # The provider never placed it: it does not use up one of the person's attempts. (Its
    # compliance attempt stays authorised without a result, and so still counts against the
    # call-frequency limits: the cautious side of an unknown.)
    CampaignMember.objects.filter(pk=call.member_id).update(
        status=CampaignMember.Status.PENDING,
        next_try_at=now + POSTPONE,
        attempts=Greatest(F("attempts") - 1, 0),
    )
