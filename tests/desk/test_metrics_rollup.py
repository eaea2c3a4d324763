"""The metrics' daily roll-ups: the same figures as counting every case, and never stale after a change."""

import json
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db.models import F
from django.utils import timezone

from corrigo.articles.models import Article
from corrigo.desk import rollup
from corrigo.desk.metrics import period_metrics
from corrigo.desk.models import BylineChange, MetricsDay
from corrigo.desk.tally import check_stored, per_day, unpacked
from corrigo.reports import actions
from corrigo.reports.models import Case, Report
from tests.desk.conftest import report
from tests.desk.test_metrics import SEEDED, at, seeded

pytestmark = pytest.mark.django_db

WEEK = (date(2025, 3, 1), date(2025, 3, 7))
MARCH = (date(2025, 3, 1), date(2025, 3, 31))  # the seeded cases' first whole month
HALF_YEAR = (date(2025, 1, 1), date(2025, 6, 30))


@pytest.fixture(autouse=True)
def no_margin(monkeypatch):
    # A test's changes come milliseconds after its roll-up, not minutes: the margin for commits in
    # flight would count every one of them as touching its day before the roll-up.
    monkeypatch.setattr(rollup, "MARGIN", timedelta(0))


def summary(m):
    """Everything the page shows, as plain values."""

    def figures(f):
        return (
            f.name,
            f.label,
            f.cases,
            f.readers,
            sorted(f.outcomes.items()),
            f.median_first_action_h,
            f.p90_first_action_h,
            f.median_fix_h,
            f.p90_fix_h,
        )

    return {
        "reports": m.reports,
        "total": figures(m.total),
        "by_category": [figures(f) for f in m.by_category],
        "by_section": [figures(f) for f in m.by_section],
        "by_author": [figures(f) for f in m.by_author],
        "top_articles": [(a.article_id, a.title, a.url, a.fixed, a.cases) for a in m.top_articles],
        "buckets": [(b.start, b.cases, b.fixed) for b in m.buckets],
    }


def live(site, start, end):
    """The figures counted from every case, as without roll-ups."""
    rows = list(MetricsDay.objects.filter(site=site))
    MetricsDay.objects.filter(site=site).delete()
    try:
        return summary(period_metrics(site, start, end))
    finally:
        MetricsDay.objects.bulk_create(rows)


def rolled(site, start, end):
    return summary(period_metrics(site, start, end))


def test_rolling_up_covers_every_closed_day_from_the_first_case(seeded):
    days = rollup.roll(seeded)
    first = date(2025, 2, 28)  # the first seeded case
    yesterday = timezone.localdate() - timedelta(days=1)
    assert days == (yesterday - first).days + 1
    row = MetricsDay.objects.get(site=seeded, day=date(2025, 3, 1), last_day=date(2025, 3, 1))
    stored, lists = json.loads(row.figures), unpacked(bytes(row.lists))
    assert stored["reports"] == 3  # Augest's two readers, islanders' one
    assert sorted(stored["category"]) == ["fact"]
    assert stored["category"]["fact"] == [2, 3, {"fixed": 2}, 2, 2]  # two durations to first action, two to fix
    assert list(lists[:4]) == [3600, 7200, 14400, 36000]  # seconds, each list sorted
    # Then the same durations per section and per author, and an article id per case and per fixed case.
    assert (stored["articles"], stored["fixed_articles"]) == (2, 2)
    cases = Case.objects.filter(site=seeded, created_at__date=date(2025, 3, 1))
    assert sorted(lists[-4:-2]) == sorted(lists[-2:]) == sorted(cases.values_list("article_id", flat=True))
    assert len(lists) == 4 * 3 + 4
    check_stored(stored, lists, 1)
    assert not MetricsDay.objects.filter(site=seeded, day=timezone.localdate()).exists()  # today is tallied live


