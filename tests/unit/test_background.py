"""Items produced in a second process come back unchanged, whichever way they travel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from amicable.kernel.background import in_background


def plain_items(count: int) -> Iterator[tuple]:
    """Built-in types only: these cross as marshal bytes."""
    for n in range(count):
        yield (n, f"row {n}", None, b"\x00\x01", [("PHONE", "+15185550100", True)], 1.5)


def mixed_items() -> Iterator[object]:
    """A Decimal or a date cannot be marshalled: those items cross as pickles."""
    yield ("plain", 1)
    yield (Decimal("12.50"), date(2026, 4, 6))
    yield ("plain again", 2)


def failing_items() -> Iterator[int]:
    yield 1
    raise ValueError("row 2: the file ended inside a quoted field")


def test_plain_items_come_back_equal_and_in_order() -> None:
    assert list(in_background(plain_items, 50)) == list(plain_items(50))


def test_items_marshal_cannot_write_fall_back_to_pickle() -> None:
    assert list(in_background(mixed_items)) == list(mixed_items())


def test_an_error_in_the_producer_is_raised_here_with_its_type_and_message() -> None:
    received = []
    with pytest.raises(ValueError, match="ended inside a quoted field"):
        for item in in_background(failing_items):
            received.append(item)
    assert received == [1]


ORPHANED = """
import itertools, multiprocessing, os, sys
from amicable.kernel.background import in_background

items = in_background(itertools.count)
next(items)
print(multiprocessing.active_children()[0].pid, flush=True)
sys.stdin.read()
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


ORPHANED_WITH_BIG_ITEMS = ORPHANED.replace(
    "in_background(itertools.count)", 'in_background(itertools.repeat, b"x" * 500_000)'
)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("script", [ORPHANED, ORPHANED_WITH_BIG_ITEMS], ids=["small", "big"])
def test_the_producer_ends_when_its_consumer_is_killed(script):
    """An import killed with SIGKILL runs no clean-up; its reader, blocked on a full queue,
    must not live on (holding a few batches of memory) for ever. A 5,000-row batch is bigger
    than a pipe holds: then the queue's feeder thread is stuck writing it, and the producer
    must not wait for that thread as it exits."""
    consumer = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    producer = int(consumer.stdout.readline())
    consumer.kill()
    consumer.wait()
    deadline = time.monotonic() + 15
    while _running(producer) and time.monotonic() < deadline:
        time.sleep(0.2)
    still_running = _running(producer)
    if still_running:
        os.kill(producer, signal.SIGKILL)
    assert not still_running, "the producer outlived its consumer"
