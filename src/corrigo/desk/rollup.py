"""Daily and monthly roll-ups of the metrics figures, so a long period reads a row per day or
month instead of every case.

A closed day's cohort, tallied as the page would (desk/tally.py), is stored as one
`MetricsDay` row with the time the roll-up started; a closed month's days, once rolled up,
are summed into one more row spanning the month (its `last_day` the month's), which keeps
each day's cases and fixed cases for the per-day chart. The page uses a row only while
nothing touched any of its days since: every change to a figure leaves a timestamped trace
that one query finds (decision 0038) —
- a report (intake): a new reader on a case, its category raised, the report's own day;
- a site log line (every case action: outcome, reopen, assignment, note, merge, unmerge,
  undo), for the case and the other case of a merge;
- a `BylineChange` (a database trigger on the articles' section and author).
A month with a touched day is read from its other days' rows; a day touched since its
roll-up, a day not rolled up yet and today are tallied live from the cases, so the figures
are never stale; the roll-ups only decide how fast they come (decision 0042).

The worker re-rolls touched days (and the months they are in) and rolls newly closed ones
every few minutes (`metrics.roll`); `corrigo metrics rebuild` rolls a site's whole history anew.
"""

import bisect
import functools
import json
import logging
import operator
from array import array
from datetime import date, datetime, timedelta
from functools import reduce

