"""Errors raised by the pure placement-import core.

They follow the project's `UnableToX` convention: raised where the problem is found, carrying a
message that can be shown to a back-office user as is.
"""


class UnableToParseValue(ValueError):
    """One cell value cannot be understood (an amount, a date, a phone number...).

    The message describes the value, not the column, e.g. `"12,3x" is not an amount`; the row
    parser adds the column name in front.
    """


class UnableToReadPlacementFile(Exception):
    """The whole file is refused: unreadable encoding, missing required columns, bad mapping..."""


class UnableToLoadMapping(Exception):
    """A column-mapping file (or mapping dict) is unreadable or names a non-standard column."""
