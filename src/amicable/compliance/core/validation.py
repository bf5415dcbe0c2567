"""The validation period of 12 CFR 1006.34(b)(5).

The period starts when the collector provides the validation information and ends 30 days after
the consumer receives it or is assumed to receive it. The collector may assume receipt on any
date at least five days after providing it, not counting legal public holidays (5 U.S.C.
6103(a)), Saturdays and Sundays. Example: provided Monday 2026-03-02, assumed received Monday
2026-03-09, period ends 2026-04-08. The end date does not roll forward over a weekend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from amicable.compliance.core.holidays import is_business_day

RECEIPT_BUSINESS_DAYS = 5
PERIOD_DAYS_AFTER_RECEIPT = 30
CITATION = "12 CFR 1006.34(b)(5)"


@dataclass(frozen=True, slots=True)
class ValidationPeriod:
    """When the notice was provided, when it is assumed received, and the period's last day."""

    notice_sent_on: date
    assumed_received_on: date
    ends_on: date

    def includes(self, day: date) -> bool:
        """Whether ``day`` falls within the validation period."""
        return self.notice_sent_on <= day <= self.ends_on


def assumed_receipt_on(sent_on: date, *, include_observed: bool = True) -> date:
    """The fifth day after ``sent_on`` that is not a Saturday, Sunday or legal public holiday.

    ``include_observed`` also skips the Friday/Monday on which a weekend holiday is observed
    (Policy.observed_holidays_extend_receipt); it can only make the date later, which the rule
    allows ("at least five days").
    """
    day = sent_on
    counted = 0
    while counted < RECEIPT_BUSINESS_DAYS:
        day += timedelta(days=1)
        if is_business_day(day, include_observed=include_observed):
            counted += 1
    return day


def validation_period(sent_on: date, *, include_observed: bool = True) -> ValidationPeriod:
    """The validation period for a notice provided on ``sent_on``."""
    received = assumed_receipt_on(sent_on, include_observed=include_observed)
    return ValidationPeriod(
        notice_sent_on=sent_on,
        assumed_received_on=received,
        ends_on=received + timedelta(days=PERIOD_DAYS_AFTER_RECEIPT),
    )
