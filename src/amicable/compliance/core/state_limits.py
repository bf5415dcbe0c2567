"""Applying the state and city overlays of `states.py` to one request.

Windows roll like the federal one (any ``window_days`` consecutive local days ending on the asked
day): a rolling window is never looser than a calendar week (RULES.md §8.8). Replies to the
consumer are neither counted nor capped. Whether an unanswered attempt is a "communication" is
Policy.state_caps_count_unanswered (RULES.md §8.9).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from amicable.compliance.core.check import TIMED_MEDIA, Check, day_text
from amicable.compliance.core.history import Contact
from amicable.compliance.core.states import FrequencyCap, Overlay
from amicable.compliance.core.times import hours_text, next_local, outside_hours, where_text

PHONE_MEDIA = frozenset({"call", "text"})


def check(c: Check) -> None:
    if not c.overlays or not c.to_consumer or c.request.action == "bureau_report":
        return
    for overlay in c.overlays:
        if overlay.earliest is not None or overlay.latest is not None:
            _check_hours(c, overlay)
        if c.request.replying_to_consumer:
            continue
        for cap in overlay.caps:
            if c.request.action in cap.media:
                _check_cap(c, overlay, cap)


def _check_hours(c: Check, overlay: Overlay) -> None:
    if c.request.action not in TIMED_MEDIA:
        return
    earliest = overlay.earliest or c.policy.earliest_local_time
    latest = overlay.latest or c.policy.latest_local_time
    outside = [lt for lt in c.local if outside_hours(lt.time(), earliest=earliest, latest=latest)]
    if outside:
        c.refuse(
            rule="state_inconvenient_time",
            citation=overlay.citation,
            message=lambda: (
                f"{overlay.name}: contacts only {hours_text(earliest, latest)}; "
                f"it is {where_text(outside)}."
            ),
            retry_at=max(next_local(lt, earliest) for lt in outside),
        )


def _in_scope(c: Check, cap: FrequencyCap, medium: str, phone: str | None) -> bool:
    """Whether a contact through ``medium``/``phone`` is one this cap counts."""
    if medium not in cap.media:
        return False
    if cap.phone_scope == "any":
        return True
    return medium in PHONE_MEDIA and c.history.phone_scope(phone) == cap.phone_scope


def _check_cap(c: Check, overlay: Overlay, cap: FrequencyCap) -> None:
    request = c.request
    if not _in_scope(c, cap, request.action, request.phone):
        return
    history = c.history
    first_day = c.day - (cap.window_days - 1)
    lo = bisect_left(history.contact_days, first_day)
    hi = bisect_right(history.contact_ts, c.known_ts)
    window: list[Contact] = [
        contact
        for contact in history.contacts[lo:hi]
        if contact.wrong_from > c.known_ts
        and (contact.delivered or c.policy.state_caps_count_unanswered)
        and _in_scope(c, cap, contact.medium, contact.phone)
    ]
    groups = c.debt_ids if cap.per == "debt" else ("",)
    for debt_id in groups:
        days = [x.day for x in window if not debt_id or debt_id in x.debt_ids]
        if len(days) + 1 <= cap.limit:
            continue
        free_day = days[len(days) - cap.limit] + cap.window_days
        whose = f"debt {debt_id}" if debt_id else "the consumer"
        c.refuse(
            rule="state_frequency",
            citation=overlay.citation,
            message=(
                f"{overlay.name}: this would be contact {len(days) + 1} with {whose} "
                f"({cap.description}) in the {cap.window_days} days ending {day_text(c.day)}; "
                f"the limit is {cap.limit}."
            ),
            retry_at=history.start_of_day(free_day),
        )
