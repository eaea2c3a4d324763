"""Where each article text came from, and who may move a case: the publisher, a fetch, or readers who agree."""

import json
from datetime import UTC, datetime

import pytest

from corrigo.articles.models import Article, ArticleVersion
from corrigo.articles.publishing import PublishedText, publish_text
from corrigo.jobs.models import Job
from corrigo.lib.urls import canonical_url
from corrigo.notify.events import DISPATCH
from corrigo.reports.models import Case, Report
from tests.conftest import ORIGIN, V1, V2, V3, payload

FORGED = "Harbour town abolishes its ferry\nNothing here matches what readers saw, Augest or not."
URL = canonical_url(payload()["url"])


def report(client, exact, text, reader=1):
    """A report from reader number `reader` (each reader has its own address, so its own client hash)."""
    response = client.post(
        "/api/v1/reports",
        json.dumps(payload(exact, text=text)),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
        REMOTE_ADDR=f"192.0.2.{reader}",
    )
    assert response.status_code == 201, response.content
    return Report.objects.get(uid=response.json()["id"])


def publish(site, text, **fields):
    return publish_text(site, PublishedText(url=URL, text=text, **fields))


def anchor(case_id):
    case = Case.objects.get(pk=case_id)
    return case.anchor_status, case.anchor_version_id


@pytest.fixture
def fetching_site(site):
    site.fetch_articles = True
    site.save()
    return site


def test_a_report_keeps_its_text_as_a_readers_copy(client, site):
    first = report(client, "Augest", V1)
    version = ArticleVersion.objects.get(pk=first.version_id)
    assert version.source == "reader"
    assert Article.objects.get().published_version_id is None


def test_one_report_with_an_invented_text_moves_no_case(client, site):
    first = report(client, "Augest", V1)
    before = anchor(first.case_id)
    forged = report(client, "Augest", FORGED)
    assert anchor(first.case_id) == before
    article = Article.objects.get()
    assert article.latest_version_id == first.version_id
    assert article.published_version_id is None
    assert ArticleVersion.objects.get(pk=forged.version_id).source == "reader"


def test_one_report_with_an_invented_text_moves_no_case_where_the_publisher_pushes(client, site):
    published = publish(site, V1)
    first = report(client, "Augest", V1)
    report(client, "Augest", FORGED)
    assert anchor(first.case_id) == ("unchanged", published.version_id)
    assert Article.objects.get().published_version_id == published.version_id


def test_the_same_new_text_from_a_second_report_moves_the_cases(client, site):
    """The corroboration rule of sites with neither push nor fetching (decision 0021)."""
    first = report(client, "Augest", V1)
    one = report(client, "340 islanders", V2, reader=2)
    assert anchor(first.case_id) == ("unchanged", first.version_id)
    report(client, "Ana Lind", V2, reader=3)
    assert anchor(first.case_id) == ("changed", one.version_id)
    assert Article.objects.get().published_version_id is None  # still only readers' copies


def test_the_same_new_text_twice_from_one_reader_moves_nothing(client, site):
    """Corroboration needs another reader: one client's second report is no second opinion."""
    first = report(client, "Augest", V1)
    report(client, "340 islanders", V2, reader=2)
    report(client, "Ana Lind", V2, reader=2)
    assert anchor(first.case_id) == ("unchanged", first.version_id)
    assert Article.objects.get().latest_version_id == first.version_id


def test_a_stale_copy_never_moves_an_anchor_back(client, site):
    first = report(client, "Augest", V1)
    report(client, "340 islanders", V2, reader=2)
    newer = report(client, "Ana Lind", V2, reader=3)
    # Two readers with tabs opened before the fix.
    report(client, "340 islanders", V1, reader=4)
    report(client, "Ana Lind", V1, reader=5)
    assert anchor(first.case_id) == ("changed", newer.version_id)
    assert Article.objects.get().latest_version_id == newer.version_id


