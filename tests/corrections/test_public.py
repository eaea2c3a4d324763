"""The public surfaces: the corrections page, the feeds, the notices API and the HTML fragment.

Each answers without a login, with an ETag and Last-Modified (a repeated GET is a 304),
open CORS, and every reader's and editor's word escaped.
"""

import json

import pytest

from corrigo.corrections import services
from corrigo.corrections.models import CorrectionNotice
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> ]]> "quoted"'


def publish(case, editor, text="It is August.", kind="correction", minor=False):
    return services.fix_with_notice(case, kind=kind, text=text, by=editor, minor=minor)


def test_the_page_lists_notices_newest_first_with_article_kind_date_and_text(client, site, editor):
    first = publish(case_about("Augest"), editor, "First notice.")
    second = publish(case_about("islanders"), editor, "We retract this article.", kind="retraction")
    response = client.get("/corrections/courier/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f'id="notice-{second.pk}"') < html.index(f'id="notice-{first.pk}"')
    assert 'data-kind="retraction"' in html and "Retraction" in html
    assert '<html lang="en">' in html
    assert f'datetime="{first.published_at.strftime("%Y-%m-%dT%H:%M:%S")}' in html
    assert 'href="https://news.example.org/2026/ferry"' in html
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "script-src" not in response["Content-Security-Policy"]
    # One h1, the notices in a main landmark, each a headed article: a screen reader can jump between them.
    assert html.count("<h1>") == 1 and '<main id="content">' in html
    assert html.count("<article aria-labelledby=") == 2
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_policy_is_at_the_top_and_the_page_speaks_the_sites_language(client, site, editor):
    site.corrections_policy = "Мы исправляем ошибки.\n\nПишите нам."
    site.default_language = "ru"
    site.save()
    publish(case_about("Augest"), editor)
    html = client.get("/corrections/courier/").content.decode()
    assert '<html lang="ru">' in html
    assert "Исправления и уточнения: The Courier" in html
    assert html.index("Мы исправляем ошибки.") < html.index("notice-")
    assert "Наша политика исправлений" in html


def test_the_page_is_paginated(client, site, editor):
    case = case_about("Augest")
    for number in range(25):
        services.publish(case.article, kind="update", text=f"Update {number}.", by=editor)
    first = client.get("/corrections/courier/").content.decode()
    second = client.get("/corrections/courier/?page=2").content.decode()
    assert first.count('class="notice ') == 20 and second.count('class="notice ') == 5
    assert "Update 24." in first and "Update 0." in second
    assert 'rel="next" href="?page=2"' in first and 'rel="prev" href="?page=1"' in second
    for hostile in ("999", "-1", "abc", "1" * 40):
        assert client.get(f"/corrections/courier/?page={hostile}").status_code == 200


def test_withdrawn_notices_leave_every_public_surface(client, site, editor):
    notice = publish(case_about("Augest"), editor, "Withdrawn text.")
    services.withdraw(notice, by=editor)
    for path in ("/corrections/courier/", "/corrections/courier/feed.atom", "/corrections/courier/feed.json"):
        assert "Withdrawn text." not in client.get(path).content.decode()
    assert client.get("/api/v1/notices?site=courier").json()["notices"] == []


def test_reader_and_editor_text_is_escaped_everywhere(client, site, editor):
    case = report(title=HOSTILE).case
    publish(case, editor, HOSTILE)
    site.corrections_policy = HOSTILE
    site.save()
    for path in ("/corrections/courier/", "/corrections/courier/fragment?url=https://news.example.org/2026/ferry"):
        html = client.get(path).content.decode()
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in html  # escaped once, not twice
    atom = client.get("/corrections/courier/feed.atom").content.decode()
    assert "<script>" not in atom and "<img" not in atom
    feed = json.loads(client.get("/corrections/courier/feed.json").content)
    assert feed["items"][0]["content_text"] == HOSTILE
    assert "<script>" not in feed["items"][0]["content_html"]


def test_a_repeated_get_with_the_etag_is_a_304_until_something_changes(client, site, editor):
    notice = publish(case_about("Augest"), editor)
    paths = [
        "/corrections/courier/",
        "/corrections/courier/feed.atom",
        "/corrections/courier/feed.json",
        "/corrections/courier/fragment?url=https://news.example.org/2026/ferry",
        "/api/v1/notices?site=courier",
    ]
    tags = {}
    for path in paths:
        first = client.get(path)
        assert first.status_code == 200, path
        assert first["ETag"].startswith('"') and first["Last-Modified"]
        tags[path] = first["ETag"]
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, path
        assert again.content == b""
        assert again["Access-Control-Allow-Origin"] == "*"
        assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert len(set(tags.values())) == len(paths)  # each answer its own tag
    services.edit(notice, by=editor, text="It is August, really.")
    for path in paths:
        assert client.get(path, HTTP_IF_NONE_MATCH=tags[path]).status_code == 200, path


def test_an_unknown_site_is_404_and_writes_are_refused(client, site):
    assert client.get("/corrections/nobody/").status_code == 404
    assert client.get("/corrections/nobody/feed.atom").status_code == 404
    assert client.post("/corrections/courier/").status_code == 405
    assert client.get("/api/v1/notices?site=nobody").status_code == 404
    assert client.get("/api/v1/notices?site=../../etc").status_code == 404


def test_the_notices_api_answers_one_article_with_its_jsonld(client, site, editor):
    notice = publish(case_about("Augest"), editor, "It is August.")
    publish(report(url="https://news.example.org/2026/other", exact="ferry").case, editor, "Another article.")
    everything = client.get("/api/v1/notices?site=courier").json()
    assert [n["text"] for n in everything["notices"]] == ["Another article.", "It is August."]
    assert everything["jsonld"] is None
    one = client.get("/api/v1/notices?site=courier&url=https://news.example.org/2026/ferry?utm_source=x").json()
    assert [n["id"] for n in one["notices"]] == [notice.pk]
    assert list(one["notices"][0]) == ["id", "kind", "text", "minor", "published_at", "updated_at", "article"]
    assert one["jsonld"]["correction"] == [
        {"@type": "CorrectionComment", "text": "It is August.", "datePublished": notice.published_at.isoformat()}
    ]
    unknown = client.get("/api/v1/notices?site=courier&url=https://news.example.org/never").json()
    assert unknown == {"notices": [], "next": None, "jsonld": None}


def test_the_notices_api_pages_with_a_cursor(client, site, editor):
    case = case_about("Augest")
    for number in range(5):
        services.publish(case.article, kind="update", text=f"Update {number}.", by=editor)
    first = client.get("/api/v1/notices?site=courier&limit=3").json()
    second = client.get(f"/api/v1/notices?site=courier&limit=3&cursor={first['next']}").json()
    assert [n["text"] for n in first["notices"] + second["notices"]] == [f"Update {n}." for n in range(4, -1, -1)]
    assert second["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        "site=courier&url=https://a.example&article_id=7",
        "site=courier&url=not%20a%20url",
        "site=courier&cursor=abc",
        "site=courier&limit=0",
        "site=courier&limit=100000",
        "site=" + "x" * 65,
        "",
    ],
)
def test_hostile_notice_queries_are_400(client, site, query):
    response = client.get(f"/api/v1/notices?{query}")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}


