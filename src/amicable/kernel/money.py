"""Money is Decimal with two places, never float.

One place decides how amounts are rounded and written so that every screen, file and
API agrees to the cent.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to cents (half up, the way statements and receipts are written)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal or a string")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | int | None) -> str:
    """`$1,234.50`; negative amounts as `-$12.00`."""
    if value is None:
        return ""
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"
