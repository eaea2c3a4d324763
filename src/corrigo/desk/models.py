"""What the desk keeps per person: saved queue filters."""

from django.conf import settings
from django.db import models

MAX_SAVED_FILTERS = 30


class SavedFilter(models.Model):
    """A named queue filter of one user ("my open factual errors"), kept as its query string.

    The query is validated again each time it is used, like any other queue address, and
    "me" means whoever uses it: a filter never reaches cases the user could not see anyway.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_filter_name")]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class MetricsDay(models.Model):
    """A closed day's metrics figures for a site, rolled up from its cases, or a closed month's,
    summed from its days' (desk/rollup.py).

    `figures` holds, as JSON text, the cohort counted per category, section and author and
    the reports received (a month's also each day's cases and fixed cases); `lists` the
    integers those counts are over, packed (DayTally.stored): each group's sorted durations,
    so medians over many days stay exact, and an article id per case and per fixed case. A
    row is only used while nothing logged since `rolled_at` touched its days (decisions
    0038, 0042).
    """

    site = models.ForeignKey("corrigo_sites.Site", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the first day
    last_day = models.DateField()  # the same day, or the month's last
    rolled_at = models.DateTimeField()
    # JSON as text, not jsonb: PostgreSQL hands text back without converting it. Both columns
    # are stored uncompressed (migrations desk/0002, desk/0003): long periods read a row a day.
    figures = models.TextField()
    # 64-bit little-endian integers: read back with one copy, where JSON parsed every number.
    lists = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day", "last_day"], name="unique_metrics_span")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}" + ("" if self.last_day == self.day else f" to {self.last_day}")


class BylineChange(models.Model):
    """An article whose section or author changed, and when: written by a database trigger
    (migration desk/0002), so every writer of articles reaches the metrics' roll-ups."""

    site = models.ForeignKey("corrigo_sites.Site", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["site", "changed_at"], name="byline_change_site_time")]

    def __str__(self) -> str:
        return f"article {self.article_id} at {self.changed_at}"
