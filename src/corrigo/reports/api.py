"""Report API v1 (docs/api.md): the public intake and the token-guarded read endpoints.

The views translate HTTP to the services and back; what each answer holds is declared
once, in corrigo.reports.schemas.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from ninja import Query, Router
from pydantic import ValidationError as PydanticError

from corrigo.monitoring import REPORTS_REFUSED, REPORTS_TAKEN
from corrigo.reports.challenges import ChallengeRequired, new_challenge
from corrigo.reports.clients import request_client
from corrigo.reports.errors import ApiError, ErrorOut, invalid, pydantic_fields
from corrigo.reports.limits import RateLimited
from corrigo.reports.models import Case, CaseStatus, Report
from corrigo.reports.schemas import CaseOut, CasePage, CaseWithReports, ChallengeOut, Receipt, ReportIn, ReportPage
from corrigo.reports.services import InvalidReport, submit_report
from corrigo.sites.api_auth import TokenAuth
from corrigo.sites.models import ApiToken, Site
from corrigo.sites.services import SITE_KEY, intake_site, origin_allowed_anywhere, token_for
from corrigo.sql import UNSTORABLE, row_id

router = Router(tags=["reports"])

JSON_TYPES = {"application/json", "text/plain", ""}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


# ---- intake -----------------------------------------------------------------


def _cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def read_json_object(request: HttpRequest, limit: int, what: str) -> dict:
    """The request's body as a JSON object of at most `limit` bytes, or the API's 400 / 413 saying why."""
    content_type = request.content_type or ""
    if content_type not in JSON_TYPES:
        raise invalid(f"Send the {what} as JSON (Content-Type application/json or text/plain).")
    too_large = ApiError(413, "too_large", f"A {what} body may be at most {limit // (1024 * 1024)} MiB.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise invalid("Content-Length is not a number.") from None
    if length > limit:
        raise too_large
    try:
        raw = request.body
    except (RequestDataTooBig, RawPostDataException):
        raise too_large from None
    if len(raw) > limit:
        raise too_large
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid("The body is not valid UTF-8.") from None
    except (ValueError, RecursionError):
        raise invalid("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid("The body must be a JSON object.")
    if bad := _unstorable_fields(data):
        raise invalid("Text may not contain NUL characters or unpaired surrogates.", dict.fromkeys(bad, "unstorable character"))
    return data


def validated(schema, data: dict):
    """`data` validated by the pydantic `schema`, or the API's 400 naming each offending field."""
    try:
        return schema.model_validate(data)
    except PydanticError as exc:
        raise invalid("Some fields are not valid.", pydantic_fields(exc.errors(include_url=False, include_input=False))) from None


def _read_report(request: HttpRequest) -> ReportIn:
    return validated(ReportIn, read_json_object(request, settings.REPORT_BODY_LIMIT, "report"))


def _unstorable_fields(data: dict, path: str = "") -> list[str]:
    bad = []
    for key, value in data.items():
        name = f"{path}{key}"
        if isinstance(value, str) and UNSTORABLE.search(value):
            bad.append(name)
        elif isinstance(value, dict):
            bad.extend(_unstorable_fields(value, name + "."))
    return bad


def inlined(schema: dict) -> dict:
    """The schema with its $defs written in place: an OpenAPI document resolves "#/..." from its own root."""
    defs = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return inline(schema)


REPORT_BODY_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": inlined(ReportIn.model_json_schema())},
            "text/plain": {
                "schema": {"type": "string", "description": "The same JSON object, sent as text/plain to avoid a CORS preflight."}
            },
        },
    },
    "responses": {
        200: {"description": "A replay: this site already has a report with this client_report_id; the same id."},
        201: {"description": "Received and committed."},
        400: {"description": "invalid: not JSON, or fields that break the rules (see error.fields)."},
        403: {
            "description": "origin_not_allowed: the Origin header is not among the site's allowed origins;"
            " challenge_required: solve a challenge (GET /api/v1/challenge) and send the report again with `altcha`."
        },
        404: {"description": "unknown_site: no site with this key."},
        413: {"description": "too_large: the body is over 1 MiB."},
        429: {"description": "rate_limited: over one of the site's limits; nothing stored. Retry-After says when to try again."},
    },
}


