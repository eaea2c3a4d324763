"""The loader works from the first moment; the rest of the widget arrives on first use.

The lazy part (ui.js) is held back by the fake web, as a slow network would: the keys,
the "write to us" link and the touch button must already be answered, and what the
reader selected at the key press is what the dialog quotes when the code arrives.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import CORRIGO, host_page, select
from tests.browser.pages.fixtures import ARTICLE, dialog, goto, marked_quote, press_report, publisher, stored_reports, web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)
LAZY = "/widget/ui.js"


def _wait_until_asked(page, web) -> None:
    web.wait_until(page, lambda: bool(web.held_files), "a request for the lazy part")


def test_ctrl_enter_before_the_code_arrives_quotes_what_was_selected_at_the_key_press(page, web, publisher):
    web.slow_files.add(LAZY)
    goto(page, web, HTML)
    select(page, "old customs house")
    assert press_report(page) is True  # taken at once, before any code has arrived
    _wait_until_asked(page, web)
    # While the code is on its way the reader selects other words and the page changes.
    select(page, "crab festival returns")
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'Live: the quay is busy.';
        document.querySelector('.story').prepend(p) }""")
    assert press_report(page) is False  # one dialog at a time: already opening
    assert dialog(page).count() == 0
    web.release_files()
    assert marked_quote(page) == "old customs house"
    assert dialog(page).count() == 1
    dialog(page).get_by_role("button", name="Send").click()
    dialog(page).get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.exact == "old customs house"
    assert report.version.text.startswith("Live: the quay is busy.\nThe 🦀 crab festival")
    assert report.version.text[report.start : report.end] == "old customs house"


def test_write_to_us_before_the_code_arrives_opens_the_general_form(page, web, publisher):
    web.slow_files.add(LAZY)
    goto(page, web, HTML)
    page.click("#open")
    assert page.evaluate("location.hash") == ""  # the link's navigation was stopped at once
    _wait_until_asked(page, web)
    web.release_files()
    expect(page.get_by_role("dialog", name="Write to the editors")).to_be_visible()


def test_the_lazy_part_is_asked_for_once_however_often_the_reader_asks(page, web, publisher):
    web.slow_files.add(LAZY)
    goto(page, web, HTML)
    select(page, "old customs house")
    press_report(page)
    page.click("#open")
    page.evaluate("Corrigo.open()")
    _wait_until_asked(page, web)
    web.release_files()
    assert marked_quote(page) == "old customs house"  # the first request wins
    assert web.corrigo_requests().count(CORRIGO + LAZY) == 1


@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 700})
def test_the_touch_button_appears_once_the_code_arrives(page, web, publisher):
    web.slow_files.add(LAZY)
    goto(page, web, HTML)
    select(page, "old customs house")
    _wait_until_asked(page, web)  # a settled selection asks for the lazy part
    web.release_files()
    button = page.get_by_role("button", name="Report a mistake")
    expect(button).to_be_visible()
    button.tap()
    assert marked_quote(page) == "old customs house"
