"""The figures an editor-in-chief asks for, per site and period (docs/desk.md, "Metrics").

The period's cases are the cases first reported in it (a cohort): how many, how many
readers, how they ended, the share that were real errors (fixed ÷ (fixed + not an
error)), and how long the desk took to first act on them and to fix them (median and
90th percentile, interpolated as PostgreSQL's percentile_cont), overall and by category,
section and author; the articles with most fixed cases; new cases per day (per week in
periods longer than three months). Reports are those received in the period.

Three queries whatever the period: the reports' count; one row of plain integers and the
article's section and author per case, read from the case_metrics index in first-report
order (times as epoch seconds computed by the database, so no datetime is parsed in
Python); the top articles' titles. The cases are tallied per category, section and author
at once, so the work after the pass grows with those groups, not with the articles.
"""

import heapq
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Func, IntegerField
from django.utils import timezone

from corrigo.articles.models import Article
from corrigo.reports.models import Case, CaseStatus, Category, Report

# The longest period one page answers for: two years of cases is still one pass.
MAX_DAYS = 731
DAILY_UP_TO = 92
TOP = 10
UNKNOWN = ""


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
    first_action: list[int] = field(default_factory=list)  # seconds, per case acted on
    to_fix: list[int] = field(default_factory=list)  # seconds, per fixed case
    _sorted: dict = field(default_factory=dict, repr=False, compare=False)

    def add(self, status: str, readers: int, first_action: int | None, to_fix: int | None) -> None:
        self.cases += 1
        self.readers += readers
        self.outcomes[status] = self.outcomes.get(status, 0) + 1
        if first_action is not None:
            self.first_action.append(first_action)
        if to_fix is not None:
            self.to_fix.append(to_fix)

    def merge(self, other: "Figures") -> None:
        self.cases += other.cases
        self.readers += other.readers
        for status, count in other.outcomes.items():
            self.outcomes[status] = self.outcomes.get(status, 0) + count
        self.first_action += other.first_action
        self.to_fix += other.to_fix

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
        # Sorted once per list: the page asks each group for four figures.
        ordered = self._sorted.get(which)
        if ordered is None:
            ordered = self._sorted[which] = sorted(getattr(self, which))
        found = percentile(ordered, fraction)
        return None if found is None else found / 3600

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


@dataclass
class TopArticle:
    article_id: int
    title: str
    url: str
    fixed: int
    cases: int


@dataclass
class Bucket:
    start: date
    cases: int = 0
    fixed: int = 0


@dataclass
class Metrics:
    start: date
    end: date
    reports: int
    total: Figures
    by_category: list[Figures]
    by_section: list[Figures]
    by_author: list[Figures]
    top_articles: list[TopArticle]
    buckets: list[Bucket]
    bucket: str  # "day" or "week"

    @property
    def outcome_rows(self) -> list[tuple[str, str, int]]:
        return [(status.value, status.label, self.total.outcomes.get(status, 0)) for status in CaseStatus]


def _midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, zone)


