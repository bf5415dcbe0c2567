"""Call frequency, 12 CFR 1006.14(b).

A call about a particular debt is presumed lawful unless it is placed (A) more than seven times
within seven consecutive days, or (B) within seven consecutive days after a telephone
conversation about that debt, the conversation day being day 1. Days are the consumer's local
calendar days (RULES.md §8.2) and the window rolls: the asked call on day D is checked against
days D-6 .. D. Both presumptions are rebuttable, but the engine treats them as hard limits.

What counts (comments 14(b)-1, 14(b)(3)(ii)-1, 14(b)(2)(i)-3): every placed call that connects,
including unanswered ringing, voicemail reached without a message, ringless voicemail and
abandoned calls; not busy signals or not-in-service numbers, not calls to the consumer's
attorney (14(b)(3)(iii)), not calls to a number later learned to be someone else's, and not calls
placed with the consumer's prior consent within its (at most) seven days (14(b)(3)(i)), which
ends early on the next conversation about the debt. Each call counts toward the debts it is
recorded against (14(b)(4)); student loans under one servicing account are one debt.
"""

from __future__ import annotations

from amicable.compliance.core.check import Check, day_text
from amicable.compliance.core.history import Series

CITATION_CAP = "12 CFR 1006.14(b)(2)(i)(A)"
CITATION_CONVERSATION = "12 CFR 1006.14(b)(2)(i)(B)"
CITATION_LOCATION_ONCE = "12 CFR 1006.10(c)"
WINDOW_DAYS = 7
_EMPTY = Series()


def consent_day(c: Check, key: str) -> tuple[bool, int | None]:
    """Whether a consent known now covers a call about ``key`` on the asked day, and the next
    later day a known, unexpired consent covers (a lower bound for ``next_allowed_at``)."""
    covered = False
    later: int | None = None
    for consent in c.history.call_consents.get(key, ()):
        if consent.at_ts > c.known_ts or consent.expires_ts <= c.known_ts:
            continue
        for day in consent.days:
            if day == c.day:
                covered = True
            elif day > c.day and (later is None or day < later):
                later = day
    return covered, later


def check(c: Check) -> None:
    request = c.request
    history = c.history
    first_day = c.day - (WINDOW_DAYS - 1)
    is_call = request.action == "call"
    if request.to == "third_party":
        _check_third_party(c, first_day=first_day)
        return
    if is_call and request.to == "attorney":
        c.note("A call to the consumer's attorney does not count (1006.14(b)(3)(iii)).")
    asked_counts = is_call and c.to_consumer
    for key in history.keys(request.debt_ids):
        prior = history.counted_calls.get(key, _EMPTY).days_known(
            first_day=first_day, known_ts=c.known_ts
        )
        covered, later_consent = consent_day(c, key) if asked_counts else (False, None)
        counted = len(prior) + (1 if asked_counts and not covered else 0)
        if c.want_counts:
            for debt_id in c.debt_ids:
                if history.key_of.get(debt_id, debt_id) == key:
                    c.counts[debt_id] = counted
        if not asked_counts:
            continue
        if covered:
            c.note(
                f"The call about {_debt_name(c, key)} does not count: the consumer consented "
                f"directly to calls on {day_text(c.day)} (1006.14(b)(3)(i))."
            )
            continue
        _check_cap(c, key, prior=prior, counted=counted, later_consent=later_consent)
        _check_conversation(c, key, later_consent=later_consent)


def _check_cap(
    c: Check, key: str, *, prior: list[int], counted: int, later_consent: int | None
) -> None:
    limit = c.policy.max_calls_in_seven_days
    if counted <= limit:
        return
    # The cap frees up on the day the (limit)-th newest prior call leaves the window.
    free_day = prior[len(prior) - limit] + WINDOW_DAYS
    if later_consent is not None:
        free_day = min(free_day, later_consent)
    c.refuse(
        rule="call_frequency",
        citation=CITATION_CAP,
        message=lambda: (
            f"This would be call {counted} about {_debt_name(c, key)} in the 7 days "
            f"{day_text(c.day - WINDOW_DAYS + 1)} to {day_text(c.day)}; more than {limit} is "
            "presumed harassment."
        ),
        retry_at=c.history.start_of_day(free_day),
    )


def _check_conversation(c: Check, key: str, *, later_consent: int | None) -> None:
    talks = c.history.conversations.get(key)
    if talks is None:
        return
    last = talks.last_day_known(known_ts=c.known_ts)
    quiet = c.policy.conversation_quiet_days
    if last is None or last < c.day - (quiet - 1):
        return
    free_day = last + quiet
    if later_consent is not None:
        free_day = min(free_day, later_consent)
    c.refuse(
        rule="call_after_conversation",
        citation=CITATION_CONVERSATION,
        message=lambda: (
            f"A telephone conversation about {_debt_name(c, key)} took place on "
            f"{day_text(last)}; no call about it before {day_text(last + quiet)} unless the "
            "consumer consents directly."
        ),
        retry_at=c.history.start_of_day(free_day),
    )


def _check_third_party(c: Check, *, first_day: int) -> None:
    """Calls to a third party (location information) are capped per person, that is per
    number called (comment 14(b)(2)(i)-1.iii); and once a third party has been spoken with,
    they may be contacted again only on one of the two exceptions of 1006.10(c)."""
    history = c.history
    talked_on = history.third_party_talks.get(c.request.phone, _EMPTY).last_day_known(
        known_ts=c.known_ts
    )
    if talked_on is not None and c.request.location_follow_up:
        c.note(
            f"This third party was already spoken with on {day_text(talked_on)}; contacted "
            "again on an exception of 1006.10(c) (they asked, or their earlier answer was "
            "believed wrong or incomplete)."
        )
    elif talked_on is not None:
        c.refuse(
            rule="location_once",
            citation=CITATION_LOCATION_ONCE,
            message=(
                f"This third party was already spoken with on {day_text(talked_on)}. Contact "
                "them again only if they asked for it, or if there is reason to believe their "
                "earlier answer was wrong or incomplete and that they now have the correct "
                "location information (say so with location_follow_up)."
            ),
            retry_at=None,
        )
    is_call = c.request.action == "call"
    limit = c.policy.max_calls_in_seven_days
    for key in history.keys(c.request.debt_ids):
        series = history.third_party_calls.get((c.request.phone, key), _EMPTY)
        prior = series.days_known(first_day=first_day, known_ts=c.known_ts)
        counted = len(prior) + (1 if is_call else 0)
        if c.want_counts:
            for debt_id in c.debt_ids:
                if history.key_of.get(debt_id, debt_id) == key:
                    c.counts[debt_id] = counted
        if is_call and counted > limit:
            c.refuse(
                rule="call_frequency",
                citation=CITATION_CAP,
                message=(
                    f"This would be call {counted} to this third party about "
                    f"{_debt_name(c, key)} within 7 consecutive days; more than {limit} is "
                    "presumed harassment."
                ),
                retry_at=history.start_of_day(prior[len(prior) - limit] + WINDOW_DAYS),
            )


def _debt_name(c: Check, key: str) -> str:
    if key.startswith("student_loan:"):
        return f"the student loans serviced under account {key.split(':', 1)[1]}"
    return f"debt {key}"
