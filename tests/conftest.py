"""Fixtures shared by the whole suite: sites, users, tokens and report payloads."""

import itertools
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls our
# fixtures make there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

ORIGIN = "https://news.example.org"
ARTICLE_TEXT = (
    "Harbour town votes to keep its night ferry\n"
    "The council voted on Tuesday to keep the ferry running from Augest to March.\n"
    "About 340 islanders rely on the late crossing."
)
# One article in three versions: the typo is fixed and a paragraph added on top (every
# offset after it moves), then the sentence with the typo is cut altogether.
V1 = (
    "Harbour town votes to keep its night ferry\n"
    "The council voted on Tuesday to keep the ferry running from Augest 25th to March.\n"
    "About 340 islanders rely on the late crossing, said the mayor, Ana Lind."
)
V2 = "Updated at 10:00.\n" + V1.replace("Augest", "August")
V3 = "Harbour town votes to keep its night ferry\nAbout 340 islanders rely on the late crossing, said the mayor, Ana Lind."
_ids = itertools.count(1)
BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_configure(config):
    from django.conf import settings

    # Users made in tests need no costly hash; the real hashers stay in production settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests post many reports from one address (127.0.0.1); the tests of the limits turn them on.
    settings.INTAKE_LIMITS = False


def pytest_collection_modifyitems(items):
    """Everything under tests/browser drives Chromium: `-m "not browser"` leaves it all out."""
    for item in items:
        if BROWSER_TESTS in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _fresh_site_cache():
    """Each test builds its own sites; none may see another test's cached site."""
    from corrigo.reports.clients import forget_cached_salts
    from corrigo.sites.services import forget_cached_sites

    forget_cached_sites()
    forget_cached_salts()
    yield
    forget_cached_sites()
    forget_cached_salts()


@pytest.fixture
def site(db):
    from corrigo.sites.services import create_site

    return create_site("courier", "The Courier", [ORIGIN])


@pytest.fixture
def other_site(db):
    from corrigo.sites.services import create_site

    return create_site("gazette", "The Gazette", ["https://gazette.example.com"])


def make_user(username, site=None, role=None, password="a long test password"):
    from django.contrib.auth.models import User

    from corrigo.sites.models import Membership

    user = User.objects.create_user(username=username, password=password)
    if site is not None:
        # Test data, not an admin's act: no line in the site log (tests/sites covers the service).
        Membership.objects.create(user=user, site=site, role=role)
    return user


@pytest.fixture
def editor(site):
    return make_user("eddie", site, "editor")


def payload(exact="Augest", text=ARTICLE_TEXT, **fields):
    """A valid report body quoting `exact` (its first occurrence) in `text`."""
    start = text.index(exact)
    body = {
        "site": "courier",
        "url": "https://news.example.org/2026/ferry?utm_source=newsletter#comments",
        "quote": {
            "exact": exact,
            "prefix": text[max(0, start - 32) : start],
            "suffix": text[start + len(exact) : start + len(exact) + 32],
            "start": start,
            "end": start + len(exact),
        },
        "article_text": text,
        "suggestion": "August",
        "category": "typo",
        "client_report_id": f"report-{next(_ids):06d}",
    }
    body.update(fields)
    return body
