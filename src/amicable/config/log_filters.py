"""Logging filters for the console."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NoTracebackForRefusals(logging.Filter):
    """A 403 (a role that may not open the page) or a 404 is the app doing its job: Django
    still logs the warning line, without the thirty lines of traceback that would bury real
    errors in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], (PermissionDenied, Http404)):
            record.exc_info = None
            record.exc_text = None
        return True
