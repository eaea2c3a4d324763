"""Helpers shared by the desk's browser tests."""

import re

from playwright.sync_api import Page, expect

PASSWORD = "a long test password"


def log_in(page: Page, server, username: str = "eddie") -> None:
    """Log in through the real form, starting from the queue's login redirect; ends on the queue."""
    page.goto(f"{server.url}/desk/")
    expect(page).to_have_url(re.compile(r"/desk/login/\?next=/desk/$"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{server.url}/desk/")