@pytest.mark.parametrize("period", [WEEK, HALF_YEAR])
def test_rolled_up_days_give_the_figures_of_every_case(seeded, period):
    rollup.roll(seeded)
    first = max(period[0], date(2025, 2, 28))  # no roll-up before the first case: those days are counted (none)
    assert rollup.covered(rollup.usable_days(seeded, *period)) == {
        first + timedelta(days=n) for n in range((period[1] - first).days + 1)
    }
    assert rolled(seeded, *period) == live(seeded, *period)


def month_rows(site):
    return MetricsDay.objects.filter(site=site).exclude(last_day=F("day"))


def test_every_whole_closed_month_has_a_roll_up_of_its_days(seeded):
    rollup.roll(seeded)
    yesterday = timezone.localdate() - timedelta(days=1)
    months = list(month_rows(seeded).order_by("day").values_list("day", "last_day"))
    assert months[0] == MARCH  # February's first case came on its 28th: no whole month before March
    assert all(first.day == 1 and (last + timedelta(days=1)).day == 1 for first, last in months)
    assert all((following - last).days == 1 for (_, last), (following, _) in pairwise(months))
    assert months[-1][1] <= yesterday < months[-1][1] + timedelta(days=32)  # the month still going on has none
    stored = rollup.usable_days(seeded, *MARCH)
    assert list(stored) == [MARCH[0]]  # one row for the month, none of its days'
    assert rollup.covered(stored) == {MARCH[0] + timedelta(days=n) for n in range(31)}
    figures, lists = stored[MARCH[0]]
    check_stored(figures, lists, 31)
    assert figures["days"][:7] == [[2, 2], [1, 0], [1, 1], [0, 0], [1, 0], [1, 0], [0, 0]]  # cases, fixed per day
    assert rolled(seeded, *MARCH) == live(seeded, *MARCH)


def test_a_touched_month_is_read_from_its_days_until_the_next_roll(seeded, editor):
    rollup.roll(seeded)
    fix(editor, "Tuesday")
    tuesday = case_of("Tuesday").created_at.date()
    stored = rollup.usable_days(seeded, *MARCH)
    assert MARCH[0] in stored and len(per_day(stored[MARCH[0]][0])) == 1  # March 1st's own row, not the month's
    assert rollup.covered(stored) == {MARCH[0] + timedelta(days=n) for n in range(31)} - {tuesday}
    assert rolled(seeded, *MARCH) == live(seeded, *MARCH)
    made = month_rows(seeded).get(day=MARCH[0]).pk
    rollup.roll(seeded)
    assert month_rows(seeded).get(day=MARCH[0]).pk != made  # summed anew from the days
    assert list(rollup.usable_days(seeded, *MARCH)) == [MARCH[0]]
    assert rolled(seeded, *MARCH) == live(seeded, *MARCH)


def test_a_damaged_month_is_read_from_its_days(seeded, caplog):
    rollup.roll(seeded)
    expected = live(seeded, *MARCH)
    month_rows(seeded).filter(day=MARCH[0]).update(lists=b"")
    assert len(rollup.usable_days(seeded, *MARCH)) == 31
    assert "cannot be read" in caplog.text
    assert rolled(seeded, *MARCH) == expected


def test_a_roll_that_stopped_before_a_month_leaves_no_stale_month(seeded, editor, monkeypatch):
    rollup.roll(seeded)
    fix(editor, "Tuesday")

    def stops(*args):
        raise RuntimeError("the worker was stopped")

    with monkeypatch.context() as stopped, pytest.raises(RuntimeError):
        stopped.setattr(rollup, "_roll_month", stops)  # after the days were rolled up
        rollup.roll(seeded)
    made = month_rows(seeded).get(day=MARCH[0])
    assert (
        made.rolled_at
        < MetricsDay.objects.get(site=seeded, day=case_of("Tuesday").created_at.date(), last_day=F("day")).rolled_at
    )
    assert all(len(per_day(figures)) == 1 for figures, _ in rollup.usable_days(seeded, *MARCH).values())  # days' rows only
    assert rolled(seeded, *MARCH) == live(seeded, *MARCH)  # the month's row is older than the change: not used
    rollup.roll(seeded)
    assert list(rollup.usable_days(seeded, *MARCH)) == [MARCH[0]]  # made anew
    assert rolled(seeded, *MARCH) == live(seeded, *MARCH)


