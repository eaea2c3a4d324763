"""A standards editor's triage in Chromium: undo, select all, bulk with confirmation, unmerge,
saved filters and the metrics page."""

import re

import pytest
from playwright.sync_api import Page, expect

from corrigo.articles.models import Article
from corrigo.reports import actions
from corrigo.reports.models import Case, CaseStatus
from tests.browser.desk import ROWS, cases, desk, log_in, scripts_ready

pytestmark = pytest.mark.browser


def status_of(*ids):
    return [Case.objects.get(pk=pk).status for pk in ids]


def test_triage_with_undo_from_the_toast_and_from_the_keyboard(page: Page, desk):
    first, second = cases(("islanders", "fact"), ("Augest", "typo"))
    log_in(page, desk)
    page.keyboard.press("j")
    page.keyboard.press("f")
    expect(page.locator(f"#case-{first}")).to_have_count(0)
    toast = page.locator("#toasts .toast")
    expect(toast).to_contain_text(f"Case {first} marked fixed.")
    expect(page.locator("[data-status-tab=open] .count")).to_have_text("1")

    page.keyboard.press("u")  # undo with the key
    expect(page.locator(f"#case-{first}")).to_be_visible()
    expect(page.locator(f"#case-{first}")).to_be_focused()
    expect(page.locator("#toasts")).to_contain_text("Undone: 1 case is as before.")
    expect(page.locator("[data-status-tab=open] .count")).to_have_text("2")
    assert status_of(first, second) == ["open", "open"]

    page.locator(f"#case-{second} button:has-text('Not an error')").click()
    expect(page.locator(f"#case-{second}")).to_have_count(0)
    page.locator("#toasts button:has-text('Undo')").click()  # undo with the toast's button
    expect(page.locator(f"#case-{second}")).to_be_visible()
    assert status_of(first, second) == ["open", "open"]
    expect(page.locator("[data-status-tab=not_error] .count")).to_have_text("0")


def test_select_all_matching_then_bulk_with_confirmation_and_undo(page: Page, desk, monkeypatch):
    from corrigo.desk import queue

    monkeypatch.setattr(queue, "PAGE_SIZE", 2)  # the live server runs in this process
    ids = cases(("Augest", "typo"), ("islanders", "typo"), ("ferry", "typo"))
    fact = cases(("council", "fact"))[0]
    log_in(page, desk)
    page.select_option("select[name=category]", "typo")
    expect(page).to_have_url(re.compile(r"category=typo"))
    expect(page.locator(ROWS)).to_have_count(2)

    page.check("[data-select-page]")
    expect(page.locator(f"{ROWS} input.pick:checked")).to_have_count(2)
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    page.click("button:has-text('Select all 3 matching cases')")
    expect(page.locator("[data-selected-count]")).to_have_text("All matching cases are selected")
    page.select_option("#bulk select[name=outcome]", "spam")
    page.click("#bulk button:has-text('Apply')")

    expect(page.locator("h1")).to_have_text("Mark 3 cases as spam?")
    assert status_of(*ids, fact) == ["open"] * 4
    page.click("button:has-text('Mark 3 cases as spam')")
    expect(page).to_have_url(re.compile(r"/desk/\?(status=open&)?category=typo$"))
    expect(page.locator("#toasts")).to_contain_text("Marked 3 cases spam.")
    expect(page.locator("[data-status-tab=spam] .count")).to_have_text("3")
    assert status_of(*ids, fact) == ["spam", "spam", "spam", "open"]

    scripts_ready(page)
    page.keyboard.press("u")
    expect(page.locator("#toasts")).to_contain_text("Undone: 3 cases are as before.")
    expect(page.locator(ROWS)).to_have_count(2)
    assert status_of(*ids, fact) == ["open"] * 4


def test_cancel_a_bulk_action_and_nothing_happens(page: Page, desk):
    (only,) = cases(("Augest", "typo"))
    log_in(page, desk)
    page.check(f"#case-{only} input.pick")
    page.click("#bulk button:has-text('Apply')")
    expect(page.locator("h1")).to_have_text("Mark 1 case as fixed?")
    page.click("a:has-text('Cancel')")
    expect(page.locator(ROWS)).to_have_count(1)
    assert status_of(only) == ["open"]


