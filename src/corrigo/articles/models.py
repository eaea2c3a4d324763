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
        help_text="The text seen last for the first time: open cases are anchored in it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "identity"], name="unique_site_article")]

    def __str__(self) -> str:
        return self.title or self.url


class ArticleVersion(models.Model):
    """A distinct article text (docs/text-model.md), stored once per article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    text_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "text_hash"], name="unique_article_text")]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.article} @ {self.created_at:%Y-%m-%d %H:%M}"
