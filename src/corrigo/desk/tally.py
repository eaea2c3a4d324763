"""Cases tallied into metrics figures, day by day: the one pass the metrics page and its roll-ups share.

A day's tally is its cohort (the cases first reported that day) counted per category, per
section and per author, with the durations kept as lists, so any number of days adds up to
exact medians. The metrics page tallies the days it cannot read from a roll-up (today, and
days something touched since their roll-up) with `tally_days`; the roll-ups store the same
tally of a closed day (desk/rollup.py), so both paths give the same figures by construction.
"""

import math
import operator
import sys
from array import array
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce

from django.db import connection
from django.db.models import Func, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone

from corrigo.articles.models import Article
from corrigo.reports.models import Case, CaseStatus, Report

DIMENSIONS = ("category", "section", "author")
# A roll-up's durations (seconds) and article ids: 64-bit integers, kept little-endian.
INTS = "q"
_SWAP = sys.byteorder != "little"
# Up to this many days, a tally looks each case's article up by its key: PostgreSQL would
# otherwise hash every article of the site for a join (13 ms at 40,000 articles for a few
# hundred cases). More days' cases (a roll-up's 31) join.
LOOKED_UP_UP_TO = 7


def ints() -> array:
    return array(INTS)


def packed(values: array) -> bytes:
    """Integers as a roll-up stores them."""
    if _SWAP:
        values = array(INTS, values)
        values.byteswap()
    return values.tobytes()


def unpacked(blob: bytes) -> array:
    """A roll-up's stored integers, back as an array; ValueError if the bytes cannot be that."""
    values = ints()
    values.frombytes(blob)
    if _SWAP:
        values.byteswap()
    return values


class Epoch(Func):
    """A timestamp as whole seconds since 1970, computed by the database (NULL stays NULL)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores UTC timestamps in SQLite; julianday() reads them without a Python function.
        # Rounded, not truncated: the day fraction's float error would otherwise lose a second.
        return self.as_sql(
            compiler, connection, template="CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER)"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="ROUND(EXTRACT(EPOCH FROM %(expressions)s))::bigint")


class Instant(Func):
    """A timestamp in a form that compares exactly and costs Python no parsing: SQLite's stored text
    (Django writes UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]'), PostgreSQL's whole seconds since 1970 (floored)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint")


# The percentiles of the durations the page shows: the median and the 90th.
SHOWN_FRACTIONS = (0.5, 0.9)