def test_merge_with_confirmation_then_unmerge(page: Page, desk):
    survivor, duplicate = cases(("Augest", "typo"), ("islanders", "fact"))
    log_in(page, desk)
    page.goto(f"{desk.url}/desk/cases/{duplicate}/")
    page.fill("form.merge input[name=into]", str(survivor))
    page.click("form.merge button[type=submit]")
    page.click(f"button:has-text('Merge case {duplicate} into case {survivor}')")
    expect(page.locator("li.report")).to_have_count(2)

    page.goto(f"{desk.url}/desk/cases/{duplicate}/")
    expect(page.locator(".notice")).to_contain_text(f"Merged into case {survivor}")
    page.click(f"button:has-text('Unmerge from case {survivor}')")
    expect(page.locator("#toasts")).to_contain_text(f"Case {duplicate} is its own case again")
    expect(page.locator(".case-head .badges .status")).to_have_text("Open")
    expect(page.locator("li.report")).to_have_count(1)
    expect(page.locator(".log")).to_contain_text(f"eddie unmerged case {duplicate} from case {survivor} (1 report back)")
    merged_back = Case.objects.get(pk=duplicate)
    assert (merged_back.status, merged_back.report_count, Case.objects.get(pk=survivor).report_count) == ("open", 1, 1)


def test_save_a_filter_and_come_back_to_it(page: Page, desk, site):
    from django.contrib.auth.models import User

    eddie = User.objects.get(username="eddie")
    mine, other, typo = cases(("islanders", "fact"), ("council", "fact"), ("Augest", "typo"))
    actions.assign(Case.objects.get(pk=mine), eddie, by=eddie)
    log_in(page, desk)
    page.select_option("select[name=category]", "fact")
    expect(page).to_have_url(re.compile(r"category=fact"))
    page.select_option("select[name=assignee]", "me")
    expect(page).to_have_url(re.compile(r"assignee=me"))
    expect(page.locator(ROWS)).to_have_count(1)
    page.click("summary:has-text('Save this filter')")
    page.fill("#filter-name", "My open factual errors")
    page.click("#save-filter button:has-text('Save')")
    expect(page.locator("#toasts")).to_contain_text("Saved the filter “My open factual errors”.")

    page.goto(f"{desk.url}/desk/")
    expect(page.locator(ROWS)).to_have_count(3)
    page.click("[data-saved-filter='My open factual errors']")
    expect(page).to_have_url(re.compile(r"category=fact&assignee=me|assignee=me&category=fact"))
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(f"#case-{mine}")).to_be_visible()
    assert {other, typo}.isdisjoint(
        {int(pk) for pk in page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.caseId)")}
    )


def test_the_metrics_page_draws_its_charts_beside_the_numbers(page: Page, desk, site):
    fixed, wrong, _open = cases(("islanders", "fact"), ("Augest", "typo"), ("ferry", "other"))
    from django.contrib.auth.models import User

    eddie = User.objects.get(username="eddie")
    actions.resolve(Case.objects.get(pk=fixed), CaseStatus.FIXED, by=eddie)
    actions.resolve(Case.objects.get(pk=wrong), CaseStatus.NOT_ERROR, by=eddie)
    Article.objects.update(section="Local", title="Harbour town keeps its night ferry — The Courier")
    log_in(page, desk)
    page.click("nav.nav a:has-text('Metrics')")
    expect(page).to_have_url(f"{desk.url}/desk/sites/courier/metrics/")
    expect(page.locator("[data-figure=cases]")).to_have_text("3")
    expect(page.locator("[data-figure=real-errors]")).to_have_text("50%")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(3)
    for n in range(3):
        chart = charts.nth(n)
        expect(chart).to_be_visible()
        labelled = chart.get_attribute("aria-labelledby").split()
        assert all(page.locator(f"#{name}").count() == 1 for name in labelled)
    expect(page.locator("[data-table=outcomes] tr[data-outcome=fixed] td")).to_have_text("1")
    expect(page.locator("[data-table=by-section]")).to_contain_text("Local")
    expect(page.locator("[data-table=articles]")).to_contain_text("Harbour town keeps its night ferry")
    with page.expect_download() as download:
        page.click("a:has-text('Export CSV')")
    assert download.value.suggested_filename.startswith("corrigo-metrics-courier-")