def test_a_month_with_a_day_not_rolled_up_gets_no_roll_up(seeded):
    rollup.roll(seeded)
    MetricsDay.objects.filter(site=seeded, day=date(2025, 4, 9), last_day=date(2025, 4, 9)).delete()
    rollup._roll_month(seeded, rollup.days_from(date(2025, 4, 1), date(2025, 4, 30)), timezone.now())
    assert not month_rows(seeded).filter(day=date(2025, 4, 1)).exists()
    assert rollup.roll(seeded) == 1  # the day again, and then its month
    assert month_rows(seeded).filter(day=date(2025, 4, 1), last_day=date(2025, 4, 30)).exists()


def test_the_hand_counted_figures_come_from_the_roll_ups(seeded):
    rollup.roll(seeded)
    m = period_metrics(seeded, *WEEK)
    assert (m.total.cases, m.total.readers, m.total.fixed, m.total.not_error) == (6, 7, 3, 1)
    assert (m.total.median_fix_h, m.total.p90_fix_h) == (6, pytest.approx(9.2))
    assert [(a.fixed, a.cases) for a in m.top_articles] == [(2, 3), (1, 2)]
    assert [b.cases for b in m.buckets] == [2, 1, 1, 0, 1, 1, 0]


def case_of(word):
    return Case.objects.get(exact=word)


def fix(editor, word, period=WEEK):
    actions.resolve(case_of(word), "fixed", by=editor)


def judge_not_an_error(editor, word, period=WEEK):
    actions.resolve(case_of(word), "not_error", by=editor)


def reopen(editor, word, period=WEEK):
    actions.reopen(case_of(word), by=editor)


def assign(editor, word, period=WEEK):
    actions.assign(case_of(word), editor, by=editor)


def note(editor, word, period=WEEK):
    actions.add_note(case_of(word), "Asked the reporter.", by=editor)


def merge(editor, word, period=WEEK):
    actions.merge(case_of(word), case_of("Augest"), by=editor)


def unmerge(editor, word, period=WEEK):
    actions.merge(case_of(word), case_of("Augest"), by=editor)
    rollup.roll(case_of(word).site)  # the merge rolled up: only the unmerge is new
    merged = rolled(case_of(word).site, *period)
    actions.unmerge(case_of(word), by=editor)
    return merged


def undo(editor, word, period=WEEK):
    actions.resolve(case_of(word), "spam", by=editor, batch="b1")
    rollup.roll(case_of(word).site)
    marked = rolled(case_of(word).site, *period)
    actions.undo("b1", by=editor)
    return marked


def another_reader(editor, word, period=WEEK):
    url, _, category, *_ = next(row for row in SEEDED if row[1] == word)
    made = report(exact=word, url=url, category=category or None)
    assert made.case_id == case_of(word).pk  # joined the case, now with one reader more


def section_changed(editor, word, period=WEEK):
    Article.objects.filter(cases__exact=word).update(section="World")


def author_changed(editor, word, period=WEEK):
    Article.objects.filter(cases__exact=word).update(author="Bram Keller")


@pytest.mark.parametrize(
    "change",
    [
        fix,
        judge_not_an_error,
        reopen,
        assign,
        note,
        merge,
        unmerge,
        undo,
        another_reader,
        section_changed,
        author_changed,
    ],
)
@pytest.mark.parametrize("period", [WEEK, MARCH], ids=["days", "month"])
def test_a_change_reaches_the_figures_at_once(seeded, editor, change, period):
    word = "Tuesday" if change in (fix, judge_not_an_error, assign, note, merge, unmerge, undo, another_reader) else "ferry"
    if change is reopen:
        word = "council"
    rollup.roll(seeded)
    before = rolled(seeded, *period)
    before = change(editor, word, period) or before  # unmerge and undo: the figures before their last step
    after = rolled(seeded, *period)
    assert after == live(seeded, *period)
    assert after != before


