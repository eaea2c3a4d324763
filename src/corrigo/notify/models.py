"""Events as delivered, the webhook endpoints and mails that carry them, and who wants what."""

import secrets

from django.conf import settings
from django.db import models

from corrigo.sites.models import Site


class EventType(models.TextChoices):
    CASE_CREATED = "case.created", "A new case"
    CASE_UPDATED = "case.updated", "More reports on a case"
    CASE_LOOKS_FIXED = "case.looks_fixed", "A case looks fixed"
    CASE_PASSAGE_GONE = "case.passage_gone", "A case's passage is gone"
    CASE_RESOLVED = "case.resolved", "A case was resolved"
    NOTICE_PUBLISHED = "notice.published", "A correction notice was published"


class Event(models.Model):
    """What happened, as every channel tells it: the same id and data on every delivery and retry."""

    uid = models.CharField(max_length=40, unique=True, help_text="msg_…: the webhook-id of every delivery.")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    data = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(help_text="When the change was committed (the job was written).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["site", "-id"], name="event_site_newest")]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"


class WebhookFormat(models.TextChoices):
    STANDARD = "standard", "Standard Webhooks (signed JSON)"
    SLACK = "slack", "Slack incoming webhook"


class WebhookEndpoint(models.Model):
    """A URL of the site's that hears of its events: signed Standard Webhooks, or Slack messages.

    The secret is kept in clear because every delivery is signed with it; it is shown once,
    when made. After a rotation the previous secret signs too, until previous_secret_until.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2048)
    format = models.CharField(max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.STANDARD)
    events = models.JSONField(default=list, blank=True, help_text="Event types it hears of; empty means all.")
    secret = models.CharField(max_length=100, blank=True)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.format} webhook {self.url}"

    def hears(self, event_type: str) -> bool:
        return self.disabled_at is None and (not self.events or event_type in self.events)


class EmailChoice(models.TextChoices):
    INSTANT = "instant", "Every new case at once"
    DIGEST = "digest", "A daily digest"
    NONE = "none", "Nothing"


class MemberNotification(models.Model):
    """How one member hears of one site's new cases by email, and in which language.

    No row means the default: at once for editors and admins, nothing for viewers.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="notification_settings")
    email = models.CharField(max_length=10, choices=EmailChoice.choices)
    language = models.CharField(max_length=8, blank=True, help_text="en, uk or ru; blank: the site's language.")
    digest_until = models.DateTimeField(null=True, blank=True, help_text="The last digest covered events up to here.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="unique_member_notification")]

    def __str__(self) -> str:
        return f"{self.user} on {self.site}: {self.email}"


class MailKind(models.TextChoices):
    NEW_CASE = "new_case", "A new case"
    DIGEST = "digest", "Daily digest"
    THANKS = "thanks", "Thanks to a reader"


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    KEPT = "kept", "Kept in the mailbox (no SMTP server set)"
    DROPPED = "dropped", "Not sent: the reader opted out"


def new_mail_uid() -> str:
    return secrets.token_urlsafe(18)


class Mail(models.Model):
    """One email, written once when it is decided (so every retry sends the same message).

    `key` says what it is for (the event and the member, the report thanked) and is
    unique: the same mail is never written twice. Without an SMTP server a mail is kept
    here as "kept", and the desk's mailbox shows it to the site's admins.
    """

    uid = models.CharField(max_length=30, unique=True, default=new_mail_uid, help_text="The Message-ID's local part.")
    key = models.CharField(max_length=120, unique=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=10, choices=MailKind.choices)
    to = models.CharField(max_length=254, help_text="Erased once a reader's thanks is delivered.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The report thanked."
    )
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=MailStatus.choices, default=MailStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["site", "status", "-id"], name="mail_site_status")]

    def __str__(self) -> str:
        return f"{self.kind} mail {self.uid} ({self.status})"


class ReaderOptOut(models.Model):
    """A reader who asked never to be written to again: a keyed hash of the address, not the address."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"opt-out {self.digest[:12]}…"
