"""The site log: one row per change, written once and never edited (see corrigo.audit)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from corrigo.sites.models import ApiToken, Site


class Verb(models.TextChoices):
    """What changed. The part before the dot is the kind the log page filters by."""

    CASE_STATUS = "case.status", "Case outcome"
    CASE_ASSIGN = "case.assign", "Case assignment"
    CASE_NOTE = "case.note", "Case note"
    CASE_MERGE = "case.merge", "Case merge"
    CASE_UNMERGE = "case.unmerge", "Case unmerge"
    SITE_SETTING = "site.setting", "Site setting"
    ORIGIN_ADD = "origin.add", "Allowed origin added"
    ORIGIN_REMOVE = "origin.remove", "Allowed origin removed"
    MEMBER_ADD = "member.add", "Member added"
    MEMBER_ROLE = "member.role", "Member's role changed"
    MEMBER_REMOVE = "member.remove", "Member removed"
    TOKEN_CREATE = "token.create", "API token created"
    TOKEN_REVOKE = "token.revoke", "API token revoked"


# The kinds of change the log page filters by: the part of a verb before its dot.
KINDS = {
    "case": "Cases",
    "notice": "Notices",
    "site": "Settings",
    "origin": "Allowed origins",
    "member": "Members and roles",
    "token": "API tokens",
    "webhook": "Webhooks",
    "article": "Article versions",
}


class ReadOnly(Exception):
    """The log is written once: an update or a delete of a line is a bug, refused loudly."""


# The links a deleted user, token or case leaves empty (Django clears them with an update);
# the sentence keeps saying who and what.
LINKS = frozenset({"actor", "token", "case", "related_case"})


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if not kwargs or set(kwargs) - LINKS or any(value is not None for value in kwargs.values()):
            raise ReadOnly("Site log entries are never changed.")
        return super().update(**kwargs)

    def delete(self):
        raise ReadOnly("Site log entries are never deleted (they go with their site).")


class Entry(models.Model):
    """One change on a site: who (a user or an API token), what, when, and the sentence saying it.

    The structured columns (verb, case, before/after) serve filters and undo; `message` is
    the change in words as it was true when it happened, so the log still reads right after
    a user or a token is deleted or renamed.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="log_entries")
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=200, help_text="Who, as named when it happened.")
    verb = models.CharField(max_length=40, choices=Verb.choices)
    case = models.ForeignKey("reports.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="log_entries")
    related_case = models.ForeignKey(
        "reports.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The other case of a merge."
    )
    subject = models.TextField(blank=True, help_text="What it is about: a user, an origin, a setting, a token.")
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="A note's text, as written.")
    message = models.TextField(help_text="The change in words.")
    # The lines one action wrote (a bulk outcome writes one per case): undo works on a batch.
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["site", "-id"], name="audit_site_newest"),
            models.Index(fields=["case", "id"], name="audit_case_timeline"),
            # What changed since a time: the metrics' roll-ups ask which days a case action touched.
            models.Index(fields=["site", "created_at"], name="audit_site_created"),
        ]

    def __str__(self) -> str:
        return self.message

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReadOnly("Site log entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReadOnly("Site log entries are never deleted.")

    @property
    def kind(self) -> str:
        return self.verb.split(".", 1)[0]
