"""A method a path does not answer gets a JSON 405, and the django-ninja behaviour that relies on is pinned.

corrigo.api.CorrigoAPI wraps the views of NinjaAPI.urls (public API) to turn ninja's bare-text
405 into the API's error shape. The wrapper relies on two things ninja does today: a path's view
answers a method it has no operation for with Django's HttpResponseNotAllowed, and the view
carries csrf_exempt. If an upgrade changes either, the tests here fail, not the answers quietly.
"""

import json

import pytest
from django.http import HttpResponseNotAllowed
from django.test import Client, RequestFactory
from django.urls import URLPattern, resolve
from ninja import NinjaAPI

from tests.conftest import ORIGIN, payload

ANSWERED = {
    "/api/v1/reports": "GET, OPTIONS, POST",
    "/api/v1/cases": "GET",
    "/api/v1/cases/1": "GET",
    "/api/v1/health": "GET, HEAD",
}


@pytest.mark.parametrize("path", ANSWERED)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_method_a_path_lacks_gets_a_json_405_with_allow(client, db, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == ANSWERED[path]
    assert response.json() == {"error": {"code": "method_not_allowed", "message": f"This path answers {ANSWERED[path]}."}}


def test_ninja_answers_a_method_without_operation_with_http_response_not_allowed():
    """What the wrapper looks for: a plain NinjaAPI's URL patterns, and the answer of their views."""
    plain = NinjaAPI(urls_namespace="pinned-405")

    @plain.get("/thing")
    def thing(request):
        return {"ok": True}

    patterns, _, _ = plain.urls
    [view] = [pattern.callback for pattern in patterns if isinstance(pattern, URLPattern) and "thing" in str(pattern.pattern)]
    response = view(RequestFactory().delete("/thing"))
    assert isinstance(response, HttpResponseNotAllowed)
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("path", ANSWERED)
def test_wrapped_views_stay_csrf_exempt(path):
    assert resolve(path).func.csrf_exempt is True


def test_a_report_needs_no_csrf_token(site):
    """Pages on the publisher's site post reports: Django's CSRF check would refuse them all."""
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/api/v1/reports", json.dumps(payload()), content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201, response.content
