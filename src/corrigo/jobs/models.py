"""Jobs waiting, running, done and dead."""

from django.db import models
from django.db.models import Q

from corrigo.sites.models import Site


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    DEAD = "dead", "Dead letter"


class Job(models.Model):
    """One piece of work for the worker: what (`kind`), with what (`payload`), and its history."""

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # While queued: at most one job per key (a debounced fetch, a throttled notification).
    key = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    run_after = models.DateTimeField()
    # The lease of the worker running it: past it, the job is taken again (that worker died).
    locked_by = models.CharField(max_length=100, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "run_after"], name="job_due"),
            models.Index(fields=["site", "status", "-id"], name="job_site_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(status="queued") & ~Q(key=""), name="unique_queued_job_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
