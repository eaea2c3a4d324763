"""Events as delivered: one row per event, written by the worker when it dispatches it."""

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