def test_a_change_is_rolled_up_by_the_next_roll(seeded, editor):
    rollup.roll(seeded)
    assert rollup.roll(seeded) == 0  # nothing touched, nothing new
    fix(editor, "Tuesday")
    assert rollup.roll(seeded) == 1  # the day of the case
    assert rollup.covered(rollup.usable_days(seeded, *WEEK)) == {WEEK[0] + timedelta(days=n) for n in range(7)}
    assert rolled(seeded, *WEEK) == live(seeded, *WEEK)


def test_a_byline_change_is_noted_by_the_database(seeded):
    article = Article.objects.get(cases__exact="ferry")
    BylineChange.objects.all().delete()
    Article.objects.filter(pk=article.pk).update(title="Unrelated")  # not a byline
    Article.objects.filter(pk=article.pk).update(section=article.section)  # the same section
    assert not BylineChange.objects.exists()
    Article.objects.filter(pk=article.pk).update(author="Bram Keller")
    assert list(BylineChange.objects.values_list("site_id", "article_id")) == [(seeded.pk, article.pk)]


def test_a_case_just_before_midnight_counts_on_its_own_day(site):
    made = report(exact="Augest")
    late = at("2025-03-02 23:59") + timedelta(seconds=59, milliseconds=700)
    Case.objects.filter(pk=made.case_id).update(created_at=late)
    Report.objects.filter(pk=made.pk).update(created_at=late)
    rollup.roll(site)
    for figures in (rolled(site, date(2025, 3, 2), date(2025, 3, 3)), live(site, date(2025, 3, 2), date(2025, 3, 3))):
        assert figures["buckets"] == [(date(2025, 3, 2), 1, 0), (date(2025, 3, 3), 0, 0)]
        assert figures["reports"] == 1
    assert json.loads(MetricsDay.objects.get(site=site, day=date(2025, 3, 2), last_day=date(2025, 3, 2)).figures)["reports"] == 1


def test_rebuild_rolls_up_every_day_anew(seeded):
    rollup.roll(seeded)
    MetricsDay.objects.filter(site=seeded, day=date(2025, 3, 1)).update(figures="{}")  # damaged
    assert rollup.roll(seeded, rebuild=True) == MetricsDay.objects.filter(site=seeded, last_day=F("day")).count()
    assert rolled(seeded, *WEEK) == live(seeded, *WEEK)


@pytest.mark.parametrize(
    "damage",
    [
        {"figures": "{}"},
        {"figures": "not json"},
        {"figures": '{"reports": 3, "category": {"fact": [2, 3]}}'},
        {"lists": b"\x01\x02\x03"},  # not whole integers
        {"lists": b""},  # fewer integers than the counts say
        {"lists": b"\x00" * 8 * 40},  # more
    ],
)
def test_a_damaged_roll_up_is_counted_from_its_cases(seeded, damage, caplog):
    rollup.roll(seeded)
    expected = live(seeded, *WEEK)
    MetricsDay.objects.filter(site=seeded, day=date(2025, 3, 1), last_day=date(2025, 3, 1)).update(**damage)
    assert date(2025, 3, 1) not in rollup.covered(rollup.usable_days(seeded, *WEEK))
    assert "cannot be read" in caplog.text
    assert rolled(seeded, *WEEK) == expected


