"""Reads of the portfolio, always through the user's visibility.

CLIENT users see only the debts of the creditor they belong to; every other role sees the
whole portfolio. Every list is explicitly ordered and fetches its relations up front.
"""

import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from amicable.identity.models import AuditEvent
from amicable.identity.roles import Role, roles_of
from amicable.kernel.ids import storable_id
from amicable.portfolio.core.errors import UnableToParseValue
from amicable.portfolio.core.values import normalize_phone
from amicable.portfolio.models import (
    Consumer,
    ContactPoint,
    Creditor,
    CreditorUser,
    Debt,
    LedgerEntry,
    Placement,
    fold,
)

_STAFF_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN}


def client_creditor_id(user) -> int | None:
    """The creditor a client-only user is limited to; None for agency staff.

    A CLIENT user with no creditor link sees nothing (-1 matches no creditor)."""
    roles = roles_of(user)
    if roles & _STAFF_ROLES:
        return None
    if Role.CLIENT in roles:
        link = CreditorUser.objects.filter(user=user).values_list("creditor_id", flat=True)
        return link.first() or -1
    return -1


def visible_debts(user) -> QuerySet[Debt]:
    debts = Debt.objects.all()
    creditor_id = client_creditor_id(user)
    return debts if creditor_id is None else debts.filter(creditor_id=creditor_id)


def visible_contact_points(user) -> QuerySet[ContactPoint]:
    """A creditor's client users see the contact points their creditor's files gave, and no
    others: a person matched by SSN across creditors must not show one creditor's client
    what another creditor supplied."""
    points = ContactPoint.objects.all()
    creditor_id = client_creditor_id(user)
    return points if creditor_id is None else points.filter(creditor_id=creditor_id)


def visible_creditors(user) -> QuerySet[Creditor]:
    creditor_id = client_creditor_id(user)
    creditors = Creditor.objects.order_by("name", "id")
    return creditors if creditor_id is None else creditors.filter(pk=creditor_id)


def visible_placements(user) -> QuerySet[Placement]:
    creditor_id = client_creditor_id(user)
    placements = Placement.objects.select_related("creditor", "uploaded_by").order_by(
        "-received_at", "-id"
    )
    return placements if creditor_id is None else placements.filter(creditor_id=creditor_id)


@dataclass(frozen=True)
class SearchQuery:
    """What the searcher typed, understood as one kind of key."""

    kind: str  # "ssn_last4" | "phone" | "email" | "account_or_name"
    value: str


_DIGITS = re.compile(r"\D")


# "1892", "#1892", or masked as "xxx-xx-1892" / "***-**-1892".
_SSN_LAST4 = re.compile(r"(?:[xX*]{3}-?[xX*]{2}-?|#)?[0-9]{4}")


def parse_search(text: str) -> SearchQuery | None:
    text = text.strip()
    if not text:
        return None
    digits = _DIGITS.sub("", text)
    if "@" in text:
        return SearchQuery("email", text.lower())
    if _SSN_LAST4.fullmatch(text):
        return SearchQuery("ssn_last4", digits)
    if len(digits) >= 10 and re.fullmatch(r"[\d\s()+.\-]+", text):
        try:
            return SearchQuery("phone", normalize_phone(text).e164)
        except UnableToParseValue:
            return SearchQuery("account_or_name", text)
    return SearchQuery("account_or_name", text)


