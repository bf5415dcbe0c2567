"""Base class for expected failures that are shown to the user as a clear message."""


class UnableTo(Exception):
    """Something the user asked for cannot be done; the message says what and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