def test_the_fragment_shows_banners_and_folds_minor_fixes(client, site, editor):
    case = case_about("Augest")
    publish(case, editor, "The big one.")
    services.publish(case.article, kind="correction", text="A typo.", by=editor, minor=True)
    html = client.get("/corrections/courier/fragment?url=https://news.example.org/2026/ferry").content.decode()
    assert html.index("The big one.") < html.index("<details") < html.index("A typo.")
    assert "<script" not in html
    none = client.get("/corrections/courier/fragment?url=https://news.example.org/2026/never")
    assert (none.status_code, none.content.strip()) == (200, b"")
    for query in ("", "?url=x&article_id=y", "?url=not%20a%20url", "?url=https://a.example/" + "x" * 5000):
        assert client.get(f"/corrections/courier/fragment{query}").status_code == 400
    for article_id in ("%00", "%ED%A0%80", "x" * 5000, "%27%3B--"):
        answer = client.get(f"/corrections/courier/fragment?article_id={article_id}")
        assert (answer.status_code, answer.content.strip()) == (200, b"")
        assert client.get(f"/api/v1/notices?site=courier&article_id={article_id}").status_code in (200, 400)


def test_a_notice_on_an_article_found_by_its_cms_id(client, site, editor):
    notice = publish(report(article_id="cms-42").case, editor)
    answer = client.get("/api/v1/notices?site=courier&article_id=cms-42").json()
    assert [n["id"] for n in answer["notices"]] == [notice.pk]
    assert CorrectionNotice.objects.count() == 1


@pytest.mark.parametrize(
    "text,html",
    [
        (
            "See https://news.example.org/fix.",
            '<p>See <a href="https://news.example.org/fix" rel="nofollow">https://news.example.org/fix</a>.</p>',
        ),
        ("One\ntwo\n\nthree", "<p>One<br>two</p><p>three</p>"),
        ('<a href="javascript:alert(1)">x</a>', "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>"),
        (
            'https://a.example/"onmouseover="alert(1)',
            '<p><a href="https://a.example/" rel="nofollow">https://a.example/</a>&quot;onmouseover=&quot;alert(1)</p>',
        ),
        ("javascript:alert(1) ftp://x.example", "<p>javascript:alert(1) ftp://x.example</p>"),
        (
            "(https://a.example/x?y=1&z=2)",
            '<p>(<a href="https://a.example/x?y=1&amp;z=2" rel="nofollow">https://a.example/x?y=1&amp;z=2</a>)</p>',
        ),
    ],
)
def test_notice_text_becomes_html_with_only_its_bare_urls_linked(text, html):
    from corrigo.corrections.views import text_html

    assert text_html(text) == html


def test_a_kept_answer_is_the_same_answer_and_a_change_makes_a_new_one(client, site, editor):
    notice = publish(case_about("Augest"), editor, "First words.")
    first = client.get("/corrections/courier/")
    second = client.get("/corrections/courier/")  # a second reader, without the ETag: the kept answer
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Content-Type"] == first["Content-Type"] and second["ETag"] == first["ETag"]
    services.edit(notice, by=editor, text="Second words.")
    third = client.get("/corrections/courier/").content.decode()
    assert "Second words." in third and "First words." not in third
