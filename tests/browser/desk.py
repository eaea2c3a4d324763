"""Helpers shared by the desk's browser tests."""

import re

from playwright.sync_api import Page, expect

PASSWORD = "a long test password"


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
