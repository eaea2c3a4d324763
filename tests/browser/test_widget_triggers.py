"""What opens the widget, and what must not: Ctrl/⌘+Enter, "write to us" links, silence.

Every "does not open" case is followed by a case that does, so a dialog opened late by
mistake would show up as the wrong quote or as a second dialog. Selections the widget
cannot quote (outside the root, in an ignored block, in the headline) open the general
form: test_widget_unquotable.py.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import host_page, select
from tests.browser.pages.fixtures import (
    ARTICLE,
    dialog,
    errors,
    goto,
    marked_quote,
    press_report,
    publisher,
    stored_reports,
    violations,
    web,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_with_a_good_selection(page) -> None:
    """The control case: a selection in the article body does open the dialog."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    select(page, "crab festival returns")
    assert press_report(page) is True
    assert marked_quote(page) == "crab festival returns"
    assert dialog(page).count() == 1


@pytest.mark.parametrize("keys", ["Control+Enter", "Meta+Enter"])
def test_ctrl_or_cmd_enter_with_a_selection_opens_the_dialog(page, web, publisher, keys):
    goto(page, web, host_page("article.html", **ARTICLE))
    select(page, "old customs house")
    page.keyboard.press(keys)
    assert marked_quote(page) == "old customs house"
    assert page.evaluate("document.querySelector('corrigo-widget dialog')") is None  # not in the light DOM
    assert page.evaluate("document.querySelector('corrigo-widget').shadowRoot.querySelector('dialog').matches(':modal')")


def test_enter_without_a_modifier_or_without_a_selection_does_nothing(page, web, publisher):
    goto(page, web, host_page("article.html", **ARTICLE))
    select(page, "old customs house")
    page.keyboard.press("Enter")
    page.evaluate("document.getSelection().removeAllRanges()")
    assert press_report(page) is False
    assert page.locator("corrigo-widget").count() == 0
    _open_with_a_good_selection(page)


@pytest.mark.parametrize("where", ["#p1", ".story"])
def test_ctrl_enter_while_editing_text_is_left_to_the_page(page, web, publisher, where):
    """A CMS preview or an inline editor: the selection is article text, but the reader is typing."""
    goto(page, web, host_page("article.html", **ARTICLE))
    page.evaluate("(w) => { const el = document.querySelector(w); el.contentEditable = 'true'; el.focus() }", where)
    select(page, "crab festival returns")
    assert press_report(page) is False
    page.evaluate("(w) => { const el = document.querySelector(w); el.contentEditable = 'false'; el.blur() }", where)
    _open_with_a_good_selection(page)


@pytest.mark.parametrize("field", ["input[name=q]", "#comment-box"])
def test_ctrl_enter_while_focus_is_in_a_form_field_is_left_to_the_page(page, web, publisher, field):
    goto(page, web, host_page("article.html", **ARTICLE))
    page.focus(field)
    page.keyboard.type(" more")
    # Article text is selected too, yet the reader's keys belong to the field.
    select(page, "crab festival returns")
    assert page.evaluate("(f) => document.activeElement === document.querySelector(f)", field)
    assert press_report(page) is False
    page.evaluate("document.activeElement.blur()")
    _open_with_a_good_selection(page)


def test_selection_in_an_editable_box_is_left_to_the_page(page, web, publisher):
    """A rich text box of the page's own (a comment editor): its words are the reader's, not the article's."""
    goto(page, web, host_page("article.html", **ARTICLE))
    select(page, "Editable words")
    assert press_report(page) is False
    assert page.locator("corrigo-widget").count() == 0
    _open_with_a_good_selection(page)


def test_a_blank_selection_is_left_to_the_page(page, web, publisher):
    goto(page, web, host_page("article.html", **ARTICLE))
    page.evaluate("""() => { const p = document.querySelector('#p1'), r = document.createRange();
        r.setStartAfter(p); r.setEndBefore(document.querySelector('#p2'));
        getSelection().removeAllRanges(); getSelection().addRange(r) }""")
    assert page.evaluate("getSelection().isCollapsed") is False
    assert press_report(page) is False
    _open_with_a_good_selection(page)


def test_write_to_us_link_opens_the_general_form_which_needs_a_comment(page, web, publisher):
    goto(page, web, host_page("article.html", **ARTICLE))
    page.click("#open")
    form = dialog(page)
    form.get_by_role("heading", name="Write to the editors").wait_for()
    assert form.locator("mark, [name=suggestion]").count() == 0
    assert page.evaluate("location.hash") == ""  # the link's own navigation was prevented

    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("status")).to_have_text("Please write a message.")
    expect(form.get_by_label("Your message")).to_have_attribute("aria-invalid", "true")
    assert web.posted == []

    form.get_by_label("Your message").fill("The headline says harbour, the story says port.")
    form.get_by_role("radio", name="Other").check()
    form.get_by_role("button", name="Send").click()
    form.get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.comment == "The headline says harbour, the story says port."
    assert report.category == "other"
    assert report.start is None and report.exact == "" and report.version is None
    assert report.article_external_id == "crab-2026"
    assert report.canonical_url == "https://publisher.test/2026/crab-festival"


def test_corrigo_open_opens_the_general_form_too(page, web, publisher):
    goto(page, web, host_page("article.html", **ARTICLE))
    page.evaluate("Corrigo.open()")
    dialog(page).get_by_role("heading", name="Write to the editors").wait_for()


def test_page_without_its_article_root_stays_silent(page, web, publisher, errors):
    goto(page, web, host_page("no-root.html", article=".story-body"))
    select(page, "The festival is back")
    assert press_report(page) is False
    page.keyboard.press("Meta+Enter")
    # Nothing was built or fetched beyond the script itself, and nothing complained.
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)))")
    assert page.locator("corrigo-widget").count() == 0
    assert web.corrigo_requests() == ["https://corrigo.test/widget.js"]
    assert errors == []
    assert violations(page) == []


def test_a_tag_without_a_site_warns_the_integrator_and_stays_out_of_the_way(page, web, publisher, errors):
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    goto_html = host_page("article.html", site="", **ARTICLE).replace(' data-site=""', "")
    page.goto(web.serve("/article", goto_html))
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((done) => setTimeout(done, 100))")
    assert page.evaluate("typeof window.Corrigo") == "undefined"
    assert any("data-site" in w for w in warnings)
    assert errors == []


def test_write_to_us_works_under_a_page_click_router(page, web, publisher):
    """Single-page apps often take every link click on the document and navigate."""
    # The router is installed before the widget loads, as an app's bundle usually is.
    page.context.add_init_script("""document.addEventListener('click', (e) => {
        if (e.defaultPrevented || !e.target.closest('a')) return;
        e.preventDefault(); history.pushState({}, '', '/routed') })""")
    goto(page, web, host_page("article.html", **ARTICLE))
    page.click("#open")
    expect(page.get_by_role("dialog", name="Write to the editors")).to_be_visible()
    assert page.evaluate("location.pathname") == "/article"
