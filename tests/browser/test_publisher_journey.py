"""The publisher's journey in the demo: a reader reports a typo, the CMS pushes the fix, the
desk shows the case looking fixed with the word that changed, and another reader disputes it."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.pages import select
from tests.browser.pages.fixtures import send_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def push_the_fix(server_url: str, token: str) -> dict:
    """What the newsroom's CMS does on update: POST the corrected page to the push API."""
    with urllib.request.urlopen(server_url + "/") as answer:  # the page as it is published now
        html = answer.read().decode().replace("Augest", "August")
    body = {
        "site": "demo",
        "url": server_url + "/",
        "article_id": "demo-ferry-2026",
        "modified_at": "2026-11-13T09:00:00Z",
        "html": html,
    }
    request = urllib.request.Request(
        server_url + "/api/v1/articles",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201
        return json.loads(answer.read())


def report_on_the_page(page, url: str, exact: str, suggestion: str) -> None:
    page.goto(url + "/")
    page.wait_for_function("() => window.Corrigo")
    select(page, exact)
    form = send_report(page, suggestion)
    expect(form.get_by_role("status")).to_have_text("Thank you! The editors have received your report.")


def test_the_cms_fixes_a_reported_typo_and_a_reader_disputes_the_fix(page, demo_server):
    from corrigo.cli import DEMO_PASSWORD, DEMO_USER
    from corrigo.demo.setup import DEMO_SITE
    from corrigo.reports.models import Case
    from corrigo.sites.models import Site
    from corrigo.sites.services import create_token

    report_on_the_page(page, demo_server.url, "Augest to March", "August to March")
    case = Case.objects.get(exact="Augest")
    assert case.report_count == 3

    answer = push_the_fix(demo_server.url, create_token(Site.objects.get(key=DEMO_SITE), scopes=["publish"]))
    assert {"id": case.pk, "status": "changed"} in [{"id": c["id"], "status": c["anchor"]["status"]} for c in answer["cases"]]

    page.goto(demo_server.url + f"/desk/cases/{case.pk}/")
    page.get_by_label(re.compile("user", re.I)).fill(DEMO_USER)
    page.get_by_label(re.compile("password", re.I)).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    expect(page.locator("[data-anchor]")).to_have_text("Looks fixed")
    diff = page.locator("[data-passage-diff]")
    expect(diff.locator("del")).to_have_text("Augest")
    expect(diff.locator("ins")).to_have_text("August")
    expect(page.locator('[data-source="publisher"]')).to_have_count(3)
    expect(page.get_by_text("Disputed")).to_have_count(0)

    # The article page now shows the published fix; another reader still finds it wrong.
    report_on_the_page(page, demo_server.url, "August to March", "from August to April")
    page.goto(demo_server.url + f"/desk/cases/{case.pk}/")
    expect(page.locator("[data-disputed]")).to_have_text("Disputed")
    page.goto(demo_server.url + "/desk/")
    expect(page.locator(f'[data-case-id="{case.pk}"] [data-disputed]')).to_be_visible()
