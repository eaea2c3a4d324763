"""A page with shadow DOM of its own: components inside the article and fields outside it.

A selection inside a component's own shadow tree is not article text: it opens the general
form saying why (test_widget_unquotable.py)."""

import pytest
from playwright.sync_api import expect

from corrigo.anchoring import article_text
from tests.browser.pages import host_page, select
from tests.browser.pages.fixtures import dialog, errors, goto, marked_quote, press_report, publisher, stored_reports, web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("shadow.html", article=".story")
TEXT = article_text(HTML, ".story")


def test_server_and_widget_agree_on_a_page_with_shadow_roots(page, web, publisher):
    goto(page, web, HTML)
    # Shadow content is not article text on either side; slotted light-DOM text is.
    assert "Video" not in TEXT and "Slotted caption about the crossing" in TEXT
    assert page.evaluate("Corrigo._textModel('.story')") == TEXT


def test_selection_across_a_component_is_reported(page, web, publisher):
    goto(page, web, HTML)
    select(page, "the council spoke", "After the player")
    assert press_report(page) is True
    expected = TEXT[TEXT.index("the council spoke") : TEXT.index("After the player") + len("After the player")]
    assert marked_quote(page) == expected
    dialog(page).get_by_role("button", name="Send").click()
    dialog(page).get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.exact == expected and report.version.text == TEXT


@pytest.mark.parametrize(("host", "field"), [("comment-box", "#shadow-comment"), ("#card", "#clip-search")])
def test_typing_in_a_shadow_dom_field_keeps_ctrl_enter_for_the_page(page, web, publisher, host, field):
    goto(page, web, HTML)
    page.locator(f"{host} {field}").focus()
    select(page, "ferry left the pier")  # article text is selected, but the reader is typing
    assert page.evaluate("(h) => document.activeElement === document.querySelector(h)", host)
    assert press_report(page) is False
    page.evaluate("document.activeElement.blur()")
    select(page, "ferry left the pier")
    assert press_report(page) is True
    expect(dialog(page)).to_be_visible()
