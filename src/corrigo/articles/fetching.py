"""Fetching an article's page, for CMSs that cannot push: its text becomes a `fetched` version.

Only on sites whose `fetch_articles` setting is on, only from the site's allowed origins,
and always through corrigo.lib.http (the SSRF rules are there). From the web app a fetch
is a job on the queue (`enqueue_fetch`: after a reader's report brings a text that differs
from the published one, debounced per article, or when an editor asks on a case page);
`corrigo fetch` fetches at once.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from corrigo.articles.models import Article, VersionSource
from corrigo.articles.publishing import Publication, PublishedText, Unpublishable, publish_text, text_of_page
from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.lib import http, urls
from corrigo.reports.schemas import canonical_or_none
from corrigo.sites.models import Site

log = logging.getLogger("corrigo.articles")

FETCH_JOB = "articles.fetch"
# Readers report in bursts: one fetch per article for all the reports of this window.
FETCH_DEBOUNCE_SECONDS = 60.0
MAX_REDIRECTS = 3
HTML_TYPES = {"text/html", "application/xhtml+xml"}


class FetchRefused(Exception):
    """Corrigo did not take the page: not allowed, not HTML, no article in it. Says why."""


@dataclass
class Fetched:
    url: str  # the page's final URL
    publication: Publication
    title: str = ""
    modified_at: datetime | None = None
    redirects: list[str] = field(default_factory=list)


def _allowed_by(site: Site):
    origins = set(site.origins)

    def allow(scheme: str, host: str, port: int) -> bool:
        shown = f"[{host}]" if ":" in host else host
        origin = f"{scheme}://{shown}" + ("" if port == http.DEFAULT_PORTS[scheme] else f":{port}")
        return origin in origins

    return allow


def fetch_article(
    site: Site, url: str, article: Article | None = None, *, resolve: http.Resolver = http.system_resolver
) -> Fetched:
    """Fetch the page at `url` and publish its article text as a `fetched` version.

    `article` names the article when Corrigo knows it (its CMS id then stays its identity);
    otherwise the page's URL and canonical link do. FetchRefused when the site does not
    fetch, the URL or a redirect is not allowed (nothing is sent then), or the answer is
    not an HTML page with the article in it; http.FetchFailed when the request failed.
    """
    if not site.fetch_articles:
        raise FetchRefused(f"the site {site.key} does not fetch its pages (turn on fetching in its settings)")
    try:
        answer = http.request(
            "GET", url, allow=_allowed_by(site), headers={"Accept": "text/html"}, max_redirects=MAX_REDIRECTS, resolve=resolve
        )
    except http.Refused as exc:
        raise FetchRefused(str(exc)) from None
    if answer.status >= 500:
        raise http.FetchFailed(f"the page answered {answer.status}")
    if answer.status != 200:
        raise FetchRefused(f"the page answered {answer.status}")
    if answer.content_type not in HTML_TYPES:
        raise FetchRefused(f"the page is {answer.content_type or 'of no declared type'}, not HTML")
    html = answer.text()
    try:
        text = text_of_page(site, html)
    except Unpublishable as exc:
        raise FetchRefused(str(exc)) from None
    about = page_facts(html, answer.url)
    if article is not None:
        identity = {"url": article.url, "canonical_url": article.canonical_url, "external_id": article.external_id}
    else:
        found = _known_article(site, answer.url, about["canonical_url"])
        identity = (
            {"url": found.url, "canonical_url": found.canonical_url, "external_id": found.external_id}
            if found
            else {"url": canonical_or_none(answer.url), "canonical_url": about["canonical_url"]}
        )
    publication = publish_text(
        site,
        PublishedText(
            text=text,
            title=about["title"],
            published_at=about["published_at"],
            modified_at=about["modified_at"],
            source=VersionSource.FETCHED,
            **identity,
        ),
    )
    return Fetched(answer.url, publication, about["title"], about["modified_at"], answer.redirects)


def _known_article(site: Site, url: str, canonical: str) -> Article | None:
    wanted = {canonical_or_none(url), canonical} - {"", None}
    return (
        Article.objects.filter(site=site, url__in=wanted).first()
        or Article.objects.filter(site=site, canonical_url__in=wanted).first()
    )


def _meta(tree: LexborHTMLParser, *names: str) -> str:
    for name in names:
        for attribute in ("property", "name"):
            node = tree.css_first(f'meta[{attribute}="{name}"]')
            if node is not None and (node.attributes.get("content") or "").strip():
                return node.attributes["content"].strip()
    return ""


def _json_ld(tree: LexborHTMLParser) -> dict:
    """The first JSON-LD object on the page that says when it was published or modified."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text() or "")
        except (ValueError, RecursionError):
            continue
        candidates = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        if not isinstance(candidates, list):
            candidates = [candidates]
        for item in candidates:
            if isinstance(item, dict) and ("dateModified" in item or "datePublished" in item):
                return item
    return {}


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # a time without a zone says nothing comparable


def page_facts(html: str, base_url: str) -> dict:
    """What the page says about itself: og:title, its canonical link and its times
    (article:modified_time / article:published_time, else JSON-LD dateModified / datePublished)."""
    tree = LexborHTMLParser(html)
    ld = _json_ld(tree)
    canonical = ""
    link = tree.css_first('link[rel="canonical"]')
    if link is not None and link.attributes.get("href"):
        try:
            canonical = urls.canonical_url(urls.join_http_url(base_url, link.attributes["href"]).href)
        except urls.InvalidURL:
            canonical = ""
    title = _meta(tree, "og:title")
    if not title and tree.css_first("title") is not None:
        title = tree.css_first("title").text(strip=True)
    return {
        "title": title[:500],
        "canonical_url": canonical,
        "modified_at": _time(_meta(tree, "article:modified_time")) or _time(ld.get("dateModified")),
        "published_at": _time(_meta(tree, "article:published_time")) or _time(ld.get("datePublished")),
    }


def enqueue_fetch(site_id: int, article_id: int, *, delay: float = FETCH_DEBOUNCE_SECONDS) -> bool:
    """Queue a fetch of the article's page (in the caller's transaction); False when one is already waiting."""
    return queue.enqueue(FETCH_JOB, {"article_id": article_id}, site_id=site_id, key=f"fetch:{article_id}", delay=delay)


@queue.handler(FETCH_JOB)
def run_fetch(job: Job) -> None:
    article = Article.objects.select_related("site").filter(pk=job.payload.get("article_id")).first()
    if article is None:
        return  # deleted since
    url = article.canonical_url or article.url
    try:
        fetched = fetch_article(article.site, url, article)
    except FetchRefused as exc:
        log.info("fetch of article %s (%s) refused: %s", article.pk, url, exc)
        raise queue.GiveUp(str(exc)) from None
    except http.FetchFailed as exc:
        raise queue.RetryLater(f"fetching {url} failed: {exc}") from None
    log.info(
        "fetched article %s: %s, %d case(s) moved",
        article.pk,
        "a new version" if fetched.publication.new else "no change",
        len(fetched.publication.cases),
    )
