"""The publisher's text: versions pushed by the CMS or fetched from the page, which anchors follow.

One service, `publish_text`, used by the push API, `corrigo push`, fetching and the demo.
A reader's copy is only what that reader saw (articles.services.record_reader_copy);
a published text is what the article says, unless it is older than the one already
published (an out-of-order delivery): see docs/cms.md, "How anchors follow versions".
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from corrigo import audit
from corrigo.anchoring import article_text
from corrigo.anchoring.textmodel import root_matches
from corrigo.articles.models import TRUST, Article, ArticleVersion, VersionSource
from corrigo.articles.schemas import ArticleIn
from corrigo.articles.services import text_hash, upsert_article
from corrigo.reports.models import Case
from corrigo.reports.reanchoring import follow_text
from corrigo.reports.schemas import MAX_ARTICLE_TEXT
from corrigo.sites.models import Site
from corrigo.sites.services import forget_cached_sites
from corrigo.sql import insert, write_transaction


class Unpublishable(ValueError):
    """HTML Corrigo will not take as the article: `code` says why (no_article, too_long)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PublishedText:
    """What the publisher (or the page) says an article is: its identity, its text, its times."""

    url: str
    text: str
    canonical_url: str = ""
    external_id: str = ""
    title: str = ""
    published_at: datetime | None = None
    modified_at: datetime | None = None
    source: VersionSource = VersionSource.PUBLISHER


@dataclass
class Publication:
    article_id: int
    version_id: int
    new: bool  # a text Corrigo did not have
    followed: bool  # open cases are now anchored in it
    cases: list[Case] = field(default_factory=list)  # the open cases re-anchored by it


def text_of_page(site: Site, html: str) -> str:
    """The article text of a page or of the article's HTML, as the widget computes it on the site.

    Unpublishable when the site's article selector matches nothing (the text model would
    fall back to <article> or <body>: a guess), when the article has no text, or too much.
    """
    if site.article_selector and not root_matches(html, site.article_selector):
        raise Unpublishable(
            "no_article", f"The HTML has no element matching the site's article selector {site.article_selector!r}."
        )
    text = article_text(html, site.article_selector or None, site.ignore_selectors)
    if not text:
        raise Unpublishable("no_article", "The article in this HTML has no text.")
    if len(text) > MAX_ARTICLE_TEXT:
        raise Unpublishable("too_long", f"The article's text is over {MAX_ARTICLE_TEXT:,} characters.")
    return text


def push_article(site: Site, pushed: ArticleIn, *, by=None) -> Publication:
    """A CMS's push (the API's and `corrigo push`'s), validated by ArticleIn: its text published."""
    text = pushed.text if pushed.text is not None else text_of_page(site, pushed.html)
    return publish_text(
        site,
        PublishedText(
            url=pushed.url,
            text=text,
            canonical_url=pushed.canonical_url or "",
            external_id=pushed.article_id or "",
            title=pushed.title or "",
            published_at=pushed.published_at,
            modified_at=pushed.modified_at,
        ),
        by=by,
    )


def _when(published_at: datetime | None, modified_at: datetime | None) -> datetime | None:
    return modified_at or published_at


def publish_text(site: Site, published: PublishedText, *, by=None) -> Publication:
    """Store a published text of an article and, unless it is stale, anchor the open cases in it.

    Idempotent: a text Corrigo already has is not stored twice (new=False). The text
    becomes the article's published text, and the one its open cases follow, when it is
    new or a reader's copy not yet followed, and not older (by modified_at, else
    published_at) than the published text already there; a text followed before leads
    again only with a later time (a revert in the CMS). A new text writes a line of the site
    log, naming `by` (the push's API token; None: Corrigo, as for a fetch or the CLI).
    """
    with write_transaction():
        now = timezone.now()
        # The upsert's row lock on the article (PostgreSQL) makes concurrent pushes to it take turns.
        article_id, latest_version_id = upsert_article(
            site.pk,
            url=published.url,
            canonical_url=published.canonical_url,
            external_id=published.external_id,
            title=published.title,
            now=now,
        )
        article = Article.objects.select_related("published_version").get(pk=article_id)
        current = article.published_version
        current_when = _when(current.published_at, current.modified_at) if current else None
        when = _when(published.published_at, published.modified_at)
        older = current_when is not None and when is not None and when < current_when
        newer = current_when is not None and when is not None and when > current_when

        version = ArticleVersion.objects.filter(article_id=article_id, text_hash=text_hash(published.text)).first()
        new = version is None
        if new:
            values = {
                "article_id": article_id,
                "text": published.text,
                "text_hash": text_hash(published.text),
                "source": published.source,
                "published_at": published.published_at,
                "modified_at": published.modified_at,
            }
            (version_id,) = insert(ArticleVersion, values, now=now, returning=("id",))  # received at the push's now
            version = ArticleVersion.objects.get(pk=version_id)
        else:
            _confirm(version, published)

        if current is not None and version.pk == current.pk:
            leads = False
        elif version.pk == latest_version_id:
            leads = not older  # already what cases follow (a corroborated reader's copy): now published too
        elif version.followed_at is not None:
            leads = newer
        else:
            leads = not older
        cases: list[Case] = []
        followed = False
        if leads:
            Article.objects.filter(pk=article_id).update(published_version=version, updated_at=now)
            if version.pk != latest_version_id:
                cases = follow_text(site.pk, article_id, version.pk, version.text, now)
                followed = True
        if new:
            _log(site, by, published, version.pk, followed, len(cases))
        if published.source == VersionSource.PUBLISHER and not site.receives_pushes:
            # From the first push on, readers' copies never decide this site's anchors.
            Site.objects.filter(pk=site.pk).update(receives_pushes=True)
            site.receives_pushes = True
            transaction.on_commit(forget_cached_sites)
    return Publication(article_id, version.pk, new, followed, cases)


def _log(site: Site, by, published: PublishedText, version_id: int, followed: bool, moved: int) -> None:
    how = "fetched" if published.source == VersionSource.FETCHED else "published"
    what = f"“{published.title}”" if published.title else published.url
    effect = f"{moved} open case{'s' * (moved != 1)} re-anchored" if followed else "older than the published one: nothing moved"
    audit.record(
        site,
        by,
        "article.publish",
        subject=published.url,
        message=f"{audit.name_of(by)} {how} a new version of {what} ({effect})",
        data={"version_id": version_id, "source": str(published.source)},
    )


def _confirm(version: ArticleVersion, published: PublishedText) -> None:
    """A text already stored, now pushed or fetched: it takes the more trusted source and the times it lacked."""
    changes = {}
    if TRUST[VersionSource(published.source)] > TRUST[VersionSource(version.source)]:
        changes["source"] = published.source
    for name in ("published_at", "modified_at"):
        if getattr(version, name) is None and getattr(published, name) is not None:
            changes[name] = getattr(published, name)
    if changes:
        ArticleVersion.objects.filter(pk=version.pk).update(**changes)
        for name, value in changes.items():
            setattr(version, name, value)
