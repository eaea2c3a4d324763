"""On a phone there is no Ctrl+Enter: a button appears next to a settled selection."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import host_page, select
from tests.browser.pages.fixtures import ARTICLE, dialog, goto, marked_quote, publisher, stored_reports, violations, web
from tests.browser.test_widget_i18n import strings

PHONE = {"has_touch": True, "is_mobile": True, "viewport": {"width": 390, "height": 700}, "device_scale_factor": 2}
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.browser_context_args(**PHONE)]

HTML = host_page("article.html", **ARTICLE)


def _fab(page, name="Report a mistake"):
    return page.get_by_role("button", name=name)


def _selection_box(page) -> dict:
    return page.evaluate("""() => { const rects = getSelection().getRangeAt(0).getClientRects();
        const last = rects[rects.length - 1]; return {top: rects[0].top, bottom: last.bottom} }""")


def test_a_selection_gets_a_report_button_next_to_it_and_a_tap_reports(page, web, publisher):
    goto(page, web, HTML)
    assert page.evaluate("navigator.maxTouchPoints") > 0
    select(page, "old customs house")
    fab = _fab(page)
    expect(fab).to_be_visible()
    box, sel = fab.bounding_box(), _selection_box(page)
    assert box["width"] >= 44 and box["height"] >= 44
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] >= 0 and box["y"] + box["height"] <= 700
    assert sel["bottom"] <= box["y"] <= sel["bottom"] + 40  # just under the selection's end

    fab.tap()
    assert marked_quote(page) == "old customs house"
    expect(fab).to_be_hidden()
    dialog(page).get_by_role("button", name="Send").tap()
    dialog(page).get_by_text("Thank you!").wait_for()
    assert [r.exact for r in stored_reports()] == ["old customs house"]
    assert violations(page) == []  # its position is set through the CSSOM, which style-src allows


def test_the_button_goes_away_with_the_selection(page, web, publisher):
    goto(page, web, HTML)
    select(page, "crab festival")
    expect(_fab(page)).to_be_visible()
    page.evaluate("getSelection().removeAllRanges()")
    expect(_fab(page)).to_be_hidden()


@pytest.mark.parametrize("text", ["The Test Gazette", "winter tyres", "write to us"])
def test_no_button_for_text_outside_the_article_or_in_an_ad(page, web, publisher, text):
    goto(page, web, HTML)
    select(page, text)
    page.evaluate("() => new Promise((done) => setTimeout(done, 600))")  # past the debounce
    expect(_fab(page)).to_have_count(0)
    select(page, "crab festival")  # the control case
    expect(_fab(page)).to_be_visible()


def test_a_selection_at_the_bottom_of_the_screen_gets_the_button_above_it(page, web, publisher):
    goto(page, web, HTML.replace("<main>", '<main><div id="spacer"></div>'))
    # Put the first paragraph at the very bottom of the viewport.
    page.evaluate("""() => { const p = document.querySelector('#p1');
        document.querySelector('#spacer').style.height = (innerHeight - p.getBoundingClientRect().height - 4) + 'px';
        p.scrollIntoView({block: 'end'}) }""")
    select(page, "break, the organisers said")
    fab = _fab(page)
    expect(fab).to_be_visible()
    box, sel = fab.bounding_box(), _selection_box(page)
    assert box["y"] + box["height"] <= sel["top"]
    assert box["y"] >= 0


def test_the_button_speaks_the_readers_language(page, web, publisher):
    goto(page, web, host_page("article.html", lang="uk", **ARTICLE))
    select(page, "crab festival")
    fab = _fab(page, "Повідомити про помилку")
    expect(fab).to_be_visible()
    assert fab.get_attribute("lang") == "uk"


def test_a_selection_in_the_headline_gets_the_button_and_the_reader_is_told_why(page, web, publisher):
    """The headline is outside this site's root: the tap opens the general form, saying so."""
    goto(page, web, HTML)
    select(page, "Crab festival returns", scope="h1")
    fab = _fab(page)
    expect(fab).to_be_visible()
    fab.tap()
    form = page.get_by_role("dialog", name="Write to the editors")
    expect(form.locator(".why")).to_have_text(strings("en")["whyHeadline"])
    expect(form.get_by_label("Your message")).to_have_value("“Crab festival returns”\n")
