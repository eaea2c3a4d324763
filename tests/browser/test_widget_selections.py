"""The selections real readers make become quotes that hold in the text model.

Each selection is reported through the real dialog; the stored report's quote must be
the expected words, and the stored article text must be exactly what the server side's
``article_text`` makes of the same HTML, with ``text[start:end] == exact`` in code points.
"""

import pytest

from corrigo.anchoring import article_text
from tests.browser.pages import embed, host_page, select
from tests.browser.pages.fixtures import (
    ARTICLE,
    dialog,
    goto,
    press_report,
    publisher,
    send_report,
    stored_reports,
    web,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)
TEXT = article_text(HTML, ".story", ".ad, .related")


def _report(page):
    """Report the current selection through the dialog; the stored report."""
    send_report(page).get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.version.text == TEXT
    assert TEXT[report.start : report.end] == report.exact
    assert report.prefix == TEXT[max(0, report.start - 32) : report.start]
    assert report.suffix == TEXT[report.end : report.end + 32]
    return report


def _word_box(page, selector: str, word: str) -> dict:
    """The on-screen box of `word` inside the element, for real mouse clicks."""
    return page.evaluate(
        """([sel, word]) => {
        const walker = document.createTreeWalker(document.querySelector(sel), NodeFilter.SHOW_TEXT);
        for (let n; (n = walker.nextNode());) {
            const i = n.data.indexOf(word);
            if (i < 0) continue;
            const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + word.length);
            const b = r.getBoundingClientRect();
            return {x: b.x + b.width / 2, y: b.y + b.height / 2};
        }
    }""",
        [selector, word],
    )


@pytest.mark.parametrize(
    ("start", "end", "exact"),
    [
        ("organisers said", "Stalls will line", "organisers said on Monday.\nStalls will line"),
        ("café Ζωή", "Tickets cost", "café Ζωή will serve soup.\nTickets cost"),  # over the ad slot
        ("organisers expect", "Ramos", "organisers expect 12 000 visitors.\nThe mayor, José Ramos"),  # over the teaser
        ("customs", "customs", "customs"),  # inside a link
        ("quay from", "to the", "quay from the old customs house to the"),  # out of a link
        ("said on ", "Monday", "said on Monday"),  # into emphasis
        ("had ", "missed", "had missed"),  # into strong
    ],
)
def test_selection_across_blocks_ignored_parts_and_inline_markup(page, web, publisher, start, end, exact):
    goto(page, web, HTML)
    select(page, start, end, scope=".story")
    report = _report(page)
    assert report.exact == exact
    assert report.start == TEXT.index(exact)


def test_offsets_count_code_points_not_utf16_units(page, web, publisher):
    goto(page, web, HTML)
    select(page, "crab festival returns")
    report = _report(page)
    # "The 🦀 " is 6 code points but 7 UTF-16 units.
    assert (report.start, report.end) == (6, 27)


def test_soft_hyphen_and_decomposed_accent_are_normalised(page, web, publisher):
    goto(page, web, HTML)
    select(page, "chil", "free")
    assert _report(page).exact == "children go free"


def test_decomposed_accent_is_composed_in_exact(page, web, publisher):
    goto(page, web, HTML)
    select(page, "Jose", "Ramos")
    report = _report(page)
    assert report.exact == "Jos\u00e9 Ramos"
    assert report.start == TEXT.index("Jos\u00e9 Ramos")


@pytest.mark.parametrize(
    ("start", "end", "exact"),
    [
        (" crab festival returns ", None, "crab festival returns"),
        ("\n        break, the", None, "break, the"),
        ("Monday", "Stalls will line the quay", "Monday.\nStalls will line the quay"),
        ("soup.", "soup.", "soup."),
    ],
)
def test_leading_and_trailing_spaces_are_left_out(page, web, publisher, start, end, exact):
    goto(page, web, HTML)
    select(page, start, end, scope=".story")
    assert _report(page).exact == exact


def test_double_click_on_a_word(page, web, publisher):
    goto(page, web, HTML)
    box = _word_box(page, "#p1", "Saturday")
    page.mouse.dblclick(box["x"], box["y"])
    assert page.evaluate("getSelection().toString().trim()") == "Saturday"
    assert _report(page).exact == "Saturday"


@pytest.mark.parametrize(
    ("paragraph", "exact"),
    [
        # The next block is the ignored ad slot: the selection ends inside it.
        (
            "#p2",
            "Stalls will line the quay from the old customs house to the lifeboat station, and the café Ζωή will serve soup.",
        ),
        # The last paragraph of the root: the selection runs on into the footer, outside it.
        ("#p4", "The mayor, José Ramos, said the town had missed the event."),
    ],
)
def test_triple_click_on_a_paragraph(page, web, publisher, paragraph, exact):
    goto(page, web, HTML)
    box = _word_box(page, paragraph, "the")
    page.mouse.click(box["x"], box["y"], click_count=3)
    # Chromium's triple-click selection ends at the start of the following block.
    assert page.evaluate("(p) => !document.querySelector(p).contains(getSelection().getRangeAt(0).endContainer)", paragraph)
    assert _report(page).exact == exact


def test_selection_starting_above_the_article_is_clipped_to_it(page, web, publisher):
    goto(page, web, HTML)
    page.evaluate("""() => {
        const r = document.createRange();
        r.setStart(document.querySelector('.brand').firstChild, 4);
        const p1 = document.querySelector('#p1').firstChild;
        r.setEnd(p1, p1.data.indexOf('festival') + 8);
        getSelection().removeAllRanges(); getSelection().addRange(r);
    }""")
    assert _report(page).exact == "The 🦀 crab festival"


def test_a_very_long_selection_is_cut_to_the_apis_limit(page, web, publisher):
    words = " ".join(f"word{i}" for i in range(600))
    html = f"<!doctype html><html lang=en><body><article><p>{words}</p></article>{embed()}</body></html>"
    goto(page, web, html)
    select(page, "word0", "word599")
    send_report(page).get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    text = article_text(html)
    assert report.version.text == text
    assert report.start == 0
    assert report.exact == text[:1000].rstrip(" \n")


def test_an_article_longer_than_the_api_takes_sends_the_quote_as_a_comment(page, web, publisher):
    paragraph = "<p>" + "The council of Port Elwin voted to keep the night ferry running. " * 4 + "</p>"
    html = f"<!doctype html><html lang=en><body><article>{paragraph * 800}<p id=last>Augest is wrong.</p></article>{embed()}</body></html>"
    assert len(article_text(html)) > 200_000
    goto(page, web, html)
    select(page, "Augest")
    assert press_report(page) is True
    form = dialog(page)
    form.get_by_label("Comment (optional)").fill("Should be August.")
    form.get_by_role("button", name="Send").click()
    form.get_by_text("Thank you!").wait_for()
    [report] = stored_reports()
    assert report.start is None and report.version is None
    assert report.comment == "“Augest”\nShould be August."


def test_a_boundary_inside_an_emoji_takes_the_whole_emoji(page, web, publisher):
    goto(page, web, HTML)
    # "The 🦀 crab": the crab is UTF-16 units 4 and 5; start between them.
    page.evaluate("""() => { const t = document.querySelector('#p1').firstChild, r = document.createRange();
        r.setStart(t, 5); r.setEnd(t, t.data.indexOf('crab') + 4);
        getSelection().removeAllRanges(); getSelection().addRange(r) }""")
    report = _report(page)
    assert report.exact == "🦀 crab"
    assert (report.start, report.end) == (4, 10)