def period_metrics(site, start: date, end: date) -> Metrics:
    """The figures for the cases first reported from `start` to `end` (both days included)."""
    zone = timezone.get_current_timezone()
    since, until = _midnight(start, zone), _midnight(end + timedelta(days=1), zone)
    reports = Report.objects.filter(site=site, created_at__gte=since, created_at__lt=until).count()

    weekly = (end - start).days + 1 > DAILY_UP_TO
    first_day = start - timedelta(days=start.weekday()) if weekly else start
    step = timedelta(days=7 if weekly else 1)
    buckets, day = [], first_day
    while day <= end:
        buckets.append(Bucket(day))
        day += step
    edges = [_midnight(b.start, zone).timestamp() for b in buckets]

    categories = {c.value: Figures(c.value, c.label) for c in Category} | {"": Figures("", "No category")}
    # Tallied per category, section and author at once (a few hundred groups, whatever the
    # number of articles), then summed into each; per article only the two counts the top
    # articles need.
    groups: dict[tuple[str, str, str], Figures] = {}
    cases_of: dict[int, int] = {}
    fixed_of: dict[int, int] = {}
    per_bucket, fixed_per_bucket = [0] * len(buckets), [0] * len(buckets)
    cohort = Case.objects.filter(site=site, created_at__gte=since, created_at__lt=until)
    rows = cohort.annotate(
        created=Epoch("created_at"), acted=Epoch("first_action_at"), resolved=Epoch("resolved_at")
    ).values_list(
        "status", "category", "article__section", "article__author", "report_count", "article_id", "created", "acted", "resolved"
    )
    # The loop runs once per case (50,000 in a busy quarter): written out, without calls. The
    # rows come in the order of first report (the index's), so the day's bucket only moves on.
    fixed = CaseStatus.FIXED
    bucket, next_edge = -1, edges[0]
    for status, category, section, author, readers, article_id, created, acted, resolved in _plain_rows(
        rows.order_by("created_at")
    ):
        while created >= next_edge:
            bucket += 1
            next_edge = edges[bucket + 1] if bucket + 1 < len(edges) else math.inf
        key = (category, section, author)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Figures("", "")
        group.cases += 1
        group.readers += readers
        group.outcomes[status] = group.outcomes.get(status, 0) + 1
        cases_of[article_id] = cases_of.get(article_id, 0) + 1
        if acted is not None:
            group.first_action.append(acted - created)
        per_bucket[bucket] += 1
        if status == fixed:
            fixed_per_bucket[bucket] += 1
            fixed_of[article_id] = fixed_of.get(article_id, 0) + 1
            if resolved is not None:
                group.to_fix.append(resolved - created)
    for bucket, cases, fixed_cases in zip(buckets, per_bucket, fixed_per_bucket, strict=True):
        bucket.cases, bucket.fixed = cases, fixed_cases

    sections: dict[str, Figures] = {}
    authors: dict[str, Figures] = {}
    other = categories[""]
    for (category, section, author), group in groups.items():
        categories.get(category, other).merge(group)
        _merge(sections, section, group)
        _merge(authors, author, group)
    named = any(section or author for _, section, author in groups)
    total = Figures("all", "All cases")
    for figures in categories.values():
        total.merge(figures)

    return Metrics(
        start=start,
        end=end,
        reports=reports,
        total=total,
        by_category=[f for f in categories.values() if f.cases],
        by_section=_largest(sections) if named else [],
        by_author=_largest(authors) if named else [],
        top_articles=_top_articles(cases_of, fixed_of),
        buckets=buckets,
        bucket="week" if weekly else "day",
    )


def _plain_rows(rows):
    """The rows of a values_list as the database gives them: no per-value conversion in Python
    (every column here is an integer or a string already)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            yield from chunk


def _merge(groups: dict[str, "Figures"], key: str, figures: "Figures") -> None:
    group = groups.get(key)
    if group is None:
        group = groups[key] = Figures(key, key or "Not known")
    group.merge(figures)


def _largest(groups: dict[str, Figures]) -> list[Figures]:
    """The groups with most cases (named ones first, at most TOP), then the cases nobody named.

    Only when the articles say their section or author at all: otherwise an empty list."""
    named = sorted((f for key, f in groups.items() if key != UNKNOWN), key=lambda f: (-f.cases, f.label))
    if not named:
        return []
    unknown = [groups[UNKNOWN]] if UNKNOWN in groups else []
    return named[:TOP] + unknown


def _top_articles(cases_of: dict[int, int], fixed_of: dict[int, int]) -> list[TopArticle]:
    ranked = heapq.nsmallest(TOP, ((-fixed, -cases_of[pk], pk) for pk, fixed in fixed_of.items()))
    found = {a["pk"]: a for a in Article.objects.filter(pk__in=[pk for *_, pk in ranked]).values("pk", "title", "url")}
    return [TopArticle(pk, found[pk]["title"], found[pk]["url"], -fixed, -cases) for fixed, cases, pk in ranked if pk in found]