def test_a_stale_copy_never_moves_an_anchor_back_where_the_publisher_pushes(client, site):
    publish(site, V1)
    first = report(client, "Augest", V1)
    fixed = publish(site, V2)
    report(client, "340 islanders", V1)
    report(client, "Ana Lind", V1)
    assert anchor(first.case_id) == ("changed", fixed.version_id)


def test_readers_copies_never_decide_anchors_where_the_publisher_pushes(client, site):
    published = publish(site, V1)
    first = report(client, "Augest", V1)
    report(client, "340 islanders", V2)
    report(client, "Ana Lind", V2)
    assert anchor(first.case_id) == ("unchanged", published.version_id)
    assert Article.objects.get().latest_version_id == published.version_id


def test_readers_copies_never_decide_anchors_where_corrigo_fetches(client, fetching_site):
    first = report(client, "Augest", V1)
    report(client, "340 islanders", V2)
    report(client, "Ana Lind", V2)
    assert anchor(first.case_id)[1] in (None, first.version_id)
    assert Article.objects.get().latest_version_id is None
    assert Case.objects.get(pk=first.case_id).anchor_status == ""


def test_a_push_older_than_the_published_text_moves_nothing(client, site):
    """CMS hooks can arrive out of order: the later modified_at wins."""
    publish(site, V1, modified_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    first = report(client, "Augest", V1)
    fixed = publish(site, V2, modified_at=datetime(2026, 3, 1, 11, tzinfo=UTC))
    late = publish(site, V3, modified_at=datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert late.new and not late.followed and late.cases == []
    assert anchor(first.case_id) == ("changed", fixed.version_id)
    assert Article.objects.get().published_version_id == fixed.version_id


def test_a_text_published_before_leads_again_only_with_a_later_time(client, site):
    old = publish(site, V1, modified_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    first = report(client, "Augest", V1)
    publish(site, V2, modified_at=datetime(2026, 3, 1, 11, tzinfo=UTC))
    assert not publish(site, V1).followed  # no time: a replay of the old text
    revert = publish(site, V1, modified_at=datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert (revert.new, revert.followed, revert.version_id) == (False, True, old.version_id)
    assert anchor(first.case_id) == ("unchanged", old.version_id)


def test_a_readers_copy_the_publisher_pushes_becomes_published(client, site):
    first = report(client, "Augest", V1)
    published = publish(site, V1, published_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    assert (published.new, published.version_id) == (False, first.version_id)
    version = ArticleVersion.objects.get(pk=first.version_id)
    assert (version.source, version.published_at) == ("publisher", datetime(2026, 3, 1, 9, tzinfo=UTC))
    assert Article.objects.get().published_version_id == first.version_id


def test_the_first_push_makes_the_site_follow_its_publisher(site):
    assert not site.follows_publisher
    publish(site, V1)
    site.refresh_from_db()
    assert site.receives_pushes and site.follows_publisher


def _events(kind):
    return [job.payload["case_id"] for job in Job.objects.filter(kind=DISPATCH) if job.payload["type"] == kind]


def test_a_push_that_fixes_the_passage_says_the_case_looks_fixed(client, site):
    first = report(client, "Augest", V1)
    publish(site, V2)
    assert _events("case.looks_fixed") == [first.case_id]
    assert _events("case.passage_gone") == []


def test_a_push_that_cuts_the_passage_says_it_is_gone(client, site):
    first = report(client, "Augest", V1)
    kept = report(client, "340 islanders", V1)
    publish(site, V3)
    assert _events("case.passage_gone") == [first.case_id]
    assert kept.case_id not in _events("case.looks_fixed")


def test_a_case_already_looking_fixed_is_not_told_twice(client, site):
    first = report(client, "Augest", V1)
    publish(site, V2)
    publish(site, "Updated at 11:00.\n" + V2)
    assert _events("case.looks_fixed") == [first.case_id]
