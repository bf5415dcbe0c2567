"""Inconvenient times, 12 CFR 1006.6(b)(1)(i).

Absent other knowledge, before 8:00 a.m. and after 9:00 p.m. local time at the consumer's
location is inconvenient. With conflicting or ambiguous location information the contact must be
convenient in every location the collector's information points to (comment 6(b)(1)(i)-2), so
the hours are checked in every one of the consumer's time zones. Times the consumer designated as
inconvenient bind until they say otherwise (comment 6(b)(1)-1); a reply through the same medium to
the consumer's own message may go out once in such a time (comment 6(b)(1)-2). An email or text
happens when it is sent (comment 6(b)(1)(i)-1). Letters have no time of day here.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from amicable.compliance.core.check import TIMED_MEDIA, WEEKDAY_NAMES, Check, clock_text

CITATION = "12 CFR 1006.6(b)(1)(i)"


def next_local(local: datetime, clock: time) -> datetime:
    """The first instant strictly after ``local`` at which its zone's clock shows ``clock``."""
    candidate = datetime.combine(local.date(), clock, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=local.tzinfo)
    return candidate


def outside_hours(tod: time, *, earliest: time, latest: time) -> bool:
    """Before ``earliest`` or after ``latest`` (both endpoints allowed, RULES.md §8.1)."""
    return tod < earliest or tod > latest


def clock(t: time) -> str:
    """'08:00', or '08:00:01' when seconds are set."""
    return f"{t.hour:02d}:{t.minute:02d}" + (f":{t.second:02d}" if t.second else "")


def hours_text(earliest: time, latest: time) -> str:
    """'08:00-21:00'."""
    return f"{clock(earliest)}-{clock(latest)}"


def where_text(locals_: list[datetime]) -> str:
    """'Thu 03:00 in America/New_York and Thu 00:00 in America/Los_Angeles'."""
    return " and ".join(f"{clock_text(lt)} in {lt.tzinfo}" for lt in locals_)


def check(c: Check) -> None:
    request = c.request
    if request.action not in TIMED_MEDIA or not c.to_consumer:
        return
    policy = c.policy
    earliest, latest = policy.earliest_local_time, policy.latest_local_time
    if not (request.replying_to_consumer and policy.reply_exempts_default_hours):
        outside = [
            lt for lt in c.local if outside_hours(lt.time(), earliest=earliest, latest=latest)
        ]
        if outside:
            # Every zone must be back inside its hours: the latest next opening is the earliest
            # candidate for all of them.
            c.refuse(
                rule="inconvenient_time",
                citation=CITATION,
                message=lambda: (
                    f"It is {where_text(outside)}: outside {hours_text(earliest, latest)} "
                    "at a location where the consumer may be."
                ),
                retry_at=max(next_local(lt, earliest) for lt in outside),
            )
    if not c.consumer.inconvenient_times:
        return
    if request.replying_to_consumer:
        c.note(
            "Reply to the consumer's own message: their designated inconvenient times do not "
            "apply to one reply through the same medium (comment 6(b)(1)-2)."
        )
        return
    for local in c.local:
        _check_designated(c, local)


def _check_designated(c: Check, local: datetime) -> None:
    """Refuse inside a window the consumer designated as inconvenient (comment 6(b)(1)-1)."""
    tod = local.time()
    for window in c.consumer.inconvenient_times:
        if local.weekday() not in window.weekdays or tod < window.start:
            continue
        if window.until is not None and local.date() > window.until:
            continue
        if window.end is not None and tod >= window.end:
            continue
        if window.end is None:
            ends = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
            until = "the end of the day"
        else:
            ends = datetime.combine(local.date(), window.end, tzinfo=local.tzinfo)
            until = f"{window.end:%H:%M}"
        c.refuse(
            rule="consumer_inconvenient_time",
            citation=CITATION,
            message=(
                f"The consumer said {WEEKDAY_NAMES[local.weekday()]} from "
                f"{window.start:%H:%M} to {until} is inconvenient (it is {clock_text(local)} "
                f"in {local.tzinfo})."
            ),
            retry_at=ends,
        )
