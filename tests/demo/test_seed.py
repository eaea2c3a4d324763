"""The demo's first readers: a desk that shows what Corrigo does before anyone reports."""

import pytest

from corrigo.reports.models import AnchorStatus, Case, CaseStatus, Report

pytestmark = pytest.mark.django_db

PAGE = "http://127.0.0.1:8000/"


@pytest.fixture
def demo_site():
    from corrigo.demo.setup import ensure_demo

    return ensure_demo(8000, "editor", "corrigo-demo")


def _seed(site) -> int:
    from corrigo.demo.setup import seed_demo_reports

    return seed_demo_reports(site, PAGE)


def test_seeded_reports_make_three_cases_one_of_them_looking_fixed(demo_site):
    assert _seed(demo_site) == 5
    cases = {case.exact: case for case in Case.objects.filter(site=demo_site).select_related("anchor_version")}
    assert set(cases) == {"€18,000", "Augest", ""}
    fixed = cases["€18,000"]
    assert (fixed.report_count, fixed.category, fixed.anchor_status) == (2, "fact", AnchorStatus.CHANGED)
    # The anchor points at the corrected figure in the article as it is now.
    assert fixed.anchor_version.text[fixed.anchor_start:fixed.anchor_end] == "€180,000"
    assert (cases["Augest"].report_count, cases["Augest"].anchor_status) == (2, AnchorStatus.UNCHANGED)
    assert all(case.status == CaseStatus.OPEN for case in cases.values())


def test_seeding_again_stores_nothing(demo_site):
    _seed(demo_site)
    assert _seed(demo_site) == 0
    assert Report.objects.count() == 5


def test_the_seeded_text_is_the_text_the_widget_reads_on_the_demo_page(demo_site, client, settings):
    """A reader who reports the same typo on the page joins the seeded case."""
    from corrigo.anchoring import article_text
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report

    settings.DEMO = True
    _seed(demo_site)
    page = client.get("/").content.decode()
    text = article_text(page, demo_site.article_selector, demo_site.ignore_selectors.split(","))
    start = text.index("Augest to March")
    report = ReportIn.model_validate({
        "site": "demo", "url": PAGE, "article_id": "demo-ferry-2026", "article_text": text,
        "quote": {"exact": "Augest to March", "start": start, "end": start + 15}, "client_report_id": "a-real-reader-1",
    })
    submission = submit_report(demo_site, report)
    assert submission.case_id == Case.objects.get(exact="Augest").pk
    assert Case.objects.get(pk=submission.case_id).report_count == 3
    # Same text, same version: the seed did not invent a version the page never had.
    versions = dict(Report.objects.values_list("client_report_id", "version_id"))
    assert versions["a-real-reader-1"] == versions["demo-seed-03"]
