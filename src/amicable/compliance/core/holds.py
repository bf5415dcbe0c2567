"""Holds: facts that stop collection contacts until something else happens.

* Deceased: communicate only with the person authorized to act for the estate (1006.6(a)(4)).
* Bankruptcy: the automatic stay bars acts to collect (11 U.S.C. 362(a)(6)), bureau reports too.
* Attorney: no communication or attempt with a consumer represented about the debt
  (1006.6(b)(2)); calling the attorney is fine, and a consumer-initiated communication may be
  answered (comment 6(b)(2)-1).
* Cease or refusal to pay, in writing, complete on receipt (1006.6(c)(1)); letters saying efforts
  end or a remedy may or will be invoked remain allowed (1006.6(c)(2)).
* Dispute: a written dispute submitted within the validation period stops collection of the debt
  until verification is sent (1006.38(d)(2)); Policy decides about late written disputes. Sending
  the verification itself is of course allowed.
None of these ends by the passage of time, so they give no retry instant.
"""

from __future__ import annotations

from amicable.compliance.core.check import CONSUMER_MEDIA, Check
from amicable.compliance.core.events import Dispute
from amicable.compliance.core.history import Interval
from amicable.compliance.core.validation import validation_period

CEASE_EXCEPTIONS = frozenset({"terminate_efforts", "invoke_remedy"})


def _active(intervals: list[Interval] | None, known_ts: float) -> bool:
    return intervals is not None and any(i.active(known_ts) for i in intervals)


def check(c: Check) -> None:
    history = c.history
    if not history.any_holds:
        return
    request = c.request
    known = c.known_ts
    communicates = request.action in CONSUMER_MEDIA and c.to_consumer
    if communicates and history.deceased_ts <= known:
        c.refuse(
            rule="deceased",
            citation="12 CFR 1006.6(a)(4)",
            message="The consumer is deceased: communicate only with the executor, "
            "administrator or other person authorized to act for the estate.",
            retry_at=None,
        )
    for debt_id in c.debt_ids:
        if _active(history.bankruptcy.get(debt_id), known):
            c.refuse(
                rule="bankruptcy",
                citation="11 U.S.C. 362(a)(6)",
                message=f"Debt {debt_id} is under a bankruptcy stay: no act to collect it.",
                retry_at=None,
            )
        if communicates and _active(history.attorney.get(debt_id), known):
            if request.replying_to_consumer:
                c.note(
                    f"Debt {debt_id}: the represented consumer initiated this exchange; one "
                    "response is allowed (comment 6(b)(2)-1)."
                )
            else:
                c.refuse(
                    rule="attorney",
                    citation="12 CFR 1006.6(b)(2)",
                    message=(
                        f"The consumer is represented by an attorney about debt {debt_id}: "
                        "communicate with the attorney instead."
                    ),
                    retry_at=None,
                )
        if communicates and _active(history.cease.get(debt_id), known):
            if request.action == "letter" and request.purpose in CEASE_EXCEPTIONS:
                c.note(f"Debt {debt_id}: a cease notice still allows this letter (1006.6(c)(2)).")
            else:
                c.refuse(
                    rule="cease",
                    citation="12 CFR 1006.6(c)(1)",
                    message=(
                        f"The consumer asked in writing to stop communications or refused "
                        f"to pay debt {debt_id}."
                    ),
                    retry_at=None,
                )
        paused_by = _dispute_pauses(c, debt_id) if request.purpose != "verification" else None
        if paused_by == "written":
            c.refuse(
                rule="dispute",
                citation="12 CFR 1006.38(d)(2)",
                message=(
                    f"Debt {debt_id} is disputed in writing: collection is paused until "
                    "verification is sent."
                ),
                retry_at=None,
            )
        elif paused_by == "oral":
            c.refuse(
                rule="dispute",
                citation="12 CFR 1006.38(d)(2); agency policy pause_on_oral_dispute",
                message=(
                    f"Debt {debt_id} was disputed on a call: by agency policy collection is "
                    "paused until verification is sent."
                ),
                retry_at=None,
            )


def _dispute_pauses(c: Check, debt_id: str) -> str | None:
    """ "written" or "oral" when an unverified dispute known now pauses collection of the
    debt (an oral one only under Policy.pause_on_oral_dispute), else None."""
    disputes = c.history.disputes.get(debt_id)
    if not disputes:
        return None
    oral = False
    verified = [v for v in c.history.verifications.get(debt_id, ()) if v <= c.known_ts]
    for ts, dispute in disputes:
        if ts > c.known_ts or any(v >= ts for v in verified):
            continue
        if not dispute.in_writing:
            oral = oral or c.policy.pause_on_oral_dispute
            continue
        if c.policy.pause_on_late_written_dispute or _timely(c, debt_id, dispute):
            return "written"
    return "oral" if oral else None


def _timely(c: Check, debt_id: str, dispute: Dispute) -> bool:
    """Submitted within the validation period (RULES.md §8.5: sent or received, per Policy).

    Without a known validation notice the period cannot have ended, so the dispute is timely.
    """
    received_on = dispute.at.astimezone(c.history.day_zone).date()
    notices = [n for n in c.history.notices.get(debt_id, ()) if n.on <= received_on]
    if not notices:
        return True
    period = validation_period(
        notices[-1].on, include_observed=c.policy.observed_holidays_extend_receipt
    )
    submitted_on = received_on
    if c.policy.dispute_timely_if_sent_in_period and dispute.sent_on is not None:
        submitted_on = dispute.sent_on
    return submitted_on <= period.ends_on
