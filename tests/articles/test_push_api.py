"""POST /api/v1/articles: the CMS pushes what an article says; hostile and malformed pushes change nothing."""

import json

import pytest

from corrigo.anchoring import article_text
from corrigo.articles.models import Article, ArticleVersion
from corrigo.reports.models import Case, Report
from corrigo.sites.services import create_token
from tests.conftest import ORIGIN, V1, V2, payload

URL = "https://news.example.org/2026/ferry"
PAGE = """<!doctype html><html><head><title>Ferry</title></head><body>
<nav>Home · News</nav>
<article><h1>Harbour town votes to keep its night ferry</h1>
<div class="body"><p>The council voted on Tuesday to keep the ferry running from August&nbsp;25th to March.</p>
<aside class="ad">Subscribe now</aside>
<p>About 340 islanders rely on the late crossing.</p></div></article>
</body></html>"""


@pytest.fixture
def publisher(site):
    return create_token(site, "CMS", scopes=["publish"])


def push(client, token, body=None, raw=None, **fields):
    data = raw if raw is not None else json.dumps(body if body is not None else {"site": "courier", "url": URL, **fields})
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/articles", data, content_type="application/json", **headers)


def reader_report(client, exact, text):
    response = client.post(
        "/api/v1/reports",
        json.dumps(payload(exact, text=text, url=URL)),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 201
    return Report.objects.get(uid=response.json()["id"])


def test_a_new_text_is_201_and_lists_the_cases_it_moved(client, site, publisher):
    first = reader_report(client, "Augest", V1)
    response = push(client, publisher, text=V2, title="Ferry kept", modified_at="2026-03-01T10:00:00+01:00")
    assert response.status_code == 201, response.content
    body = response.json()
    version = ArticleVersion.objects.get(pk=body["version_id"])
    assert (version.source, version.text, version.modified_at.isoformat()) == ("publisher", V2, "2026-03-01T09:00:00+00:00")
    case = Case.objects.get(pk=first.case_id)
    start = V2.index("August")
    assert body == {
        "article_id": case.article_id,
        "version_id": version.pk,
        "new": True,
        "cases": [{"id": case.pk, "anchor": {"status": "changed", "start": start, "end": start + len("August")}}],
    }
    assert Article.objects.get().published_version_id == version.pk


def test_the_same_text_again_is_200_and_changes_nothing(client, site, publisher):
    first = push(client, publisher, text=V1).json()
    again = push(client, publisher, text=V1)
    assert again.status_code == 200
    assert again.json() == {**first, "new": False, "cases": []}
    assert ArticleVersion.objects.count() == 1


def test_html_is_read_by_the_sites_selectors_as_the_widget_reads_it(client, site, publisher):
    site.article_selector, site.ignore_selectors = "article .body", ".ad"
    site.save()
    response = push(client, publisher, html=PAGE)
    assert response.status_code == 201, response.content
    text = ArticleVersion.objects.get(pk=response.json()["version_id"]).text
    assert text == article_text(PAGE, "article .body", ".ad")
    assert text == (
        "The council voted on Tuesday to keep the ferry running from August 25th to March.\n"
        "About 340 islanders rely on the late crossing."
    )


def test_html_without_the_article_selector_is_a_422_that_says_so(client, site, publisher):
    site.article_selector = "main .story"
    site.save()
    response = push(client, publisher, html=PAGE)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_article"
    assert "main .story" in response.json()["error"]["message"]
    assert not Article.objects.exists()


def test_a_push_names_the_article_as_the_reports_do(client, site, publisher):
    """The CMS id wins over URLs, and URLs are canonicalised the same way."""
    reader_report(client, "Augest", V1)
    response = push(client, publisher, url=URL + "?utm_source=cms#top", text=V2)
    assert response.json()["article_id"] == Article.objects.get().pk


def test_without_a_token_it_is_401(client, site):
    response = push(client, None, text=V1)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_token_without_the_publish_scope_is_403(client, site):
    response = push(client, create_token(site, scopes=["read", "triage"]), text=V1)
    assert response.status_code == 403
    assert "publish" in response.json()["error"]["message"]
    assert not Article.objects.exists()


def test_another_sites_token_is_403(client, site, other_site):
    response = push(client, create_token(other_site, scopes=["publish"]), text=V1)
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_an_unknown_site_is_404(client, site, publisher):
    response = push(client, publisher, {"site": "nowhere", "url": URL, "text": V1})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": V1, "html": PAGE}, "body"),
        ({}, "body"),
        ({"text": ""}, "text"),
        ({"text": "two  spaces"}, "text"),
        ({"text": "a\n\nblank line"}, "text"),
        ({"text": " leading space"}, "text"),
        ({"text": "x" * 200_001}, "text"),
        ({"text": V1, "modified_at": "yesterday"}, "modified_at"),
        ({"text": V1, "published_at": "2026-03-01T10:00:00"}, "published_at"),  # no time zone
        ({"text": V1, "url": "javascript:alert(1)"}, "url"),
        ({"text": V1, "article_id": 42}, "article_id"),
        ({"text": V1, "surprise": True}, "surprise"),
    ],
)
def test_malformed_pushes_are_400_naming_the_field(client, site, publisher, fields, field):
    body = {"site": "courier", "url": URL, **fields}
    response = push(client, publisher, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not ArticleVersion.objects.exists()


@pytest.mark.parametrize(
    "raw", ["not json", "[1, 2]", '{"site": "courier", "url": "' + URL + '", "text": "a\\u0000b"}', b"\xff\xfe"]
)
def test_bodies_that_are_not_a_json_object_of_storable_text_are_400(client, site, publisher, raw):
    response = push(client, publisher, raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_body_over_2_mib_is_413(client, site, publisher):
    response = push(client, publisher, {"site": "courier", "url": URL, "html": "<p>" + "a" * (2 * 1024 * 1024) + "</p>"})
    assert response.status_code == 413


def test_a_page_whose_text_is_over_the_limit_is_422(client, site, publisher):
    html = "<article><p>" + "word " * 40_001 + "</p></article>"
    response = push(client, publisher, html=html)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_long"


def test_a_page_nearly_2_mib_is_taken(client, site, publisher):
    html = "<article><p>" + "word " * 39_000 + "</p>" + "<!-- padding -->" * 110_000 + "</article>"
    assert len(html) < 2 * 1024 * 1024 - 1000
    assert push(client, publisher, html=html).status_code == 201


def test_the_openapi_document_describes_the_push(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/articles"]["post"]
    assert {"200", "201", "401", "403", "422"} <= set(operation["responses"])
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"site", "url", "html", "text", "modified_at"} <= set(schema["properties"])


def test_a_new_version_is_a_line_of_the_site_log_naming_the_token(client, site, publisher):
    from corrigo.audit.models import Entry

    reader_report(client, "Augest", V1)
    push(client, publisher, text=V2, title="Ferry kept")
    push(client, publisher, text=V2, title="Ferry kept")  # the same text again: no new line
    [line] = Entry.objects.filter(verb="article.publish")
    assert (
        line.message
        == "API token “CMS” (" + line.token.hint + "…) published a new version of “Ferry kept” (1 open case re-anchored)"
    )
    assert (line.site_id, line.subject) == (site.pk, URL)