def damaged(figures: dict, how: str) -> str:
    """A roll-up's JSON with counts of the wrong kind: each once made the page raise halfway through its sums."""
    rows = [row for dimension in ("category", "section", "author") for row in figures[dimension].values()]
    if how == "dimension not a mapping":
        figures["section"] = []
    elif how == "outcomes null":
        rows[0][2] = None
    elif how == "count as text":
        rows[0][0] = "2"
    elif how == "negative count":
        rows[0][1] = -1
    elif how == "no reports":
        del figures["reports"]
    elif how == "a float":
        figures["articles"] = float(figures["articles"])
        if "days" in figures:
            figures["days"][0][0] = float(figures["days"][0][0])
    elif how == "true for one":
        figures["fixed_articles"] = True if figures["fixed_articles"] == 1 else figures["fixed_articles"]
        rows[0][3] = True if rows[0][3] == 1 else "1"
    elif how == "a day too many":
        figures["days"] = (figures.get("days") or [[figures["articles"], figures["fixed_articles"]]]) + [[0, 0]]
    elif how == "a key more":
        figures["extra"] = 1
    return json.dumps(figures)


DAMAGES = [
    "dimension not a mapping",
    "outcomes null",
    "count as text",
    "negative count",
    "no reports",
    "a float",
    "true for one",
    "a day too many",
    "a key more",
]


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("period", [WEEK, MARCH], ids=["day", "month"])
def test_a_roll_up_with_counts_of_the_wrong_kind_is_counted_from_its_cases(seeded, how, period, caplog):
    rollup.roll(seeded)
    expected = live(seeded, *period)
    row = MetricsDay.objects.get(site=seeded, day=period[0], last_day=date(2025, 3, 1) if period == WEEK else period[1])
    MetricsDay.objects.filter(pk=row.pk).update(figures=damaged(json.loads(row.figures), how))
    assert rolled(seeded, *period) == expected
    assert "cannot be read" in caplog.text


def test_the_next_roll_makes_a_damaged_day_anew_in_a_month_to_sum(seeded, caplog):
    rollup.roll(seeded)
    row = MetricsDay.objects.get(site=seeded, day=date(2025, 3, 1), last_day=date(2025, 3, 1))
    MetricsDay.objects.filter(pk=row.pk).update(figures=damaged(json.loads(row.figures), "outcomes null"))
    month_rows(seeded).filter(day=MARCH[0]).delete()  # to be summed from its days again
    assert rollup.roll(seeded) == 1  # that day alone
    assert "cannot be read" in caplog.text
    remade = MetricsDay.objects.get(site=seeded, day=date(2025, 3, 1), last_day=date(2025, 3, 1))
    check_stored(json.loads(remade.figures), unpacked(bytes(remade.lists)), 1)
    assert list(rollup.usable_days(seeded, *MARCH)) == [MARCH[0]]
    assert rolled(seeded, *MARCH) == live(seeded, *MARCH)


def test_the_next_roll_makes_a_damaged_day_of_the_month_going_on_anew(seeded, monkeypatch):
    from datetime import UTC, datetime

    def roll_on_20_march():
        with monkeypatch.context() as then:  # March 2025 not over: its closed days are read by the day
            then.setattr(rollup.timezone, "now", lambda: datetime(2025, 3, 20, 12, tzinfo=UTC))
            return rollup.roll(seeded)

    assert roll_on_20_march() == (date(2025, 3, 19) - date(2025, 2, 28)).days + 1
    assert not month_rows(seeded).exists()
    # The seed's cases were made today: to a roll on 20 March their days always look touched.
    touched = roll_on_20_march()
    quiet = date(2025, 3, 14)  # no case, no report: never touched
    row = MetricsDay.objects.get(site=seeded, day=quiet)
    MetricsDay.objects.filter(pk=row.pk).update(lists=b"\x00" * 3)
    assert roll_on_20_march() == touched + 1
    remade = MetricsDay.objects.get(site=seeded, day=quiet)
    check_stored(json.loads(remade.figures), unpacked(bytes(remade.lists)), 1)
    assert roll_on_20_march() == touched  # nothing left to make anew


