"""The figures an editor-in-chief asks for, per site and period (docs/desk.md, "Metrics").

The period's cases are the cases first reported in it (a cohort): how many, how many
readers, how they ended, the share that were real errors (fixed ÷ (fixed + not an
error)), and how long the desk took to first act on them and to fix them (median and
90th percentile, interpolated as PostgreSQL's percentile_cont), overall and by category,
section and author; the articles with most fixed cases; new cases per day (per week in
periods longer than three months). Reports are those received in the period.

At most five queries whatever the period (decisions 0038, 0042): the period's roll-ups (a
row per whole month, a row per day outside them) and what touched their days since
(desk/rollup.py); the cases of the days no roll-up answers for (today, days touched since),
tallied live per category, section and author (desk/tally.py), and those days' reports; the
top articles' titles. One more while a month touched since its roll-up is read from its
days' rows (until the worker's next roll). So two years read 24 rows, not 400,000 cases.
"""

import gc
import heapq
from array import array
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from corrigo.articles.models import Article
from corrigo.desk.rollup import covered, usable_days
from corrigo.desk.tally import DayTally, Figures, days_from, per_day, percentile, reports_on, tally_days
from corrigo.reports.models import CaseStatus, Category

__all__ = ["Figures", "Metrics", "percentile", "period_metrics"]

# The longest period one page answers for.
MAX_DAYS = 731
DAILY_UP_TO = 92
TOP = 10
UNKNOWN = ""


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


@contextmanager
def _without_cycle_collection():
    """Python's cycle collector held off for the length of one page's figures.

    A long period's roll-ups become tens of thousands of short-lived lists and dicts (its
    days' JSON) that hold no reference cycles; every few hundred of them set off a
    collection, and now and then one walks the whole process's heap. Reference counting
    still frees everything at once; what the collector would have found waits until the
    figures are done (bench/README.md, "Metrics roll-ups").
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def period_metrics(site, start: date, end: date) -> Metrics:
    """The figures for the cases first reported from `start` to `end` (both days included)."""
    with _without_cycle_collection():
        return _period_metrics(site, start, end)


def _period_metrics(site, start: date, end: date) -> Metrics:
    days = days_from(start, end)
    stored = usable_days(site, start, end)
    answered = covered(stored)
    live = [day for day in days if day not in answered]
    # The days no roll-up answers for, counted now and put in the roll-ups' form: one path on.
    stored |= {day: tally.stored(0) for day, tally in tally_days(site, live).items()}
    reports = sum(figures["reports"] for figures, _ in stored.values()) + reports_on(site, live)

    weekly = len(days) > DAILY_UP_TO
    first_day = start - timedelta(days=start.weekday()) if weekly else start
    step = 7 if weekly else 1
    buckets = [Bucket(first_day + timedelta(days=n)) for n in range(0, (end - first_day).days + 1, step)]

    # Summed per category, section and author over the days and months: a few dozen groups each.
    summed = DayTally()
    for first, (figures, lists) in stored.items():
        summed.add_stored(figures, lists)
        offset = (first - first_day).days
        for n, (cases, fixed) in enumerate(per_day(figures)):
            bucket = buckets[(offset + n) // step]
            bucket.cases += cases
            bucket.fixed += fixed

    categories = {c.value: Figures(c.value, c.label) for c in Category} | {"": Figures("", "No category")}
    other = categories[""]
    for key, figures in summed.category.items():
        categories.get(key, other).merge(figures)
    total = Figures("all", "All cases")
    for figures in categories.values():
        figures.sort()  # then the total's durations are a few sorted runs, which sorting merges in one pass
        total.merge(figures)
    sections = {key: _named(key, figures) for key, figures in summed.section.items()}
    authors = {key: _named(key, figures) for key, figures in summed.author.items()}
    named = bool(sections.keys() - {UNKNOWN} or authors.keys() - {UNKNOWN})
    by_category = [f for f in categories.values() if f.cases]
    by_section = _largest(sections) if named else []
    by_author = _largest(authors) if named else []
    for figures in (total, *by_category, *by_section, *by_author):
        figures.settle()

    return Metrics(
        start=start,
        end=end,
        reports=reports,
        total=total,
        by_category=by_category,
        by_section=by_section,
        by_author=by_author,
        top_articles=_top_articles(summed.articles, Counter(summed.fixed_articles)),
        buckets=buckets,
        bucket="week" if weekly else "day",
    )


def _named(key: str, figures: Figures) -> Figures:
    figures.name, figures.label = key, key or "Not known"
    return figures


def _largest(groups: dict[str, Figures]) -> list[Figures]:
    """The groups with most cases (named ones first, at most TOP), then the cases nobody named.

    Only when the articles say their section or author at all: otherwise an empty list."""
    named = sorted((f for key, f in groups.items() if key != UNKNOWN), key=lambda f: (-f.cases, f.label))
    if not named:
        return []
    unknown = [groups[UNKNOWN]] if UNKNOWN in groups else []
    return named[:TOP] + unknown


def _top_articles(articles: array, fixed_of: Counter) -> list[TopArticle]:
    """The TOP articles with most fixed cases in the cohort (then most cases), with their titles: one query.

    `articles` holds an article id per case. Only an article with as many fixed cases as the
    TOP-th most can have a place, so only those articles' cases are counted."""
    if not fixed_of:
        return []
    least = heapq.nlargest(TOP, fixed_of.values())[-1]
    contenders = {pk for pk, fixed in fixed_of.items() if fixed >= least}
    cases_of = Counter(filter(contenders.__contains__, articles))
    ranked = heapq.nsmallest(TOP, ((-fixed_of[pk], -cases, pk) for pk, cases in cases_of.items()))
    found = {a["pk"]: a for a in Article.objects.filter(pk__in=[pk for *_, pk in ranked]).values("pk", "title", "url")}
    return [TopArticle(pk, found[pk]["title"], found[pk]["url"], -fixed, -cases) for fixed, cases, pk in ranked if pk in found]
