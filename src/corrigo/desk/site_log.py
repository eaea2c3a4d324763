"""The site log page: one site's changes, newest first, searchable, a page at a time by id."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from corrigo.audit.models import KINDS, Entry
from corrigo.sql import ROW_ID

PAGE_SIZE = 100


class LogFilters(forms.Form):
    """The log's query string, validated at the edge; a bad value counts as no filter."""

    q = forms.CharField(required=False, max_length=200, strip=True)
    kind = forms.ChoiceField(required=False, choices=[("", "Every change"), *KINDS.items()])
    actor = forms.CharField(required=False, max_length=200, strip=True)
    day_from = forms.DateField(required=False)
    day_to = forms.DateField(required=False)
    after = forms.RegexField(required=False, regex=rf"^{ROW_ID}$")

    def values(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


def entries(site, filters: dict) -> QuerySet:
    """The site's log lines that the filters select (every filter but the page cursor)."""
    lines = Entry.objects.filter(site=site)
    if q := filters.get("q"):
        lines = lines.filter(Q(message__icontains=q) | Q(text__icontains=q))
    if kind := filters.get("kind"):
        lines = lines.filter(verb__startswith=kind + ".")
    if actor := filters.get("actor"):
        lines = lines.filter(actor_name__iexact=actor)
    zone = timezone.get_current_timezone()
    if filters.get("day_from"):
        lines = lines.filter(created_at__gte=datetime.combine(filters["day_from"], time.min, zone))
    if filters.get("day_to") and filters["day_to"] < date.max:
        lines = lines.filter(created_at__lt=datetime.combine(filters["day_to"] + timedelta(days=1), time.min, zone))
    return lines


@dataclass
class LogPage:
    lines: list[Entry]
    next_cursor: str | None


def log_page(site, filters: dict, size: int = PAGE_SIZE) -> LogPage:
    lines = entries(site, filters)
    if filters.get("after"):
        lines = lines.filter(pk__lt=int(filters["after"]))
    found = list(lines.order_by("-pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return LogPage(found, str(found[-1].pk) if more and found else None)
