"""Helpers shared by the desk's browser tests."""

import re

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "a long test password"
ROWS = "[data-queue] li.case"


@pytest.fixture
def desk(live_server, settings, transactional_db, site):
    """The desk on a live server, with the editor eddie (import it into a test module to use it)."""
    from tests.conftest import make_user

    # The live server speaks plain http; production cookies would be Secure.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    make_user("eddie", site, "editor")
    return live_server


def cases(*words_and_categories) -> list[int]:
    """Cases made through intake, one per (quoted word, category); their ids."""
    from tests.desk.conftest import report

    return [report(exact=word, category=category).case_id for word, category in words_and_categories]


def log_in(page: Page, server, username: str = "eddie") -> None:
    """Log in through the real form, starting from the queue's login redirect; ends on the
    queue with its scripts running (see scripts_ready)."""
    page.goto(f"{server.url}/desk/")
    expect(page).to_have_url(re.compile(r"/desk/login/\?next=/desk/$"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{server.url}/desk/")
    scripts_ready(page)


def scripts_ready(page: Page) -> None:
    """Wait for the deferred scripts (htmx, the shortcuts) of the page a click or a key led to.

    A page shows its URL and its rows before its deferred scripts have run: a key pressed
    or a filter changed then is lost, with nothing on screen to wait for instead. Call it
    once the new page's URL or content has been seen (the navigation has committed).
    """
    page.wait_for_load_state("load")
