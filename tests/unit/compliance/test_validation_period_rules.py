"""Validation period (1006.34(b)(5)) and the legal public holidays it skips (5 U.S.C. 6103(a))."""

from __future__ import annotations

from datetime import date

import pytest

from amicable.compliance.core.holidays import (
    is_business_day,
    legal_public_holidays,
    observed_holidays,
)
from amicable.compliance.core.validation import assumed_receipt_on, validation_period


def test_holidays_2026() -> None:
    assert sorted(legal_public_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 19),  # MLK: third Monday of January
        date(2026, 2, 16),  # Washington's Birthday
        date(2026, 5, 25),  # Memorial Day: last Monday of May
        date(2026, 6, 19),
        date(2026, 7, 4),  # a Saturday
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),  # Thanksgiving: fourth Thursday
        date(2026, 12, 25),
    ]


def test_observed_dates() -> None:
    assert date(2026, 7, 3) in observed_holidays(2026)  # July 4 on a Saturday
    assert date(2027, 12, 31) in observed_holidays(2027)  # Jan 1 2028 is a Saturday
    assert date(2027, 12, 24) in observed_holidays(2027)  # Christmas 2027 is a Saturday
    assert date(2022, 12, 26) in observed_holidays(2022)  # Christmas 2022 was a Sunday
    assert date(2021, 6, 18) in observed_holidays(2021)  # first Juneteenth, a Saturday
    assert date(2020, 6, 19) not in legal_public_holidays(2020)


def test_business_days() -> None:
    assert not is_business_day(date(2026, 7, 4), include_observed=False)
    assert is_business_day(date(2026, 7, 3), include_observed=False)
    assert not is_business_day(date(2026, 7, 3), include_observed=True)


@pytest.mark.parametrize(
    ("sent_on", "received_on", "ends_on"),
    [
        (date(2026, 3, 2), date(2026, 3, 9), date(2026, 4, 8)),  # RULES.md example
        (date(2026, 3, 6), date(2026, 3, 13), date(2026, 4, 12)),  # sent on a Friday
        (date(2026, 3, 7), date(2026, 3, 13), date(2026, 4, 12)),  # sent on a Saturday
        (date(2026, 11, 25), date(2026, 12, 3), date(2027, 1, 2)),  # over Thanksgiving
        (date(2026, 12, 22), date(2026, 12, 30), date(2027, 1, 29)),  # over Christmas
        (date(2026, 1, 14), date(2026, 1, 22), date(2026, 2, 21)),  # over MLK day
        (date(2026, 7, 1), date(2026, 7, 9), date(2026, 8, 8)),  # July 3 observed
    ],
)
def test_validation_period(sent_on: date, received_on: date, ends_on: date) -> None:
    period = validation_period(sent_on)
    assert (period.assumed_received_on, period.ends_on) == (received_on, ends_on)
    assert period.includes(ends_on) and not period.includes(
        date.fromordinal(ends_on.toordinal() + 1)
    )


def test_observed_holiday_skipping_is_a_policy_choice() -> None:
    assert assumed_receipt_on(date(2026, 7, 1), include_observed=False) == date(2026, 7, 8)
    assert assumed_receipt_on(date(2026, 7, 1), include_observed=True) == date(2026, 7, 9)
