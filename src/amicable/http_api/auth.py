"""API authentication (a bearer token for integrations, the session for the browser) and the
role check every endpoint makes."""

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer, django_auth

from amicable.identity.roles import has_any_role
from amicable.identity.services import user_for_api_secret
from amicable.kernel.clock import utc_now


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_api_secret(secret=token, now=utc_now())
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]


def require(request, roles) -> None:
    """Refuse (403) a user who has none of `roles`."""
    if not has_any_role(request.user, set(roles)):
        raise PermissionDenied("Your role does not allow this.")
