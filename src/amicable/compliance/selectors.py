"""Reads of the ledger for compliance officers: a consumer's ledger, refusals by rule, the log.

Date ranges are whole days in the agency's time zone (``settings.TIME_ZONE``), both ends
included. Every list is explicitly ordered and fetches its relations up front.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch

from amicable.compliance.models import ComplianceFact, ContactAttempt, ContactAttemptDebt
from amicable.portfolio.models import Consumer, Debt

MAX_RANGE_DAYS = 3 * 366 + 31


def day_range(start_on: date, end_on: date) -> tuple[datetime, datetime]:
    """[start of ``start_on``, start of the day after ``end_on``) in the agency's zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(start_on, time(0), tzinfo=zone),
        datetime.combine(end_on + timedelta(days=1), time(0), tzinfo=zone),
    )


def _attempts_with_relations():
    return ContactAttempt.objects.select_related("actor", "contact_point").prefetch_related(
        Prefetch(
            "debt_links",
            queryset=ContactAttemptDebt.objects.select_related("debt__creditor").order_by("id"),
        )
    )


@dataclass(frozen=True)
class ConsumerLedger:
    consumer: Consumer
    debts: list[Debt]
    attempts: list[ContactAttempt]
    facts: list[ComplianceFact]


def consumer_ledger(*, consumer_id: int, limit: int = 2000) -> ConsumerLedger | None:
    """Every attempt (allowed or refused) and every fact for one consumer, newest first."""
    consumer = Consumer.objects.filter(pk=consumer_id).first()
    if consumer is None:
        return None
    debts = list(
        Debt.objects.filter(consumer_id=consumer_id)
        .select_related("creditor")
        .order_by("creditor__name", "account_number", "id")
    )
    attempts = list(
        _attempts_with_relations()
        .filter(consumer_id=consumer_id)
        .order_by("-requested_at", "-id")[:limit]
    )
    facts = list(
        ComplianceFact.objects.filter(consumer_id=consumer_id)
        .select_related("recorded_by", "contact_point")
        .prefetch_related(Prefetch("debts", queryset=Debt.objects.order_by("id")))
        .order_by("-at", "-id")[:limit]
    )
    return ConsumerLedger(consumer, debts, attempts, facts)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    citation: str
    count: int


def refused_by_rule(*, start: datetime, end: datetime) -> tuple[list[RuleCount], int]:
    """How many refused requests each rule caused in [start, end), and the refusals in all
    (a request refused by two rules counts once in the total, once per rule)."""
    counts: Counter[str] = Counter()
    citations: dict[str, str] = {}
    total = 0
    rows = (
        ContactAttempt.objects.filter(allowed=False, requested_at__gte=start, requested_at__lt=end)
        .order_by("requested_at", "id")
        .values_list("reasons", flat=True)
    )
    for reasons in rows.iterator(chunk_size=5000):
        total += 1
        for reason in reasons:
            counts[reason["rule"]] += 1
            citations.setdefault(reason["rule"], reason["citation"])
    ranked = [
        RuleCount(rule, citations[rule], count)
        for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return ranked, total


def refused_attempts(
    *, start: datetime, end: datetime, rule: str, limit: int = 500
) -> list[ContactAttempt]:
    return list(
        _attempts_with_relations()
        .select_related("consumer")
        .filter(
            allowed=False,
            requested_at__gte=start,
            requested_at__lt=end,
            rules__contains=f",{rule},",
        )
        .order_by("-requested_at", "-id")[:limit]
    )


CONTACT_LOG_HEADER = [
    "attempt_id",
    "requested_at",
    "consumer_id",
    "debt_ids",
    "accounts",
    "channel",
    "to",
    "contact_point",
    "source",
    "actor",
    "campaign",
    "autodialed",
    "allowed",
    "rules",
    "citations",
    "messages",
    "calls_in_window",
    "next_allowed_at",
    "result",
    "result_at",
    "notes",
]


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def contact_log(*, start: datetime, end: datetime) -> Iterator[list[str]]:
    """The contact log for an audit, header first: every attempt in [start, end), allowed or
    refused, oldest first, read in chunks (the file can cover years)."""
    yield CONTACT_LOG_HEADER
    attempts = (
        _attempts_with_relations()
        .filter(requested_at__gte=start, requested_at__lt=end)
        .order_by("requested_at", "id")
    )
    for attempt in attempts.iterator(chunk_size=2000):
        links = list(attempt.debt_links.all())
        point = attempt.contact_point
        yield [
            str(attempt.pk),
            _iso(attempt.requested_at),
            str(attempt.consumer_id),
            " ".join(str(link.debt_id) for link in links),
            " ".join(f"{link.debt.creditor.code}/{link.debt.account_number}" for link in links),
            attempt.channel,
            attempt.to,
            point.value if point is not None else "",
            attempt.source,
            attempt.actor.username if attempt.actor is not None else "",
            attempt.campaign,
            "yes" if attempt.autodialed else "no",
            "yes" if attempt.allowed else "no",
            " ".join(r["rule"] for r in attempt.reasons),
            " | ".join(r["citation"] for r in attempt.reasons),
            " | ".join(r["message"] for r in attempt.reasons),
            " ".join(f"{k}:{v}" for k, v in sorted(attempt.calls_in_window.items())),
            _iso(attempt.next_allowed_at),
            attempt.result,
            _iso(attempt.result_at),
            " | ".join(attempt.notes),
        ]
