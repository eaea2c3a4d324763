"""The metrics page: figures for a site and period, checked against numbers worked out by hand."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from corrigo.articles.models import Article
from corrigo.desk.metrics import percentile, period_metrics
from corrigo.reports.models import Case, Report
from tests.desk.conftest import report

pytestmark = pytest.mark.django_db

A = "https://news.example.org/2025/council-votes"
B = "https://news.example.org/2025/match-report"
C = "https://news.example.org/2025/weather"

# (article, word, category, status, created, hours to first action, hours to fix, readers)
SEEDED = [
    (A, "Augest", "fact", "fixed", "2025-03-01 10:00", 2, 4, 2),
    (A, "islanders", "fact", "fixed", "2025-03-01 12:00", 1, 10, 1),
    (A, "ferry", "typo", "not_error", "2025-03-02 09:00", 3, None, 1),
    (B, "council", "typo", "fixed", "2025-03-03 08:00", 6, 6, 1),
    (B, "Tuesday", "other", "open", "2025-03-05 00:00", None, None, 1),
    (C, "March", "fact", "spam", "2025-03-06 23:00", 0.5, None, 1),
    (C, "crossing", "", "open", "2025-02-28 12:00", None, None, 1),  # the day before the period
    (A, "night", "fact", "fixed", "2025-03-08 00:00", 1, 1, 1),  # the day after it
]


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@pytest.fixture
def seeded(site):
    """Eight cases in three articles, their times set to what the table above says."""
    for url, word, category, status, created, first, fix, readers in SEEDED:
        case_id = None
        for n in range(readers):
            made = report(exact=word, url=url, category=category or None)
            case_id = made.case_id
            Report.objects.filter(pk=made.pk).update(created_at=at(created) + timedelta(hours=n))
        start = at(created)
        Case.objects.filter(pk=case_id).update(
            status=status,
            created_at=start,
            first_action_at=start + timedelta(hours=first) if first is not None else None,
            resolved_at=start + timedelta(hours=fix)
            if fix is not None
            else (start + timedelta(hours=first) if status != "open" else None),
        )
    Article.objects.filter(url=A).update(section="Politics", author="Mira Okonkwo", title="Council votes — The Courier")
    Article.objects.filter(url=B).update(section="Sport", title="")
    return site


def figures_of(f):
    return {
        "cases": f.cases,
        "readers": f.readers,
        "fixed": f.fixed,
        "not_error": f.not_error,
        "share": None if f.real_error_share is None else round(f.real_error_share, 4),
        "first": (f.median_first_action_h, None if f.p90_first_action_h is None else round(f.p90_first_action_h, 4)),
        "fix": (f.median_fix_h, None if f.p90_fix_h is None else round(f.p90_fix_h, 4)),
    }


def test_percentiles_interpolate_between_neighbours():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([0.5, 1, 2, 3, 6], 0.9) == pytest.approx(4.8)


def test_the_periods_figures_match_the_hand_count(seeded):
    m = period_metrics(seeded, at("2025-03-01 00:00").date(), at("2025-03-07 00:00").date())
    assert m.reports == 7  # case 1 had two readers; the cases outside the period are not counted
    # First actions 0.5, 1, 2, 3, 6 h: median 2, p90 3 + 0.6 × 3 = 4.8. Fixes 4, 6, 10 h: median 6, p90 6 + 0.8 × 4 = 9.2.
    assert figures_of(m.total) == {
        "cases": 6,
        "readers": 7,
        "fixed": 3,
        "not_error": 1,
        "share": 0.75,
        "first": (2.0, 4.8),
        "fix": (6.0, 9.2),
    }
    assert dict(m.total.outcomes) == {"fixed": 3, "not_error": 1, "spam": 1, "open": 1}


def test_the_figures_the_page_gets_hold_their_percentiles_not_the_durations(seeded):
    """A rendered page's context lingers in reference cycles: what it holds of the figures is
    their numbers, worked out from the durations before these were let go."""
    from array import array

    from corrigo.desk.tally import Figures

    m = period_metrics(seeded, at("2025-03-01 00:00").date(), at("2025-03-07 00:00").date())
    for f in (m.total, *m.by_category, *m.by_section, *m.by_author):
        assert len(f.first_action) == len(f.to_fix) == 0
    # The same durations, not settled, give the same figures.
    unsettled = Figures(
        "all", "All cases", first_action=array("q", [3600, 21600, 1800, 7200, 10800]), to_fix=array("q", [36000, 14400, 21600])
    )
    expected = figures_of(unsettled)
    assert expected["first"] == (2.0, 4.8) and expected["fix"] == (6.0, 9.2)
    assert figures_of(unsettled.settle())["first"] == (2.0, 4.8)
    assert figures_of(m.total)["first"] == expected["first"] and figures_of(m.total)["fix"] == expected["fix"]


def test_the_cycle_collector_is_held_off_only_while_the_figures_are_made(seeded, monkeypatch):
    """period_metrics turns Python's cycle collector off while it works, and leaves it as it found it."""
    import gc

    from corrigo.desk import metrics

    seen = []
    real = metrics._period_metrics
    monkeypatch.setattr(metrics, "_period_metrics", lambda *args: seen.append(gc.isenabled()) or real(*args))
    start, end = at("2025-03-01 00:00").date(), at("2025-03-07 00:00").date()
    assert gc.isenabled()
    assert period_metrics(seeded, start, end).reports > 0
    assert gc.isenabled() and seen == [False]
    gc.disable()
    try:
        period_metrics(seeded, start, end)
        assert not gc.isenabled()  # someone else's choice is kept
    finally:
        gc.enable()


