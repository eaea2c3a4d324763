"""Corrections out, end to end in Chromium: an editor fixes a case with a notice on the desk;
readers see it on the corrections page, in the feed and in the demo article's notices box,
and a retraction shows as one."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, server):
    from corrigo.cli import DEMO_PASSWORD, DEMO_USER

    page.goto(server.url + "/desk/login/")
    page.get_by_label(re.compile("user", re.I)).fill(DEMO_USER)
    page.get_by_label(re.compile("password", re.I)).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    expect(page).to_have_url(server.url + "/desk/")


def fix_with_notice(page, server, case, kind=None, text=None):
    page.goto(f"{server.url}/desk/cases/{case.pk}/")
    page.get_by_text("Fixed, with a notice…").click()
    form = page.locator("[data-notice-form]")
    if kind:
        form.get_by_label("Kind").select_option(kind)
    if text:
        form.get_by_label("Notice").fill(text)
    form.get_by_role("button", name="Fixed, with a notice").click()
    expect(page.get_by_text(re.compile(r"marked fixed; the .* is published"))).to_be_visible()


def test_a_notice_written_on_the_desk_reaches_the_page_the_feed_and_the_article(page, demo_server):
    from corrigo.reports.models import Case

    augest = Case.objects.get(site__key="demo", exact="Augest")
    figure = Case.objects.get(site__key="demo", exact__contains="18,000")
    log_in(page, demo_server)
    fix_with_notice(page, demo_server, augest)  # the draft as prefilled, in the site's language
    draft = "An earlier version of this article said “Augest”"
    fix_with_notice(page, demo_server, figure, kind="retraction", text="We retract the figure <b>€18,000</b>.")

    page.goto(demo_server.url + "/corrections/demo/")
    notices = page.locator("ol.notices > li")
    expect(notices).to_have_count(2)
    expect(notices.first).to_have_attribute("data-kind", "retraction")
    expect(notices.first.locator(".kind")).to_have_text("Retraction:")
    expect(notices.first).to_contain_text("We retract the figure <b>€18,000</b>.")  # as text, not markup
    expect(notices.nth(1)).to_contain_text(draft)

    feed = page.request.get(demo_server.url + "/corrections/demo/feed.atom").text()
    assert feed.count("<entry>") == 2 and "Retraction: " in feed and "Augest" in feed

    # The demo article shows its notices in its box once it is in view.
    page.goto(demo_server.url + "/")
    box = page.locator("[data-corrigo-notices]")
    box.scroll_into_view_if_needed()
    expect(box.get_by_role("region", name="Corrections to this article").locator(".corrigo-notice")).to_have_count(2)
    expect(box.locator(".corrigo-retraction")).to_contain_text("Retraction")
    expect(box.locator(".corrigo-retraction")).to_contain_text("We retract the figure <b>€18,000</b>.")
    expect(box.locator(".corrigo-correction")).to_contain_text(draft)
    assert box.locator("b").count() == 0


def article_page(box: bool) -> str:
    spacer = "<p>Paragraph.</p>" * 200  # the box, when there is one, starts far below the fold
    notices = "<div data-corrigo-notices></div>" if box else ""
    return (
        '<!doctype html><html lang="en"><head><title>Test article</title></head><body>'
        f'<article data-article-id="demo-ferry-2026">{spacer}{notices}</article>'
        '<script src="/widget.js" data-site="demo"></script></body></html>'
    )


def notice_requests(page, server, box: bool) -> list[str]:
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.route(server.url + "/test-article", lambda route: route.fulfill(body=article_page(box), content_type="text/html"))
    page.goto(server.url + "/test-article")
    page.wait_for_function("() => window.Corrigo")
    page.wait_for_load_state("networkidle")
    before_scrolling = [url for url in asked if "notices" in url]
    page.mouse.wheel(0, 100_000)
    page.wait_for_load_state("networkidle")
    if box:
        expect(page.locator("[data-corrigo-notices]")).to_have_attribute("data-corrigo-shown", "0")
    return before_scrolling, [url for url in asked if "notices" in url]


def test_the_box_is_filled_only_when_it_nears_the_viewport_and_a_page_without_it_asks_nothing(page, demo_server):
    before, after = notice_requests(page, demo_server, box=True)
    assert before == []
    assert any("/widget/notices.js" in url for url in after)
    assert any("/api/v1/notices?site=demo&article_id=demo-ferry-2026" in url for url in after)
    page.unroute_all()
    before, after = notice_requests(page.context.new_page(), demo_server, box=False)
    assert before == after == []
