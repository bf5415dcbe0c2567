"""Reading campaigns: the supervisor's live figures, and 30-day abandonment per campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from amicable.dialer.models import (
    AgentState,
    AgentStateChange,
    Campaign,
    CampaignAgent,
    CampaignMember,
    DialerCall,
)

ABANDON_WINDOW = timedelta(days=30)
PEOPLE_ANSWERED = [DialerCall.Outcome.LIVE, DialerCall.Outcome.ABANDONED]


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    agents_ready: int
    agents_on_call: int
    agents_wrap_up: int
    agents_paused: int
    agents_pausing: int  # asked for a pause the dialer has not granted yet (counted as they are)
    calls_in_flight: int
    dials_today: int
    live_answers_today: int
    abandoned_today: int
    live_answers_30d: int
    abandoned_30d: int
    members_pending: int
    members_total: int

    @property
    def abandon_rate_30d(self) -> float:
        """Abandoned calls over people who answered, in the last 30 days (0 if nobody did)."""
        return self.abandoned_30d / self.live_answers_30d if self.live_answers_30d else 0.0

    @property
    def target(self) -> float:
        return float(self.campaign.abandon_target)

    @property
    def over_target(self) -> bool:
        return self.abandon_rate_30d > self.target

    @property
    def rate_percent(self) -> str:
        return f"{self.abandon_rate_30d * 100:.1f}%"

    @property
    def target_percent(self) -> str:
        return f"{self.target * 100:.1f}%"

    @property
    def rate_bar_percent(self) -> float:
        """Where the rate sits on a 0-6% bar (a 3% target is the line in the middle)."""
        return min(100.0, self.abandon_rate_30d / 0.06 * 100)

    @property
    def target_bar_percent(self) -> float:
        return min(100.0, self.target / 0.06 * 100)


def abandonment_30d(*, campaign_id: int, now: datetime) -> tuple[int, int]:
    """(people who answered, abandoned calls) of the campaign's calls placed in the last
    30 days: what its abandonment target is measured on."""
    answered = Q(outcome__in=PEOPLE_ANSWERED) | Q(
        state__in=[DialerCall.State.WAITING, DialerCall.State.CONNECTED]
    )
    totals = DialerCall.objects.filter(
        campaign_id=campaign_id, placed_at__gte=now - ABANDON_WINDOW, placed_at__lte=now
    ).aggregate(
        answered=Count("id", filter=answered),
        abandoned=Count("id", filter=Q(outcome=DialerCall.Outcome.ABANDONED)),
    )
    return totals["answered"], totals["abandoned"]


def campaign_figures(
    *, now: datetime, campaign_ids: list[int] | None = None
) -> list[CampaignFigures]:
    query = Campaign.objects.order_by("status", "name", "id")
    if campaign_ids is not None:
        query = query.filter(pk__in=campaign_ids)
    campaigns = list(query)
    ids = [c.pk for c in campaigns]
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    since = now - ABANDON_WINDOW
    answered = Q(outcome__in=PEOPLE_ANSWERED) | Q(
        state__in=[DialerCall.State.WAITING, DialerCall.State.CONNECTED]
    )
    calls = {
        row["campaign_id"]: row
        for row in DialerCall.objects.filter(campaign_id__in=ids, placed_at__gte=since)
        .values("campaign_id")
        .annotate(
            in_flight=Count(
                "id", filter=Q(state__in=[DialerCall.State.DIALING, DialerCall.State.WAITING])
            ),
            dials_today=Count("id", filter=Q(placed_at__gte=day_start)),
            live_today=Count("id", filter=answered & Q(placed_at__gte=day_start)),
            abandoned_today=Count(
                "id", filter=Q(outcome=DialerCall.Outcome.ABANDONED, placed_at__gte=day_start)
            ),
            live_30d=Count("id", filter=answered & Q(placed_at__lte=now)),
            abandoned_30d=Count(
                "id", filter=Q(outcome=DialerCall.Outcome.ABANDONED, placed_at__lte=now)
            ),
        )
        .order_by("campaign_id")
    }
    latest = AgentStateChange.objects.filter(agent_id=OuterRef("agent_id")).order_by("-at", "-id")
    agents: dict[int, dict[str, int]] = {}
    pausing: dict[int, int] = {}
    for campaign_id, state, asked in (
        CampaignAgent.objects.filter(campaign_id__in=ids, left_at__isnull=True)
        .annotate(current=Subquery(latest.values("state")[:1]))
        .order_by("campaign_id", "agent_id")
        .values_list("campaign_id", "current", "pause_requested_at")
    ):
        counts = agents.setdefault(campaign_id, {})
        counts[state or AgentState.LOGGED_OUT] = counts.get(state or AgentState.LOGGED_OUT, 0) + 1
        if asked is not None:
            pausing[campaign_id] = pausing.get(campaign_id, 0) + 1
    members = {
        row["campaign_id"]: row
        for row in CampaignMember.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(
            total=Count("id"), pending=Count("id", filter=Q(status=CampaignMember.Status.PENDING))
        )
        .order_by("campaign_id")
    }
    figures = []
    for campaign in campaigns:
        row: Any = calls.get(campaign.pk, {})
        team = agents.get(campaign.pk, {})
        listed: Any = members.get(campaign.pk, {})
        figures.append(
            CampaignFigures(
                campaign=campaign,
                agents_ready=team.get(AgentState.READY, 0),
                agents_on_call=team.get(AgentState.ON_CALL, 0),
                agents_wrap_up=team.get(AgentState.WRAP_UP, 0),
                agents_paused=team.get(AgentState.PAUSED, 0),
                agents_pausing=pausing.get(campaign.pk, 0),
                calls_in_flight=row.get("in_flight", 0),
                dials_today=row.get("dials_today", 0),
                live_answers_today=row.get("live_today", 0),
                abandoned_today=row.get("abandoned_today", 0),
                live_answers_30d=row.get("live_30d", 0),
                abandoned_30d=row.get("abandoned_30d", 0),
                members_pending=listed.get("pending", 0),
                members_total=listed.get("total", 0),
            )
        )
    return figures
