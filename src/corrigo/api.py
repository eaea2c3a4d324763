"""The JSON API (v1, docs/api.md): one NinjaAPI, every error in one shape (reports.errors)."""

from functools import wraps
from typing import Literal

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ConfigDict

from corrigo.articles.api import router as articles_router
from corrigo.reports.api import router as reports_router
from corrigo.reports.errors import ApiError, error_response, pydantic_fields


def _json_method_errors(view):
    """ninja answers a method a path lacks with a bare-text 405; ours is a JSON error like every other."""

    @wraps(view)  # keeps ninja's csrf_exempt mark
    def view_with_json_405(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(method.strip() for method in response["Allow"].split(",")))  # ninja's order is a set's
            response = error_response(405, "method_not_allowed", f"This path answers {allowed}.")
            response["Allow"] = allowed
        return response

    return view_with_json_405


class CorrigoAPI(NinjaAPI):
    """NinjaAPI whose views answer 405 in the API's error shape.

    Public API only (NinjaAPI.urls, URLPattern.callback); tests/reports/test_api_methods.py
    pins the ninja behaviour the wrapper relies on, so an upgrade that changes it fails there.
    """

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_errors(pattern.callback)
        return patterns, app_name, namespace


api = CorrigoAPI(
    title="Corrigo API",
    version="1",
    description="Reader reports in, cases out. See docs/api.md in the Corrigo repository.",
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


class Health(Schema):
    model_config = ConfigDict(extra="forbid")

    ok: Literal[True]


HEALTHY = Health(ok=True).model_dump()

# Described, not declared as response=: ninja would then validate each answer, and this endpoint
# must stay the cheapest (bench/intake.py compares intake against it).
HEALTH_ANSWER = {
    "responses": {200: {"description": "The app is up.", "content": {"application/json": {"schema": Health.model_json_schema()}}}}
}


@api.get("/health", auth=None, openapi_extra=HEALTH_ANSWER, tags=["operations"], summary="Is the app up")
def health(request: HttpRequest) -> dict:
    """The cheapest endpoint: load balancers poll it, the intake benchmark compares against it."""
    return HEALTHY


@api.api_operation(["HEAD"], "/health", auth=None, include_in_schema=False)
def health_head(request: HttpRequest) -> HttpResponse:
    """For load balancers that poll with HEAD: the same answer, whose body the server leaves out."""
    return JsonResponse(HEALTHY)


api.add_router("/", reports_router)
api.add_router("/", articles_router)