def search_debts(
    *, user, text: str, limit: int = 50, within: QuerySet[Debt] | None = None
) -> list[Debt]:
    """Debts whose account number, person's name, phone, email or SSN last 4 match; only
    among `within` (debts the user may see, further filtered) when given."""
    query = parse_search(text)
    if query is None:
        return []
    debts = (visible_debts(user) if within is None else within).select_related(
        "consumer", "creditor"
    )
    if query.kind == "ssn_last4":
        # Four digits may also be a short account number: that exact match comes first.
        by_account = list(_by_account_number(debts, text)[:limit])
        by_ssn = list(
            debts.filter(consumer__ssn_last4=query.value).order_by(
                "consumer__name_key", "consumer_id", "id"
            )[:limit]
        )
        return (by_account + [d for d in by_ssn if d not in by_account])[:limit]
    elif query.kind in {"phone", "email"}:
        # Two indexed look-ups; one OR across both tables would scan every debt.
        kind = ContactPoint.Kind.PHONE if query.kind == "phone" else ContactPoint.Kind.EMAIL
        consumer_ids = list(
            visible_contact_points(user)
            .filter(kind=kind, value=query.value)
            .values_list("consumer_id", flat=True)[:limit]
        )
        by_account = list(_by_account_number(debts, text)[:limit])
        by_person = list(
            debts.filter(consumer_id__in=consumer_ids).order_by(
                "consumer__name_key", "consumer_id", "id"
            )[:limit]
        )
        return (by_account + [d for d in by_person if d not in by_account])[:limit]
    else:
        by_account = list(_by_account_number(debts, query.value)[:limit])
        if by_account:
            return by_account
        words = fold(query.value.replace(",", " ")).split()
        if not words:
            return []
        keys = {" ".join(words)}
        # "john smith" → "smith john"; "maria de la cruz" → "de la cruz maria" too: every
        # split of first names from a last name of several words (a few indexed look-ups).
        for split in range(1, min(len(words), MAX_NAME_WORDS)):
            keys.add(" ".join([*words[split:], *words[:split]]))
        if len(words) >= 2:  # the last word first, however long the name
            keys.add(" ".join([words[-1], *words[:-1]]))
        # One query per key: an OR of two prefixes can make PostgreSQL scan the table.
        found: dict[int, Debt] = {}
        for key in sorted(keys):
            for debt in debts.filter(consumer__name_key__startswith=key).order_by(
                "consumer__name_key", "consumer_id", "id"
            )[:limit]:
                found[debt.pk] = debt
        ordered = sorted(found.values(), key=lambda d: (d.consumer.name_key, d.consumer_id, d.pk))
        return ordered[:limit]


def _by_account_number(debts: QuerySet[Debt], text: str) -> QuerySet[Debt]:
    """Debts with this account number as typed or in capitals (account numbers are nearly
    always capitals; an exact look-up keeps the account-number index in use)."""
    typed = text.strip()
    return debts.filter(account_number__in={typed, typed.upper(), typed.lower()}).order_by("id")


@dataclass(frozen=True)
class AccountView:
    consumer: Consumer
    contact_points: list[ContactPoint]
    debts: list[Debt]
    history: list[AuditEvent]


def account_for(*, user, consumer_id: int) -> AccountView | None:
    """The person, their contact points, the debts this user may see (with ledgers), and
    the history. None when the user may see none of this person's debts (or the id cannot
    be one: a URL may carry any number of digits)."""
    if not storable_id(consumer_id):
        return None
    debts = list(
        visible_debts(user)
        .filter(consumer_id=consumer_id)
        .select_related("creditor", "placement")
        .prefetch_related(
            Prefetch(
                "ledger_entries",
                queryset=LedgerEntry.objects.order_by("effective_on", "recorded_at", "id"),
            )
        )
        .order_by("creditor__name", "account_number", "id")
    )
    if not debts:
        return None
    consumer = Consumer.objects.get(pk=consumer_id)
    contact_points = list(
        visible_contact_points(user).filter(consumer=consumer).order_by("kind", "-is_primary", "id")
    )
    about_debts = Q(object_type="Debt", object_id__in=[str(d.pk) for d in debts])
    about_person = Q(object_type="Consumer", object_id=str(consumer_id))
    if client_creditor_id(user) is None:
        history = list(
            AuditEvent.objects.filter(about_debts | about_person)
            .select_related("actor")
            .order_by("-at", "-id")[:HISTORY_LENGTH]
        )
    else:
        history = _client_history(about_debts, about_person, {d.pk for d in debts})
    return AccountView(consumer, contact_points, debts, history)


HISTORY_LENGTH = 200
#: Names of more words than this are tried as typed and with the last word first only.
MAX_NAME_WORDS = 6


def _client_history(about_debts: Q, about_person: Q, visible: set[int]) -> list[AuditEvent]:
    """A creditor's user sees the events of their own debts, and of the person only those
    that name debts, all of them theirs: the person's other events (a dispute of another
    creditor's debt, a hardship assessment, a contact made about other debts) would tell
    them about accounts placed elsewhere."""
    own = list(
        AuditEvent.objects.filter(about_debts)
        .select_related("actor")
        .order_by("-at", "-id")[:HISTORY_LENGTH]
    )
    person = [
        event
        for event in AuditEvent.objects.filter(about_person)
        .select_related("actor")
        .order_by("-at", "-id")[: HISTORY_LENGTH * 5]
        if _names_only(event.details, visible)
    ]
    merged = sorted(own + person, key=lambda e: (e.at, e.pk), reverse=True)
    return merged[:HISTORY_LENGTH]


def _names_only(details: object, visible: set[int]) -> bool:
    if not isinstance(details, dict):
        return False
    named = details.get("debt_ids")
    if not isinstance(named, list) or not named:
        return False
    try:
        return {int(i) for i in named} <= visible
    except (TypeError, ValueError):
        return False
