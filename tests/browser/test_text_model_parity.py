"""The widget (live DOM, JavaScript) and the server (HTML, Python) build the same article text.

The text model (docs/text-model.md) is normative on both sides. Each page is loaded into Chromium with
the widget and its own scripts blocked (so the DOM is what the parser built), and the
widget's ``Corrigo._textModel`` (which answers a Promise) is compared with ``corrigo.anchoring.article_text`` on
the same HTML: the whole text, with and without ignore selectors, and the offsets of
selections. Offsets are checked with sentinels: private-use characters are written into
the live DOM at each selection's boundaries, the DOM is serialised, and the Python side
finds them in its text; their positions must equal the widget's quote offsets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corrigo.anchoring import article_text
from tests.browser.pages import CORRIGO, SHARED_PAGES, embed, inject, shared_page, shared_page_ids
from tests.browser.pages.fixtures import web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "textmodel"
# Only the widget runs: the page's own scripts would change the DOM the parser built.
WIDGET_ONLY = f"default-src 'self'; script-src {CORRIGO}; connect-src {CORRIGO}; style-src 'self' 'unsafe-inline'"
# Ignore selectors that match something on most real pages: sidebars, navigation, figures.
IGNORE = "aside, nav, figure, [class*=related], [class*=promo]"
SAMPLES = 12
SENTINEL = 0xE000  # private use: not whitespace, not removed, NFC-stable

# Picks SAMPLES selections whose boundaries fall between two letters of text the model
# keeps, asks the widget for their quotes (a Promise: the hook loads the widget's lazy
# part), then writes a start/end sentinel pair into the
# DOM at each and returns the serialised document.
SAMPLE_JS = """async ([article, ignore, count, base]) => {
  const root = (article && document.querySelector(article)) || document.querySelector('[data-corrigo-article]')
    || document.querySelector('article') || document.querySelector('main') || document.body;
  const SKIP = new Set('script style noscript template textarea input select button svg iframe object canvas'.split(' '));
  const ignores = (ignore || []).filter(Boolean);
  const kept = (node) => {
    for (let el = node.parentElement; el && el !== root; el = el.parentElement) {
      if (SKIP.has(el.localName) || el.hasAttribute('hidden') || el.hasAttribute('data-corrigo-ignore')
          || el.getAttribute('aria-hidden') === 'true' || ignores.some((s) => { try { return el.matches(s) } catch (e) { return false } })) return false;
    }
    return true;
  };
  const letter = /\\p{L}/u, jamo = /[\\u1100-\\u11ff]/;
  const spots = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    if (!kept(n)) continue;
    for (let i = 1; i < n.data.length; i++) {
      const a = n.data[i - 1], b = n.data[i];
      if (letter.test(a) && letter.test(b) && !jamo.test(a + b)) spots.push([n, i]);
    }
  }
  const quotes = [], marks = [];
  for (let k = 0; k < count && spots.length > 1; k++) {
    const a = Math.floor((spots.length - 1) * k / count);
    const b = Math.min(spots.length - 1, a + 1 + (k * 97) % 600);
    const range = document.createRange();
    range.setStart(...spots[a]);
    range.setEnd(...spots[b]);
    const q = await Corrigo._quote(range, article, ignore);
    quotes.push(q && {exact: q.exact, start: q.start, end: q.end});
    marks.push([...spots[a], String.fromCharCode(base + 2 * k)], [...spots[b], String.fromCharCode(base + 2 * k + 1)]);
  }
  // Write from the last offset of each node back, so earlier offsets stay valid.
  marks.sort((x, y) => x[0] === y[0] ? y[1] - x[1] : 0);
  const byNode = new Map();
  for (const [n, i, c] of marks) (byNode.get(n) || byNode.set(n, []).get(n)).push([i, c]);
  for (const [n, list] of byNode) {
    list.sort((x, y) => y[0] - x[0]);
    let d = n.data;
    for (const [i, c] of list) d = d.slice(0, i) + c + d.slice(i);
    n.data = d;
  }
  const dt = document.doctype;
  const doctype = dt ? '<!DOCTYPE ' + dt.name + (dt.publicId ? ' PUBLIC "' + dt.publicId + '"' : '')
    + (dt.systemId ? (dt.publicId ? '' : ' SYSTEM') + ' "' + dt.systemId + '"' : '') + '>' : '';
  return {quotes, html: doctype + document.documentElement.outerHTML};
}"""


def _load(page, web, html: str) -> None:
    page.goto(web.serve("/page", inject(html, embed(lang="en")), csp=WIDGET_ONLY))
    page.wait_for_function("() => window.Corrigo")


def _js_text(page, article: str | None, ignore: list[str]) -> str:
    return page.evaluate("([a, i]) => Corrigo._textModel(a, i)", [article, ignore])


def _python_offsets(text_with_marks: str, count: int) -> dict[int, int]:
    """Sentinel code point -> its offset in the text without any sentinels."""
    found, seen = {}, 0
    for i, char in enumerate(text_with_marks):
        if SENTINEL <= ord(char) < SENTINEL + 2 * count:
            found[ord(char)] = i - seen
            seen += 1
    return found


def _check_offsets(page, html_text: str, article: str | None, ignore: list[str]) -> int:
    """Compare the widget's quote offsets with the Python side's; returns how many matched."""
    sampled = page.evaluate(SAMPLE_JS, [article, ignore, SAMPLES, SENTINEL])
    marked = article_text(sampled["html"], article, ignore)
    without = "".join(c for c in marked if not SENTINEL <= ord(c) < SENTINEL + 2 * SAMPLES)
    # The serialised DOM re-parses to the same text: the sentinels changed nothing else.
    assert without == html_text
    where = _python_offsets(marked, SAMPLES)
    checked = 0
    for k, quote in enumerate(sampled["quotes"]):
        start, end = where.get(SENTINEL + 2 * k), where.get(SENTINEL + 2 * k + 1)
        if start is None or end is None or end - start > 1000:
            continue
        assert quote is not None, f"selection {k}: the widget found no quote"
        assert (quote["start"], quote["end"]) == (start, end), f"selection {k}"
        assert quote["exact"] == html_text[start:end]
        checked += 1
    return checked


needs_shared = pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason="../shared/data/pages is not available")


@needs_shared
@pytest.mark.parametrize("page_id", shared_page_ids())
def test_widget_and_server_build_the_same_text_for_a_real_page(page, web, page_id):
    html = shared_page(page_id)
    _load(page, web, html)
    # The default root (often a small teaser <article> on real pages) and the whole body.
    assert _js_text(page, None, []) == article_text(html)
    body = article_text(html, "body")
    assert len(body) > 1000, "the page should have text to compare"
    assert _js_text(page, "body", []) == body
    assert _js_text(page, "body", [IGNORE]) == article_text(html, "body", [IGNORE])
    assert _check_offsets(page, body, "body", []) >= SAMPLES // 2


# ---- the shared hand-made fixtures (tests/fixtures/textmodel, issue 3) -------------------


def _fixture_cases() -> list[dict]:
    manifest = FIXTURES / "cases.json"
    if not manifest.is_file():
        return []
    cases = json.loads(manifest.read_text(encoding="utf-8"))
    return cases["cases"] if isinstance(cases, dict) else cases


def _case_id(case: dict) -> str:
    name = case["file"].removesuffix(".html")
    return f"{name}[{case['article_selector']}]" if case.get("article_selector") else name


@pytest.mark.skipif(not _fixture_cases(), reason="tests/fixtures/textmodel/cases.json is not there yet")
@pytest.mark.parametrize("case", _fixture_cases(), ids=_case_id)
def test_widget_and_server_build_the_same_text_for_a_fixture(page, web, case):
    html = (FIXTURES / case["file"]).read_text(encoding="utf-8")
    article = case.get("article_selector")
    ignore = case.get("ignore_selectors") or []
    ignore = [ignore] if isinstance(ignore, str) else list(ignore)
    _load(page, web, html)
    text = article_text(html, article, ignore)
    assert _js_text(page, article, ignore) == text
    assert text == case["expected"]
    _check_offsets(page, text, article, ignore)