def test_figures_by_category(seeded):
    m = period_metrics(seeded, at("2025-03-01 00:00").date(), at("2025-03-07 00:00").date())
    rows = {f.name: figures_of(f) for f in m.by_category}
    assert list(rows) == ["typo", "fact", "other"]
    # fact: first actions 0.5, 1, 2 → 1 and 1.8; fixes 4, 10 → 7 and 4 + 0.9 × 6 = 9.4
    assert rows["fact"] == {
        "cases": 3,
        "readers": 4,
        "fixed": 2,
        "not_error": 0,
        "share": 1.0,
        "first": (1.0, 1.8),
        "fix": (7.0, 9.4),
    }
    # typo: first actions 3, 6 → 4.5 and 5.7; one fix of 6 h
    assert rows["typo"] == {
        "cases": 2,
        "readers": 2,
        "fixed": 1,
        "not_error": 1,
        "share": 0.5,
        "first": (4.5, 5.7),
        "fix": (6.0, 6.0),
    }
    assert rows["other"] == {
        "cases": 1,
        "readers": 1,
        "fixed": 0,
        "not_error": 0,
        "share": None,
        "first": (None, None),
        "fix": (None, None),
    }


def test_figures_by_section_and_author_when_the_pages_say_them(seeded):
    m = period_metrics(seeded, at("2025-03-01 00:00").date(), at("2025-03-07 00:00").date())
    assert [(f.label, f.cases, f.fixed) for f in m.by_section] == [("Politics", 3, 2), ("Sport", 2, 1), ("Not known", 1, 0)]
    assert [(f.label, f.cases, f.fixed) for f in m.by_author] == [("Mira Okonkwo", 3, 2), ("Not known", 3, 1)]


def test_no_section_table_when_no_article_says_one(site):
    report(exact="Augest")
    today = datetime.now(UTC).date()
    m = period_metrics(site, today - timedelta(days=1), today)
    assert m.by_section == [] and m.by_author == []
    assert m.total.cases == 1


def test_articles_with_most_corrections_and_cases_per_day(seeded):
    m = period_metrics(seeded, at("2025-03-01 00:00").date(), at("2025-03-07 00:00").date())
    assert [(a.url, a.fixed, a.cases) for a in m.top_articles] == [(A, 2, 3), (B, 1, 2)]
    assert m.bucket == "day"
    assert [(b.start.isoformat(), b.cases, b.fixed) for b in m.buckets] == [
        ("2025-03-01", 2, 2),
        ("2025-03-02", 1, 0),
        ("2025-03-03", 1, 1),
        ("2025-03-04", 0, 0),
        ("2025-03-05", 1, 0),
        ("2025-03-06", 1, 0),
        ("2025-03-07", 0, 0),
    ]


def test_a_long_period_counts_by_week(seeded):
    m = period_metrics(seeded, at("2025-01-01 00:00").date(), at("2025-06-30 00:00").date())
    assert m.bucket == "week"
    assert m.buckets[0].start.isoformat() == "2024-12-30"  # the Monday of the first week
    assert sum(b.cases for b in m.buckets) == m.total.cases == 8
    week = {b.start.isoformat(): b.cases for b in m.buckets}
    assert week["2025-02-24"] == 4  # 28 Feb, 1 Mar twice and 2 Mar, a Sunday
    assert week["2025-03-03"] == 4  # 3, 5, 6 and 8 Mar


