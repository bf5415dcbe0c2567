"""Every route that takes an id answers a missing or out-of-range one with a page or a
clear error (404, 403, 405, a redirect with a message), never a server error."""

import re

import pytest
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.django_db

MISSING = "999999"
OUT_OF_RANGE = "100000000000000000000"  # more than a 64-bit integer holds


def routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def routes_with_ids() -> list[str]:
    """Django's `<int:...>` routes, and the API's (django-ninja writes `<name>`)."""
    return sorted(
        {
            r
            for r in routes(get_resolver().url_patterns)
            if "<int:" in r or (r.startswith("api/") and re.search(r"<\w+>", r))
        }
    )


def test_there_are_routes_with_ids_to_try():
    assert len(routes_with_ids()) >= 25


@pytest.mark.parametrize("number", [MISSING, OUT_OF_RANGE])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("user", ["supervisor_sam", "agent_alice", "client_clio_of_mercy"])
def test_no_route_fails_on_an_id_that_is_not_there(client, request, user, method, number):
    client.force_login(request.getfixturevalue(user))
    failures = []
    for route in routes_with_ids():
        url = "/" + re.sub(r"<int:\w+>|<\w+>", number, route)
        url = re.sub(r"<\w+:\w+>", "x", url)
        response = getattr(client, method)(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    assert failures == []


def test_refusals_and_missing_pages_are_pages_of_the_app(client, client_clio_of_mercy):
    client.force_login(client_clio_of_mercy)

    refused = client.get("/desk/")
    missing = client.get("/accounts/999999/")

    assert refused.status_code == 403 and missing.status_code == 404
    for response in (refused, missing):
        page = response.content.decode()
        assert 'data-testid="error-page"' in page and "Sign out" in page  # the app's frame
    assert "Your role does not give access to this page." in refused.content.decode()


def test_a_refusal_is_logged_on_one_line():
    import logging

    from django.core.exceptions import PermissionDenied

    from amicable.config.log_filters import NoTracebackForRefusals

    try:
        raise PermissionDenied("no")
    except PermissionDenied:
        import sys

        record = logging.LogRecord("django.request", 30, "", 0, "Forbidden", None, sys.exc_info())
    assert NoTracebackForRefusals().filter(record) and record.exc_info is None
