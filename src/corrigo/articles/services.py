"""Finding an article from what a page says about itself, and recording its texts.

Both run on every report, so they are plain SQL (see corrigo.sql).
"""

import hashlib
from datetime import datetime

from corrigo.articles.models import Article, ArticleVersion
from corrigo.sql import execute, fetchone, insert


def identity(url: str, canonical_url: str = "", external_id: str = "") -> str:
    """The CMS id is the most stable name of an article, then its canonical URL, then the page URL."""
    key = "id:" + external_id if external_id else "url:" + (canonical_url or url)
    return hashlib.sha256(key.encode()).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upsert_article(
    site_id: int, *, url: str, canonical_url: str, external_id: str, title: str, now: datetime
) -> tuple[int, int | None]:
    """The article's id and latest version's id, created on first sight; a non-empty title replaces the stored one."""
    table = Article._meta.db_table
    row = fetchone(
        f"INSERT INTO {table} (site_id, identity, url, canonical_url, external_id, title, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (site_id, identity) DO UPDATE SET updated_at = excluded.updated_at,"
        f" title = CASE WHEN excluded.title = '' THEN {table}.title ELSE excluded.title END"
        " RETURNING id, latest_version_id",
        [site_id, identity(url, canonical_url, external_id), url, canonical_url, external_id, title, now, now],
    )
    return row[0], row[1]


def record_version(article_id: int, text: str, now: datetime) -> tuple[int, bool]:
    """The id of this text of the article, stored once; True when the text is new.

    A new text becomes the article's latest version. (A reader's stale copy of a page
    would count as new too if nobody had reported on it before; CMS pushes, which say
    when a text was published, will settle that.)
    """
    digest = text_hash(text)
    row = fetchone(
        f"SELECT id FROM {ArticleVersion._meta.db_table} WHERE article_id = %s AND text_hash = %s", [article_id, digest]
    )
    if row is not None:
        return row[0], False
    values = {"article_id": article_id, "text": text, "text_hash": digest, "created_at": now}
    version_id = insert(ArticleVersion, values, returning=True)
    execute(f"UPDATE {Article._meta.db_table} SET latest_version_id = %s WHERE id = %s", [version_id, article_id])
    return version_id, True
