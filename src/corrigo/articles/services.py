"""Finding an article from what a page says about itself, and recording its texts.

Both run on every report, so they are plain SQL, its columns taken from the models
(see corrigo.sql).
"""

import hashlib
from datetime import datetime

from corrigo.articles.models import Article, ArticleVersion
from corrigo.sql import fetchone, insert, update, upsert


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
    (version_id,) = insert(
        ArticleVersion, {"article_id": article_id, "text": text, "text_hash": digest}, now=now, returning=("id",)
    )
    update(Article, article_id, {"latest_version_id": version_id}, now=now)
    return version_id, True
