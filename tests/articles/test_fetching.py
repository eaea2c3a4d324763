"""Fetching an article's page: its text becomes a `fetched` version, and only from where the site allows."""

import json

import pytest

from corrigo.articles.fetching import FETCH_JOB, FetchRefused, fetch_article, page_facts
from corrigo.articles.models import Article, ArticleVersion
from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.reports.models import Case
from corrigo.sites.services import create_site, set_origins
from tests.conftest import V1, V2, payload
from tests.servers import LocalServer, reply
from tests.test_cli import run

pytestmark = pytest.mark.django_db


def page(text: str, head: str = "") -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return f"<html><head>{head}</head><body><nav>Menu</nav><article>{paragraphs}</article></body></html>".encode()


HEAD = (
    '<meta property="og:title" content="Ferry kept">'
    '<meta property="article:published_time" content="2026-03-01T08:00:00Z">'
    '<meta property="article:modified_time" content="2026-03-01T10:30:00+01:00">'
)


@pytest.fixture
def newsroom():
    """The site's web server: the fixed article, and pages that try what a fetch must refuse."""
    with LocalServer() as server:
        server.text = V2

        @server.route("/ferry")
        def ferry(handler, request):
            reply(handler, 200, page(server.text, HEAD))

        @server.route("/feed.json")
        def feed(handler, request):
            reply(handler, 200, b'{"not": "html"}', content_type="application/json")

        yield server


@pytest.fixture
def elsewhere():
    with LocalServer() as server:

        @server.route("/ferry")
        def ferry(handler, request):
            reply(handler, 200, page(V2))

        yield server


@pytest.fixture
def fetching(db, settings, newsroom, elsewhere):
    """A site that fetches its pages from the newsroom's server (a private address the settings allow)."""
    settings.ALLOW_PRIVATE_HOSTS = frozenset({("127.0.0.1", newsroom.port), ("127.0.0.1", elsewhere.port)})
    site = create_site("courier", "The Courier", [newsroom.url("/").rstrip("/")], fetch_articles=True)
    site.article_selector = "article"
    site.save()
    return site


def reader_report(client, exact, text, url):
    body = payload(exact, text=text, url=url)
    response = client.post("/api/v1/reports", json.dumps(body), content_type="text/plain")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_fetch_publishes_the_page_text_with_its_times_and_title(fetching, newsroom):
    fetched = fetch_article(fetching, newsroom.url("/ferry"))
    version = ArticleVersion.objects.get(pk=fetched.publication.version_id)
    assert (version.source, version.text) == ("fetched", V2)
    assert version.modified_at.isoformat() == "2026-03-01T09:30:00+00:00"
    assert version.published_at.isoformat() == "2026-03-01T08:00:00+00:00"
    article = Article.objects.get()
    assert (article.title, article.published_version_id) == ("Ferry kept", version.pk)
    [received] = newsroom.received
    assert received.headers["user-agent"].startswith("Corrigo/")


def test_json_ld_says_when_a_page_was_modified():
    ld = '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "dateModified": "2026-03-02T07:00:00Z"}]}</script>'
    facts = page_facts(f"<html><head>{ld}</head><body></body></html>", "https://news.example.org/a")
    assert facts["modified_at"].isoformat() == "2026-03-02T07:00:00+00:00"


def test_broken_json_ld_and_zoneless_times_say_nothing():
    head = '<script type="application/ld+json">{"dateModified": </script><meta property="article:modified_time" content="2026-03-02T07:00">'
    facts = page_facts(f"<html><head>{head}</head></html>", "https://news.example.org/a")
    assert facts["modified_at"] is None


def test_a_fetch_moves_the_open_cases_of_the_known_article(client, fetching, newsroom):
    newsroom.text = V1
    fetch_article(fetching, newsroom.url("/ferry"))
    reader_report(client, "Augest", V1, newsroom.url("/ferry"))
    newsroom.text = V2
    fetched = fetch_article(fetching, newsroom.url("/ferry"))
    case = Case.objects.get()
    assert [c.pk for c in fetched.publication.cases] == [case.pk]
    assert case.anchor_status == "changed"


def test_a_site_that_does_not_fetch_refuses_without_connecting(fetching, newsroom):
    fetching.fetch_articles = False
    fetching.save()
    with pytest.raises(FetchRefused, match="does not fetch"):
        fetch_article(fetching, newsroom.url("/ferry"))
    assert newsroom.received == []


def test_a_host_outside_the_sites_origins_is_refused_without_connecting(fetching, elsewhere):
    with pytest.raises(FetchRefused, match="not among the hosts"):
        fetch_article(fetching, elsewhere.url("/ferry"))
    assert elsewhere.received == []


