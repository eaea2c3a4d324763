"""Reports sent by readers, and the cases that gather reports about one mistake."""

import secrets

from django.conf import settings
from django.db import models

from corrigo.articles.models import Article, ArticleVersion
from corrigo.sites.models import Site


class Category(models.TextChoices):
    TYPO = "typo", "Typo"
    FACT = "fact", "Factual error"
    OTHER = "other", "Other"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    FIXED = "fixed", "Fixed"
    NOT_ERROR = "not_error", "Not an error"
    WONT_FIX = "wont_fix", "Won't fix"
    SPAM = "spam", "Spam"
    DUPLICATE = "duplicate", "Duplicate"


class AnchorStatus(models.TextChoices):
    UNCHANGED = "unchanged", "Unchanged"
    CHANGED = "changed", "Looks fixed"
    GONE = "gone", "Passage gone"
    AMBIGUOUS = "ambiguous", "Ambiguous"


class Case(models.Model):
    """One mistake in one article, however many readers reported it.

    The quote is the first report's; the anchor is where that passage was last
    found, in the article's latest version.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="cases")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="cases")
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    category = models.CharField(max_length=10, choices=Category.choices, blank=True)

    version = models.ForeignKey(
        ArticleVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version the quote was reported on.",
    )
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)

    anchor_status = models.CharField(max_length=10, choices=AnchorStatus.choices, blank=True)
    anchor_version = models.ForeignKey(ArticleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    anchor_start = models.PositiveIntegerField(null=True, blank=True)
    anchor_end = models.PositiveIntegerField(null=True, blank=True)
    anchor_checked_at = models.DateTimeField(null=True, blank=True)
    disputed = models.BooleanField(
        default=False, db_default=False, help_text="A reader reported the corrected words after the case came to look fixed."
    )

    report_count = models.PositiveIntegerField(default=0)
    # Distinct readers (by keyed client hash; a report without one counts as a reader of its own).
    reader_count = models.PositiveIntegerField(default=0, db_default=0)
    last_reported_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The queue's order, stored so it can be indexed: see reports.priority.
    priority = models.BigIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When the case last left 'open'.")
    first_action_at = models.DateTimeField(
        null=True, blank=True, help_text="When someone first acted on it (an outcome, an assignment, a note, a merge)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["site", "status", "-last_reported_at"], name="case_queue"),
            models.Index(fields=["article", "status"], name="case_article_status"),
            models.Index(fields=["site", "status", "-priority", "-id"], name="case_desk_queue"),
            models.Index(fields=["status", "-priority", "-id"], name="case_desk_queue_all_sites"),
            models.Index(fields=["site", "-priority", "-id"], name="case_desk_queue_any_status"),
            # Covers the desk's per-status counts under its usual filters, so they never read the table.
            models.Index(fields=["site", "status", "category", "anchor_status", "assignee"], name="case_desk_counts"),
            # The metrics page: the cases first reported in a period, read from the index alone.
            models.Index(
                fields=["site", "created_at", "status", "category", "report_count", "article", "first_action_at", "resolved_at"],
                name="case_metrics",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.exact[:40]!r}"

    @property
    def has_quote(self) -> bool:
        return self.start is not None


def new_report_uid() -> str:
    return secrets.token_urlsafe(12)


class Report(models.Model):
    """What one reader sent, as sent (after validation and URL canonicalisation)."""

    uid = models.CharField(max_length=24, unique=True, default=new_report_uid, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="reports")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reports")
    version = models.ForeignKey(ArticleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    # Set when a merge moves the report into another case: the case it was filed in, which
    # an unmerge gives it back to. Empty while the report is in its own case.
    merged_from = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_report_id = models.CharField(max_length=64)

    url = models.URLField(max_length=2048)
    canonical_url = models.URLField(max_length=2048, blank=True)
    article_external_id = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)

    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)

    suggestion = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    category = models.CharField(max_length=10, choices=Category.choices, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    language = models.CharField(max_length=35, blank=True)
    # The sender's keyed address hash (reports.clients), never the address; empty for reports
    # stored before it was kept, and for those not sent over HTTP.
    client_hash = models.CharField(max_length=32, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "client_report_id"], name="unique_client_report"),
        ]
        indexes = [
            models.Index(fields=["site", "-id"], name="report_site_newest"),
            models.Index(fields=["site", "created_at"], name="report_site_created"),
        ]

    def __str__(self) -> str:
        return f"Report {self.uid}"

    @property
    def has_quote(self) -> bool:
        return self.start is not None


class ClientSalt(models.Model):
    """The salt of one day's client hashes (reports.clients); deleted once the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Client salt of {self.day}"


class LimitCounter(models.Model):
    """One window of one of intake's limits, counted in the database (reports.limits) when there is no Redis."""

    window_key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(help_text="Seconds since the epoch.")

    def __str__(self) -> str:
        return f"{self.window_key}: {self.count}"


class SpentChallenge(models.Model):
    """A proof-of-work challenge already answered (reports.challenges): kept until it expires, so it is used once."""

    challenge = models.CharField(max_length=128, unique=True)
    expires_at = models.FloatField(help_text="Seconds since the epoch.")

    def __str__(self) -> str:
        return self.challenge
