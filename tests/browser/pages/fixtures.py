"""Fixtures for the widget's browser tests: the fake web, a publisher site, page helpers."""

from __future__ import annotations

import pytest

from tests.browser.pages import PUBLISHER, WATCH_CSP, FakeWeb


@pytest.fixture
def web(context, live_server) -> FakeWeb:
    """The fake web every page of this context sees (publisher pages, Corrigo, nothing else)."""
    context.add_init_script(WATCH_CSP)
    return FakeWeb(live_server.url).attach(context)


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
