"""The case page: the passage in its article, the anchor now, every report, the article's other cases."""

import pytest
from django.urls import reverse
from django.utils import timezone

from corrigo.articles.models import ArticleVersion
from corrigo.desk.middleware import DESK_POLICY
from corrigo.reports.models import AnchorStatus, Case
from tests.conftest import ARTICLE_TEXT
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db


def page(client, case):
    response = client.get(reverse("desk:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_passage_is_highlighted_in_the_reported_text(as_user, editor, case):
    html = page(as_user(editor), case)
    start = ARTICLE_TEXT.index("Augest")
    assert (
        f'<div class="article-text reader" dir="auto" data-reported-text>{ARTICLE_TEXT[:start]}<mark id="passage">Augest</mark>{ARTICLE_TEXT[start + 6 :]}</div>'
        in html
    )


@pytest.mark.parametrize(
    "status,label",
    [
        (AnchorStatus.CHANGED, "Looks fixed"),
        (AnchorStatus.GONE, "Passage gone"),
        (AnchorStatus.UNCHANGED, "Unchanged"),
        (AnchorStatus.AMBIGUOUS, "Ambiguous"),
    ],
)
def test_anchor_state_on_the_latest_version(as_user, editor, case, status, label):
    fixed_text = ARTICLE_TEXT.replace("Augest", "August")
    latest = ArticleVersion.objects.create(article=case.article, text=fixed_text, text_hash="h" * 64)
    start = fixed_text.index("August")
    Case.objects.filter(pk=case.pk).update(
        anchor_status=status, anchor_version=latest, anchor_start=start, anchor_end=start + 6, anchor_checked_at=timezone.now()
    )
    html = page(as_user(editor), case)
    assert f'data-anchor="{status}">{label}</span>' in html
    assert f"{fixed_text[:start]}<mark>August</mark>{fixed_text[start + 6 :]}</div>" in html


def test_case_not_yet_anchored_says_so(as_user, editor, case):
    Case.objects.filter(pk=case.pk).update(anchor_status="", anchor_version=None, anchor_start=None, anchor_end=None)
    assert "No newer version of the article has been checked yet." in page(as_user(editor), case)


def test_case_on_the_latest_version_shows_the_text_once(as_user, editor, case):
    stored = Case.objects.get(pk=case.pk)
    assert (stored.anchor_status, stored.anchor_version_id) == (AnchorStatus.UNCHANGED, stored.version_id)  # intake anchors it
    html = page(as_user(editor), case)
    assert 'data-anchor="unchanged">Unchanged</span>' in html
    assert "The version it was reported on is still the latest one seen." in html
    assert html.count("<mark") == 1  # the article text is not repeated


def test_every_report_is_shown_with_its_details(as_user, editor, site):
    first = report(exact="Augest", suggestion="August", comment="Month typo", category="typo", language="en")
    report(exact="Augest", suggestion="Serpen", comment="Коментар", category="fact", language="uk")
    html = page(as_user(editor), first.case)
    assert html.count('<li class="report"') == 2
    for text in ("August", "Month typo", "Serpen", "Коментар", "Typo · en", "Factual error · uk"):
        assert text in html


def test_other_open_cases_of_the_article(as_user, editor, site):
    here = case_about("Augest")
    other = case_about("islanders")
    closed = case_about("ferry")
    from corrigo.reports import actions

    actions.resolve(closed, "fixed", by=editor)
    html = page(as_user(editor), here)
    assert f'<a href="/desk/cases/{other.pk}/">#{other.pk}</a>' in html
    assert f'/desk/cases/{closed.pk}/"' not in html


def test_reader_text_is_escaped_and_bidi_controls_shown(as_user, editor, site):
    nasty = "<script>alert(1)</script><img src=x onerror=alert(2)> \u202eevil"
    case = case_about("Augest", suggestion=nasty, comment=nasty, title=nasty)
    html = page(as_user(editor), case)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "\u202e" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; [U+202E]evil" in html


def test_case_data_is_embedded_as_inert_json(as_user, editor, site):
    text = "Quote </script><script>alert(1)</script> end"
    case = case_about("</script><script>alert(1)</script>", text=text)
    html = page(as_user(editor), case)
    assert '<script id="case-data" type="application/json">' in html
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in html


def test_javascript_url_never_becomes_a_link(as_user, editor, case):
    from corrigo.articles.models import Article

    Article.objects.filter(pk=case.article_id).update(url="javascript:alert(1)", title="")
    html = page(as_user(editor), case)
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as text


def test_desk_pages_carry_the_content_security_policy(as_user, editor, case, client):
    response = as_user(editor).get(reverse("desk:case", args=[case.pk]))
    assert response["Content-Security-Policy"] == DESK_POLICY
    assert "unsafe-inline" not in DESK_POLICY and "unsafe-eval" not in DESK_POLICY
    assert "script-src 'self'" in DESK_POLICY
    assert client.get(reverse("desk:login"))["Content-Security-Policy"] == DESK_POLICY


def test_no_inline_script_or_style_on_desk_pages(as_user, admin, case):
    import re

    from corrigo.reports import actions

    other = case_about("islanders")
    actions.add_note(case, "a note", by=admin)
    client = as_user(admin)
    pages = [
        client.get(url)
        for url in (
            reverse("desk:queue"),
            reverse("desk:case", args=[case.pk]),
            reverse("desk:site-log", args=[case.site.key]),
            reverse("desk:site-metrics", args=[case.site.key]),
            reverse("desk:site-settings", args=[case.site.key]),
        )
    ]
    pages.append(client.post(reverse("desk:merge", args=[other.pk]), {"into": case.pk}))  # the confirmation
    pages.append(client.post(reverse("desk:bulk"), {"outcome": "spam", "cases": [case.pk]}))  # the confirmation
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts
        assert " style=" not in html
        assert re.search(r"\son[a-z]+=", html) is None


def test_case_page_query_count_does_not_grow_with_reports(as_user, editor, site, django_assert_max_num_queries):
    from corrigo.reports import actions

    client = as_user(editor)
    first = report(exact="Augest")
    with django_assert_max_num_queries(30) as few:
        page(client, first.case)
    for i in range(20):
        report(exact="Augest", suggestion=f"s{i}", email="r@example.net")
    for word in ("islanders", "ferry", "council"):
        case_about(word)
    for i in range(5):
        actions.add_note(first.case, f"note {i}", by=editor)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        html = page(client, first.case)
    assert html.count('<li class="report"') == 21
    assert len(many.captured_queries) == len(few.captured_queries)
