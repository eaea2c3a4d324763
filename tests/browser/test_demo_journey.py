"""The demo end to end: a reader reports a mistake, an editor finds the case in the desk.

The desk's side is checked through what an editor reads there (the quote and "1 report"),
not through its markup: that is what this journey promises the editor, and the desk's own
tests cover its layout.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import select
from tests.browser.pages.fixtures import send_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_reports_a_mistake_and_the_editor_sees_the_case(page, demo_server):
    from corrigo.cli import DEMO_PASSWORD, DEMO_USER
    from corrigo.reports.models import Report

    page.goto(demo_server.url + "/")
    page.wait_for_function("() => window.Corrigo")
    select(page, "Augest to March")
    form = send_report(page, "August to March")
    expect(form.get_by_role("status")).to_have_text("Thank you! The editors have received your report.")

    report = Report.objects.select_related("site", "version").exclude(client_report_id__startswith="demo-seed-").get()
    assert (report.site.key, report.exact, report.suggestion) == ("demo", "Augest to March", "August to March")
    assert report.version.text[report.start : report.end] == "Augest to March"
    # The ad slot and the teaser are not part of the article text the desk will show.
    assert "Winter tyres" not in report.version.text and "Other stories" not in report.version.text
    # Two demo readers reported "Augest" before: this reader joins their case.
    assert report.case.exact == "Augest" and report.case.report_count == 3

    page.goto(demo_server.url + "/desk/login/")
    page.get_by_label(re.compile("user", re.I)).fill(DEMO_USER)
    page.get_by_label(re.compile("password", re.I)).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    augest = page.locator(f'[data-case-id="{report.case_id}"]')
    expect(augest).to_contain_text("Augest")
    # Three readers, one case: the desk counts them as "3 readers".
    expect(augest.get_by_text(re.compile(r"\b3 readers\b"))).to_be_visible()
    # The demo's figure, fixed in a later version of the article, shows as "looks fixed".
    expect(page.locator("li.case").filter(has_text="€18,000").get_by_text(re.compile("looks fixed", re.I))).to_be_visible()
