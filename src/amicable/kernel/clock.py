"""The only place that reads the wall clock.

Domain code takes `now` as a parameter; entry points (views, commands, tasks) call
`utc_now()` once and pass the value down, so tests and the simulator can run any time.
"""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(tz=UTC)
