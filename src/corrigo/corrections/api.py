"""The corrections API (docs/api.md): case actions for integrations, and the public notices list.

POST /cases/{id}/actions calls the desk's own functions (reports.actions, and
corrections.services for "fixed" with a notice) with the triage token as the actor, so
the site log names the token. GET /notices is public, like the corrections page.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from ninja import Query, Router

from corrigo import audit
from corrigo.corrections import public, services
from corrigo.corrections.schemas import CaseActionIn, NoticePage
from corrigo.corrections.views import conditional
from corrigo.reports import actions
from corrigo.reports.api import CURSOR_PARAM, LIMIT_PARAM, _page
from corrigo.reports.errors import ApiError, ErrorOut, invalid
from corrigo.reports.models import Case, CaseStatus
from corrigo.reports.schemas import CaseWithReports, NoticeOut
from corrigo.sites.api_auth import TokenAuth
from corrigo.sites.models import ApiToken, Scope, Site
from corrigo.sites.services import SITE_KEY

router = Router(tags=["corrections"])

ACTION_ERRORS = {
    "responses": {
        400: {"description": "invalid: the body is not a valid action (see error.fields)."},
        401: {"description": "unauthorized: no valid token (Authorization: Bearer <token>)."},
        403: {"description": "forbidden: the token lacks the triage scope, or the case is another site's."},
        404: {"description": "not_found: no such case."},
        409: {"description": "conflict: the case's state does not allow this action (the message says why)."},
    }
}


def _case_for(token: ApiToken, case_id: int) -> Case:
    case = Case.objects.select_related("article", "site").filter(pk=case_id).first() if 0 < case_id < 2**63 else None
    if case is None:
        raise ApiError(404, "not_found", "No such case.")
    if case.site_id != token.site_id:
        raise ApiError(403, "forbidden", "This token is for another site.")
    return case


def _perform(case: Case, body: CaseActionIn, token: ApiToken, batch: str) -> None:
    match body.action:
        case "fixed" if body.notice is not None:
            notice = body.notice
            services.fix_with_notice(case, kind=notice.kind, text=notice.text, minor=notice.minor, by=token, batch=batch)
        case "fixed" | "not_error" | "wont_fix" | "spam":
            actions.resolve(case, CaseStatus(body.action), by=token, batch=batch)
        case "reopen":
            actions.reopen(case, by=token, batch=batch)
        case "duplicate":
            into = Case.objects.filter(pk=body.duplicate_of, site_id=case.site_id).first()
            if into is None:
                raise actions.ActionError(f"There is no case {body.duplicate_of} on this site to merge into.")
            actions.merge(case, into, by=token, batch=batch)
        case "assign":
            assignee = None
            if body.assignee is not None:
                assignee = User.objects.filter(username=body.assignee).first()
                if assignee is None:  # the same words as for a non-member: names of other sites' users stay unknown
                    raise actions.ActionError(f"{body.assignee} is not an editor of this site.")
            actions.assign(case, assignee, by=token, batch=batch)
        case "note":
            actions.add_note(case, body.note or "", by=token, batch=batch)


@router.post(
    "/cases/{case_id}/actions",
    auth=TokenAuth(Scope.TRIAGE),
    response={200: CaseWithReports, (400, 401, 403, 404, 409): ErrorOut},
    openapi_extra=ACTION_ERRORS,
    summary="Act on a case as the desk does",
)
def act_on_case(request: HttpRequest, case_id: int, body: CaseActionIn):
    """One action on one case; the answer is the case as GET /cases/{id} shows it, with its notices."""
    case = _case_for(request.auth, case_id)
    try:
        _perform(case, body, request.auth, audit.new_batch())
    except services.InvalidNotice as error:
        raise invalid(str(error), {"notice.text": str(error)}) from None
    except actions.ActionError as error:
        raise ApiError(409, "conflict", str(error)) from None
    return Case.objects.select_related("article", "assignee").get(pk=case.pk)


NOTICE_ERRORS = {
    "responses": {
        400: {"description": "invalid: a parameter is not valid, or both url and article_id were given."},
        404: {"description": "unknown_site: no site with this key."},
    }
}


@router.get(
    "/notices",
    auth=None,
    response={200: NoticePage, (400, 404): ErrorOut},
    openapi_extra=NOTICE_ERRORS,
    summary="A site's published notices, newest first (public)",
)
def list_notices(
    request: HttpRequest,
    site: str = Query(..., max_length=64, description="The site's key."),
    url: str | None = Query(None, max_length=2048, description="One article's notices, by its page or canonical URL."),
    article_id: str | None = Query(None, max_length=200, description="One article's notices, by the CMS's id."),
    cursor: str | None = CURSOR_PARAM,
    limit: int = LIMIT_PARAM,
):
    """No token: what the corrections page shows. With an ETag and Last-Modified, and open CORS."""
    the_site = Site.objects.filter(key=site).first() if SITE_KEY.fullmatch(site) else None
    if the_site is None:
        raise ApiError(404, "unknown_site", f"There is no site {site!r}.")
    if url and article_id:
        raise invalid("Ask for one article: url or article_id, not both.", {"url": "give url or article_id, not both"})

    def answer():
        article = None
        notices = public.live_notices(the_site)
        if url or article_id:
            try:
                article = public.find_article(the_site, url=url, article_id=article_id)
            except public.InvalidURL as error:
                raise invalid("url is not a valid URL.", {"url": str(error)}) from None
            notices = notices.filter(article=article) if article else notices.none()
        rows, next_cursor = _page(notices, cursor, limit)
        body = {
            "notices": [NoticeOut.model_validate(row).model_dump() for row in rows],
            "next": next_cursor,
            "jsonld": public.jsonld(article, public.article_notices(article)[: public.ARTICLE_LIMIT]) if article else None,
        }
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})

    return conditional(request, public.freshness(the_site), answer)
