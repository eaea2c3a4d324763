"""Finding an article from what a page says about itself, and recording its texts."""

import hashlib

from corrigo.articles.models import Article, ArticleVersion
from corrigo.sites.models import Site


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def identity_key(url: str, canonical_url: str = "", external_id: str = "") -> str:
    """The CMS id is the most stable name of an article, then its canonical URL, then the page URL."""
    if external_id:
        return "id:" + external_id
    if canonical_url:
        return "url:" + canonical_url
    return "url:" + url


def find_or_create_article(
    site: Site, *, url: str, canonical_url: str = "", external_id: str = "", title: str = ""
) -> Article:
    identity = hashlib.sha256(identity_key(url, canonical_url, external_id).encode()).hexdigest()
    article, created = Article.objects.get_or_create(
        site=site,
        identity=identity,
        defaults={"url": url, "canonical_url": canonical_url, "external_id": external_id, "title": title},
    )
    if not created and title and title != article.title:
        Article.objects.filter(pk=article.pk).update(title=title)
        article.title = title
    return article


def record_version(article: Article, text: str) -> tuple[ArticleVersion, bool]:
    """Store the text once per article; True when this text was not seen before."""
    return ArticleVersion.objects.get_or_create(article=article, text_hash=text_hash(text), defaults={"text": text})
