"""Browser tests drive Debian's Chromium through pytest-playwright against a live server."""

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def demo_server(live_server, settings, transactional_db):
    """The demo (article page, widget, desk) served by a live server, with its demo editor and readers."""
    from corrigo.cli import DEMO_PASSWORD, DEMO_USER
    from corrigo.demo.setup import ensure_demo, seed_demo_reports

    settings.DEMO = True
    port = int(live_server.url.rsplit(":", 1)[1])
    site = ensure_demo(port, DEMO_USER, DEMO_PASSWORD)
    seed_demo_reports(site, live_server.url + "/")  # as `corrigo demo` does
    return live_server
