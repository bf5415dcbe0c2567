"""The only place that reads the wall clock.

Domain code takes `now` as a parameter; entry points (views, commands, tasks) call
`utc_now()` once and pass the value down, so tests and the simulator can run any time.

Two deliberate ways to move the clock, both for people rather than code:
- `AMICABLE_CLOCK_OFFSET` (seconds, environment): a demo started at night can shift itself
  into calling hours (`amicable demo` sets it when started outside them), since no lawful call can
  be placed at 3 a.m. anywhere in the US;
- `freeze(at)`: tests (including browser tests, whose server runs in another thread) pin the
  time so that calling-hours rules give the same answer whenever the suite runs.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def _offset() -> timedelta:
    try:
        return timedelta(seconds=float(os.environ.get("AMICABLE_CLOCK_OFFSET", "0") or 0))
    except ValueError:
        return timedelta(0)


def utc_now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(tz=UTC) + _offset()


@contextmanager
def freeze(at: datetime) -> Iterator[None]:
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
