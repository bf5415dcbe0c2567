"""The HTTP API under /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from amicable.http_api.auth import AUTH, signed_in_or_token
from amicable.http_api.campaigns import router as campaigns_router
from amicable.http_api.compliance import router as compliance_router
from amicable.http_api.portfolio import router as portfolio_router
from amicable.kernel.errors import UnableTo

api = NinjaAPI(
    title="Amicable API",
    version="1",
    description=(
        "Creditors, placements, consumers and debts; compliance; dialer campaigns. "
        "Authenticate with `Authorization: Bearer <token>` (issue one with "
        "`amicable token issue USERNAME --name NAME`) or, from the browser, with your session."
    ),
    auth=AUTH,
    urls_namespace="api-v1",
    # The schema names every endpoint and field: signed-in users only (a token client reads
    # what it needs from the docs a person opened for it).
    docs_decorator=signed_in_or_token,
)
api.add_router("/", portfolio_router)
api.add_router("/compliance", compliance_router)
api.add_router("/campaigns", campaigns_router)


@api.exception_handler(UnableTo)
def unable_to(request, exc: UnableTo):
    return api.create_response(request, {"detail": exc.message}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "Your role does not allow this."}, status=403
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)
