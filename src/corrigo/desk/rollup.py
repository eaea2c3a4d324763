"""Daily roll-ups of the metrics figures, so a long period reads a row per day instead of every case.

A closed day's cohort, tallied as the page would (desk/tally.py), is stored as one
`MetricsDay` row with the time the roll-up started. The page uses a row only while nothing
touched that day since: every change to a figure leaves a timestamped trace that one query
finds (decision 0038) —
- a report (intake): a new reader on a case, its category raised, the report's own day;
- a site log line (every case action: outcome, reopen, assignment, note, merge, unmerge,
  undo), for the case and the other case of a merge;
- a `BylineChange` (a database trigger on the articles' section and author).
A day touched since its roll-up, a day not rolled up yet and today are tallied live from the
cases, so the figures are never stale; the roll-up only decides how fast they come.

The worker re-rolls touched days and rolls newly closed ones every few minutes
(`metrics.roll`); `corrigo metrics rebuild` rolls a site's whole history anew.
"""

import bisect
import json
import logging
from array import array
from datetime import date, datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from corrigo.audit.models import Entry
from corrigo.desk.models import BylineChange, MetricsDay
from corrigo.desk.tally import (
    DayTally,
    Instant,
    day_edges,
    day_ranges,
    midnight,
    packed,
    plain_rows,
    stored_length,
    tally_days,
    unpacked,
)
from corrigo.jobs import queue
from corrigo.reports.models import Case, Report
from corrigo.sites.models import Site
from corrigo.sql import write_transaction

log = logging.getLogger("corrigo.desk")

# Longer than any write transaction takes between stamping its time and committing (and any clock
# skew between servers): a change stamped before `rolled_at - MARGIN` was visible to the roll-up.
MARGIN = timedelta(minutes=10)
ROLL_JOB = "metrics.roll"
ROLL_EVERY_SECONDS = 300
# Days tallied and written per transaction: SQLite's writers (intake) wait for each.
DAYS_PER_TRANSACTION = 31


def usable_days(site, start: date, end: date) -> dict[date, tuple[dict, array]]:
    """The period's rolled-up days that nothing touched since their roll-up: their stored figures
    and lists (DayTally.stored's form). A row that cannot be read is left out: its day is counted live.

    Two queries (the rows; what changed since the oldest of them)."""
    rows = list(
        MetricsDay.objects.filter(site=site, day__gte=start, day__lte=end).values_list("day", "rolled_at", "figures", "lists")
    )
    if not rows:
        return {}
    touched = touched_days(site, min(row[1] for row in rows) - MARGIN, start, end)
    usable = {}
    for day, _, figures, lists in rows:
        if day not in touched and (read := _read(site, day, figures, lists)):
            usable[day] = read
    return usable


def _read(site, day: date, figures: str, lists: bytes) -> tuple[dict, array] | None:
    try:
        read = json.loads(figures), unpacked(lists)
        if stored_length(read[0]) == len(read[1]):
            return read
    except (ValueError, KeyError, TypeError):
        pass
    log.warning("metrics: the roll-up of %s for site %s cannot be read; the day is counted from its cases", day, site.pk)
    return None


def touched_days(site, since: datetime, start: date, end: date) -> set[date]:
    """The days from `start` to `end` whose figures something changed at or after `since`: one query.

    Each part is read by its time index (reports and log lines since `since`, a handful), and
    the days outside the period are dropped here, so no part walks the period's cases."""
    first, until = midnight(start), midnight(end + timedelta(days=1))
    reports = Report.objects.filter(site=site, created_at__gte=since)
    log_lines = Entry.objects.filter(site=site, created_at__gte=since)
    bylines = BylineChange.objects.filter(site=site, changed_at__gte=since).values("article_id")
    times = reports.values_list("case__created_at").union(
        reports.values_list("created_at"),
        log_lines.filter(case__isnull=False).values_list("case__created_at"),
        log_lines.filter(related_case__isnull=False).values_list("related_case__created_at"),
        Case.objects.filter(site=site, created_at__gte=first, created_at__lt=until, article_id__in=bylines).values_list(
            "created_at"
        ),
    )
    return {timezone.localtime(at).date() for (at,) in times if first <= at < until}


def reports_per_day(site, days: list[date]) -> dict[date, int]:
    """The reports received on each of the (sorted) days: one query, one timestamp per report."""
    edges = day_edges(days)
    counts = dict.fromkeys(days, 0)
    received = Report.objects.filter(site=site).filter(day_ranges(days)).annotate(at=Instant("created_at")).values_list("at")
    for (at,) in plain_rows(received):
        counts[days[bisect.bisect_right(edges, at) - 1]] += 1
    return counts


def roll(site: Site, *, rebuild: bool = False) -> int:
    """Roll up the site's closed days that have no roll-up or were touched since theirs (all with
    `rebuild`). Returns how many days were rolled up."""
    started = timezone.now()
    # A day is closed once it ended MARGIN ago: no report of it can still be on its way.
    last = timezone.localtime(started - MARGIN).date() - timedelta(days=1)
    oldest = Case.objects.filter(site=site).aggregate(first=Min("created_at"))["first"]
    if oldest is None:
        return 0
    first = timezone.localtime(oldest).date()
    wanted = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    existing = dict(MetricsDay.objects.filter(site=site).values_list("day", "rolled_at"))
    if rebuild or not existing:
        days = wanted
    else:
        touched = touched_days(site, min(existing.values()) - MARGIN, first, last)
        days = [day for day in wanted if day not in existing or day in touched]
    for start in range(0, len(days), DAYS_PER_TRANSACTION):
        chunk = days[start : start + DAYS_PER_TRANSACTION]
        with write_transaction():
            tallies, reports = tally_days(site, chunk), reports_per_day(site, chunk)
            MetricsDay.objects.filter(site=site, day__in=chunk).delete()
            rows = []
            for day in chunk:
                figures, lists = tallies.get(day, DayTally()).stored(reports[day])
                figures = json.dumps(figures, separators=(",", ":"))
                rows.append(MetricsDay(site=site, day=day, rolled_at=started, figures=figures, lists=packed(lists)))
            MetricsDay.objects.bulk_create(rows)
    # The others were checked for changes just now: nothing touched them, so they hold as of `started`.
    MetricsDay.objects.filter(site=site, rolled_at__lt=started).update(rolled_at=started)
    # A byline change older than every roll-up can no longer make one stale.
    BylineChange.objects.filter(site=site, changed_at__lt=started - timedelta(days=1)).delete()
    return len(days)


@queue.periodic(ROLL_JOB, ROLL_EVERY_SECONDS)
def _roll_job(job) -> None:
    for site in Site.objects.all():
        rolled = roll(site)
        if rolled:
            log.info("metrics: rolled up %d days of site %s", rolled, site.key)
