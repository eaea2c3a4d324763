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
