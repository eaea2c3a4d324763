"""Readers told why: a selection the widget cannot quote opens the general form with a
one-line explanation, and the selected words already in the message.

Cannot quote: outside the article root, in a block the text model leaves out (an ignored
ad or teaser, a data-corrigo-ignore block, a page component's shadow tree), and the
headline when it is outside the root. A site that wants headlines quoted gives a root
that holds them, and then they are.
"""

import pytest
from playwright.sync_api import expect

from corrigo.anchoring import article_text
from tests.browser.pages import host_page, select
from tests.browser.pages.fixtures import (
    ARTICLE,
    dialog,
    goto,
    marked_quote,
    press_report,
    publisher,
    stored_reports,
    violations,
    web,
)
from tests.browser.test_widget_i18n import strings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)
T = strings("en")


def _general_form_explains(page, why: str, words: str, lang: str = "en"):
    """Ctrl+Enter on the selection: the general form, its explanation, the words in the message."""
    assert press_report(page) is True
    t = strings(lang)
    form = page.get_by_role("dialog", name=t["titleGeneral"])
    expect(form).to_be_visible()
    expect(form.locator(".why")).to_have_text(t[why])
    expect(form).to_have_accessible_description(t[why])
    assert form.locator("mark, [name=suggestion]").count() == 0  # no quote: nothing to mark
    message = form.get_by_label(t["commentRequired"])
    expect(message).to_have_value(f"“{words}”\n")
    expect(message).to_be_focused()
    return form


def _send_with_a_note(page, form, note: str):
    page.keyboard.type(note)  # the caret waits after the words
    form.get_by_role("button", name=T["send"]).click()
    form.get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.start is None and report.exact == "" and report.version is None
    return report


@pytest.mark.parametrize(
    "text",
    [
        "The Test Gazette",  # the site's header, outside the article
        "write to us",  # the article's footer, outside the root (.story)
    ],
)
def test_a_selection_outside_the_article_root_opens_the_general_form_saying_why(page, web, publisher, text):
    goto(page, web, HTML)
    select(page, text)
    form = _general_form_explains(page, "whyOutside", text)
    report = _send_with_a_note(page, form, "Spelt wrong.")
    assert report.comment == f"“{text}”\nSpelt wrong."
    assert violations(page) == []


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("winter tyres from", None, "winter tyres from"),  # the ad slot (data-ignore .ad)
        ("Lifeboat crew honoured", None, "Lifeboat crew honoured"),  # the teaser (data-ignore .related)
        ("Related", "honoured", "Related Lifeboat crew honoured"),  # across the teaser's blocks: one line
    ],
)
def test_a_selection_in_an_ignored_block_opens_the_general_form_saying_why(page, web, publisher, start, end, words):
    goto(page, web, HTML)
    select(page, start, end)
    form = _general_form_explains(page, "whyIgnored", words)
    assert _send_with_a_note(page, form, "Is this right?").comment == f"“{words}”\nIs this right?"


def test_a_selection_in_a_data_corrigo_ignore_block_opens_the_general_form_saying_why(page, web, publisher):
    goto(page, web, HTML)
    page.evaluate("document.querySelector('#p2').setAttribute('data-corrigo-ignore', '')")
    select(page, "Stalls will line")
    _general_form_explains(page, "whyIgnored", "Stalls will line")


def test_a_selection_in_the_headline_outside_the_root_opens_the_general_form_saying_why(page, web, publisher):
    goto(page, web, HTML)
    select(page, "Crab festival returns", scope="h1")
    form = _general_form_explains(page, "whyHeadline", "Crab festival returns")
    report = _send_with_a_note(page, form, "Returns to Port Elwin, not the harbour.")
    assert report.comment == "“Crab festival returns”\nReturns to Port Elwin, not the harbour."
    assert report.article_external_id == "crab-2026"


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_the_explanation_speaks_the_readers_language(page, web, publisher, lang):
    goto(page, web, host_page("article.html", lang=lang, **ARTICLE))
    select(page, "Crab festival returns", scope="h1")
    _general_form_explains(page, "whyHeadline", "Crab festival returns", lang=lang)


def test_a_site_whose_root_holds_the_headline_gets_headlines_quoted(page, web, publisher):
    """The documented way: a data-article selector that covers the headline and the body,
    with the parts between them that are not article text in data-ignore."""
    article = {"article": "article", "ignore": ".ad, .related, footer"}
    html = host_page("article.html", **article)
    goto(page, web, html)
    select(page, "Crab festival returns", scope="h1")
    assert press_report(page) is True
    assert marked_quote(page) == "Crab festival returns"
    dialog(page).get_by_role("button", name="Send").click()
    dialog(page).get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    text = article_text(html, "article", ".ad, .related, footer")
    assert report.version.text == text
    assert (report.start, report.end, report.exact) == (0, 21, "Crab festival returns")


def test_a_data_corrigo_article_wrapper_puts_the_headline_in_the_root(page, web, publisher):
    """Without data-article, the first [data-corrigo-article] is the root: here a wrapper
    around the headline and the body that leaves the article's footer out."""
    html = (
        host_page("article.html", ignore=".ad, .related")
        .replace("<h1>", "<div data-corrigo-article><h1>", 1)
        .replace("      <footer>", "      </div><footer>", 1)
    )
    goto(page, web, html)
    select(page, "harbour", scope="h1")
    assert press_report(page) is True
    assert marked_quote(page) == "harbour"
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    select(page, "write to us")
    _general_form_explains(page, "whyOutside", "write to us")


def test_a_selection_inside_a_components_shadow_root_opens_the_general_form_saying_why(page, web, publisher):
    goto(page, web, host_page("shadow.html", article=".story"))
    page.evaluate("""() => { const t = document.querySelector('#card').shadowRoot.querySelector('#inner').firstChild;
        getSelection().setBaseAndExtent(t, 0, t, 12) }""")
    if page.evaluate("getSelection().toString()") != "Video: the f":
        pytest.fail("Chromium no longer reports shadow-tree selections through document.getSelection()")
    _general_form_explains(page, "whyIgnored", "Video: the f")


def test_after_an_explained_selection_a_quotable_one_is_quoted(page, web, publisher):
    goto(page, web, HTML)
    select(page, "winter tyres from")
    _general_form_explains(page, "whyIgnored", "winter tyres from")
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    select(page, "old customs house")
    assert press_report(page) is True
    assert marked_quote(page) == "old customs house"
    assert dialog(page).locator(".why").count() == 0
