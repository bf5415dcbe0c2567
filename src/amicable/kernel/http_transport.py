"""A minimal HTTPS transport for provider adapters (payments, telephony).

Adapters take a `Transport` (a function from request to response) so tests replay recorded
exchanges and production uses `urllib_transport`; only the standard library is needed.
"""

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class TransportError(Exception):
    """The request may or may not have reached the provider (timeout, connection reset...)."""


Transport = Callable[[HttpRequest], HttpResponse]


def urllib_transport(
    request: HttpRequest, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> HttpResponse:
    """Send ``request`` with ``urllib.request``; HTTP error statuses are returned, not raised."""
    if not request.url.startswith("https://"):
        raise TransportError("only https URLs are allowed")
    outgoing = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        request.url, data=request.body, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout) as response:  # noqa: S310
            return HttpResponse(
                status=response.status, body=response.read(), headers=dict(response.headers)
            )
    except urllib.error.HTTPError as error:
        return HttpResponse(status=error.code, body=error.read(), headers=dict(error.headers))
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as error:
        raise TransportError(type(error).__name__) from None