def test_the_metrics_page_shows_the_figures_tables_and_accessible_charts(as_user, viewer, seeded):
    response = as_user(viewer).get(
        reverse("desk:site-metrics", args=[seeded.key]), {"day_from": "2025-03-01", "day_to": "2025-03-07"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd data-figure="reports">7</dd>' in html
    assert '<dd data-figure="real-errors">75%</dd>' in html
    assert '<dd data-figure="median-first-action">2.0 h</dd>' in html
    assert "90th percentile 9.2 h" in html
    assert html.count('role="img"') == 3 and html.count("<title id=") == 3 and html.count("<desc id=") == 3
    assert html.count('<rect class="bar"') == 7  # a bar per day
    assert '<tr data-outcome="fixed"><th scope="row">Fixed</th><td class="num">3</td></tr>' in html
    assert 'data-group="Politics"' in html and "Council votes</a>" in html  # the headline without the site's name
    assert "match-report" not in html or "news.example.org/2025/match-report" in html


def test_metrics_export_as_csv(as_user, viewer, seeded):
    response = as_user(viewer).get(
        reverse("desk:site-metrics-csv", args=[seeded.key]), {"day_from": "2025-03-01", "day_to": "2025-03-07"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="corrigo-metrics-courier-2025-03-01-2025-03-07.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:8] == ["table", "group", "cases", "readers", "fixed", "not an error", "open", "real-error share"]
    by = {(r[0], r[1]): r for r in rows[1:]}
    assert by[("reports received", "")][2] == "7"
    assert by[("all", "All cases")][2:] == ["6", "7", "3", "1", "1", "75%", "2.0", "4.8", "6.0", "9.2"]
    assert by[("category", "Factual error")][2:] == ["3", "4", "2", "0", "0", "100%", "1.0", "1.8", "7.0", "9.4"]
    assert by[("day", "2025-03-01")][2] == "2"


@pytest.mark.parametrize(
    "query,start,end",
    [
        ("day_from=2025-03-07&day_to=2025-03-01", "2025-03-01", "2025-03-07"),  # swapped
        ("day_from=yesterday&day_to=%00", None, None),  # the last 30 days
        ("day_from=0001-01-01&day_to=2025-03-07", "2023-03-08", "2025-03-07"),  # at most two years
        ("day_from=9999-12-30&day_to=9999-12-31", None, None),  # the future ends today
        ("day_to=0001-01-01", "0001-01-01", "0001-01-01"),
        ("day_from=" + "9" * 5000, None, None),
    ],
)
def test_hostile_periods_get_a_metrics_page(as_user, viewer, seeded, query, start, end):
    for name in ("desk:site-metrics", "desk:site-metrics-csv"):
        response = as_user(viewer).generic("GET", reverse(name, args=[seeded.key]) + "?" + query)
        assert response.status_code == 200, (name, query)
    metrics = as_user(viewer).generic("GET", reverse("desk:site-metrics", args=[seeded.key]) + "?" + query).context["metrics"]
    assert metrics.end <= datetime.now(UTC).date()
    assert (metrics.end - metrics.start).days < 731
    if start:
        assert (metrics.start.isoformat(), metrics.end.isoformat()) == (start, end)


def test_metrics_are_for_members_of_the_site(as_user, outsider, seeded):
    assert as_user(outsider).get(reverse("desk:site-metrics", args=[seeded.key])).status_code == 404
    assert as_user(outsider).get(reverse("desk:site-metrics-csv", args=[seeded.key])).status_code == 404


def test_the_metrics_page_query_count_does_not_grow(as_user, viewer, site, django_assert_max_num_queries):
    client = as_user(viewer)
    first = report(exact="Augest")
    Case.objects.filter(pk=first.case_id).update(status="fixed", first_action_at=first.created_at, resolved_at=first.created_at)
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("desk:site-metrics", args=[site.key]))
    text = " ".join(f"word{i}" for i in range(40))
    for i in range(40):
        made = report(exact=f"word{i}", text=text, url=f"https://news.example.org/a{i % 7}")
        Case.objects.filter(pk=made.case_id).update(status="fixed", first_action_at=made.created_at, resolved_at=made.created_at)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("desk:site-metrics", args=[site.key]))
    assert response.context["metrics"].total.cases == 41


def test_the_top_articles_are_those_of_counting_every_case(site, django_assert_max_num_queries):
    """Only the contenders' cases are counted (articles with as many fixed cases as the tenth
    most): the ranking is still that of counting every article's cases."""
    import random
    from array import array
    from collections import Counter

    from corrigo.articles.models import Article
    from corrigo.desk import metrics

    made = [
        Article.objects.create(site=site, identity=f"{n:064x}", url=f"https://courier.example/{n}", title=f"Story {n}")
        for n in range(40)
    ]
    ids = [a.pk for a in made]
    rng = random.Random(14)
    for _ in range(30):
        days = [array("q", rng.choices(ids, k=rng.randrange(0, 60))) for _ in range(rng.randrange(1, 6))]
        cases = Counter(pk for day in days for pk in day)
        # Some of each article's cases were fixed; ties on fixed and on cases are common.
        fixed = Counter({pk: rng.randrange(0, min(n, 3) + 1) for pk, n in cases.items()})
        fixed = +fixed
        everyone = sorted((-fixed[pk], -cases[pk], pk) for pk in fixed)[: metrics.TOP]
        with django_assert_max_num_queries(1):
            top = metrics._top_articles(array("q", [pk for day in days for pk in day]), fixed)
        assert [(a.article_id, a.fixed, a.cases) for a in top] == [(pk, -f, -c) for f, c, pk in everyone]