def _sent_with_token(request: HttpRequest, site: Site) -> bool:
    """A server posting with one of the site's live API tokens (any scope): it needs no proof of work."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return False
    token = token_for(secret.strip())
    return token is not None and token.site_id == site.pk


@router.post(
    "/reports",
    auth=None,
    response={(200, 201): Receipt, (400, 403, 404, 413, 429): ErrorOut},
    openapi_extra=REPORT_BODY_SCHEMA,
    summary="Submit a reader's report",
)
def submit(request: HttpRequest) -> HttpResponse:
    origin = request.headers.get("Origin")
    try:
        report = _read_report(request)
        entry = intake_site(report.site)
        if entry is None:
            raise ApiError(404, "unknown_site", f"There is no site {report.site!r}.")
        if origin is not None and not entry.allows(origin):
            raise ApiError(403, "origin_not_allowed", "This page's origin may not send reports for this site.")
        try:
            client = request_client(request, entry.site.pk)
            submission = submit_report(entry.site, report, client, token_sent=_sent_with_token(request, entry.site))
        except InvalidReport as exc:
            raise invalid(str(exc), exc.fields) from None
        except ChallengeRequired as exc:
            raise ApiError(403, "challenge_required", str(exc)) from None
        except RateLimited as exc:
            refusal = ApiError(429, "rate_limited", f"Too many reports ({exc.scope} limit); try again in {exc.retry_after} s.")
            refusal.headers["Retry-After"] = str(exc.retry_after)
            raise refusal from None
    except ApiError as exc:
        # CORS for allowed origins only (issue 2): a page the site does not trust learns
        # nothing, not even why it was refused.
        REPORTS_REFUSED.labels(exc.code).inc()
        readable = origin is not None and exc.code != "origin_not_allowed" and origin_allowed_anywhere(origin)
        return _cors(exc.response(), origin if readable else None)
    REPORTS_TAKEN.labels("created" if submission.created else "replay").inc()
    receipt = Receipt(id=submission.uid, status="received")
    return _cors(JsonResponse(receipt.model_dump(), status=201 if submission.created else 200), origin)


@router.api_operation(["OPTIONS"], "/reports", auth=None, include_in_schema=False)
def preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    origin = request.headers.get("Origin")
    if origin and origin_allowed_anywhere(origin):
        _cors(response, origin)
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
    return response


@router.get(
    "/challenge",
    auth=None,
    response={200: ChallengeOut, (400, 403, 404): ErrorOut},
    summary="A proof-of-work challenge for a reader's report (ALTCHA)",
)
def challenge(request: HttpRequest, site: str = Query(..., max_length=64, description="The site key.")) -> HttpResponse:
    origin = request.headers.get("Origin")
    entry = intake_site(site)
    if entry is None:
        error = ApiError(404, "unknown_site", f"There is no site {site!r}.")
        return _cors(error.response(), origin if origin and origin_allowed_anywhere(origin) else None)
    if origin is not None and not entry.allows(origin):
        return _cors(ApiError(403, "origin_not_allowed", "This page's origin may not ask for this site.").response(), None)
    response = JsonResponse(new_challenge(entry.site))
    response["Cache-Control"] = "no-store"  # each reader, and each report, its own
    return _cors(response, origin)


# ---- read API ---------------------------------------------------------------


def site_for_token(request: HttpRequest, key: str | None) -> Site:
    """The site a request names, which must be its token's own: 404 for no such site, 403 for another's."""
    token: ApiToken = request.auth
    if key is None or key == token.site.key:
        return token.site
    if not SITE_KEY.fullmatch(key) or not Site.objects.filter(key=key).exists():
        raise ApiError(404, "unknown_site", f"There is no site {key!r}.")
    raise ApiError(403, "forbidden", "This token is for another site.")


def _page(queryset, cursor: str | None, limit: int) -> tuple[list, str | None]:
    if cursor:
        if (before := row_id(cursor)) is None:
            raise invalid("cursor is not valid.", {"cursor": "not a cursor from this API"})
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-pk")[: limit + 1])
    next_cursor = str(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _read_errors(*, forbidden: str | None = None, not_found: str) -> dict:
    """The read endpoints' error answers, described for the OpenAPI document."""
    described = {
        400: "invalid: a parameter is not valid (see error.fields).",
        401: "unauthorized: no valid token (Authorization: Bearer <token>).",
        403: forbidden,
        404: not_found,
    }
    return {"responses": {status: {"description": text} for status, text in described.items() if text}}


def case_json(case: Case) -> dict:
    """A case in the read API's shape (CaseOut), for other parts that send cases out (webhooks)."""
    return CaseOut.model_validate(case).model_dump()


SITE_PARAM = Query(None, description="A site key; the token's own site when absent. Another site's key answers 403.")
CURSOR_PARAM = Query(None, description="The `next` of the previous page.")
LIMIT_PARAM = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/reports",
    auth=TokenAuth(),
    response={200: ReportPage, (400, 401, 403, 404): ErrorOut},
    openapi_extra=_read_errors(
        forbidden="forbidden: the token is for another site, or lacks the read scope.",
        not_found="unknown_site: no site with this key.",
    ),
    summary="List reports, newest first",
)
def list_reports(
    request: HttpRequest, site: str | None = SITE_PARAM, cursor: str | None = CURSOR_PARAM, limit: int = LIMIT_PARAM
):
    the_site = site_for_token(request, site)
    rows, next_cursor = _page(Report.objects.filter(site=the_site), cursor, limit)
    return {"reports": rows, "next": next_cursor}


@router.get(
    "/cases",
    auth=TokenAuth(),
    response={200: CasePage, (400, 401, 403, 404): ErrorOut},
    openapi_extra=_read_errors(
        forbidden="forbidden: the token is for another site, or lacks the read scope.",
        not_found="unknown_site: no site with this key.",
    ),
    summary="List cases, newest first",
)
def list_cases(
    request: HttpRequest,
    site: str | None = SITE_PARAM,
    status: CaseStatus | None = None,
    cursor: str | None = CURSOR_PARAM,
    limit: int = LIMIT_PARAM,
):
    the_site = site_for_token(request, site)
    cases = Case.objects.filter(site=the_site).select_related("article", "assignee")
    if status is not None:
        cases = cases.filter(status=status)
    rows, next_cursor = _page(cases, cursor, limit)
    return {"cases": rows, "next": next_cursor}


@router.get(
    "/cases/{case_id}",
    auth=TokenAuth(),
    response={200: CaseWithReports, (400, 401, 403, 404): ErrorOut},
    openapi_extra=_read_errors(
        forbidden="forbidden: the token lacks the read scope.", not_found="not_found: no such case for this token's site."
    ),
    summary="One case with its reports",
)
def get_case(request: HttpRequest, case_id: int):
    case = None
    if 0 < case_id < 2**63:
        case = Case.objects.select_related("article", "assignee").filter(pk=case_id, site=request.auth.site).first()
    if case is None:
        raise ApiError(404, "not_found", "No such case for this token's site.")
    return case
