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
    assert fixed.anchor_version.text[fixed.anchor_start : fixed.anchor_end] == "€180,000"
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
    text = article_text(page, demo_site.article_selector, demo_site.ignore_selectors)
    start = text.index("Augest to March")
    report = ReportIn.model_validate(
        {
            "site": "demo",
            "url": PAGE,
            "article_id": "demo-ferry-2026",
            "article_text": text,
            "quote": {"exact": "Augest to March", "start": start, "end": start + 15},
            "client_report_id": "a-real-reader-1",
        }
    )
    submission = submit_report(demo_site, report)
    assert submission.case_id == Case.objects.get(exact="Augest").pk
    assert Case.objects.get(pk=submission.case_id).report_count == 3
    # Same text, same version: the seed did not invent a version the page never had.
    versions = dict(Report.objects.values_list("client_report_id", "version_id"))
    assert versions["a-real-reader-1"] == versions["demo-seed-03"]


def _report_on_the_page(client, site, exact: str, number: int):
    from corrigo.anchoring import article_text
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report

    text = article_text(client.get("/").content.decode(), site.article_selector, site.ignore_selectors)
    start = text.index(exact)
    return submit_report(
        site,
        ReportIn.model_validate(
            {
                "site": "demo",
                "url": PAGE,
                "article_id": "demo-ferry-2026",
                "article_text": text,
                "quote": {"exact": exact, "start": start, "end": start + len(exact)},
                "client_report_id": f"a-real-reader-{number}",
            }
        ),
    )


def test_a_demo_already_in_use_is_not_seeded_and_keeps_its_latest_text(demo_site, client, settings):
    from corrigo.articles.models import Article

    settings.DEMO = True
    _report_on_the_page(client, demo_site, "€180,000", 1)  # a reader before this version of Corrigo
    latest = Article.objects.get().latest_version_id
    assert _seed(demo_site) == 0
    assert Article.objects.get().latest_version_id == latest
    assert Report.objects.count() == 1


def test_seeding_does_not_depend_on_selectors_the_admin_edited(demo_site):
    # An ignore selector that hides every paragraph would leave no passage to quote.
    demo_site.ignore_selectors = ".ad-slot, .teaser, p"
    demo_site.save()
    assert _seed(demo_site) == 5


def test_the_demo_article_versions_come_from_the_publisher(demo_site):
    from corrigo.articles.models import Article, ArticleVersion

    _seed(demo_site)
    article = Article.objects.get()
    assert list(ArticleVersion.objects.values_list("source", flat=True)) == ["publisher", "publisher"]
    assert "€180,000" in article.published_version.text
    assert article.latest_version_id == article.published_version_id
    demo_site.refresh_from_db()
    assert demo_site.receives_pushes and demo_site.fetch_articles


def test_the_demo_page_shows_the_latest_published_text(demo_site, client, settings):
    from corrigo.anchoring import article_text
    from corrigo.articles.models import Article
    from corrigo.articles.publishing import PublishedText, publish_text

    settings.DEMO = True
    _seed(demo_site)
    article = Article.objects.get()
    pushed = article.published_version.text.replace("Augest", "August") + "\nCorrection: an earlier version misspelt August."
    publish_text(demo_site, PublishedText(url=article.url, text=pushed, external_id=article.external_id))
    page = client.get("/").content.decode()
    assert article_text(page, demo_site.article_selector, demo_site.ignore_selectors) == pushed
    assert "Winter tyres" in page  # the ad slot is still on the page, outside the article text


def test_pushing_the_demo_page_with_the_typo_fixed_makes_its_case_look_fixed(demo_site, client, settings):
    """README.md's curl example, through the test client."""
    import json

    from corrigo.sites.services import create_token

    settings.DEMO = True
    _seed(demo_site)
    page = client.get("/").content.decode().replace("Augest", "August")
    body = {"site": "demo", "url": PAGE, "article_id": "demo-ferry-2026", "modified_at": "2026-11-13T09:00:00Z", "html": page}
    token = create_token(demo_site, scopes=["publish"])
    response = client.post(
        "/api/v1/articles", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201, response.content
    typo = Case.objects.get(exact="Augest")
    assert typo.anchor_status == AnchorStatus.CHANGED
    assert typo.pk in [case["id"] for case in response.json()["cases"]]
