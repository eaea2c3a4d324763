"""Correction notices: what an article got wrong and what is right, as readers and search engines see it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from corrigo.articles.models import Article
from corrigo.reports.models import Case
from corrigo.sites.models import Site


class NoticeKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"
    EDITORS_NOTE = "editors_note", "Editor's note"
    RETRACTION = "retraction", "Retraction"


class LiveNotices(models.QuerySet):
    def live(self):
        """The notices the public sees: published and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class CorrectionNotice(models.Model):
    """One published notice on an article, answering one or more cases.

    `minor` marks a typo-class fix: listed on the corrections page, in the feeds and the
    article's history, never shown as a banner. Edits keep their history in the site log
    (corrigo.audit); a withdrawn notice leaves every public surface but stays here.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="notices")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="notices")
    cases = models.ManyToManyField(Case, related_name="notices", blank=True)
    kind = models.CharField(max_length=16, choices=NoticeKind.choices, default=NoticeKind.CORRECTION)
    text = models.TextField(help_text="Plain text; links as bare URLs.")
    minor = models.BooleanField(default=False, help_text="A typo-class fix: listed, never a banner.")
    language = models.CharField(max_length=35, default="en")
    published_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200, help_text="Who wrote it, as named then (a user or an API token).")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = LiveNotices.as_manager()

    class Meta:
        indexes = [
            # The corrections page and the feeds: a site's live notices, newest first.
            # (Published in id order: notices are published as they are made.)
            models.Index(fields=["site", "withdrawn_at", "-id"], name="notice_site_newest"),
            models.Index(fields=["article", "withdrawn_at", "-id"], name="notice_article_newest"),
            # The public surfaces' ETag and Last-Modified: the site's last change, one index probe.
            models.Index(fields=["site", "updated_at"], name="notice_site_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.article}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
