"""Page views pay only for widget.js: no other request, no DOM change, no layout shift.

Timings are measured in bench/widget_size.py, not asserted here; these tests check what
loads when, and the byte budget.
"""

import importlib.util
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.pages import CORRIGO, embed, host_page, select
from tests.browser.pages.fixtures import ARTICLE, dialog, goto, press_report, publisher, web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)
SETTLE = "() => new Promise((done) => requestIdleCallback(() => setTimeout(done, 200)))"
LAZY = [f"{CORRIGO}/widget/ui.js", f"{CORRIGO}/widget/i18n-en.json", f"{CORRIGO}/widget/widget.css"]


def _bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "widget_size.py"
    spec = importlib.util.spec_from_file_location("widget_size", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_view_loads_only_the_script_and_changes_nothing(page, web, publisher):
    goto(page, web, HTML)
    page.evaluate(SETTLE)
    assert web.corrigo_requests() == [f"{CORRIGO}/widget.js"]
    assert page.locator("corrigo-widget").count() == 0
    # Selecting text on a desktop does not wake the widget either.
    select(page, "old customs house")
    page.evaluate(SETTLE)
    assert web.corrigo_requests() == [f"{CORRIGO}/widget.js"]


def test_demo_page_view_requests(page, demo_server):
    seen = []
    page.on("request", lambda r: seen.append(r.url.replace(demo_server.url, "")))
    page.goto(demo_server.url + "/")
    page.wait_for_function("() => window.Corrigo")
    page.evaluate(SETTLE)
    page.locator("[data-corrigo-notices]").scroll_into_view_if_needed()
    page.evaluate(SETTLE)
    # The demo article carries a notices box: it (and only it) asks for the article's
    # notices once it nears the viewport (tests/browser/test_corrections_journey.py: not before).
    notices = ["/api/v1/notices?site=demo&article_id=demo-ferry-2026", "/widget/notices.js"]
    assert sorted(u for u in seen if not u.startswith("/static/")) == sorted(["/", "/widget.js", *notices])


def test_a_late_loading_widget_causes_no_layout_shift(page, web, publisher):
    """The script arrives after the page is painted (a slow network): nothing may move."""
    html = HTML.replace(embed(**ARTICLE), "")
    page.goto(web.serve("/article", html, csp=f"default-src 'self'; script-src {CORRIGO}; connect-src {CORRIGO}"))
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.evaluate(
        """([src, article, ignore]) => { const s = document.createElement('script');
        Object.assign(s, {src, async: true}); s.dataset.site = 'publisher'; s.dataset.article = article;
        s.dataset.ignore = ignore; document.body.append(s) }""",
        [f"{CORRIGO}/widget.js", ARTICLE["article"], ARTICLE["ignore"]],
    )
    page.wait_for_function("() => window.Corrigo")
    page.evaluate(SETTLE)
    shift = page.evaluate("""() => new Promise((done) => {
        let total = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) total += e.value })
            .observe({type: 'layout-shift', buffered: true});
        requestAnimationFrame(() => setTimeout(() => done(total), 50));
    })""")
    assert shift == 0


def test_dialog_code_styles_and_strings_load_on_first_use_only_once(page, web, publisher):
    goto(page, web, HTML)
    select(page, "old customs house")
    press_report(page)
    expect(dialog(page)).to_be_visible()
    # The dialog also asks for a proof-of-work challenge, in case the report needs one (docs/api.md).
    challenge = f"{CORRIGO}/api/v1/challenge?site=publisher"
    page.wait_for_function("(url) => performance.getEntriesByName(url).length > 0", arg=challenge)
    assert sorted(web.corrigo_requests()[1:]) == sorted([*LAZY, challenge])
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    page.click("#open")
    expect(dialog(page)).to_be_visible()
    assert len(web.corrigo_requests()) == 1 + len(LAZY) + 1  # nothing loaded twice, the unused challenge kept


def test_page_view_payload_is_within_the_2_kb_budget():
    bench = _bench()
    assert bench.page_view_bytes() <= bench.BUDGET == 2 * 1024


def test_first_use_payload_is_within_the_8_kb_budget():
    bench = _bench()
    assert bench.first_use_bytes() <= bench.FIRST_USE_BUDGET == 8 * 1024


def test_the_server_sends_the_built_widget(client):
    """What a page loads is the bench's subject: dist/, byte for byte."""
    bench = _bench()
    for name in ("widget.js", "ui.js", "widget.css", "i18n-en.json"):
        path = "/widget.js" if name == "widget.js" else f"/widget/{name}"
        response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
        assert response.status_code == 200
        assert response.content == (bench.WIDGET / name).read_bytes(), name
