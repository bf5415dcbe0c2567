"""Ids that come from outside (a URL, a form, an API path).

A URL's `<int:...>` takes any number of digits, but both databases store ids as 64-bit signed
integers: filtering on a larger one fails in the driver (an OverflowError, a server error)
instead of finding nothing. Look-ups by such an id check it first."""

MAX_ID = 2**63 - 1


def storable_id(value: int) -> bool:
    """Could `value` be the id of a stored row?"""
    return 0 < value <= MAX_ID