def test_a_name_that_resolves_to_a_private_address_is_refused_without_connecting(fetching, newsroom):
    set_origins(fetching, [f"http://news.example:{newsroom.port}"])
    fetching.refresh_from_db()
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch_article(fetching, f"http://news.example:{newsroom.port}/ferry", resolve=lambda host, port: ["127.0.0.1"])
    assert newsroom.received == []


def test_a_redirect_to_another_sites_host_is_refused_without_connecting(fetching, newsroom, elsewhere):
    create_site("gazette", "The Gazette", [elsewhere.url("/").rstrip("/")], fetch_articles=True)

    @newsroom.route("/moved")
    def moved(handler, request):
        reply(handler, 301, b"", Location=elsewhere.url("/ferry"))

    with pytest.raises(FetchRefused, match="not among the hosts"):
        fetch_article(fetching, newsroom.url("/moved"))
    assert elsewhere.received == []
    assert not ArticleVersion.objects.exists()


def test_a_redirect_on_the_sites_host_is_followed(fetching, newsroom):
    @newsroom.route("/old-ferry")
    def moved(handler, request):
        reply(handler, 301, b"", Location="/ferry")

    fetched = fetch_article(fetching, newsroom.url("/old-ferry"))
    assert fetched.url == newsroom.url("/ferry")
    assert fetched.redirects == [newsroom.url("/old-ferry")]


def test_an_answer_that_is_not_html_is_refused(fetching, newsroom):
    with pytest.raises(FetchRefused, match="not HTML"):
        fetch_article(fetching, newsroom.url("/feed.json"))
    assert not ArticleVersion.objects.exists()


def test_a_page_without_the_article_selector_is_refused(fetching, newsroom):
    fetching.article_selector = "main .story"
    fetching.save()
    with pytest.raises(FetchRefused, match="article selector"):
        fetch_article(fetching, newsroom.url("/ferry"))


def test_readers_with_another_text_queue_one_fetch_per_article(client, fetching, newsroom):
    url = newsroom.url("/ferry")
    newsroom.text = V1
    fetch_article(fetching, url)
    reader_report(client, "Augest", V1, url)  # the published text: nothing to check
    assert not Job.objects.filter(kind=FETCH_JOB).exists()
    reader_report(client, "340 islanders", V2, url)
    reader_report(client, "Ana Lind", V2, url)
    assert Job.objects.filter(kind=FETCH_JOB, status="queued").count() == 1


def test_the_worker_fetches_and_the_case_looks_fixed(client, fetching, newsroom):
    url = newsroom.url("/ferry")
    newsroom.text = V1
    fetch_article(fetching, url)
    reader_report(client, "Augest", V1, url)
    newsroom.text = V2
    reader_report(client, "340 islanders", V2, url)  # queues a fetch
    Job.objects.filter(kind=FETCH_JOB).update(run_after=Job.objects.get(kind=FETCH_JOB).created_at)
    [job] = [job for job in queue.claim("test-worker") if job.kind == FETCH_JOB]
    assert queue.run(job, "test-worker") == "done"
    assert Case.objects.get(exact="Augest").anchor_status == "changed"
    assert Article.objects.get().published_version.source == "fetched"


def test_corrigo_fetch_prints_what_it_found(fetching, newsroom, capsys):
    code, out, err = run(["fetch", "--site", "courier", "--url", newsroom.url("/ferry")], capsys)
    assert code == 0, err
    assert json.loads(out)["new"] is True
    assert "a new version" in err
    code, out, err = run(["fetch", "--site", "courier", "--url", newsroom.url("/ferry")], capsys)
    assert (code, json.loads(out)["new"]) == (0, False)
    assert "no change" in err


def test_corrigo_fetch_exits_non_zero_with_the_reason_on_refusal(fetching, elsewhere, capsys):
    code, out, err = run(["fetch", "--site", "courier", "--url", elsewhere.url("/ferry")], capsys)
    assert code == 2
    assert "refused" in err and out == ""
    assert elsewhere.received == []


def test_a_page_over_2_mib_fails_and_publishes_nothing(fetching, newsroom):
    from corrigo.lib.http import FetchFailed

    @newsroom.route("/huge")
    def huge(handler, request):
        reply(handler, 200, page("word " * (600 * 1024)))

    with pytest.raises(FetchFailed, match="larger than"):
        fetch_article(fetching, newsroom.url("/huge"))
    assert not ArticleVersion.objects.exists()


def test_a_refused_fetch_job_is_given_up_with_the_reason(client, fetching, newsroom):
    from corrigo.articles.fetching import enqueue_fetch
    from corrigo.articles.publishing import PublishedText, publish_text

    article_id = publish_text(fetching, PublishedText(url=newsroom.url("/feed.json"), text=V1)).article_id
    enqueue_fetch(fetching.pk, article_id, delay=0)
    [job] = [job for job in queue.claim("test-worker") if job.kind == FETCH_JOB]
    assert queue.run(job, "test-worker") == "dead"
    job.refresh_from_db()
    assert "not HTML" in job.last_error
