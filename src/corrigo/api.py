"""The JSON API (v1, docs/api.md): one NinjaAPI, every error in one shape (reports.errors)."""

import logging
import sys
from functools import wraps
from typing import Literal

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ConfigDict

from corrigo.articles.api import router as articles_router
from corrigo.corrections.api import router as corrections_router
from corrigo.middleware import API_PREFIX
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


logger = logging.getLogger("corrigo.api")
# How long a client should wait before it tries again when the database is out of reach.
RETRY_AFTER_SECONDS = 5


def database_unavailable(request: HttpRequest) -> HttpResponse:
    response = error_response(503, "unavailable", "The database cannot be reached just now; try again shortly.")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if origin := request.headers.get("Origin"):
        # The widget must read Retry-After; the answer says nothing about any site.
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "Retry-After"
        response["Vary"] = "Origin"
    return response


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_lost(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    logger.warning("database unavailable on %s %s: %s", request.method, request.path, reason)
    return database_unavailable(request)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", "Nothing here.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "server_error", "Something went wrong on our side; it has been logged.")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for paths under /api/ that match no endpoint: in the API's shape."""
    if is_api(request):
        return error_response(404, "not_found", "There is no such API path; see /api/v1/openapi.json.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (a Host not allowed, a suspicious request) under /api/: in the API's shape."""
    if is_api(request):
        return error_response(400, "bad_request", "The request was refused before it reached the API.")
    from django.views.defaults import bad_request as html_bad_request

    return html_bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 for what escaped every handler; a lost database is a 503 with Retry-After."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)) and is_api(request):
        return database_unavailable(request)
    if is_api(request):
        return error_response(500, "server_error", "Something went wrong on our side; it has been logged.")
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)


class Health(Schema):
    model_config = ConfigDict(extra="forbid")

    ok: Literal[True]


class Ready(Schema):
    model_config = ConfigDict(extra="forbid")

    ready: Literal[True]


HEALTHY = Health(ok=True).model_dump()
READY = Ready(ready=True).model_dump()
UNAVAILABLE = {"description": "unavailable: the database cannot be reached (Retry-After says when to ask again)."}

# Described, not declared as response=: ninja would then validate each answer, and this endpoint
# must stay cheap (bench/intake.py compares intake against it).
HEALTH_ANSWER = {
    "responses": {
        200: {
            "description": "The app is up and reaches its database.",
            "content": {"application/json": {"schema": Health.model_json_schema()}},
        },
        503: UNAVAILABLE,
    }
}
READY_ANSWER = {
    "responses": {
        200: {"description": "Ready for traffic.", "content": {"application/json": {"schema": Ready.model_json_schema()}}},
        503: {"description": "unavailable (no database) or not_ready (migrations not applied yet)."},
    }
}


def _database_answers() -> bool:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


@api.get("/health", auth=None, openapi_extra=HEALTH_ANSWER, tags=["operations"], summary="Is the app up")
def health(request: HttpRequest) -> HttpResponse | dict:
    """Load balancers poll it: the process answers and its database does (one SELECT 1)."""
    return HEALTHY if _database_answers() else database_unavailable(request)


@api.api_operation(["HEAD"], "/health", auth=None, include_in_schema=False)
def health_head(request: HttpRequest) -> HttpResponse:
    """For load balancers that poll with HEAD: the same answer, whose body the server leaves out."""
    return JsonResponse(HEALTHY) if _database_answers() else database_unavailable(request)


_migrated = False  # once every migration is applied, it stays so for this process's code


def _migrations_applied() -> bool:
    global _migrated  # noqa: PLW0603 (a per-process latch)
    if not _migrated:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@api.get("/ready", auth=None, openapi_extra=READY_ANSWER, tags=["operations"], summary="Can the app take traffic")
def ready(request: HttpRequest) -> HttpResponse | dict:
    """For a load balancer's readiness check: the database answers and has every migration this code needs."""
    if not _database_answers():
        return database_unavailable(request)
    if not _migrations_applied():
        response = error_response(503, "not_ready", "The database lacks migrations this version needs: run corrigo migrate.")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return READY


api.add_router("/", reports_router)
api.add_router("/", corrections_router)
api.add_router("/", articles_router)