from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from corrigo.audit.models import Entry
from corrigo.desk.models import BylineChange, MetricsDay
from corrigo.desk.tally import (
    DayTally,
    Instant,
    check_stored,
    day_edges,
    day_ranges,
    days_from,
    midnight,
    packed,
    per_day,
    plain_rows,
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
    """The period's roll-ups that nothing touched since they were made, by their first day: each
    one's stored figures and lists (DayTally.stored's form). A month's is used where the whole
    month is in the period and untouched, otherwise its days'. A row that cannot be read is
    left out: its days are counted live (`covered` says which days the roll-ups answer for).

    Two queries (the rows, but the days of the period's months, each with the oldest roll-up
    time in the period; what changed since then), and one more for the days of a month that
    cannot be used."""
    in_period = MetricsDay.objects.filter(site=site, day__gte=start, last_day__lte=end)
    months = in_period.exclude(last_day=F("day"))
    in_a_month = months.filter(day__lte=OuterRef("day"), last_day__gte=OuterRef("day"))
    # The days' rows a month's stands for may be older than it (a roll that stopped between them):
    # what touched them since is found by the same query.
    oldest = in_period.order_by().values("site").annotate(oldest=Min("rolled_at")).values("oldest")
    rows = _rows(in_period.filter(~Q(last_day=F("day")) | ~Exists(in_a_month)).annotate(oldest=Subquery(oldest)), "oldest")
    if not rows:
        return {}
    touched = touched_days(site, rows[0][-1] - MARGIN, start, end)
    usable = {}
    for first, last, figures, lists, _ in rows:
        days = days_from(first, last)
        if touched.isdisjoint(days) and (read := _read(site, first, last, figures, lists)):
            usable[first] = read
    unused = [first for first, last, *_ in rows if first != last and first not in usable]
    if unused:  # a month touched since its roll-up, or not readable: its days' rows instead
        of_unused = reduce(operator.or_, (Q(day__gte=month, day__lte=_month_end(month)) for month in unused))
        for day, _, figures, lists in _rows(in_period.filter(of_unused, last_day=F("day"))):
            if day not in touched and (read := _read(site, day, day, figures, lists)):
                usable[day] = read
    return usable


def _rows(rows, *more: str) -> list[tuple]:
    """The roll-ups' columns (and `more`); on PostgreSQL in binary, which hands `lists` over
    as its bytes rather than as hexadecimal text to decode (a quarter of the time for 11 MB)."""
    columns = ("day", "last_day", "figures", "lists", *more)
    if connection.vendor != "postgresql":
        return list(rows.values_list(*columns))
    sql, params = rows.values_list(*columns).query.sql_with_params()
    connection.ensure_connection()
    # Django's cursors bind parameters on the client, which cannot ask for binary results;
    # this one is wrapped as Django wraps its own (query logging, execute_wrapper).
    raw = _binary_cursor_class()(connection.connection)
    with connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _binary_cursor_class():
    # psycopg is imported here, not with the module: a SQLite process never loads it (every
    # module more is more heap for Python's cycle collector to walk, on intake's path too).
    import psycopg

    class BinaryCursor(psycopg.Cursor):
        """Binds parameters on the server, which binary results need, and never prepares
        statements (a pooler in transaction mode, such as PgBouncer, cannot keep them)."""

        def execute(self, query, params=None, **options):
            return super().execute(query, params, prepare=False, binary=True, **options)

    return BinaryCursor


def _month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def covered(usable: dict[date, tuple[dict, array]]) -> set[date]:
    """The days that `usable_days`'s roll-ups answer for."""
    return {
        day for first, (figures, _) in usable.items() for day in days_from(first, first + timedelta(len(per_day(figures)) - 1))
    }


def _read(site, first: date, last: date, figures: str, lists: bytes) -> tuple[dict, array] | None:
    try:
        read = json.loads(figures), unpacked(lists)
        check_stored(*read, (last - first).days + 1)
        return read
    except (ValueError, KeyError, TypeError):
        pass
    log.warning(
        "metrics: the roll-up of %s to %s for site %s cannot be read; its days are counted from their cases"
        " until the next roll makes it anew",
        first,
        last,
        site.pk,
    )
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
    """Roll up the site's closed days that have no roll-up, were touched since theirs or whose
    row cannot be read (all with `rebuild`), then the closed months with a day among those,
    or no roll-up of their own. Returns how many days were rolled up."""
    started = timezone.now()
    # A day is closed once it ended MARGIN ago: no report of it can still be on its way.
    last = timezone.localtime(started - MARGIN).date() - timedelta(days=1)
    oldest = Case.objects.filter(site=site).aggregate(first=Min("created_at"))["first"]
    if oldest is None:
        return 0
    first = timezone.localtime(oldest).date()
    wanted = days_from(first, last)
    rows = MetricsDay.objects.filter(site=site)
    existing = dict(rows.filter(last_day=F("day")).values_list("day", "rolled_at"))
    if rebuild or not existing:
        days = set(wanted)
    else:
        touched = touched_days(site, min(existing.values()) - MARGIN, first, last)
        days = {day for day in wanted if day not in existing or day in touched}
    monthly = dict(rows.exclude(last_day=F("day")).values_list("day", "rolled_at"))
    months = _months(first, last)
    # A month is made anew when one of its days is, and when it is older than one of them (a
    # roll that stopped between a day and its month): else the last step would vouch for it.
    due = [
        month
        for month in months
        if (made := monthly.get(month[0])) is None
        or not days.isdisjoint(month)
        or any(existing.get(day, made) > made for day in month)
    ]
    # Rows that cannot be read are made anew where the page reads days' rows: the days after
    # the last whole month, and the days of the months to be summed.
    by_the_day = {day for day in wanted if not months or day > months[-1][-1]}.union(*due)
    days |= _unreadable(site, by_the_day - days)
    days = sorted(days)
    for start in range(0, len(days), DAYS_PER_TRANSACTION):
        chunk = days[start : start + DAYS_PER_TRANSACTION]
        with write_transaction():
            tallies, reports = tally_days(site, chunk), reports_per_day(site, chunk)
            rows.filter(day__in=chunk, last_day=F("day")).delete()
            made = []
            for day in chunk:
                figures, lists = tallies.get(day, DayTally()).stored(reports[day])
                made.append(MetricsDay(site=site, day=day, last_day=day, rolled_at=started, **_columns(figures, lists)))
            MetricsDay.objects.bulk_create(made)
    for month in due:
        _roll_month(site, month, started)
    # The others were checked for changes just now: nothing touched them, so they hold as of `started`.
    rows.filter(rolled_at__lt=started).update(rolled_at=started)
    # A byline change older than every roll-up can no longer make one stale.
    BylineChange.objects.filter(site=site, changed_at__lt=started - timedelta(days=1)).delete()
    return len(days)


def _unreadable(site: Site, days: set[date]) -> set[date]:
    """Those of the days whose row cannot be read."""
    rows = MetricsDay.objects.filter(site=site, day__in=days, last_day=F("day")).values_list("day", "figures", "lists")
    return {day for day, figures, lists in rows.iterator() if _read(site, day, day, figures, lists) is None}


def _columns(figures: dict, lists: array) -> dict:
    return {"figures": json.dumps(figures, separators=(",", ":")), "lists": packed(lists)}


def _months(first: date, last: date) -> list[list[date]]:
    """The whole calendar months from `first` to `last`, each as its days."""
    months = []
    month = first if first.day == 1 else _month_end(first) + timedelta(days=1)
    while _month_end(month) <= last:
        months.append(days_from(month, _month_end(month)))
        month = _month_end(month) + timedelta(days=1)
    return months


def _roll_month(site: Site, days: list[date], started: datetime) -> bool:
    """Sum a month's day roll-ups (just made or checked) into the month's; whether it could."""
    first, last = days[0], days[-1]
    rows = MetricsDay.objects.filter(site=site, day__gte=first, day__lte=last, last_day=F("day"))
    with write_transaction():
        days_rows = rows.order_by("day").values_list("day", "figures", "lists")
        parts = [_read(site, day, day, figures, lists) for day, figures, lists in days_rows]
        MetricsDay.objects.filter(site=site, day=first, last_day=last).delete()
        if len(parts) != len(days) or None in parts:  # a day not rolled up, or not readable: its days are read
            return False
        month = DayTally()
        for figures, lists in parts:
            month.add_stored(figures, lists)
        figures, lists = month.stored(sum(figures["reports"] for figures, _ in parts))
        figures["days"] = [count for figures, _ in parts for count in per_day(figures)]
        MetricsDay.objects.create(site=site, day=first, last_day=last, rolled_at=started, **_columns(figures, lists))
    return True


@queue.periodic(ROLL_JOB, ROLL_EVERY_SECONDS)
def _roll_job(job) -> None:
    for site in Site.objects.all():
        try:
            rolled = roll(site)
        except Exception:  # one site's failure must not keep the others' roll-ups behind
            log.exception("metrics: rolling up site %s failed; its figures are counted live meanwhile", site.key)
            continue
        if rolled:
            log.info("metrics: rolled up %d days of site %s", rolled, site.key)
