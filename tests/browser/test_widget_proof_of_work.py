"""Proof of work in Chromium: the dialog fetches a challenge, and a report the site asks work of is solved and sent."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import host_page, select
from tests.browser.pages.fixtures import ARTICLE, goto, publisher, send_report, stored_reports, web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)


def challenge_requests(page) -> list[str]:
    return page.evaluate(
        "performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/v1/challenge'))"
    )


def _always(site):
    from corrigo.sites.services import set_intake_limits

    set_intake_limits(site, challenge="always")


@pytest.mark.parametrize("policy", ["strict", "none"], ids=["main thread under the strict policy", "web worker"])
def test_a_report_the_site_asks_work_of_is_solved_and_sent(page, web, publisher, policy):
    from corrigo.reports.models import SpentChallenge

    _always(publisher)
    goto(page, web, HTML, **({} if policy == "strict" else {"csp": None}))
    assert challenge_requests(page) == []  # never on page view
    select(page, "old customs house")
    form = send_report(page, "old custom house")
    expect(form.get_by_role("status")).to_contain_text("Thank you!", timeout=30_000)
    assert len(challenge_requests(page)) == 1  # fetched when the dialog opened
    (report,) = stored_reports()
    assert report.suggestion == "old custom house"
    assert SpentChallenge.objects.count() == 1


def test_a_site_that_asks_no_work_costs_one_challenge_request_and_no_solving(page, web, publisher):
    from corrigo.reports.models import SpentChallenge

    goto(page, web, HTML)
    select(page, "old customs house")
    form = send_report(page, "old custom house")
    expect(form.get_by_role("status")).to_contain_text("Thank you!")
    assert len(challenge_requests(page)) == 1
    assert SpentChallenge.objects.count() == 0
    assert len(stored_reports()) == 1
