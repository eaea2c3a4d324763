"""The report dialog: native, modal, isolated, labelled, usable by keyboard alone, RTL-safe."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import HERE, host_page, select
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)


def _open(page, web, text="old customs house", html=HTML):
    goto(page, web, html)
    select(page, text)
    assert press_report(page) is True
    form = page.get_by_role("dialog", name="Report a mistake")
    expect(form).to_be_visible()
    page.wait_for_function("() => document.querySelector('corrigo-widget').shadowRoot.activeElement?.name === 'suggestion'")
    return form


def _shadow(page, script: str):
    """Evaluate `script` with `root` bound to the widget's shadow root."""
    return page.evaluate(f"(() => {{ const root = document.querySelector('corrigo-widget').shadowRoot; return {script} }})()")


def test_dialog_is_a_native_modal_dialog_in_an_open_shadow_root(page, web, publisher):
    form = _open(page, web)
    expect(form).to_be_visible()
    assert _shadow(page, "root.mode") == "open"
    assert _shadow(page, "root.querySelector('dialog').open && root.querySelector('dialog').matches(':modal')")
    # The page under it is covered (the backdrop is the dialog's) while it is open.
    assert (
        page.evaluate("""() => { const b = document.querySelector('h1').getBoundingClientRect();
        return document.elementFromPoint(b.x + 2, b.y + b.height / 2).localName }""")
        == "corrigo-widget"
    )
    assert page.evaluate("document.querySelectorAll('dialog').length") == 0


def test_dialog_shows_the_selection_in_its_context(page, web, publisher):
    form = _open(page, web)
    expect(form.get_by_role("figure")).to_contain_text("The text you selected")
    quote = form.locator("blockquote")
    assert quote.locator("mark").inner_text() == "old customs house"
    # 32 code points each side, cut back to whole words.
    assert quote.inner_text() == "…will line the quay from the old customs house to the lifeboat station, and…"


def test_fields_are_named_and_labelled_as_the_embed_contract_says(page, web, publisher):
    form = _open(page, web)
    assert form.get_by_label("Correct version (optional)").get_attribute("name") == "suggestion"
    assert form.get_by_label("Comment (optional)").get_attribute("name") == "comment"
    email = form.get_by_label("Your email (optional)")
    assert email.get_attribute("name") == "email"
    assert email.get_attribute("type") == "email"
    expect(email).to_have_accessible_description("Only to tell you what we did about it. Never shown or shared.")
    for label, value in [("Typo", "typo"), ("Factual error", "fact"), ("Other", "other")]:
        radio = form.get_by_role("radio", name=label)
        assert (radio.get_attribute("name"), radio.get_attribute("value")) == ("category", value)
    expect(form.get_by_role("group", name="What kind of mistake?")).to_be_visible()
    assert form.get_by_role("button", name="Send").get_attribute("type") == "submit"
    # The reader starts typing the correction straight away.
    assert _shadow(page, "root.activeElement.name") == "suggestion"


