"""The queue: cases not reports, filters, search, priority order, keyset pages, counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from corrigo.reports import actions
from corrigo.reports.models import AnchorStatus, Case
from corrigo.reports.priority import case_priority
from tests.conftest import ARTICLE_TEXT, make_user
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db


def ids(response):
    return [c.pk for c in response.context["page"].cases]


def test_queue_lists_cases_not_reports(as_user, editor, site):
    first = report(exact="Augest")
    report(exact="Augest")  # the same passage: joins the case
    response = as_user(editor).get(reverse("desk:queue"))
    assert ids(response) == [first.case_id]
    assert Case.objects.get(pk=first.case_id).report_count == 2
    assert "2 readers" in response.content.decode()


def test_priority_weighs_category_then_readers_then_age():
    now = timezone.now()
    assert case_priority(1, "fact", now) > case_priority(1, "typo", now) > case_priority(1, "other", now)
    assert case_priority(4, "typo", now) > case_priority(1, "typo", now)
    assert case_priority(1, "typo", now) > case_priority(1, "typo", now - timedelta(days=1))
    # A fact reported two days ago ranks with an unclassified report now.
    assert case_priority(1, "fact", now - timedelta(days=2)) == case_priority(1, "", now)


def test_queue_is_sorted_by_priority(as_user, editor, site):
    typo = case_about("Augest", category="typo")
    fact = case_about("islanders", category="fact")
    other = case_about("ferry", category="other")
    popular = case_about("council", category="other")
    for _ in range(15):
        report(exact="council", category="other")
    response = as_user(editor).get(reverse("desk:queue"))
    assert ids(response) == [popular.pk, fact.pk, typo.pk, other.pk]


def test_filters(as_user, editor, admin, site):
    typo = case_about("Augest", category="typo")
    fact = case_about("islanders", category="fact")
    spam = case_about("ferry", category="other")
    actions.resolve(spam, "spam", by=editor)
    actions.assign(fact, editor, by=editor)
    Case.objects.filter(pk=typo.pk).update(anchor_status=AnchorStatus.CHANGED)
    client = as_user(editor)
    queue = reverse("desk:queue")
    assert set(ids(client.get(queue))) == {typo.pk, fact.pk}
    assert ids(client.get(queue, {"status": "spam"})) == [spam.pk]
    assert set(ids(client.get(queue, {"status": "all"}))) == {typo.pk, fact.pk, spam.pk}
    assert ids(client.get(queue, {"category": "fact"})) == [fact.pk]
    assert ids(client.get(queue, {"assignee": "me"})) == [fact.pk]
    assert ids(client.get(queue, {"assignee": str(editor.pk)})) == [fact.pk]
    assert ids(client.get(queue, {"assignee": "nobody"})) == [typo.pk]
    assert ids(client.get(queue, {"looks_fixed": "on"})) == [typo.pk]
    assert ids(client.get(queue, {"site": "gazette"})) == []
    assert set(ids(client.get(queue, {"site": "courier"}))) == {typo.pk, fact.pk}


def test_date_filter(as_user, editor, site):
    old = case_about("Augest")
    new = case_about("islanders")
    Case.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=10), last_reported_at=timezone.now() - timedelta(days=10)
    )
    today = timezone.now().date()
    client = as_user(editor)
    assert ids(client.get(reverse("desk:queue"), {"reported_from": str(today)})) == [new.pk]
    assert ids(client.get(reverse("desk:queue"), {"reported_to": str(today - timedelta(days=5))})) == [old.pk]


def test_bad_filter_values_are_ignored_not_an_error(as_user, editor, case):
    response = as_user(editor).get(
        reverse("desk:queue"), {"status": "nope", "reported_from": "yesterday", "after": "x", "assignee": "99999999999999999999"}
    )
    assert response.status_code == 200
    assert ids(response) == [case.pk]


@pytest.mark.parametrize(
    "query",
    [
        "after=9999999999999999999_9999999999999999999",
        "before=-9999999999999999999_1",
        "reported_from=9999-12-31",
        "reported_to=9999-12-31",
        "reported_from=0001-01-01",
        "q=%00",
        "q=%ED%A0%80",
        "q=%FF%FE",
        "site=%00",
        "assignee=%00",
        "status=%00",
        "category=" + "x" * 5000,
        "article=%00",
        "article=99999999999999999999999",
        "article=-1",
        "article=1e3",
        "group=%00",
        "group=" + "x" * 5000,
    ],
)
def test_hostile_query_strings_get_a_queue_page(as_user, editor, case, query):
    response = as_user(editor).generic("GET", reverse("desk:queue") + "?" + query)
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


@pytest.mark.parametrize("term,field", [("AUGEST", "quote"), ("augusta", "suggestion"), ("WRONG MONTH", "comment")])
def test_search_in_quote_suggestion_and_comment(as_user, editor, site, term, field):
    hit = case_about("Augest", suggestion="Augusta", comment="the wrong month")
    case_about("islanders", suggestion="inhabitants", comment="style")
    response = as_user(editor).get(reverse("desk:queue"), {"q": term})
    assert ids(response) == [hit.pk], field


def test_search_does_not_reach_another_sites_reports(as_user, editor, site, other_site):
    report("gazette", exact="ferry", suggestion="secret gazette words")
    assert ids(as_user(editor).get(reverse("desk:queue"), {"q": "secret gazette"})) == []


def test_counts_per_status(as_user, editor, site):
    cases = [case_about(w) for w in ("Augest", "islanders", "ferry", "council")]
    actions.resolve(cases[0], "fixed", by=editor)
    actions.resolve(cases[1], "spam", by=editor)
    counts = as_user(editor).get(reverse("desk:queue")).context["page"].counts
    assert counts == {"open": 2, "fixed": 1, "not_error": 0, "wont_fix": 0, "spam": 1, "duplicate": 0, "all": 4}


def test_counts_stop_at_the_cap_and_say_so(as_user, editor, site, monkeypatch):
    from corrigo.desk import queue

    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    cases = [case_about(w) for w in ("Augest", "islanders", "ferry", "council")]
    actions.resolve(cases[0], "fixed", by=editor)
    response = as_user(editor).get(reverse("desk:queue"))
    counts = response.context["page"].counts
    assert counts == {"open": 3, "fixed": 1, "not_error": 0, "wont_fix": 0, "spam": 0, "duplicate": 0, "all": 3}
    tabs = response.content.decode()
    assert 'data-status-tab="open">Open <span class="count">2+</span>' in tabs
    assert 'data-status-tab="fixed">Fixed <span class="count">1</span>' in tabs
    assert 'data-status-tab="all">All <span class="count">2+</span>' in tabs
    # "Select all matching" names no number it did not count.
    assert response.context["matching"] is None


def test_counts_of_a_search_that_matches_nothing_are_zero(as_user, editor, site):
    case_about("Augest")
    counts = as_user(editor).get(reverse("desk:queue"), {"q": "no such words"}).context["page"].counts
    assert counts == {"open": 0, "fixed": 0, "not_error": 0, "wont_fix": 0, "spam": 0, "duplicate": 0, "all": 0}


def test_keyset_pages_walk_every_case_once(as_user, editor, site, settings):
    from corrigo.desk import queue

    text = " ".join(f"word{i}" for i in range(120))
    made = [case_about(f"word{i}", text=text).pk for i in range(0, 120, 1)]
    # Equal priorities must still page by id without skipping or repeating.
    Case.objects.filter(pk__in=made[:60]).update(priority=1000)
    client = as_user(editor)
    seen, after, pages = [], None, 0
    while True:
        response = client.get(reverse("desk:queue"), {"after": after} if after else {})
        page = response.context["page"]
        seen += [c.pk for c in page.cases]
        pages += 1
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))
    assert pages == -(-120 // queue.PAGE_SIZE)
    # And back: the page before the last one is the second page.
    second = client.get(reverse("desk:queue"), {"after": client.get(reverse("desk:queue")).context["page"].next_cursor})
    back = client.get(reverse("desk:queue"), {"before": second.context["page"].previous_cursor})
    assert ids(back) == seen[: queue.PAGE_SIZE]
    assert back.context["page"].previous_cursor is None


def test_htmx_filter_answers_with_the_results_only(as_user, editor, case):
    response = as_user(editor).get(reverse("desk:queue"), {"q": "Augest"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="case-{case.pk}"' in html


def test_viewer_gets_no_action_buttons_in_the_queue(as_user, viewer, case):
    html = as_user(viewer).get(reverse("desk:queue")).content.decode()
    assert f'id="case-{case.pk}"' in html
    assert 'name="outcome"' not in html
    assert 'id="bulk"' not in html


def test_queue_query_count_does_not_grow_with_the_page(as_user, editor, site, django_assert_max_num_queries):
    client = as_user(editor)
    case_about("Augest")
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("desk:queue"))
    text = " ".join(f"word{i}" for i in range(60))
    for i in range(60):
        report(exact=f"word{i}", text=text, suggestion=f"s{i}", email="r@example.net")
    assign_to = make_user("ana", site, "editor")
    for c in Case.objects.all()[:20]:
        actions.assign(c, assign_to, by=editor)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse("desk:queue"))
    assert len(response.context["page"].cases) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_csv_export_defuses_formulas(as_user, editor, site):
    text = '=HYPERLINK("http://evil") +1 -2 @SUM(A1) plain'
    case_about('=HYPERLINK("http://evil")', text=text, suggestion="+1 and more", category="fact")
    case_about("plain", text=text, suggestion="@SUM(A1)")
    response = as_user(editor).get(reverse("desk:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    import csv
    import io

    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:7] == ["case", "site", "status", "category", "readers", "quote", "suggestion"]
    cells = {cell for row in rows[1:] for cell in row}
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+1 and more" in cells
    assert "'@SUM(A1)" in cells
    assert not [c for c in cells if c and c[0] in "=+-@\t\r"]


def test_csv_export_keeps_to_the_users_sites(as_user, editor, site, other_site):
    report("gazette", exact="ferry", suggestion="gazette only")
    body = b"".join(as_user(editor).get(reverse("desk:export")).streaming_content).decode()
    assert "gazette only" not in body


def test_article_text_fixture_still_quotes(site):
    # Guard for the fixtures above: they quote words that exist in the shared article text.
    for word in ("Augest", "islanders", "ferry", "council"):
        assert word in ARTICLE_TEXT


def test_search_with_very_many_matches_pages_without_counting(as_user, editor, site, monkeypatch):
    from corrigo.desk import queue

    monkeypatch.setattr(queue, "SEARCH_IDS_AT_ONCE", 2)
    hits = [case_about(w, suggestion="same words") for w in ("Augest", "islanders", "ferry")]
    case_about("council", suggestion="other")
    response = as_user(editor).get(reverse("desk:queue"), {"q": "same words"})
    assert response.context["page"].counts is None
    assert sorted(ids(response)) == sorted(c.pk for c in hits)
    assert "More than 2 cases match this search; they are not counted." in response.content.decode()


def test_queue_shows_the_first_suggestion_shortened(as_user, editor, site):
    long = "Ж" * 299 + "xyz"
    case = case_about("Augest", suggestion=long)
    report(exact="Augest", suggestion="a later suggestion")
    shown = as_user(editor).get(reverse("desk:queue")).context["page"].cases[0]
    assert shown.pk == case.pk
    assert shown.first_suggestion == "Ж" * 299 + "…"
