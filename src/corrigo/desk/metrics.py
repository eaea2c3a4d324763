"""The figures an editor-in-chief asks for, per site and period (docs/desk.md, "Metrics").

The period's cases are the cases first reported in it (a cohort): how many, how many
readers, how they ended, the share that were real errors (fixed ÷ (fixed + not an
error)), and how long the desk took to first act on them and to fix them (median and
90th percentile, interpolated as PostgreSQL's percentile_cont), overall and by category,
section and author; the articles with most fixed cases; new cases per day (per week in
periods longer than three months). Reports are those received in the period.

Four queries whatever the period, each aggregated by the database (docs/decisions/0037):
the reports' count; one row per category, section, author and status, with the
durations as comma-separated seconds (times as epoch seconds computed by the database,
so no datetime is parsed in Python and Python's work grows with the groups, not the
cases); the cases' first-report times for the per-day counts; the top articles.
"""

import bisect
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Aggregate, Count, F, Func, IntegerField, OuterRef, Q, Subquery, Sum, TextField, Value
from django.db.models.functions import Cast
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
    cohort = Case.objects.filter(site=site, created_at__gte=since, created_at__lt=until).order_by()

    categories = {c.value: Figures(c.value, c.label) for c in Category} | {"": Figures("", "No category")}
    sections: dict[str, Figures] = {}
    authors: dict[str, Figures] = {}
    named = False
    # One row per category, section, author and status: counts, readers and the durations
    # as text, so the database does the per-case work and Python splits a few strings.
    groups = (
        cohort.annotate(section=F("article__section"), author=F("article__author"))
        .values("category", "section", "author", "status")
        .annotate(
            cases=Count("pk"),
            readers=Sum("report_count"),
            first_action=Joined(Epoch("first_action_at") - Epoch("created_at")),
            to_fix=Joined(Epoch("resolved_at") - Epoch("created_at")),
        )
        .values_list("category", "section", "author", "status", "cases", "readers", "first_action", "to_fix")
    )
    for category, section, author, status, cases, readers, first_action, to_fix in groups:
        group = Figures(category, "", cases, readers or 0, {status: cases}, _seconds(first_action))
        if status == CaseStatus.FIXED:
            group.to_fix = _seconds(to_fix)
        categories.get(category, categories[""]).merge(group)
        named = named or bool(section or author)
        _merge(sections, section, group)
        _merge(authors, author, group)
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
        top_articles=_top_articles(cohort),
        **_buckets(cohort, start, end, zone),
    )


class Joined(Aggregate):
    """The group's values as one comma-separated string (NULLs left out; None when all are)."""

    function = "group_concat"  # SQLite's
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        joined = self.copy()
        *values, condition = self.get_source_expressions()
        joined.set_source_expressions([Cast(values[0], TextField()), Value(","), condition])
        return joined.as_sql(compiler, connection, function="string_agg", **extra)


def _seconds(joined: str | None) -> list[int]:
    return list(map(int, joined.split(","))) if joined else []


def _buckets(cohort, start: date, end: date, zone) -> dict:
    """New cases (and of them fixed) per day, or per week from Monday for long periods: the
    cases' first-report times come sorted from the database as text, and each bucket's count
    is the difference of two bisections at its edges."""
    weekly = (end - start).days + 1 > DAILY_UP_TO
    first_day = start - timedelta(days=start.weekday()) if weekly else start
    step = timedelta(days=7 if weekly else 1)
    buckets, day = [], first_day
    while day <= end:
        buckets.append(Bucket(day))
        day += step
    edges = [_midnight(b.start, zone).timestamp() for b in buckets] + [_midnight(day, zone).timestamp()]
    times = cohort.aggregate(
        created=Joined(Epoch("created_at")), fixed=Joined(Epoch("created_at"), filter=Q(status=CaseStatus.FIXED))
    )
    created, of_fixed = sorted(_seconds(times["created"])), sorted(_seconds(times["fixed"]))
    for bucket, low, high in zip(buckets, edges, edges[1:], strict=False):
        bucket.cases = bisect.bisect_left(created, high) - bisect.bisect_left(created, low)
        bucket.fixed = bisect.bisect_left(of_fixed, high) - bisect.bisect_left(of_fixed, low)
    return {"buckets": buckets, "bucket": "week" if weekly else "day"}


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


def _top_articles(cohort) -> list[TopArticle]:
    """The articles with most fixed cases in the period (then most cases), counted by the database;
    grouped by the article's id alone, its title and address looked up for the ten kept."""
    article = Article.objects.filter(pk=OuterRef("article_id"))
    ranked = (
        cohort.values("article_id")
        .annotate(fixed=Count("pk", filter=Q(status=CaseStatus.FIXED)), cases=Count("pk"))
        .filter(fixed__gt=0)
        .order_by("-fixed", "-cases", "article_id")
        .annotate(title=Subquery(article.values("title")), url=Subquery(article.values("url")))
        .values_list("article_id", "title", "url", "fixed", "cases")[:TOP]
    )
    return [TopArticle(pk, title, url, fixed, cases) for pk, title, url, fixed, cases in ranked]
