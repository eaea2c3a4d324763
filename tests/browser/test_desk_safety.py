"""Hostile reports sent through the public API cannot run anything in the desk (Chromium).

Every payload would set window.__pwned if it ever ran; the test listens for dialogs,
looks for any element the payloads would create, and collects Content-Security-Policy
violations on the queue, the case page and the settings page.
"""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from corrigo.reports.models import Report
from tests.browser.desk import log_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned='script';alert('script')</script>"
IMG = "<img src=x onerror=\"window.__pwned='img';alert('img')\">"
BREAKOUT = "\"'><svg onload=\"window.__pwned='svg'\"></svg>"
JSON_BREAKOUT = "</script><script>window.__pwned='json'</script>"
LINK = '<a href="javascript:window.__pwned=\'link\'" id="evil-link">click me</a>'
HTML = '<b id="evil-bold">bold</b><iframe id="evil-frame" src="javascript:window.__pwned=\'frame\'"></iframe>'
BIDI = "\u202eexe.txt"
JS_URL = "javascript:window.__pwned='url'"
ALL = " ".join([SCRIPT, IMG, BREAKOUT, JSON_BREAKOUT, LINK, HTML, BIDI])

ARTICLE = f"Harbour town votes {ALL} to keep its night ferry.\nAbout 340 islanders rely on the late crossing."
# Elements none of our pages has, which any payload that became HTML would create.
INJECTED = "img[src=x], svg, iframe, #evil-link, #evil-bold, #evil-frame, a[href^='javascript:'], script:not([src]):not([type='application/json'])"
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def send(server, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server.url}/api/v1/reports", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201
        return json.loads(answer.read())


def hostile_report(n: int, exact: str, **fields) -> dict:
    start = ARTICLE.index(exact)
    body = {
        "site": "courier",
        "url": "https://news.example.org/2026/ferry",
        "title": ALL,
        "article_id": JS_URL,
        "quote": {
            "exact": exact,
            "prefix": ARTICLE[max(0, start - 32) : start],
            "suffix": ARTICLE[start + len(exact) :][:32],
            "start": start,
            "end": start + len(exact),
        },
        "article_text": ARTICLE,
        "suggestion": ALL,
        "comment": f"{ALL} {JS_URL}",
        "category": "fact",
        "email": "reader@example.net",
        "language": "en",
        "client_report_id": f"hostile-{n:04d}",
    }
    body.update(fields)
    return body


@pytest.fixture
def desk(live_server, settings, transactional_db, site):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    make_user("ada", site, "admin")
    return live_server


def test_hostile_reports_do_not_run_in_the_desk(page: Page, desk):
    exacts = [SCRIPT, IMG, BREAKOUT, JSON_BREAKOUT, LINK, HTML, BIDI]
    for n, exact in enumerate(exacts):
        send(desk, hostile_report(n, exact))
    send(desk, hostile_report(99, "", quote=None, article_text=None, canonical_url=None))
    assert Report.objects.count() == len(exacts) + 1
    case_ids = sorted(set(Report.objects.values_list("case_id", flat=True)))

    dialogs, console = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    log_in(page, desk, "ada")
    expect(page.locator("[data-queue] li.case")).to_have_count(len(case_ids))

    def assert_inert(where: str):
        assert page.evaluate("window.__pwned") is None, where
        assert page.locator(INJECTED).count() == 0, where
        assert page.evaluate("window.__csp") == [], where
        assert dialogs == [], where
        assert not [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m], where

    assert_inert("queue")
    # The text is there, as text, with its bidi override shown by name.
    expect(page.locator("[data-queue]")).to_contain_text("<script>window.__pwned='script'")
    expect(page.locator("[data-queue]")).to_contain_text("[U+202E]exe.txt")
    assert "\u202e" not in page.locator("[data-queue]").inner_text()

    page.fill("input[name=q]", "pwned")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=pwned"))
    assert_inert("queue search")

    for case_id in case_ids:
        page.goto(f"{desk.url}/desk/cases/{case_id}/")
        expect(page.locator("h1")).to_have_text(f"Case {case_id}")
        page.keyboard.press("j")
        assert_inert(f"case {case_id}")
        data = json.loads(page.locator("#case-data").text_content())
        assert data["id"] == case_id
    # The article link is never a javascript: link; the reports show the payload as text.
    expect(page.locator("li.report .comment")).to_contain_text(JS_URL)

    # Clicking everything clickable that carries reader text runs nothing either.
    page.goto(f"{desk.url}/desk/cases/{case_ids[0]}/")
    page.click("[data-copy-quote]")
    for link in page.locator("a.reader").all():
        assert link.get_attribute("href").startswith("https://")
    assert_inert("after clicks")

    page.goto(f"{desk.url}/desk/sites/courier/")
    expect(page.locator("#embed-snippet")).to_contain_text('data-site="courier"')
    assert_inert("settings")


def test_desk_pages_raise_no_csp_violation_of_their_own(page: Page, desk):
    """Our own scripts, htmx included, live within the policy: nothing to report on any page."""
    send(desk, hostile_report(1, "islanders", title="Plain title", suggestion="inhabitants", comment="fine", article_id=None))
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, desk, "ada")
    case_id = Report.objects.get().case_id
    page.select_option("select[name=category]", "fact")  # an htmx swap
    # The one case is listed before the swap too: the filtered URL is what shows it is done
    # (htmx pushes it in the same task as the swap). Clicked earlier, the row's own swap
    # lands on a row the filter's results then replace with the case still open.
    expect(page).to_have_url(re.compile(r"category=fact"))
    expect(page.locator("[data-queue] li.case")).to_have_count(1)
    page.locator(f"#case-{case_id} button:has-text('Not an error')").click()  # an htmx row swap
    expect(page.locator(f"#case-{case_id}")).to_have_count(0)  # it left the open queue
    expect(page.locator("#toasts")).to_contain_text(f"Case {case_id} marked not an error.")
    for path in ("/desk/", f"/desk/cases/{case_id}/", "/desk/sites/courier/", "/desk/password/"):
        page.goto(desk.url + path)
        page.evaluate("document.activeElement.blur()")  # the password page focuses its first field
        page.keyboard.press("?")
        expect(page.locator("#shortcuts")).to_be_visible()
        assert page.evaluate("window.__csp") == [], path
    assert not [m for m in console if "Content Security Policy" in m], console
