"""Which selectors a site may save: ones both Lexbor (the server) and browsers (the widget) read alike."""

import pytest

from corrigo.anchoring import article_text, selector_error
from corrigo.anchoring.textmodel import MAX_CHAIN, MAX_COMPOUNDS

FIT = [
    "article",
    "article .article-body",
    ".ad-slot, .teaser",
    "#main > .story:not(.ad) p",
    "li:nth-child(2n of .x)",
    ":is(aside, .related) + p ~ span",
    'main [data-role="story & more"]',
    "aside[title='a\"b'], .ad",
    "[lang|=en]",
    "[title='x|y']",
    "*|p",
    " ".join("abcdefgh"[:MAX_CHAIN]),
]
# Refused because Chromium refuses them too (tests/browser/test_selector_parity.py checks it).
BROWSER_REFUSES = [
    ("svg|rect", "namespace"),
    ("div:nth-of-type(2n of .x)", ":nth-of-type()"),
    ("article <<<", "not a CSS selector"),
    (".ad,", "not a CSS selector"),
]


@pytest.mark.parametrize("selector", FIT)
def test_selectors_real_sites_use_are_fit(selector):
    assert selector_error(selector) is None


@pytest.mark.parametrize(
    ("selector", "why"),
    [
        *BROWSER_REFUSES,
        ("", "not a CSS selector"),
        (":is(", "not a CSS selector"),
        ("div::before", "not a CSS selector"),
        ("* " * (MAX_CHAIN + 1), "chain"),
        (", ".join(["a b c d"] * (MAX_COMPOUNDS // 4 + 1)), "in all"),
    ],
)
def test_selectors_that_would_break_or_slow_the_text_model_are_refused(selector, why):
    assert why in selector_error(selector)


def test_a_fit_selector_is_one_article_text_can_use():
    html = "<main><article><p>Kept <span class=ad>ad</span> text.</p></article></main>"
    assert selector_error("article") is None and selector_error(".ad") is None
    assert article_text(html, "article", ".ad") == "Kept text."
