"""Re-anchoring in the product: new article texts re-find open cases, and reports meet their case across versions."""

import json

from corrigo.articles.models import ArticleVersion
from corrigo.articles.publishing import PublishedText, publish_text
from corrigo.lib.urls import canonical_url
from corrigo.reports.models import Case, CaseStatus, Report
from corrigo.sites.services import create_token
from tests.conftest import ORIGIN, V1, V2, V3, payload


def report(client, exact, text, **fields):
    response = client.post(
        "/api/v1/reports", json.dumps(payload(exact, text=text, **fields)), content_type="text/plain", HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 201, response.content
    return Report.objects.get(uid=response.json()["id"])


def publish(site, text):
    """The CMS pushes a new text of the article the reports are about."""
    return publish_text(site, PublishedText(url=canonical_url(payload()["url"]), text=text))


def test_fixed_typo_shows_as_looks_fixed(client, site):
    first = report(client, "Augest", V1)
    later = publish(site, V2)
    case = Case.objects.get(pk=first.case_id)
    assert case.anchor_status == "changed"
    assert case.anchor_version_id == later.version_id
    assert V2[case.anchor_start : case.anchor_end] == "August"
    # Checked when the publisher brought the new text, stored as that same instant.
    assert case.anchor_checked_at == ArticleVersion.objects.get(pk=later.version_id).created_at


def test_re_anchoring_a_case_is_an_update_of_it(client, site):
    """An integrator who syncs cases by updated_at learns that one looks fixed."""
    first = report(client, "Augest", V1)
    later = publish(site, V2)
    case = Case.objects.get(pk=first.case_id)
    assert case.report_count == 1
    assert case.created_at == first.created_at
    assert case.updated_at == ArticleVersion.objects.get(pk=later.version_id).created_at


def test_untouched_passage_moves_with_the_text(client, site):
    first = report(client, "340 islanders", V1)
    publish(site, V2)
    case = Case.objects.get(pk=first.case_id)
    assert case.anchor_status == "unchanged"
    assert V2[case.anchor_start : case.anchor_end] == "340 islanders"
    assert case.anchor_start == first.start + len("Updated at 10:00.\n")


def test_deleted_passage_is_gone(client, site):
    first = report(client, "Augest", V1)
    publish(site, V3)
    case = Case.objects.get(pk=first.case_id)
    assert case.anchor_status == "gone"
    assert case.anchor_start is None and case.anchor_end is None


def test_reports_join_one_case_across_versions(client, site):
    first = report(client, "340 islanders", V1)
    publish(site, V2)
    second = report(client, "340 islanders", V2)  # same passage, new offsets
    assert second.start != first.start
    assert second.case_id == first.case_id
    assert Case.objects.get(pk=first.case_id).report_count == 2


def test_different_passages_stay_apart_across_versions(client, site):
    first = report(client, "340 islanders", V1)
    second = report(client, "Ana Lind", V2)
    assert second.case_id != first.case_id


def test_slightly_different_selections_of_one_mistake_make_one_case(client, site):
    a = report(client, "Augest", V1)
    b = report(client, "from Augest 25th", V1)
    c = report(client, "Augest 25th to", V1)
    assert a.case_id == b.case_id == c.case_id
    assert Case.objects.get().report_count == 3


def test_closed_cases_keep_their_last_anchor(client, site):
    first = report(client, "Augest", V1)
    Case.objects.filter(pk=first.case_id).update(status=CaseStatus.FIXED)
    publish(site, V2)
    case = Case.objects.get(pk=first.case_id)
    assert (case.anchor_status, case.anchor_version_id) == ("unchanged", first.version_id)


def test_a_report_on_an_older_text_is_anchored_in_the_latest(client, site):
    report(client, "Ana Lind", V1)
    publish(site, V2)  # V2 is now the latest text
    old = report(client, "Augest", V1)  # a reader still on the old page
    case = Case.objects.get(pk=old.case_id)
    assert case.version_id == old.version_id
    assert case.anchor_status == "changed"
    assert V2[case.anchor_start : case.anchor_end] == "August"


def test_the_read_api_shows_the_anchor(client, site):
    first = report(client, "Augest", V1)
    later = publish(site, V2)
    token = create_token(site)
    body = client.get(f"/api/v1/cases/{first.case_id}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    anchor = body["anchor"]
    assert anchor["status"] == "changed"
    assert anchor["version_id"] == later.version_id
    assert V2[anchor["start"] : anchor["end"]] == "August"
    assert anchor["checked_at"]
