"""API authentication: a bearer token for integrations, the session for the browser."""

from ninja.security import HttpBearer, django_auth

from amicable.identity.services import user_for_api_secret
from amicable.kernel.clock import utc_now


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_api_secret(secret=token, now=utc_now())
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]
