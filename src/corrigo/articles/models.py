"""Articles readers report on, and each distinct text they have seen."""

from django.db import models

from corrigo.sites.models import Site


class Article(models.Model):
    """One article of a site, known by its CMS id, canonical URL or page URL (in that order)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="articles")
    identity = models.CharField(max_length=64, help_text="sha256 of the identity key.")
    url = models.URLField(max_length=2048)
    canonical_url = models.URLField(max_length=2048, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    # From the CMS push or the page (article:section, author meta, JSON-LD), when it says them.
    # db_default too: intake writes articles with its own SQL.
    section = models.CharField(max_length=200, blank=True, default="", db_default="")
    author = models.CharField(max_length=200, blank=True, default="", db_default="")
    latest_version = models.ForeignKey(
        "ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The text open cases are anchored in: the latest published one, or a corroborated reader's copy.",
    )
    published_version = models.ForeignKey(
        "ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest text the publisher pushed or Corrigo fetched; never a reader's copy.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "identity"], name="unique_site_article")]

    def __str__(self) -> str:
        return self.title or self.url


class VersionSource(models.TextChoices):
    """Where a text came from, most trusted first."""

    PUBLISHER = "publisher", "Pushed by the publisher"
    FETCHED = "fetched", "Fetched from the page"
    READER = "reader", "A reader's copy"


# A text seen from several sources keeps the most trusted one.
TRUST = {VersionSource.PUBLISHER: 3, VersionSource.FETCHED: 2, VersionSource.READER: 1}


class ArticleVersion(models.Model):
    """A distinct article text (docs/text-model.md), stored once per article, with where it came from."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    text_hash = models.CharField(max_length=64)
    source = models.CharField(
        max_length=10, choices=VersionSource.choices, default=VersionSource.READER, db_default=VersionSource.READER
    )
    # What the CMS or the page says (article:modified_time, JSON-LD dateModified), when it says it.
    published_at = models.DateTimeField(null=True, blank=True)
    modified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, help_text="When Corrigo first received this text.")
    followed_at = models.DateTimeField(
        null=True, blank=True, help_text="When open cases were first anchored in it; a text followed once never is again."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "text_hash"], name="unique_article_text")]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.article} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_published(self) -> bool:
        return self.source != VersionSource.READER
