"""The push API (docs/api.md): a CMS tells Corrigo what an article says now.

The view translates HTTP to articles.publishing.publish_text and back; validation is
the schema's (articles.schemas.ArticleIn).
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Router

from corrigo.articles.publishing import Unpublishable, push_article
from corrigo.articles.schemas import ArticleIn, PushAnswer
from corrigo.reports.api import inlined, read_json_object, site_for_token, validated
from corrigo.reports.errors import ApiError, ErrorOut
from corrigo.sites.api_auth import TokenAuth
from corrigo.sites.models import Scope

router = Router(tags=["articles"])

PUSH_SCHEMA = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": inlined(ArticleIn.model_json_schema())}}},
    "responses": {
        200: {"description": "Corrigo already had this text (idempotent): the same version."},
        201: {"description": "A new text of the article, committed."},
        400: {"description": "invalid: not JSON, or fields that break the rules (see error.fields)."},
        401: {"description": "unauthorized: no valid token (Authorization: Bearer <token>)."},
        403: {"description": "forbidden: the token lacks the publish scope, or is for another site."},
        404: {"description": "unknown_site: no site with this key."},
        413: {"description": "too_large: the body is over 2 MiB."},
        422: {
            "description": "no_article / too_long: the HTML has no element matching the site's article selector, or its text is too long."
        },
    },
}


@router.post(
    "/articles",
    auth=TokenAuth(Scope.PUBLISH),
    response={(200, 201): PushAnswer, (400, 401, 403, 404, 413, 422): ErrorOut},
    openapi_extra=PUSH_SCHEMA,
    summary="Push an article version from the CMS",
)
def push(request: HttpRequest):
    pushed = validated(ArticleIn, read_json_object(request, settings.PUBLISH_BODY_LIMIT, "push"))
    site = site_for_token(request, pushed.site)
    try:
        publication = push_article(site, pushed, by=request.auth)
    except Unpublishable as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    return JsonResponse(answer(publication), status=201 if publication.new else 200)


def answer(publication) -> dict:
    """A publication in the push API's shape (PushAnswer), for the API and `corrigo push`."""
    cases = [
        {"id": case.pk, "anchor": {"status": case.anchor_status, "start": case.anchor_start, "end": case.anchor_end}}
        for case in publication.cases
    ]
    return PushAnswer(
        article_id=publication.article_id, version_id=publication.version_id, new=publication.new, cases=cases
    ).model_dump()
