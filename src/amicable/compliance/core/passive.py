"""Passive collection: furnishing to a consumer reporting agency, 12 CFR 1006.30(a).

A collector must not furnish information about a debt before it has either spoken to the
consumer about the debt (in person or by telephone), or mailed a letter or sent an electronic
message about the debt and waited a reasonable time for a notice of undeliverability. 14
consecutive days, starting on the mailing day, is a reasonable time (comment 30(a)(1)-2), so a
letter mailed May 1 allows furnishing from May 15; one returned within those days does not count.
"""

from __future__ import annotations

from datetime import date, timedelta

from amicable.compliance.core.check import Check

CITATION = "12 CFR 1006.30(a)(1)"


def check(c: Check) -> None:
    request = c.request
    if request.action != "bureau_report":
        return
    history = c.history
    wait = timedelta(days=c.policy.passive_collection_wait_days)
    report_on = date.fromordinal(c.day)
    known_on = date.fromordinal(c.known_day)
    for debt_id in c.debt_ids:
        if history.first_spoke_ts.get(debt_id, float("inf")) <= c.known_ts:
            continue
        earliest: date | None = None
        for mailing in history.mailings.get(debt_id, ()):
            if mailing.sent_on > known_on:
                continue
            ready_on = mailing.sent_on + wait
            if mailing.returned_on is not None and mailing.returned_on < ready_on:
                continue  # came back undeliverable within the waiting period
            if earliest is None or ready_on < earliest:
                earliest = ready_on
        if earliest is not None and earliest <= report_on:
            continue
        if earliest is None:
            message = (
                f"Debt {debt_id}: the consumer has not been spoken to, and no letter or "
                "electronic message about it has been sent."
            )
            retry_at = None
        else:
            message = (
                f"Debt {debt_id}: no conversation yet, and the first message that can "
                f"satisfy the waiting period allows reporting from {earliest.isoformat()}."
            )
            retry_at = history.start_of_day(earliest.toordinal())
        c.refuse(rule="passive_collection", citation=CITATION, message=message, retry_at=retry_at)
