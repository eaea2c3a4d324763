"""The JSON API (v1): one NinjaAPI, every error in the shape DESIGN.md fixes."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from corrigo.reports.api import router as reports_router
from corrigo.reports.errors import ApiError, error_response, pydantic_fields

api = NinjaAPI(
    title="Corrigo API",
    version="1",
    description="Reader reports in, cases out. See DESIGN.md, 'Report API v1'.",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return exc.response()


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(401, "unauthorized", "Send a valid API token: Authorization: Bearer <token>.")
    response["WWW-Authenticate"] = 'Bearer realm="corrigo"'
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(400, "invalid", "Some parameters are not valid.", pydantic_fields(exc.errors, skip=1))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, "error", str(exc))


@api.get("/health", auth=None, include_in_schema=False)
def health(request: HttpRequest) -> dict:
    """The cheapest endpoint: load balancers poll it, the intake benchmark compares against it."""
    return {"ok": True}


api.add_router("/", reports_router)
