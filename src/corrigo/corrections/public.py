"""What the public surfaces show: a site's live notices, one article's, their freshness, and their schema.org markup.

Shared by the corrections page, the feeds, the HTML fragment and GET /api/v1/notices.
Notices are published in id order, so "newest first" is by id, which the indexes cover.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q

from corrigo.articles.models import Article
from corrigo.corrections.models import CorrectionNotice
from corrigo.lib.urls import InvalidURL, canonical_url
from corrigo.sites.models import Site
from corrigo.sql import UNSTORABLE

# How many notices the feeds carry, and the JSON-LD of one article at most.
FEED_SIZE = 50
ARTICLE_LIMIT = 100


def live_notices(site: Site):
    return CorrectionNotice.objects.live().filter(site=site).select_related("article").order_by("-pk")


def article_notices(article: Article):
    return CorrectionNotice.objects.live().filter(article=article).select_related("article").order_by("-pk")


def find_article(site: Site, *, url: str | None = None, article_id: str | None = None) -> Article | None:
    """The site's article a page names: by the CMS's id, or by its URL (as page URL or canonical URL).

    Raises InvalidURL for a URL that is not one.
    """
    articles = Article.objects.filter(site=site)
    if article_id and UNSTORABLE.search(article_id):
        return None  # intake stores no such id (and PostgreSQL cannot even compare one)
    if article_id:
        return articles.filter(external_id=article_id).order_by("pk").first()
    if url:
        url = canonical_url(url)
        return articles.filter(Q(url=url) | Q(canonical_url=url)).order_by("pk").first()
    return None


@dataclass(frozen=True)
class Freshness:
    """When a site's public surfaces last changed, and a tag that changes with them."""

    last_modified: datetime
    tag: str

    def etag(self, variant: str) -> str:
        """A strong ETag for one answer: the site's state and what was asked (path and query)."""
        return '"' + hashlib.sha256(f"{self.tag}|{variant}".encode()).hexdigest()[:32] + '"'


def freshness(site: Site) -> Freshness:
    """The site's last notice change, one index probe (every public answer asks, 304s included).

    Publishing writes a row with updated_at now, editing and withdrawing set it to now: each
    moves the maximum. (A notice removed with its article, in the admin, is not seen until
    the next change.)
    """
    last = CorrectionNotice.objects.filter(site=site).aggregate(last=Max("updated_at"))["last"]
    last = max(filter(None, [last, site.created_at]))
    words = f"{site.name}|{site.default_language}|{site.corrections_policy}"
    tag = f"{site.pk}|{last.isoformat()}|{hashlib.sha256(words.encode()).hexdigest()}"
    return Freshness(last_modified=last, tag=tag)


def jsonld(article: Article, notices) -> dict:
    """schema.org markup for one article, for a CMS to embed: its `correction`s as CorrectionComments."""
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": article.canonical_url or article.url,
        **({"headline": article.title} if article.title else {}),
        "correction": [
            {"@type": "CorrectionComment", "text": notice.text, "datePublished": notice.published_at.isoformat()}
            for notice in notices
        ],
    }


__all__ = ["InvalidURL", "find_article", "freshness", "jsonld", "live_notices"]
