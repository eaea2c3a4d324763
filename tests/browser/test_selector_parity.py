"""Chromium reads the selectors a site may save, and refuses those Corrigo refuses on its account."""

import pytest

from tests.anchoring.test_selectors import BROWSER_REFUSES, FIT

pytestmark = pytest.mark.browser

THROWS = "s => { try { document.querySelectorAll(s); return false } catch (e) { return true } }"


def test_chromium_reads_every_selector_corrigo_accepts(page):
    page.set_content("<main><article><p>text</p></article></main>")
    assert [s for s in FIT if page.evaluate(THROWS, s)] == []


def test_chromium_refuses_the_selectors_corrigo_refuses_for_it(page):
    page.set_content("<p>text</p>")
    assert [s for s, _ in BROWSER_REFUSES if not page.evaluate(THROWS, s)] == []
