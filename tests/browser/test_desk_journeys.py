"""An editor's day in the desk, in Chromium: log in, filter, open, fix, merge, bulk spam, keyboard only."""

import re

import pytest
from playwright.sync_api import Page, expect

from corrigo.audit.models import Entry
from corrigo.reports.models import Case, CaseStatus
from tests.browser.desk import ROWS, cases, desk, log_in, scripts_ready
from tests.conftest import make_user

pytestmark = pytest.mark.browser
STATUS = ".case-head .badges .status"


def test_log_in_filter_open_and_mark_fixed(page: Page, desk):
    typo, fact = cases(("Augest", "typo"), ("islanders", "fact"))
    log_in(page, desk)
    expect(page.locator(ROWS)).to_have_count(2)

    page.select_option("select[name=category]", "typo")  # htmx swaps the results in place
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_have_attribute("data-case-id", str(typo))
    expect(page).to_have_url(re.compile(r"category=typo"))

    page.click(f"#case-{typo} [data-open]")
    expect(page).to_have_url(f"{desk.url}/desk/cases/{typo}/")
    expect(page.locator("mark#passage")).to_have_text("Augest")
    page.click(".outcomes button:has-text('Fixed')")
    expect(page.locator(STATUS)).to_have_text("Fixed")
    expect(page.locator(".log [data-verb='case.status']")).to_contain_text(f"eddie marked case {typo} as fixed")
    assert Case.objects.get(pk=typo).status == CaseStatus.FIXED
    assert Case.objects.get(pk=fact).status == CaseStatus.OPEN


def test_merge_two_cases(page: Page, desk):
    survivor, duplicate = cases(("Augest", "typo"), ("islanders", "fact"))
    log_in(page, desk)
    page.goto(f"{desk.url}/desk/cases/{duplicate}/")
    expect(page.locator(".others")).to_contain_text(f"#{survivor}")
    page.fill("form.merge input[name=into]", str(survivor))
    page.click("form.merge button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"Merge case {duplicate} into case {survivor}?")
    assert Case.objects.get(pk=duplicate).status == CaseStatus.OPEN  # nothing happens before the confirmation
    page.click(f"button:has-text('Merge case {duplicate} into case {survivor}')")
    expect(page).to_have_url(f"{desk.url}/desk/cases/{survivor}/")
    expect(page.locator("#toasts")).to_contain_text(f"Case {duplicate} merged into case {survivor}.")
    expect(page.locator("li.report")).to_have_count(2)
    merged = Case.objects.get(pk=duplicate)
    assert (merged.status, merged.duplicate_of_id, merged.report_count) == (CaseStatus.DUPLICATE, survivor, 0)
    assert Case.objects.get(pk=survivor).report_count == 2


def test_bulk_mark_spam(page: Page, desk):
    a, b, c = cases(("Augest", "typo"), ("islanders", "other"), ("ferry", "other"))
    log_in(page, desk)
    page.check(f"#case-{a} input.pick")
    page.check(f"#case-{c} input.pick")
    page.select_option("#bulk select[name=outcome]", "spam")
    page.click("#bulk button:has-text('Apply')")
    expect(page.locator("h1")).to_have_text("Mark 2 cases as spam?")
    assert dict(Case.objects.values_list("pk", "status")) == {a: "open", b: "open", c: "open"}
    page.click("button:has-text('Mark 2 cases as spam')")
    expect(page.locator("#toasts")).to_contain_text("Marked 2 cases spam.")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("[data-status-tab=spam] .count")).to_have_text("2")
    assert dict(Case.objects.values_list("pk", "status")) == {a: "spam", b: "open", c: "spam"}
    assert Entry.objects.filter(after="spam").count() == 2


def test_keyboard_only_triage(page: Page, desk):
    # Highest priority first: fact, then typo, then other.
    first, second, third = cases(("islanders", "fact"), ("Augest", "typo"), ("ferry", "other"))
    log_in(page, desk)
    rows = page.locator(ROWS)
    expect(rows).to_have_count(3)

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts")).to_contain_text("mark fixed")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("f")
    # The closed card leaves the open queue and the next one has the focus, counts updated.
    expect(page.locator(f"#case-{first}")).to_have_count(0)
    expect(page.locator(f"#case-{second}")).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator(f"#case-{second}")).to_be_focused()
    expect(page.locator("[data-status-tab=open] .count")).to_have_text("2")
    expect(page.locator("[data-status-tab=fixed] .count")).to_have_text("1")
    page.keyboard.press("n")
    expect(page.locator(f"#case-{second}")).to_have_count(0)
    expect(page.locator(f"#case-{third}")).to_be_focused()
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{desk.url}/desk/cases/{third}/")
    scripts_ready(page)
    page.keyboard.press("f")
    expect(page.locator(STATUS)).to_have_text("Fixed")
    scripts_ready(page)
    page.keyboard.press("b")
    expect(page).to_have_url(f"{desk.url}/desk/")

    assert dict(Case.objects.values_list("pk", "status")) == {first: "fixed", second: "not_error", third: "fixed"}
    assert Entry.objects.filter(actor_name="eddie", verb="case.status").count() == 3


def test_viewer_sees_no_buttons_and_keys_do_nothing(page: Page, desk, site):
    (only,) = cases(("Augest", "typo"))
    make_user("vera", site, "viewer")
    log_in(page, desk, "vera")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("button:has-text('Fixed')")).to_have_count(0)
    page.keyboard.press("j")
    page.keyboard.press("f")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{desk.url}/desk/cases/{only}/")
    scripts_ready(page)  # so that "f" is heard, and ignored
    page.keyboard.press("f")
    expect(page.locator(".actions")).to_have_count(0)
    assert Case.objects.get(pk=only).status == CaseStatus.OPEN


def test_merge_from_the_articles_other_cases(page: Page, desk):
    survivor, duplicate = cases(("Augest", "typo"), ("islanders", "fact"))
    log_in(page, desk)
    page.goto(f"{desk.url}/desk/cases/{duplicate}/")
    page.click(f".others button:has-text('merge this case into #{survivor}')")
    page.click(f"button:has-text('Merge case {duplicate} into case {survivor}')")
    expect(page).to_have_url(f"{desk.url}/desk/cases/{survivor}/")
    expect(page.locator("li.report")).to_have_count(2)
    assert Case.objects.get(pk=duplicate).duplicate_of_id == survivor
