"""Publisher sites, who may work on them, and the tokens integrations use."""

import hashlib
import secrets

from django.conf import settings
from django.db import models


class ChallengeMode(models.TextChoices):
    """When a reader's report must carry a solved proof-of-work challenge (reports.challenges)."""

    OFF = "off", "Never"
    AUTO = "auto", "When a reader sends many, or the site is flooded"
    ALWAYS = "always", "Always"


class Site(models.Model):
    """A publication whose pages carry the widget, identified by its key."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    article_selector = models.CharField(
        max_length=500, blank=True, help_text="CSS selector of the article root (embed data-article)."
    )
    ignore_selectors = models.CharField(
        max_length=1000, blank=True, help_text="Comma-separated CSS selectors left out of the article text."
    )
    default_language = models.CharField(max_length=35, default="en")
    # How soon the desk should close a case after its first report, by category (empty: no target).
    sla_fact_hours = models.PositiveIntegerField(null=True, blank=True, default=24, help_text="Factual errors, in hours.")
    sla_typo_hours = models.PositiveIntegerField(null=True, blank=True, default=72, help_text="Typos, in hours.")
    sla_other_hours = models.PositiveIntegerField(null=True, blank=True, help_text="Everything else, in hours.")
    corrections_policy = models.TextField(
        blank=True, default="", db_default="", help_text="Shown at the top of the public corrections page (plain text)."
    )
    # db_default too: code of an earlier migration state (and its tests) writes sites without these.
    fetch_articles = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Fetch an article's page (canonical URL, among the allowed origins) to learn its latest text.",
    )
    receives_pushes = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Set by the first version the publisher pushes: from then on readers' copies never move anchors.",
    )
    # Intake's limits (reports.limits), 0 for none: what one reader, and all readers together, may send.
    reports_per_client_minute = models.PositiveIntegerField(
        default=5, db_default=5, help_text="Reports one reader may send a minute."
    )
    reports_per_client_hour = models.PositiveIntegerField(
        default=30, db_default=30, help_text="Reports one reader may send an hour."
    )
    reports_per_site_minute = models.PositiveIntegerField(
        default=600, db_default=600, help_text="Reports all readers together may send a minute."
    )
    challenge = models.CharField(
        max_length=8,
        choices=ChallengeMode.choices,
        default=ChallengeMode.AUTO,
        db_default=ChallengeMode.AUTO,
        help_text="When readers' browsers must solve a proof-of-work challenge before a report is taken.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key

    @property
    def follows_publisher(self) -> bool:
        """Whether anchors follow only published texts (pushed or fetched), never readers' copies."""
        return self.receives_pushes or self.fetch_articles

    def sla_hours(self, category: str) -> int | None:
        """The site's answer time for a case of this category (uncategorised counts as other)."""
        return {"fact": self.sla_fact_hours, "typo": self.sla_typo_hours}.get(category, self.sla_other_hours)

    @property
    def origins(self) -> list[str]:
        return [o.origin for o in self.allowed_origins.all()]


class AllowedOrigin(models.Model):
    """An origin (scheme://host[:port]) whose pages may send reports for a site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="allowed_origins")
    origin = models.CharField(max_length=300, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "origin"], name="unique_site_origin")]

    def __str__(self) -> str:
        return self.origin


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role on one site."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="unique_user_site")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} on {self.site}"


TOKEN_PREFIX = "crg_"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


class Scope(models.TextChoices):
    """What a token may do on its site's API."""

    READ = "read", "Read reports, cases and notices"
    PUBLISH = "publish", "Publish article versions"
    TRIAGE = "triage", "Act on cases and write notices"


class ApiToken(models.Model):
    """A bearer token for the API, scoped to one site and to what it may do there; only its hash is kept."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    can_see_email = models.BooleanField(default=False)
    scopes = models.CharField(max_length=100, default=Scope.READ, help_text="Comma-separated scopes: read, publish, triage.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.hint}… ({self.site})"

    @property
    def scope_list(self) -> list[str]:
        return [scope for scope in self.scopes.split(",") if scope]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
