"""Finding an article from what a page says about itself, and recording its texts.

Both run on every report, so they are plain SQL, its columns taken from the models
(see corrigo.sql).
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings

from corrigo.articles.models import Article, ArticleVersion, VersionSource
from corrigo.reports.models import Report
from corrigo.sql import execute, fetchone, insert, update, upsert

DAY = timedelta(days=1)


def identity(url: str, canonical_url: str = "", external_id: str = "") -> str:
    """The CMS id is the most stable name of an article, then its canonical URL, then the page URL."""
    key = "id:" + external_id if external_id else "url:" + (canonical_url or url)
    return hashlib.sha256(key.encode()).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# On a second sight of an article its title is replaced only by a non-empty one.
KEEP_TITLE = {"title": f"CASE WHEN excluded.title = '' THEN {Article._meta.db_table}.title ELSE excluded.title END"}


def upsert_article(
    site_id: int, *, url: str, canonical_url: str, external_id: str, title: str, now: datetime
) -> tuple[int, int | None]:
    """The article's id and latest version's id, created on first sight; a non-empty title replaces the stored one."""
    values = {
        "site_id": site_id,
        "identity": identity(url, canonical_url, external_id),
        "url": url,
        "canonical_url": canonical_url,
        "external_id": external_id,
        "title": title,
    }
    return upsert(
        Article, values, unique=("site_id", "identity"), update=KEEP_TITLE, returning=("id", "latest_version_id"), now=now
    )


# Reports, besides this one, that must have brought a new reader's copy before anchors follow it
# (sites with neither push nor fetching: docs/decisions/0021-corroborated-reader-copies.md).
CORROBORATING_REPORTS = 1


def record_reader_copy(
    article_id: int, latest_version_id: int | None, text: str, *, corroborate: bool, now: datetime, client: str = ""
) -> tuple[int | None, int | None, bool]:
    """This reader's text of the article (stored once): its id, the article's latest version's id, and
    whether open cases must now follow this text (the caller then calls follow_text).

    A reader's copy is what that reader saw, never the article's published text. Anchors
    follow it only on a site with neither push nor fetching (`corroborate`), and only when
    it is the article's first text or a report from another reader (another `client` hash;
    one without a hash counts as another) already brought the very same text; a text
    anchors followed once (a stale copy) never leads them again.

    A new text is not kept (id None: the report keeps only its quote and context) when the
    article already took READER_TEXTS_PER_DAY new readers' texts in the last day, so a
    flood of made-up texts cannot fill the database.
    """
    table = ArticleVersion._meta.db_table
    digest = text_hash(text)
    row = fetchone(f"SELECT id, followed_at FROM {table} WHERE article_id = %s AND text_hash = %s", [article_id, digest])
    if row is None and latest_version_id is not None:
        (recent,) = fetchone(
            f"SELECT count(*) FROM {table} WHERE article_id = %s AND source = %s AND created_at > %s",
            [article_id, VersionSource.READER, now - DAY],
        )
        if recent >= settings.READER_TEXTS_PER_DAY:
            return None, latest_version_id, False
    if row is None:
        values = {"article_id": article_id, "text": text, "text_hash": digest, "source": VersionSource.READER}
        first = latest_version_id is None and corroborate
        if first:
            values["followed_at"] = now
        (version_id,) = insert(ArticleVersion, values, now=now, returning=("id",))
        if first:  # nothing to move yet: the first text anyone saw is what cases are anchored in
            update(Article, article_id, {"latest_version_id": version_id}, now=now)
            return version_id, version_id, False
        return version_id, latest_version_id, False
    version_id, followed_at = row
    if not corroborate or followed_at is not None or version_id == latest_version_id:
        return version_id, latest_version_id, False
    (earlier,) = fetchone(
        f"SELECT COUNT(*) FROM {Report._meta.db_table} WHERE version_id = %s AND (client_hash = '' OR client_hash <> %s)",
        [version_id, client],
    )
    if earlier < CORROBORATING_REPORTS:
        return version_id, latest_version_id, False
    return version_id, version_id, True


def follow(article_id: int, version_id: int, now: datetime) -> None:
    """Make this text the one open cases are anchored in (the caller re-anchors them)."""
    update(Article, article_id, {"latest_version_id": version_id}, now=now)
    execute(
        f"UPDATE {ArticleVersion._meta.db_table} SET followed_at = %s WHERE id = %s AND followed_at IS NULL",
        [now, version_id],
    )