def percentile(values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the sorted values lie, interpolated between neighbours."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass(slots=True)
class Figures:
    """The figures of one group of cases (all of them, one category, one section…)."""

    name: str
    label: str
    cases: int = 0
    readers: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    first_action: array = field(default_factory=ints)  # seconds, per case acted on
    to_fix: array = field(default_factory=ints)  # seconds, per fixed case
    _settled: dict = field(default_factory=dict, repr=False, compare=False)  # (list, fraction): settled figure

    def merge(self, other: "Figures") -> None:
        self.cases += other.cases
        self.readers += other.readers
        self._add_outcomes(other.outcomes)
        self.first_action += other.first_action
        self.to_fix += other.to_fix

    def stored(self, lists: array) -> list:
        """The figures as a roll-up keeps them: [cases, readers, outcomes, durations to first
        action, durations to fix] in its JSON, each duration list sorted and added to `lists`."""
        lists.extend(sorted(self.first_action))
        lists.extend(sorted(self.to_fix))
        return [self.cases, self.readers, self.outcomes, len(self.first_action), len(self.to_fix)]

    def add_stored(self, row: list, lists: array, at: int) -> int:
        """Add a roll-up's figures whose durations start at `at` in its `lists`; where the next start."""
        cases, readers, outcomes, first_actions, fixes = row
        self.cases += cases
        self.readers += readers
        self._add_outcomes(outcomes)
        fixes_at = at + first_actions
        self.first_action += lists[at:fixes_at]
        self.to_fix += lists[fixes_at : fixes_at + fixes]
        return fixes_at + fixes

    def _add_outcomes(self, outcomes: dict[str, int]) -> None:
        for status, count in outcomes.items():
            self.outcomes[status] = self.outcomes.get(status, 0) + count

    @property
    def fixed(self) -> int:
        return self.outcomes.get(CaseStatus.FIXED, 0)

    @property
    def not_error(self) -> int:
        return self.outcomes.get(CaseStatus.NOT_ERROR, 0)

    @property
    def open(self) -> int:
        return self.outcomes.get(CaseStatus.OPEN, 0)

    @property
    def real_error_share(self) -> float | None:
        judged = self.fixed + self.not_error
        return self.fixed / judged if judged else None

    def hours(self, which: str, fraction: float) -> float | None:
        if (which, fraction) not in self._settled:
            self._work_out(which)
        found = self._settled[which, fraction]
        return None if found is None else found / 3600

    def _work_out(self, which: str) -> None:
        # Sorted once per list for the figures the page asks of it. The list is the days'
        # sorted runs one after the other, which sorting merges quickly.
        ordered = sorted(getattr(self, which))
        for fraction in SHOWN_FRACTIONS:
            self._settled[which, fraction] = percentile(ordered, fraction)

    def sort(self) -> None:
        """Sort the durations in place of the days' runs (a group summed into another makes a
        longer run of them)."""
        self.first_action = array(INTS, sorted(self.first_action))
        self.to_fix = array(INTS, sorted(self.to_fix))

    def settle(self) -> "Figures":
        """Work out the four duration figures the page shows, then let the duration lists go.

        A long period's groups hold hundreds of thousands of durations between them, and a
        rendered page's context lingers in reference cycles until Python's cycle collector
        finds it: each collection would walk every one of those list entries again (tens of
        milliseconds a request at a million reports, bench/README.md). Settled, a group is a
        few numbers, and takes no more durations."""
        for which in ("first_action", "to_fix"):
            self._work_out(which)
            setattr(self, which, ints())
        return self

    @property
    def median_first_action_h(self):
        return self.hours("first_action", 0.5)

    @property
    def p90_first_action_h(self):
        return self.hours("first_action", 0.9)

    @property
    def median_fix_h(self):
        return self.hours("to_fix", 0.5)

    @property
    def p90_fix_h(self):
        return self.hours("to_fix", 0.9)


def days_from(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def group_in(groups: dict[str, "Figures"], key: str) -> "Figures":
    """The group of `groups` under `key`, made empty if it is not there yet."""
    group = groups.get(key)
    if group is None:
        group = groups[key] = Figures("", "")
    return group


def midnight(day: date, zone=None) -> datetime:
    return datetime.combine(day, time.min, zone or timezone.get_current_timezone())


def day_ranges(days: list[date], column: str = "created_at") -> Q:
    """Rows whose `column` falls on one of the (sorted, at least one) days: a range per run of consecutive days."""
    runs = [[days[0], days[0]]]
    for day in days[1:]:
        if day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return reduce(
        operator.or_,
        (Q(**{f"{column}__gte": midnight(first), f"{column}__lt": midnight(last + timedelta(days=1))}) for first, last in runs),
    )


@dataclass(slots=True)
class DayTally:
    """One day's cohort (or several days' summed): figures per category, section and author
    (keyed by the category's value, the section, the author, "" when not known), and an
    article id per case and per fixed case (for the articles with most corrections)."""

    category: dict[str, Figures] = field(default_factory=dict)
    section: dict[str, Figures] = field(default_factory=dict)
    author: dict[str, Figures] = field(default_factory=dict)
    articles: array = field(default_factory=ints)
    fixed_articles: array = field(default_factory=ints)

    def stored(self, reports: int) -> tuple[dict, array]:
        """The tally as a roll-up keeps it (a MetricsDay's figures and lists), with the reports received.

        The JSON holds the counts; every list's integers follow one another in `lists`, in the
        JSON's order (each group's durations to first action, then to fix; the articles; the
        fixed ones), the JSON saying how many each."""
        lists = ints()
        figures = {"reports": reports}
        for dimension in DIMENSIONS:
            figures[dimension] = {key: group.stored(lists) for key, group in getattr(self, dimension).items()}
        figures["articles"], figures["fixed_articles"] = len(self.articles), len(self.fixed_articles)
        lists += self.articles
        lists += self.fixed_articles
        return figures, lists

    def add_stored(self, figures: dict, lists: array) -> None:
        """Add a roll-up's figures (a day's or a month's) to these."""
        at = 0
        for dimension in DIMENSIONS:
            groups = getattr(self, dimension)
            for key, row in figures[dimension].items():
                at = group_in(groups, key).add_stored(row, lists, at)
        fixed_at = at + figures["articles"]
        self.articles += lists[at:fixed_at]
        self.fixed_articles += lists[fixed_at : fixed_at + figures["fixed_articles"]]


def per_day(figures: dict) -> list:
    """A roll-up's [cases, fixed cases] for each of its days (a month's says them; a day's are its totals)."""
    return figures.get("days") or [[figures["articles"], figures["fixed_articles"]]]


STORED_KEYS = {"reports", *DIMENSIONS, "articles", "fixed_articles"}


def check_stored(figures: dict, lists: array, days: int) -> None:
    """ValueError unless `figures` and `lists` are a roll-up of `days` days, in every part the
    page reads: a damaged row must not break the page halfway through its sums."""
    if type(figures) is not dict or figures.keys() - {"days"} != STORED_KEYS:
        raise ValueError("not a roll-up's figures")
    _count(figures["reports"])
    total = _count(figures["articles"]) + _count(figures["fixed_articles"])
    for dimension in DIMENSIONS:
        groups = figures[dimension]
        if type(groups) is not dict:
            raise ValueError(f"{dimension}: not a mapping")
        for key, row in groups.items():
            if type(row) is not list or len(row) != 5 or type(row[2]) is not dict:
                raise ValueError(f"{dimension} {key!r}: not a group's figures")
            cases, readers, outcomes, first_actions, fixes = row
            _count(cases), _count(readers)
            for count in outcomes.values():
                _count(count)
            total += _count(first_actions) + _count(fixes)
    counts = per_day(figures)
    if type(counts) is not list or len(counts) != days:
        raise ValueError("not a count per day")
    cases = fixed = 0
    for pair in counts:
        if type(pair) is not list or len(pair) != 2:
            raise ValueError("not a day's counts")
        cases += _count(pair[0])
        fixed += _count(pair[1])
    if total != len(lists) or (cases, fixed) != (figures["articles"], figures["fixed_articles"]):
        raise ValueError("the counts do not match the lists")


def _count(value) -> int:
    if type(value) is not int or value < 0:  # not a bool, a float or a string
        raise ValueError(f"not a count: {value!r}")
    return value


def day_edges(days: list[date]) -> list:
    """Each day's first instant as `Instant` gives timestamps, so rows are put on their day exactly."""
    if connection.vendor == "sqlite":
        return [str(timezone.make_naive(midnight(day), UTC)) for day in days]
    return [int(midnight(day).timestamp()) for day in days]


def tally_days(site, days: list[date]) -> dict[date, DayTally]:
    """Each of the (sorted) days' cohort, tallied: one query. Days without cases are left out."""
    if not days:
        return {}
    # The end of the last day closes the last bucket: every row is before it.
    edges = day_edges([*days, days[-1] + timedelta(days=1)])
    groups: dict[tuple[int, str, str, str], Figures] = {}
    tallied = {day: DayTally() for day in days}
    cases = Case.objects.filter(site=site).filter(day_ranges(days))
    if len(days) <= LOOKED_UP_UP_TO:
        article = Article.objects.filter(pk=OuterRef("article_id"))
        cases = cases.annotate(section=Subquery(article.values("section")), author=Subquery(article.values("author")))
        byline = ("section", "author")
    else:
        byline = ("article__section", "article__author")
    rows = (
        cases.annotate(
            at=Instant("created_at"), created=Epoch("created_at"), acted=Epoch("first_action_at"), resolved=Epoch("resolved_at")
        )
        .values_list(
            "at",
            "status",
            "category",
            *byline,
            "article_id",
            "report_count",
            "created",
            "acted",
            "resolved",
        )
        .order_by("created_at")
    )
    # The loop runs once per case: written out, without calls. Rows come in first-report order
    # (the index's), so the day only moves on.
    fixed = CaseStatus.FIXED
    bucket, next_edge, day = -1, edges[0], None
    for at, status, category, section, author, article_id, readers, created, acted, resolved in plain_rows(rows):
        while at >= next_edge:
            bucket += 1
            next_edge = edges[bucket + 1]
            day = tallied[days[bucket]]
        key = (bucket, category, section, author)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Figures("", "")
        group.cases += 1
        group.readers += readers
        group.outcomes[status] = group.outcomes.get(status, 0) + 1
        day.articles.append(article_id)
        if acted is not None:
            group.first_action.append(acted - created)
        if status == fixed:
            day.fixed_articles.append(article_id)
            if resolved is not None:
                group.to_fix.append(resolved - created)

    for (bucket, *keys), group in groups.items():
        day = tallied[days[bucket]]
        for into, key in zip((day.category, day.section, day.author), keys, strict=True):
            group_in(into, key).merge(group)
    return {day: tally for day, tally in tallied.items() if tally.articles}


def reports_on(site, days: list[date]) -> int:
    """The reports received on the (sorted) days: one query."""
    if not days:
        return 0
    return Report.objects.filter(site=site).filter(day_ranges(days)).count()


def plain_rows(rows):
    """The rows of a values_list as the database gives them: no per-value conversion in Python
    (every column here is an integer or a string already)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            yield from chunk
