"""API authentication (a bearer token for integrations, the session for the browser) and the
role check every endpoint makes."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
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


def signed_in_or_token(view):
    """For the OpenAPI schema and its docs page: a signed-in user, or a valid bearer token
    (an integration reading the schema). Others are sent to sign in (the page) or get 401
    (the schema)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() == "bearer" and secret.strip():
            user = user_for_api_secret(secret=secret.strip(), now=utc_now())
            if user is not None:
                request.user = user
                return view(request, *args, **kwargs)
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


def require(request, roles) -> None:
    """Refuse (403) a user who has none of `roles`."""
    if not has_any_role(request.user, set(roles)):
        raise PermissionDenied("Your role does not allow this.")
