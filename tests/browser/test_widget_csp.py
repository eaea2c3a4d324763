"""The widget lives under a publisher's strict Content Security Policy and leaves no trace.

The host pages send the policy docs/widget.md promises publishers (plus Trusted Types, which
turns any HTML parsing of strings, eval or string timers into a violation); a listener
installed before any script records every ``securitypolicyviolation``.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.pages import CORRIGO, WATCH_CSP, host_page, select
from tests.browser.pages.fixtures import (
    ARTICLE,
    back_online,
    dialog,
    errors,
    goto,
    press_report,
    publisher,
    send_report,
    stored_reports,
    violations,
    web,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDGET = Path(__file__).resolve().parents[2] / "src" / "corrigo" / "widget"
HTML = host_page("article.html", **ARTICLE)


def test_reporting_under_the_strict_policy_raises_no_violation(page, web, publisher, errors):
    goto(page, web, HTML)
    select(page, "old customs house")
    form = send_report(page, "old custom house")
    expect(form.get_by_role("status")).to_contain_text("Thank you!")
    form.get_by_role("button", name="Close").click()

    page.click("#open")
    general = page.get_by_role("dialog", name="Write to the editors")
    general.get_by_role("button", name="Send").click()  # the widget's own validation message
    general.get_by_label("Your message").fill("The map link is broken.")
    general.get_by_role("button", name="Send").click()
    expect(general.get_by_role("status")).to_contain_text("Thank you!")

    assert len(stored_reports()) == 2
    assert violations(page) == []
    assert errors == []


def test_kept_reports_and_their_notice_raise_no_violation(page, web, publisher):
    web.offline = True  # until the reload: the first page's timed retry must not send it
    goto(page, web, HTML)
    select(page, "old customs house")
    press_report(page)
    page.get_by_role("dialog", name="Report a mistake").get_by_role("button", name="Send").click()
    page.get_by_text("We could not reach the newsroom").wait_for()
    page.reload()
    back_online(page, web)
    expect(page.locator("corrigo-widget .toast")).to_contain_text("now been sent")
    assert violations(page) == []


def test_demo_page_policy_raises_no_violation(page, demo_server):
    page.add_init_script(WATCH_CSP)
    page.goto(demo_server.url + "/")
    page.wait_for_function("() => window.Corrigo")
    select(page, "Augest")
    send_report(page).get_by_text("Thank you!").wait_for()
    assert violations(page) == []


def test_the_only_global_is_corrigo(page, web, publisher):
    page.context.add_init_script("window.__before = Object.getOwnPropertyNames(window)")
    goto(page, web, HTML)
    select(page, "old customs house")
    press_report(page)
    form = page.get_by_role("dialog", name="Report a mistake")
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("status")).to_contain_text("Thank you!")
    added = page.evaluate("Object.getOwnPropertyNames(window).filter((k) => !window.__before.includes(k))")
    assert set(added) - {"__before", "__violations", "__taken", "__watching"} == {"Corrigo"}


def test_styles_are_adopted_into_the_shadow_root(page, web, publisher):
    goto(page, web, HTML)
    page.click("#open")
    expect(dialog(page)).to_be_visible()
    state = page.evaluate("""() => { const root = document.querySelector('corrigo-widget').shadowRoot;
        return {adopted: root.adoptedStyleSheets.length, style: root.querySelectorAll('style, link, [style]').length,
                pageSheets: document.styleSheets.length} }""")
    assert state == {"adopted": 1, "style": 0, "pageSheets": 0}


def test_without_constructable_stylesheets_a_link_styles_the_dialog(page, web, publisher):
    """Older browsers: a <link> in the shadow root, which needs Corrigo's origin in style-src."""
    page.context.add_init_script("CSSStyleSheet.prototype.replaceSync = () => { throw new TypeError('unsupported') }")
    csp = f"default-src 'self'; script-src {CORRIGO}; connect-src {CORRIGO}; style-src 'self' {CORRIGO}"
    goto(page, web, HTML, csp=csp)
    page.click("#open")
    expect(dialog(page)).to_be_visible()
    assert (
        page.evaluate("document.querySelector('corrigo-widget').shadowRoot.querySelector('link').href")
        == f"{CORRIGO}/widget/widget.css"
    )
    send = dialog(page).get_by_role("button", name="Send")
    expect(send).to_have_css("min-height", "44px")
    assert violations(page) == []


def test_source_has_no_html_parsing_eval_or_inline_handlers():
    """Trusted Types catches these at run time on the paths the tests take; this covers the rest."""
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
        r"setAttribute\(\s*['\"](style|on\w+)|\.on[a-z]+\s*=|set(Timeout|Interval)\(\s*['\"]"
    )
    scripts = [*WIDGET.glob("js/*.js"), *WIDGET.glob("dist/*.js")]  # the source and what is served
    assert len(scripts) >= 4
    for path in scripts:
        assert not forbidden.findall(path.read_text(encoding="utf-8")), path.name
