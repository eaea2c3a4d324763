"""Two endpoints that do part of intake's work, to show what bounds its throughput.

`bench/intake.py --bounds` drives them beside the real intake on the same server:

- POST /api/bench/validate-only: everything intake does before it writes (read the
  body, validate it, look up the site, check the origin and the cross-field rules,
  which submit_report checks first) and the same 201 answer, but no write at all. Nothing stored: the bound of any design.
- POST /api/bench/receipt-only: the same, then one INSERT of the raw body into a
  table of its own, committed (with the site's `synchronous` setting) before the
  answer. The bound of a design that acknowledges a receipt and files it under its
  case later, before paying for the filing.

They reuse the product's own functions and go through django-ninja as the
real endpoints do, so the comparison is like for like. Never served by Corrigo.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from ninja import NinjaAPI

from corrigo.reports.api import _read_report
from corrigo.reports.errors import ApiError
from corrigo.reports.models import new_report_uid
from corrigo.reports.schemas import Receipt, cross_field_errors
from corrigo.sites.services import intake_site
from corrigo.sql import execute, write_transaction
from corrigo.urls import urlpatterns as corrigo_urls

bounds = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None)


def _checked(request: HttpRequest):
    report = _read_report(request)
    entry = intake_site(report.site)
    origin = request.headers.get("Origin")
    if entry is None or (origin is not None and not entry.allows(origin)) or cross_field_errors(report):
        raise ApiError(400, "invalid", "The bench sends only valid reports.")
    return entry, report


def _received(origin: str | None) -> HttpResponse:
    response = JsonResponse(Receipt(id=new_report_uid(), status="received").model_dump(), status=201)
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


@bounds.post("/validate-only", auth=None)
def validate_only(request: HttpRequest) -> HttpResponse:
    _checked(request)
    return _received(request.headers.get("Origin"))


@bounds.post("/receipt-only", auth=None)
def receipt_only(request: HttpRequest) -> HttpResponse:
    entry, report = _checked(request)
    with write_transaction():  # bench/intake.py made the table before it started the server
        execute(
            "INSERT INTO bench_receipt (site_id, client_report_id, uid, body) VALUES (%s, %s, %s, %s)",
            [entry.site.pk, report.client_report_id, new_report_uid(), request.body.decode()],
        )
    return _received(request.headers.get("Origin"))


# Under /api/, as the real intake is: the same middleware runs (corrigo.middleware skips the session ones there).
urlpatterns = [path("api/bench/", bounds.urls), *corrigo_urls]
