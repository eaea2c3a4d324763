"""The Python side of the normative text model, on hand-made edge cases and real pages.

The hand-made cases live in tests/fixtures/textmodel/cases.json so that the widget's
JavaScript is checked against the very same expectations in Chromium.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from corrigo.anchoring import WHITESPACE, article_text
from corrigo.anchoring.quote import quote_from_text
from tests.shared_data import SHARED_PAGES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "textmodel"
MANIFEST = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["cases"]


def _case_id(case: dict) -> str:
    extra = case["article_selector"] or ""
    if case["ignore_selectors"]:
        extra += " ignore " + ",".join(case["ignore_selectors"])
    return case["file"] + (f" [{extra}]" if extra else "")


@pytest.mark.parametrize("case", MANIFEST, ids=[_case_id(c) for c in MANIFEST])
def test_fixture_text_is_exactly_the_expected_text(case: dict) -> None:
    html = (FIXTURES / case["file"]).read_text(encoding="utf-8")
    assert article_text(html, case["article_selector"], case["ignore_selectors"]) == case["expected"]


def test_every_fixture_file_is_used_by_the_manifest() -> None:
    used = {case["file"] for case in MANIFEST}
    assert {p.name for p in FIXTURES.glob("*.html")} == used


def test_offsets_count_code_points_not_utf16_units() -> None:
    text = article_text("<p>𝔘𝔫 🔥 fire</p>")
    start = text.index("fire")
    assert start == 5  # two astral letters, a space, an astral emoji, a space
    assert quote_from_text(text, start, start + 4).exact == "fire"


def test_a_byte_order_mark_is_dropped_as_browsers_do() -> None:
    html = "<!doctype html><html><head><title>Masthead</title></head><body><p>Story.</p></body></html>"
    assert article_text("\ufeff" + html) == article_text(html) == "Story."


def test_decomposed_letters_are_composed_after_soft_hyphens_go() -> None:
    assert article_text("<p>Zoe&shy;&#x308;</p>") == "Zo\u00eb"


def test_a_break_inside_a_whitespace_run_makes_one_newline() -> None:
    assert article_text("<p>a </p> \n <p> b</p><div><div></div></div><p>c</p>") == "a\nb\nc"


def test_ignore_selectors_may_be_given_as_one_selector_list() -> None:
    html = "<article><p>Story</p><p class=ad>Ad</p><p class=promo>Promo</p></article>"
    assert article_text(html, ignore_selectors=".ad, .promo") == "Story"


def test_a_selector_the_engine_rejects_matches_nothing() -> None:
    html = "<article><p>Story <span class=x>kept</span></p></article>"
    assert article_text(html, article_selector="[[[", ignore_selectors=("::nope(",)) == "Story kept"


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    html = "<div>" * 5000 + "deep" + "</div>" * 5000
    assert article_text(html) == "deep"


# -- real pages ----------------------------------------------------------------------

REAL_PAGES = sorted(SHARED_PAGES.glob("*.html")) if SHARED_PAGES.is_dir() else []
needs_pages = pytest.mark.skipif(not REAL_PAGES, reason="shared/data/pages is not beside the repository")


def _assert_well_formed(text: str) -> None:
    assert text == text.strip()
    assert unicodedata.is_normalized("NFC", text)
    assert not set(text) & {"\u00ad", "\u200b", "\ufeff"}
    assert not (set(text) & WHITESPACE) - {" ", "\n"}
    assert "  " not in text and "\n\n" not in text
    assert " \n" not in text and "\n " not in text


@needs_pages
@pytest.mark.parametrize("page", REAL_PAGES, ids=[p.stem for p in REAL_PAGES])
def test_real_page_gives_well_formed_text(page: Path) -> None:
    html = page.read_text(encoding="utf-8", errors="replace")
    for root in (None, "body"):
        _assert_well_formed(article_text(html, root))
    assert len(article_text(html, "body")) > 500


def _bodies() -> list[tuple[str, str]]:
    if not REAL_PAGES:
        return []
    rows = [json.loads(line) for line in (SHARED_PAGES / "pages.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["id"], row["article_body"]) for row in rows if row.get("article_body")]


@needs_pages
@pytest.mark.parametrize("page_id, body", _bodies(), ids=[i for i, _ in _bodies()])
def test_real_page_text_holds_its_known_article_body(page_id: str, body: str) -> None:
    # A loose check: most sentences of the benchmark's hand-extracted body appear in
    # the page's text (whitespace aside), so the walk loses no article text.
    html = (SHARED_PAGES / f"{page_id}.html").read_text(encoding="utf-8", errors="replace")
    text = " ".join(article_text(html, "body").split())
    sentences = [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+|\n+", body) if len(s.strip()) >= 40]
    found = sum(s[:40] in text for s in sentences)
    assert found >= 0.8 * len(sentences)
