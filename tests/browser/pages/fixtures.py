"""Fixtures for the widget's browser tests: the fake web, a publisher site, page helpers."""

from __future__ import annotations

import pytest

from tests.browser.pages import PUBLISHER, WATCH_CSP, FakeWeb


@pytest.fixture
def web(context, live_server) -> FakeWeb:
    """The fake web every page of this context sees (publisher pages, Corrigo, nothing else)."""
    context.add_init_script(WATCH_CSP)
    yield FakeWeb(live_server.url).attach(context)
    # Requests still in flight when a test ends (a chunk the test did not wait for) are dropped.
    context.unroute_all(behavior="ignoreErrors")


@pytest.fixture
def publisher(transactional_db):
    """A site whose allowed origin is the fake publisher's."""
    from corrigo.sites.services import create_site

    return create_site("publisher", "The Test Gazette", [PUBLISHER], article_selector=".story", ignore_selectors=".ad, .related")


@pytest.fixture
def errors(page) -> list[str]:
    """Console errors and uncaught exceptions of the page, as text."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


# ---- helpers the widget tests share ---------------------------------------------------------

ARTICLE = {"article": ".story", "ignore": ".ad, .related"}


def goto(page, web, html: str, path: str = "/article", **serve) -> None:
    """Serve `html` from the publisher and open it, waiting for the widget to have run."""
    page.goto(web.serve(path, html, **serve))
    page.wait_for_function("() => window.Corrigo")


def dialog(page):
    return page.locator("corrigo-widget dialog")


def send_report(page, suggestion: str | None = None):
    """Report the current selection: Ctrl+Enter, the suggestion if any, Send; the dialog."""
    assert press_report(page) is True
    form = page.get_by_role("dialog", name="Report a mistake")
    if suggestion is not None:
        form.get_by_label("Correct version (optional)").fill(suggestion)
    form.get_by_role("button", name="Send").click()
    return form


def press_report(page) -> bool:
    """Ctrl+Enter, as a reader does; True when the widget took the key (it opens)."""
    # Registered after the widget's own listener, so it sees the widget's decision.
    page.evaluate("""() => { window.__taken = null; if (!window.__watching) { window.__watching = true;
        addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__taken = e.defaultPrevented }) } }""")
    page.keyboard.press("Control+Enter")
    return page.evaluate("window.__taken")


def marked_quote(page) -> str:
    """The selected text as the open dialog shows it."""
    dialog(page).locator("mark").wait_for()
    return dialog(page).locator("mark").inner_text()


def back_online(page, web) -> None:
    """The network returns: the fake web passes reports again and the page hears "online"."""
    web.offline = False
    page.evaluate("dispatchEvent(new Event('online'))")


def stored_reports():
    from corrigo.reports.models import Report

    return list(Report.objects.select_related("version").order_by("pk"))


def violations(page) -> list[dict]:
    return page.evaluate("window.__violations")