def test_one_sites_failing_roll_up_does_not_stop_the_others(seeded, monkeypatch, caplog):
    from corrigo.jobs import queue
    from corrigo.sites.services import create_site

    other = create_site("gazette", "The Gazette", ["https://gazette.example"])
    seen = []
    real = rollup.roll

    def roll(site, **options):
        seen.append(site.key)
        if site.key == "courier":
            raise RuntimeError("the disk is full")
        return real(site, **options)

    monkeypatch.setattr(rollup, "roll", roll)
    queue.HANDLERS[rollup.ROLL_JOB](None)
    assert sorted(seen) == sorted(["courier", other.key])
    assert "rolling up site courier failed" in caplog.text


@pytest.mark.parametrize("days", [7, 92, 731])
def test_at_most_five_queries_whatever_the_period(seeded, django_assert_max_num_queries, days):
    rollup.roll(seeded)
    today = timezone.localdate()
    with django_assert_max_num_queries(5):
        period_metrics(seeded, today - timedelta(days=days - 1), today)
    with django_assert_max_num_queries(5):
        period_metrics(seeded, WEEK[1] - timedelta(days=days - 1), WEEK[1])


def test_a_touched_month_costs_one_query_more(seeded, editor, django_assert_max_num_queries):
    rollup.roll(seeded)
    fix(editor, "Tuesday")
    with django_assert_max_num_queries(6):
        figures = period_metrics(seeded, *MARCH)
    assert summary(figures) == live(seeded, *MARCH)


def test_the_cli_rebuilds_a_sites_roll_ups(seeded, capsys):
    from corrigo.cli import main

    main(["metrics", "rebuild", "--site", "courier"])
    days = MetricsDay.objects.filter(site=seeded, last_day=F("day")).count()
    assert capsys.readouterr().out.startswith(f"Site 'courier': {days} days rolled up in ")
    assert main(["metrics", "roll", "--site", "nowhere"]) == 2
    assert "there is no site 'nowhere'" in capsys.readouterr().err


def test_the_worker_rolls_up_every_site_periodically(seeded):
    from corrigo.jobs import queue

    assert queue.PERIODIC[rollup.ROLL_JOB].seconds == rollup.ROLL_EVERY_SECONDS
    queue.HANDLERS[rollup.ROLL_JOB](None)
    assert MetricsDay.objects.filter(site=seeded, day=date(2025, 3, 1)).exists()


def test_the_roll_ups_query_is_seen_by_query_logging_and_execute_wrappers(seeded):
    """On PostgreSQL the rows come through a cursor of their own (binary results): still counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rollup.roll(seeded)
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        usable = rollup.usable_days(seeded, *MARCH)
    assert list(usable) == [MARCH[0]]
    with CaptureQueriesContext(connection) as captured:
        assert rollup.usable_days(seeded, *MARCH).keys() == usable.keys()
    for statements in (seen, [query["sql"] for query in captured.captured_queries]):
        assert len(statements) == 2 and "desk_metricsday" in statements[0]


def test_a_touched_month_after_a_roll_that_stopped_before_its_last_step(
    seeded, editor, monkeypatch, django_assert_max_num_queries
):
    """March made anew, then the roll stopped before vouching for the other rows: its days' rows
    are older than it, and one query still finds what touched any of them."""
    rollup.roll(seeded)
    fix(editor, "Tuesday")
    month_rows(seeded).filter(day__gt=MARCH[1]).delete()  # later months to make: the roll stops at the first
    real, calls = rollup._roll_month, []

    def stops_after_march(site, days, started):
        calls.append(days[0])
        if len(calls) > 1:
            raise RuntimeError("stopped")
        return real(site, days, started)

    with monkeypatch.context() as stopping, pytest.raises(RuntimeError):
        stopping.setattr(rollup, "_roll_month", stops_after_march)
        rollup.roll(seeded)
    actions.reopen(case_of("Tuesday"), by=editor)  # touches March again
    with django_assert_max_num_queries(6):
        figures = period_metrics(seeded, *MARCH)
    assert summary(figures) == live(seeded, *MARCH)
