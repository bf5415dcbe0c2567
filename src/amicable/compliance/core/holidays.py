"""US legal public holidays (5 U.S.C. 6103(a)), computed, with the observed-date rule.

Computed rather than listed so the engine works for any year without a data update. The
observed-date rule of 6103(b) and Executive Order 11582 (a Saturday holiday is observed on the
Friday before, a Sunday holiday on the Monday after) is offered separately because Reg F's
validation-period count refers to 6103(a) only (RULES.md §8.5; see Policy).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

_MONDAY, _THURSDAY = 0, 3


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` (0 = Monday) of a month, e.g. the third Monday of January."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    """The last ``weekday`` of a month, e.g. the last Monday of May."""
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@lru_cache(maxsize=256)
def legal_public_holidays(year: int) -> frozenset[date]:
    """The 5 U.S.C. 6103(a) holidays falling in ``year``, on their actual dates."""
    days = {
        date(year, 1, 1),  # New Year's Day
        _nth_weekday(year, 2, _MONDAY, 3),  # Washington's Birthday
        _last_weekday(year, 5, _MONDAY),  # Memorial Day
        date(year, 7, 4),  # Independence Day
        _nth_weekday(year, 9, _MONDAY, 1),  # Labor Day
        _nth_weekday(year, 11, _THURSDAY, 4),  # Thanksgiving Day
        date(year, 12, 25),  # Christmas Day
    }
    if year >= 1986:
        days.add(_nth_weekday(year, 1, _MONDAY, 3))  # Birthday of Martin Luther King, Jr.
    if year >= 1971:
        days.add(_nth_weekday(year, 10, _MONDAY, 2))  # Columbus Day
        days.add(date(year, 11, 11))  # Veterans Day
    if year >= 2021:
        days.add(date(year, 6, 19))  # Juneteenth National Independence Day
    return frozenset(days)


def observed_date(holiday: date) -> date:
    """The weekday a holiday is observed on: Saturday -> Friday before, Sunday -> Monday after."""
    if holiday.weekday() == 5:
        return holiday - timedelta(days=1)
    if holiday.weekday() == 6:
        return holiday + timedelta(days=1)
    return holiday


@lru_cache(maxsize=256)
def observed_holidays(year: int) -> frozenset[date]:
    """Observed dates falling in ``year`` (New Year's Day on a Saturday is observed Dec 31)."""
    candidates = legal_public_holidays(year) | legal_public_holidays(year + 1)
    return frozenset(d for d in map(observed_date, candidates) if d.year == year)


def is_business_day(day: date, *, include_observed: bool) -> bool:
    """Monday to Friday and not a legal public holiday (nor its observed day, if asked)."""
    if day.weekday() >= 5 or day in legal_public_holidays(day.year):
        return False
    return not (include_observed and day in observed_holidays(day.year))
