"""The case page shows what happened to the article: its versions, the passage's diff, a disputed fix."""

from django.urls import reverse

from corrigo.articles.fetching import FETCH_JOB
from corrigo.articles.publishing import PublishedText, publish_text
from corrigo.desk.passage_diff import Piece, passage_diff, sentence_around, word_diff
from corrigo.jobs.models import Job
from corrigo.lib.urls import canonical_url
from corrigo.reports.models import Case
from corrigo.sites.services import create_token
from tests.conftest import V1, V2, V3, payload
from tests.desk.conftest import report

URL = canonical_url(payload()["url"])


def publish(site, text):
    return publish_text(site, PublishedText(url=URL, text=text))


def fixed_case(site):
    publish(site, V1)
    first = report(exact="Augest", text=V1)
    publish(site, V2)
    return Case.objects.get(pk=first.case_id)


# ---- the diff, in plain strings


def test_the_sentence_around_a_passage_stops_at_its_stops():
    text = "First one. The ferry runs from Augest to March. Last one."
    start = text.index("Augest")
    assert sentence_around(text, start, start + 6) == "The ferry runs from Augest to March."


def test_a_word_diff_shows_the_corrected_word_only():
    assert word_diff("runs from Augest to March.", "runs from August to March.") == [
        Piece("same", "runs from "),
        Piece("removed", "Augest"),
        Piece("added", "August"),
        Piece("same", " to March."),
    ]


def test_a_passage_gone_is_its_sentence_removed():
    start = V1.index("Augest")
    [piece] = passage_diff(V1, start, start + 6, V3, None, None)
    assert piece.kind == "removed" and "Augest 25th" in piece.text


def test_offsets_that_do_not_fit_give_no_diff():
    assert passage_diff("short", 3, 99, "short", 0, 1) is None


# ---- the case page


def test_the_case_page_lists_the_versions_with_their_sources(as_user, editor, site):
    case = fixed_case(site)
    report(exact="340 islanders", text=V3)  # a reader's copy, which moves nothing here
    page = as_user(editor).get(reverse("desk:case", args=[case.pk])).content.decode()
    assert page.count('data-source="publisher"') == 2
    assert page.count('data-source="reader"') == 1
    assert "latest published" in page


def test_the_case_page_shows_the_word_diff_of_a_fix(as_user, editor, site):
    case = fixed_case(site)
    page = as_user(editor).get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "data-passage-diff" in page
    assert "<del>Augest</del><ins>August</ins>" in page


def test_an_unchanged_case_shows_no_diff(as_user, editor, case):
    page = as_user(editor).get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "data-passage-diff" not in page


# ---- disputed


def test_a_report_on_the_corrected_words_flags_the_case_disputed(as_user, editor, site):
    case = fixed_case(site)
    again = report(exact="August", text=V2)  # another reader, on the corrected page
    assert again.case_id == case.pk
    case.refresh_from_db()
    assert case.disputed and case.report_count == 2
    client = as_user(editor)
    assert "data-disputed" in client.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "data-disputed" in client.get(reverse("desk:queue")).content.decode()
    token = create_token(site)
    answer = client.get(f"/api/v1/cases/{case.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert answer["disputed"] is True


def test_a_report_from_the_old_text_does_not_dispute_a_fix(site):
    case = fixed_case(site)
    report(exact="Augest", text=V1)  # a stale tab: the reader saw the mistake, not the fix
    case.refresh_from_db()
    assert (case.report_count, case.disputed) == (2, False)


def test_a_case_that_does_not_look_fixed_is_never_disputed(site, case):
    report(exact="Augest")
    case.refresh_from_db()
    assert not case.disputed


# ---- "Check the article now"


def test_check_the_article_now_queues_a_fetch(as_user, editor, site, case):
    site.fetch_articles = True
    site.save()
    client = as_user(editor)
    assert "data-check-article" in client.get(reverse("desk:case", args=[case.pk])).content.decode()
    response = client.post(reverse("desk:check", args=[case.pk]))
    assert response.status_code == 302
    [job] = Job.objects.filter(kind=FETCH_JOB)
    assert job.payload == {"article_id": case.article_id}
    assert job.run_after <= job.created_at


def test_no_check_where_the_site_does_not_fetch(as_user, editor, case):
    client = as_user(editor)
    assert "data-check-article" not in client.get(reverse("desk:case", args=[case.pk])).content.decode()
    client.post(reverse("desk:check", args=[case.pk]))
    assert not Job.objects.filter(kind=FETCH_JOB).exists()


def test_a_viewer_cannot_ask_for_a_check(as_user, viewer, site, case):
    site.fetch_articles = True
    site.save()
    response = as_user(viewer).post(reverse("desk:check", args=[case.pk]))
    assert response.status_code == 403
    assert not Job.objects.filter(kind=FETCH_JOB).exists()