def test_a_report_made_with_the_keyboard_alone(page, web, publisher):
    form = _open(page, web)
    page.keyboard.type("old custom house")
    page.keyboard.press("Shift+Tab")  # into the category radios, on the checked one
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Named after the customs office.")
    page.keyboard.press("Tab")
    page.keyboard.type("reader@localhost")
    page.keyboard.press("Tab")  # Cancel
    page.keyboard.press("Tab")  # Send
    assert _shadow(page, "root.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    expect(form.get_by_role("status")).to_have_text("Thank you! The editors have received your report.")
    [report] = stored_reports()
    assert (report.exact, report.suggestion, report.comment, report.email, report.category) == (
        "old customs house",
        "old custom house",
        "Named after the customs office.",
        "reader@localhost",
        "fact",
    )
    # Focus waits on the Close button; Enter closes.
    assert _shadow(page, "root.activeElement.textContent") == "Close"
    page.keyboard.press("Enter")
    expect(dialog(page)).to_have_count(0)


def test_ctrl_enter_in_the_dialog_sends(page, web, publisher):
    form = _open(page, web)
    page.keyboard.type("old custom house")
    page.keyboard.press("Control+Enter")
    expect(form.get_by_role("status")).to_have_text("Thank you! The editors have received your report.")
    assert [r.suggestion for r in stored_reports()] == ["old custom house"]


def test_escape_closes_and_focus_returns_to_where_it_was(page, web, publisher):
    goto(page, web, HTML)
    page.focus("#link")
    select(page, "crab festival")
    assert page.evaluate("document.activeElement.id") == "link"
    assert press_report(page) is True
    expect(dialog(page)).to_be_visible()
    assert page.evaluate("document.activeElement.localName") == "corrigo-widget"
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    assert page.evaluate("document.activeElement.id") == "link"
    assert stored_reports() == [] and web.posted == []


def test_write_to_us_by_keyboard_returns_focus_to_the_link(page, web, publisher):
    goto(page, web, HTML)
    page.focus("#open")
    page.keyboard.press("Enter")
    form = page.get_by_role("dialog", name="Write to the editors")
    expect(form).to_be_visible()
    assert _shadow(page, "root.activeElement.name") == "comment"
    form.get_by_role("button", name="Cancel").press("Enter")
    expect(dialog(page)).to_have_count(0)
    assert page.evaluate("document.activeElement.id") == "open"


def test_results_are_announced_in_a_live_region(page, web, publisher):
    form = _open(page, web)
    status = form.get_by_role("status")
    # The region is there, empty, before anything is announced.
    expect(status).to_have_text("")
    form.get_by_role("button", name="Send").click()
    expect(status).to_have_text("Thank you! The editors have received your report.")
    assert len(stored_reports()) == 1


def _small_targets(page) -> list:
    return _shadow(
        page,
        """[...root.querySelectorAll('button, input, textarea, select, label.choice')]
        .filter((el) => el.checkVisibility())
        .map((el) => { const b = el.getBoundingClientRect(); return [el.outerHTML.slice(0, 60), b.width, b.height] })
        .filter(([, w, h]) => w < 24 || h < 24)""",
    )


def test_targets_are_at_least_24_px(page, web, publisher):
    _open(page, web)
    assert _shadow(page, "root.querySelectorAll('button, input, textarea').length") >= 7
    assert _small_targets(page) == []


def test_page_styles_do_not_reach_the_dialog(page, web, publisher):
    web.serve("/hostile.css", (HERE / "hostile.css").read_text(), content_type="text/css")
    html = HTML.replace("</head>", '<link rel="stylesheet" href="/hostile.css"></head>')
    form = _open(page, web, html=html)
    expect(form).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") == "9px"  # the page did change
    assert _shadow(page, "getComputedStyle(root.querySelector('dialog')).fontSize") == "16px"
    assert _small_targets(page) == []
    assert violations(page) == []


def test_a_publisher_can_set_the_accent_colour(page, web, publisher):
    web.serve("/brand.css", ":root { --corrigo-accent: rgb(128, 0, 64) }", content_type="text/css")
    form = _open(page, web, html=HTML.replace("</head>", '<link rel="stylesheet" href="/brand.css"></head>'))
    expect(form.get_by_role("button", name="Send")).to_have_css("background-color", "rgb(128, 0, 64)")


RTL = host_page("rtl.html", article=".story", ignore=".ad")


def test_a_right_to_left_article_gives_a_right_quote(page, web, publisher):
    form = _open(page, web, text="חוזר לנמל ביום שבת", html=RTL)
    assert marked_quote(page) == "חוזר לנמל ביום שבת"
    # The context is laid out right to left whatever the dialog's own language: its bar
    # (border-inline-start) is on the right.
    assert _shadow(page, "getComputedStyle(root.querySelector('blockquote')).direction") == "rtl"
    assert _shadow(page, "getComputedStyle(root.querySelector('blockquote')).borderRightWidth") == "4px"
    box = form.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    form.get_by_role("button", name="Send").click()
    form.get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.exact == "חוזר לנמל ביום שבת"
    assert report.version.text[report.start : report.end] == report.exact


def test_dialog_layout_mirrors_in_a_right_to_left_language(page, web, publisher):
    """Strings for an RTL language set dir=rtl; logical CSS properties must mirror the layout."""
    _open(page, web)

    def layout():
        return _shadow(
            page,
            """(() => {
            const box = (el) => el.getBoundingClientRect();
            const side = (el, outer) => Math.abs(box(el).left - box(outer).left) < 2 ? 'left'
                : Math.abs(box(el).right - box(outer).right) < 2 ? 'right' : 'middle';
            const text = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r };
            const form = root.querySelector('form'), [cancel, send] = root.querySelectorAll('.actions button');
            const [typo, fact] = root.querySelectorAll('.choice');
            return {send: side(send, form), cancel: box(cancel).x < box(send).x ? 'left' : 'right',
                    typo: side(typo, root.querySelector('fieldset')), fact: box(fact).x < box(typo).x ? 'left' : 'right',
                    label: side(text(root.querySelector('.field label')), root.querySelector('textarea'))};
        })()""",
        )

    # Each thing flush with its edge: Send at the end, the first category and labels at the start.
    assert layout() == {"send": "right", "cancel": "left", "typo": "left", "fact": "right", "label": "left"}
    _shadow(page, "root.querySelector('dialog').setAttribute('dir', 'rtl')")
    assert layout() == {"send": "left", "cancel": "right", "typo": "right", "fact": "left", "label": "right"}


def test_context_near_the_start_of_the_article_is_shown_whole(page, web, publisher):
    # "crab festival" starts 6 code points (7 UTF-16 units) in: its whole prefix is shown, uncut.
    form = _open(page, web, text="crab festival")
    assert form.locator("blockquote").inner_text() == "The 🦀 crab festival returns to Port Elwin on…"
