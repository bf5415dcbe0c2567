"""Items produced in a second process come back unchanged, whichever way they travel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

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
