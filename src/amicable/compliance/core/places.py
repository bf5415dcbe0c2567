"""Inconvenient places (1006.6(b)(1)(ii)) and the workplace (1006.6(b)(3)).

Landlines and mailing addresses are tied to a place; mobile numbers and email are not, unless the
collector knows where the consumer is (comment 6(b)(1)(ii)-1). A phone or address tied to a place
the consumer called inconvenient ("not at home") is off limits until they say otherwise. When the
consumer said their employer prohibits such contacts, work numbers and work email are off limits.
The consumer's own contact from that place may be answered once (comment 6(b)(1)-2.ii).
"""

from __future__ import annotations

from amicable.compliance.core.check import Check


def _place_of(c: Check) -> tuple[str | None, str]:
    """The place the asked contact reaches, and what reaches it (for the message)."""
    request = c.request
    history = c.history
    if request.action in ("call", "text") and request.phone is not None:
        return history.phone_place.get(request.phone), f"phone {request.phone}"
    if request.action == "letter" and request.address is not None:
        return history.address_place.get(request.address), f"address {request.address}"
    if request.action == "email" and request.address in history.work_emails:
        return "work", f"work email {request.address}"
    return None, ""


def check(c: Check) -> None:
    if not c.to_consumer or c.request.action == "bureau_report":
        return
    place, channel = _place_of(c)
    if place is None:
        return
    if c.request.replying_to_consumer:
        c.note(
            f"Reply to the consumer's own contact through {channel}: allowed once at that "
            "place (comment 6(b)(1)-2.ii)."
        )
        return
    if place in c.consumer.inconvenient_places:
        c.refuse(
            rule="inconvenient_place",
            citation="12 CFR 1006.6(b)(1)(ii)",
            message=lambda: (
                f"The consumer said {place} is an inconvenient place; {channel} reaches it."
            ),
            retry_at=None,
        )
    if place == "work" and c.consumer.employer_prohibits_contact:
        c.refuse(
            rule="workplace",
            citation="12 CFR 1006.6(b)(3)",
            message=lambda: (
                f"The consumer's employer prohibits such contacts; {channel} is at work."
            ),
            retry_at=None,
        )
