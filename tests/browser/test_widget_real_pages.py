"""The widget injected into real news pages (ads, teasers, navigation and all).

Each page of ../shared/data/pages is served from a fake publisher origin with the embed
tag added and its own scripts blocked by policy. A sentence of the article body is
selected (by the browser's own find, so the selection is what the rendered page gives),
reported through the dialog, and the stored report is checked: the quote is the sentence,
the stored text is what the server's ``article_text`` makes of the same HTML, and
re-anchoring the quote in that text finds it ``unchanged`` in place.
"""

import pytest

from corrigo.anchoring import article_text
from corrigo.anchoring.quote import TextQuote
from corrigo.anchoring.reanchor import reanchor
from tests.browser.pages import (
    CORRIGO,
    SHARED_PAGES,
    embed,
    inject,
    select,
    sentences,
    shared_page,
    shared_page_ids,
    shared_page_meta,
)
from tests.browser.pages.fixtures import publisher, send_report, stored_reports, web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason="../shared/data/pages is not available"),
]

# The page's styles apply (so what is rendered is what readers see); its scripts do not.
PAGE_POLICY = f"default-src 'self'; script-src {CORRIGO}; connect-src {CORRIGO}; style-src 'self' 'unsafe-inline'"
CANDIDATES = 6


def _candidates(html: str, body: str | None) -> tuple[str | None, list[str]]:
    """The article root to configure, and sentences of the article found once in its text."""
    for root in (None, "body"):
        text = article_text(html, root)
        if body:  # the benchmark's extracted article body says which sentences are the article's
            pool = sentences(body)
        else:  # otherwise the longest paragraphs of the text are the article's
            pool = [s for line in sorted(text.split("\n"), key=len, reverse=True)[:10] for s in sentences(line)]
        found = [s for s in pool if 40 <= len(s) <= 300 and len(s.split()) >= 6 and text.count(s) == 1]
        if found:
            return root, found[:CANDIDATES]
    return None, []


# Corrigo._quote answers a Promise (it loads the widget's lazy part).
FIND_AND_QUOTE = """async ([sentence, article]) => {
    getSelection().removeAllRanges();
    if (!window.find(sentence, true, false, true, false, false, false)) return null;
    const q = await Corrigo._quote(getSelection().getRangeAt(0), article, []);
    return q && q.exact;
}"""
QUOTE = "async (article) => { const q = await Corrigo._quote(getSelection().getRangeAt(0), article, []); return q && q.exact }"


def _select_sentence(page, sentence: str, root: str | None) -> bool:
    """Select as a reader would: the browser's find on the rendered page, or, where the
    page keeps its text hidden until its (blocked) scripts run, a drag from the first
    words to the last ones in the DOM."""
    if page.evaluate(FIND_AND_QUOTE, [sentence, root]) == sentence:
        return True
    try:
        select(page, sentence[:16], sentence[-16:], scope=root)
    except Exception:  # the words are split across elements: try another sentence
        return False
    return page.evaluate(QUOTE, root) == sentence


@pytest.mark.parametrize("page_id", shared_page_ids())
def test_a_sentence_of_a_real_article_is_reported_and_found_unchanged(page, web, publisher, page_id):
    html = shared_page(page_id)
    root, candidates = _candidates(html, shared_page_meta().get(page_id, {}).get("article_body"))
    assert candidates, "no sentence of the article body in the text"
    page.goto(web.serve("/story", inject(html, embed(article=root)), csp=PAGE_POLICY))
    page.wait_for_function("() => window.Corrigo")

    for sentence in candidates:  # the first one the page lets us select
        if _select_sentence(page, sentence, root):
            break
    else:
        pytest.fail(f"none of {len(candidates)} sentences could be selected on the rendered page")

    send_report(page).get_by_text("Thank you!").wait_for()

    [report] = stored_reports()
    text = report.version.text
    assert report.exact == sentence
    assert text == article_text(html, root)
    assert text[report.start : report.end] == sentence
    quote = TextQuote(report.exact, report.prefix, report.suffix, report.start, report.end)
    found = reanchor(quote, text)
    assert (found.status, found.start, found.end) == ("unchanged", report.start, report.end)
