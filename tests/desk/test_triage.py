"""Triage in the queue: cases by article under clean headlines, answer times, wider search,
select all with confirmation, merge confirmation, saved filters."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from corrigo.articles.models import Article
from corrigo.audit.models import Entry
from corrigo.desk.models import MAX_SAVED_FILTERS, SavedFilter
from corrigo.reports import actions
from corrigo.reports.models import Case, CaseStatus
from corrigo.sites.models import Site
from tests.conftest import make_user
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db
FERRY = "https://news.example.org/2026/ferry"
STORM = "https://news.example.org/2026/storm-closes-the-harbour"


def ids(response):
    return [c.pk for c in response.context["page"].cases]


def statuses(*cases):
    return [Case.objects.get(pk=c.pk).status for c in cases]


# ---- by article ----------------------------------------------------------------


def test_cases_are_grouped_under_their_articles_headline(as_user, editor, site):
    ferry_fact = case_about("islanders", category="fact", title="Harbour town keeps its night ferry — The Courier")
    storm = case_about("council", category="typo", url=STORM)
    ferry_typo = case_about("Augest", category="typo")
    response = as_user(editor).get(reverse("desk:queue"))
    groups = response.context["groups"]
    assert [[c.pk for c in g["cases"]] for g in groups] == [[ferry_fact.pk, ferry_typo.pk], [storm.pk]]
    html = response.content.decode()
    # The headline once per article, without the site's name; a title-less article reads from its address.
    assert html.count("Harbour town keeps its night ferry") == 1
    assert "The Courier</h2>" not in html
    assert "Storm closes the harbour" in html
    assert "2 open cases in this article" in html


def test_one_list_shows_the_headline_on_every_card(as_user, editor, site):
    case_about("islanders", title="Harbour town keeps its night ferry | The Courier")
    case_about("Augest")
    response = as_user(editor).get(reverse("desk:queue"), {"group": "none"})
    assert response.context["groups"] is None
    assert response.content.decode().count("Harbour town keeps its night ferry") == 2


def test_the_articles_cases_on_their_own(as_user, editor, site):
    ferry = case_about("islanders")
    storm = case_about("council", url=STORM)
    article = Case.objects.get(pk=storm.pk).article_id
    assert ids(as_user(editor).get(reverse("desk:queue"), {"article": str(article)})) == [storm.pk]
    assert ferry.pk in ids(as_user(editor).get(reverse("desk:queue"), {"article": "x"}))  # a bad id: no filter


def test_context_on_the_card_starts_and_ends_at_whole_words(as_user, editor, site):
    text = "The council voted on Tuesday that it keeps the ferry going from Augest to March, and the islanders cheered loudly"
    # The widget's 32 code points of context start and end mid-word ("t it keeps", "islanders che").
    assert text[text.index("Augest") - 32 :].startswith("t it keeps")
    case_about("Augest", text=text)
    html = as_user(editor).get(reverse("desk:queue")).content.decode()
    assert "…it keeps the ferry going from <mark>Augest</mark> to March, and the islanders…" in html
    assert "t it keeps" not in html and "che…" not in html


def test_open_cases_show_the_sites_answer_time(as_user, editor, site):
    Site.objects.filter(pk=site.pk).update(sla_fact_hours=24, sla_typo_hours=None)
    late = case_about("islanders", category="fact")
    Case.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(hours=30))
    no_target = case_about("Augest", category="typo")
    cases = {c.pk: c for c in as_user(editor).get(reverse("desk:queue")).context["page"].cases}
    assert (cases[late.pk].answer.state, cases[late.pk].answer.words) == ("late", "6 h overdue")
    assert cases[no_target.pk].answer is None
    html = as_user(editor).get(reverse("desk:queue")).content.decode()
    assert f'class="case sla-late" id="case-{late.pk}"' in html
    assert 'data-answer="late">6 h overdue</span>' in html


# ---- search ----------------------------------------------------------------


def test_search_finds_the_article_title_and_address(as_user, editor, site):
    hit = case_about("Augest", title="Night ferry saved by the council")
    storm = case_about("council", url=STORM)
    client = as_user(editor)
    assert ids(client.get(reverse("desk:queue"), {"q": "NIGHT FERRY SAVED"})) == [hit.pk]
    assert ids(client.get(reverse("desk:queue"), {"q": "storm-closes"})) == [storm.pk]


def test_search_by_reporter_email_only_for_those_who_may_see_it(as_user, editor, viewer, site):
    hit = case_about("Augest", email="reader.one@example.net")
    case_about("islanders", email="someone@example.org")
    assert ids(as_user(editor).get(reverse("desk:queue"), {"q": "reader.one@"})) == [hit.pk]
    assert ids(as_user(viewer).get(reverse("desk:queue"), {"q": "reader.one@"})) == []


def test_email_search_is_per_site_role(as_user, editor, site, other_site):
    from corrigo.sites.services import change_role

    change_role(other_site, editor, "viewer")
    mine = case_about("Augest", email="same@example.net")
    report("gazette", exact="ferry", email="same@example.net")
    assert ids(as_user(editor).get(reverse("desk:queue"), {"q": "same@example", "status": "all"})) == [mine.pk]


def test_a_broad_search_walks_articles_and_reports(as_user, editor, site, monkeypatch):
    from corrigo.desk import queue

    monkeypatch.setattr(queue, "SEARCH_IDS_AT_ONCE", 1)
    by_title = case_about("Augest", title="Harbour news")
    by_text = case_about("islanders", suggestion="harbour master", url=STORM)
    case_about("ferry", url="https://news.example.org/other")
    response = as_user(editor).get(reverse("desk:queue"), {"q": "harbour"})
    assert response.context["page"].counts is None
    assert sorted(ids(response)) == sorted([by_title.pk, by_text.pk])


# ---- select all, bulk with confirmation --------------------------------------


def test_bulk_asks_first_and_changes_nothing_until_confirmed(as_user, editor, site):
    a, b = case_about("Augest"), case_about("islanders")
    response = as_user(editor).post(reverse("desk:bulk"), {"outcome": "spam", "cases": [a.pk, b.pk], "return_query": "q=x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mark 2 cases as spam?" in html
    assert html.count('name="cases"') == 2 and 'name="confirmed" value="on"' in html
    assert statuses(a, b) == ["open", "open"]
    assert Entry.objects.count() == 0


def test_select_all_matching_acts_on_every_case_the_filter_matches(as_user, editor, site, monkeypatch):
    from corrigo.desk import queue

    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    typos = [case_about(w, category="typo") for w in ("Augest", "islanders", "ferry")]
    fact = case_about("council", category="fact")
    client = as_user(editor)
    page = client.get(reverse("desk:queue"), {"category": "typo"})
    assert page.context["matching"] == 3 and page.context["more_than_a_page"]
    assert "Select all 3 matching cases" in page.content.decode()

    ask = client.post(reverse("desk:bulk"), {"outcome": "spam", "all_matching": "on", "return_query": "category=typo"})
    assert "Mark 3 cases as spam?" in ask.content.decode()
    assert 'name="expected" value="3"' in ask.content.decode()
    done = client.post(
        reverse("desk:bulk"),
        {"outcome": "spam", "all_matching": "on", "return_query": "category=typo", "expected": "3", "confirmed": "on"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("desk:queue") + "?category=typo"
    assert statuses(*typos, fact) == ["spam", "spam", "spam", "open"]
    assert len(set(Entry.objects.values_list("batch", flat=True))) == 1


def test_select_all_matching_refuses_when_the_matches_changed_since_the_confirmation(as_user, editor, site):
    a, b = case_about("Augest"), case_about("islanders")
    response = as_user(editor).post(
        reverse("desk:bulk"), {"outcome": "spam", "all_matching": "on", "return_query": "", "expected": "1", "confirmed": "on"}
    )
    assert response.status_code == 200
    assert "changed since you looked: 2 match now" in response.content.decode()
    assert statuses(a, b) == ["open", "open"]


def test_select_all_matching_stays_on_the_sites_where_the_user_is_an_editor(as_user, editor, site, other_site):
    from corrigo.sites.services import change_role

    change_role(other_site, editor, "viewer")
    mine = case_about("Augest")
    theirs = report("gazette", exact="ferry").case
    client = as_user(editor)
    client.post(reverse("desk:bulk"), {"outcome": "spam", "all_matching": "on", "expected": "1", "confirmed": "on"})
    assert statuses(mine, theirs) == ["spam", "open"]


def test_select_all_matching_is_not_for_viewers(as_user, viewer, case):
    response = as_user(viewer).post(
        reverse("desk:bulk"), {"outcome": "spam", "all_matching": "on", "expected": "1", "confirmed": "on"}
    )
    assert response.status_code == 403
    assert statuses(case) == ["open"]


def test_select_all_matching_has_a_limit(as_user, editor, site, monkeypatch):
    from corrigo.desk import views

    monkeypatch.setattr(views, "BULK_LIMIT", 1)
    a, b = case_about("Augest"), case_about("islanders")
    response = as_user(editor).post(
        reverse("desk:bulk"), {"outcome": "spam", "all_matching": "on", "expected": "2", "confirmed": "on"}
    )
    assert response.status_code == 302
    assert statuses(a, b) == ["open", "open"]


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "open", "cases": ["1"], "confirmed": "on"},
        {"outcome": "spam", "cases": ["x"], "confirmed": "on"},
        {"outcome": "spam", "cases": ["9" * 30], "confirmed": "on"},
        {"outcome": "spam", "all_matching": "on", "expected": "-1", "confirmed": "on"},
        {"outcome": "spam", "all_matching": "on", "expected": "9" * 30, "confirmed": "on"},
        {"outcome": "spam", "all_matching": "on", "return_query": "x" * 5000, "confirmed": "on"},
        {
            "outcome": "spam",
            "all_matching": "on",
            "return_query": "status=%00&q=%ED%A0%80&after=1_1",
            "expected": "0",
            "confirmed": "on",
        },
    ],
)
def test_hostile_bulk_forms_change_nothing(as_user, editor, case, body):
    response = as_user(editor).post(reverse("desk:bulk"), body)
    assert response.status_code in (200, 302, 404)
    assert statuses(case) == ["open"]


def test_many_cases_at_once_take_a_few_statements(editor, site, django_assert_max_num_queries):
    text = " ".join(f"word{i}" for i in range(1200))
    cases = [case_about(f"word{i}", text=text) for i in range(0, 1200, 1)]
    # Statements per few hundred cases, not per case (SQLite takes fewer rows per INSERT),
    # the case.resolved events' jobs included (notify.events.emit_many).
    with django_assert_max_num_queries(60):
        assert actions.resolve_many(cases, "spam", by=editor) == 1200
    assert Case.objects.filter(status=CaseStatus.SPAM).count() == 1200
    assert Entry.objects.count() == 1200


# ---- merge asks first ------------------------------------------------------------


def test_merge_asks_first_showing_both_cases(as_user, editor, site):
    survivor, duplicate = case_about("Augest"), case_about("islanders")
    response = as_user(editor).post(reverse("desk:merge", args=[duplicate.pk]), {"into": survivor.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Merge case {duplicate.pk} into case {survivor.pk}?" in html
    assert "<mark>islanders</mark>" in html and "<mark>Augest</mark>" in html
    assert Case.objects.get(pk=duplicate.pk).status == CaseStatus.OPEN


def test_a_merge_that_cannot_be_done_says_why_at_once(as_user, editor, case):
    response = as_user(editor).post(reverse("desk:merge", args=[case.pk]), {"into": case.pk})
    assert response.status_code == 302
    assert "A case cannot be a duplicate of itself." in as_user(editor).get(reverse("desk:case", args=[case.pk])).content.decode()


# ---- saved filters -----------------------------------------------------------------


def test_a_saved_filter_is_the_users_own_and_means_me_for_whoever_uses_it(as_user, editor, admin, site):
    mine = case_about("islanders", category="fact")
    actions.assign(mine, editor, by=editor)
    theirs = case_about("council", category="fact")
    actions.assign(theirs, admin, by=admin)
    client = as_user(editor)
    response = client.post(
        reverse("desk:filter-save"),
        {"name": "My open factual errors", "query": "status=open&category=fact&assignee=me&after=1_2&x=y"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.name, saved.query) == (editor, "My open factual errors", "status=open&category=fact&assignee=me")
    page = client.get(reverse("desk:queue")).content.decode()
    assert 'data-saved-filter="My open factual errors"' in page
    assert ids(client.get(reverse("desk:queue") + "?" + saved.query)) == [mine.pk]
    # Another user neither sees it nor can delete it.
    assert "My open factual errors" not in as_user(admin).get(reverse("desk:queue")).content.decode()
    assert as_user(admin).post(reverse("desk:filter-delete", args=[saved.pk])).status_code == 404
    assert as_user(editor).post(reverse("desk:filter-delete", args=[saved.pk])).status_code == 302
    assert not SavedFilter.objects.exists()


def test_saving_a_name_again_replaces_that_filter(as_user, editor):
    client = as_user(editor)
    client.post(reverse("desk:filter-save"), {"name": "Typos", "query": "category=typo"})
    client.post(reverse("desk:filter-save"), {"name": "Typos", "query": "category=typo&status=all"})
    assert list(SavedFilter.objects.values_list("name", "query")) == [("Typos", "status=all&category=typo")]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "query": "category=typo"},
        {"name": "   ", "query": ""},
        {"name": "x" * 81, "query": ""},
        {"name": "nul\x00name", "query": ""},
        {"name": "ok", "query": "q=" + "x" * 5000},
    ],
)
def test_hostile_saved_filters_are_refused(as_user, editor, body):
    response = as_user(editor).post(reverse("desk:filter-save"), body)
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_a_saved_filter_name_in_broken_utf8_is_stored_readably_or_refused(as_user, editor):
    response = as_user(editor).generic(
        "POST", reverse("desk:filter-save"), "name=%ED%A0%80%FF&query=", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert all("\ud800" not in name for name in SavedFilter.objects.values_list("name", flat=True))


def test_hostile_query_of_a_saved_filter_keeps_only_what_the_queue_knows(as_user, editor):
    as_user(editor).post(
        reverse("desk:filter-save"), {"name": "odd", "query": "status=%00&category=nope&q=%3Cscript%3E&javascript:=1"}
    )
    assert SavedFilter.objects.get().query == "q=%3Cscript%3E"
    html = as_user(editor).get(reverse("desk:queue")).content.decode()
    assert "<script>" not in html


def test_saved_filters_have_a_limit(as_user, editor):
    for n in range(MAX_SAVED_FILTERS):
        SavedFilter.objects.create(user=editor, name=f"f{n}")
    as_user(editor).post(reverse("desk:filter-save"), {"name": "one more", "query": ""})
    assert SavedFilter.objects.count() == MAX_SAVED_FILTERS


def test_queue_title_lookups_stay_on_the_users_sites(as_user, editor, site, other_site):
    report("gazette", exact="ferry", title="Secret gazette story")
    Article.objects.update(title="Secret gazette story")
    make_user("otto", other_site, "editor")
    assert ids(as_user(editor).get(reverse("desk:queue"), {"q": "secret gazette"})) == []


def test_cards_link_to_their_case_and_groups_to_their_articles_cases_with_the_filters_kept(as_user, editor, site):
    ferry = case_about("islanders", category="typo")
    storm = case_about("council", category="typo", url=STORM)
    html = as_user(editor).get(reverse("desk:queue"), {"category": "typo", "q": "e", "after": f"{10**15}_1"}).content.decode()
    for case in (ferry, storm):
        assert f'<a href="/desk/cases/{case.pk}/" class="case-link" data-open>' in html
        assert f'action="/desk/cases/{case.pk}/resolve/" hx-post="/desk/cases/{case.pk}/resolve/"' in html
        link = (
            f"/desk/?category=typo&amp;q=e&amp;article={case.article_id}"  # the filters in their order, the page cursor dropped
        )
        assert f'<a id="group-count-{case.article_id}" class="group-count" href="{link}">1 open case in this article</a>' in html


def test_an_action_from_the_queue_redraws_the_articles_count_and_link(as_user, editor, site):
    first, second = case_about("islanders", category="typo"), case_about("Augest", category="typo")
    assert first.article_id == second.article_id
    response = as_user(editor).post(
        reverse("desk:resolve", args=[first.pk]),
        {"outcome": "fixed", "from": "queue", "return_query": "category=typo&status=open"},
        HTTP_HX_REQUEST="true",
    )
    link = f"/desk/?category=typo&amp;status=open&amp;article={first.article_id}"
    assert (
        f'<a id="group-count-{first.article_id}" class="group-count" href="{link}" hx-swap-oob="true">1 open case in this article</a>'
        in response.content.decode()
    )
