"""Nothing a reader sends is lost: kept on failure, retried with the same id, stored once.

Failures are real to the browser: offline emulation, or the fake web answering for the
server (5xx, 429), or the server storing a report whose answer never arrives.
"""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.pages import CORRIGO, host_page, select
from tests.browser.pages.fixtures import ARTICLE, back_online, goto, press_report, publisher, send_report, stored_reports, web
from tests.browser.test_widget_i18n import strings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTML = host_page("article.html", **ARTICLE)
T = strings("en")
OUTBOX = "sessionStorage.getItem('corrigo-outbox:publisher')"


def _send_a_report(page, web, suggestion="old custom house"):
    goto(page, web, HTML)
    select(page, "old customs house")
    return send_report(page, suggestion)


def _kept(page) -> list[dict]:
    raw = page.evaluate(OUTBOX)
    return [item["body"] for item in json.loads(raw)] if raw else []


def _wait_for_reports(page, count: int, nudge: bool = False) -> list:
    """Poll the database for up to 30 s (retries wait 3 s, a loaded CI box stretches that);
    with `nudge`, tell the widget the network is back each time."""
    for _ in range(300):
        if nudge:
            page.evaluate("dispatchEvent(new Event('online'))")
        if len(reports := stored_reports()) >= count:
            return reports
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} stored reports, have {len(stored_reports())}")


def test_report_made_offline_is_kept_and_sent_when_the_network_returns(page, context, web, publisher):
    goto(page, web, HTML)
    select(page, "old customs house")
    assert press_report(page) is True
    form = page.get_by_role("dialog", name="Report a mistake")
    # Offline emulation does not stop the fake web's routes, so they refuse reports too:
    # every try, the widget's own timed retries included, until the network is back.
    context.set_offline(True)
    web.offline = True
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("status")).to_have_text(T["kept"])
    [kept] = _kept(page)
    assert kept["quote"]["exact"] == "old customs house"
    assert stored_reports() == []

    web.offline = False
    context.set_offline(False)  # the browser fires "online"
    expect(form.get_by_role("status")).to_have_text(T["later"])
    [report] = stored_reports()
    assert report.client_report_id == kept["client_report_id"]
    assert report.exact == "old customs house"
    assert page.evaluate(OUTBOX) is None


def test_server_errors_and_rate_limits_are_retried_with_the_same_id(page, web, publisher):
    web.report_faults[:] = [503, 429, 500]
    form = _send_a_report(page, web)
    expect(form.get_by_role("status")).to_have_text(T["kept"])
    [kept] = _kept(page)
    [report] = _wait_for_reports(page, 1, nudge=True)
    expect(form.get_by_role("status")).to_have_text(T["later"])
    assert len(web.posted) == 4
    assert {body["client_report_id"] for body in web.posted} == {kept["client_report_id"]} == {report.client_report_id}
    assert len(stored_reports()) == 1


def test_a_kept_report_is_retried_on_its_own(page, web, publisher):
    web.report_faults[:] = [503]
    form = _send_a_report(page, web)
    expect(form.get_by_role("status")).to_have_text(T["kept"])
    [report] = _wait_for_reports(page, 1)
    assert report.suggestion == "old custom house"
    # The server commits before its answer reaches the page: wait for the widget to hear it.
    expect(form.get_by_role("status")).to_have_text(T["later"])
    assert page.evaluate(OUTBOX) is None


def test_an_answer_lost_on_the_way_back_does_not_make_a_second_report(page, web, publisher):
    web.report_faults[:] = ["lost"]
    form = _send_a_report(page, web)
    expect(form.get_by_role("status")).to_have_text(T["kept"])
    assert len(stored_reports()) == 1  # the server has it; the reader does not know yet
    page.evaluate("dispatchEvent(new Event('online'))")
    expect(form.get_by_role("status")).to_have_text(T["later"])
    assert len(web.posted) == 2
    assert web.posted[0]["client_report_id"] == web.posted[1]["client_report_id"]
    assert len(stored_reports()) == 1


def test_a_kept_report_is_sent_after_the_reader_reloads_the_page(page, web, publisher):
    # Offline until the reload is done: a retry the first page makes on its own timer
    # must not send the report before the reloaded page can.
    web.offline = True
    form = _send_a_report(page, web)
    expect(form.get_by_role("status")).to_have_text(T["kept"])
    [kept] = _kept(page)
    page.reload()
    tried = len(web.posted)
    web.wait_for_posts(page, tried + 1)  # the reloaded page finds the kept report and tries it
    assert web.posted[-1]["client_report_id"] == kept["client_report_id"]
    back_online(page, web)
    expect(page.locator("corrigo-widget .toast")).to_have_text(T["later"])
    [report] = stored_reports()
    assert report.client_report_id == kept["client_report_id"]
    assert page.evaluate(OUTBOX) is None


def test_a_validation_error_shows_the_servers_message_and_is_not_kept(page, web, publisher):
    goto(page, web, HTML)
    select(page, "old customs house")
    assert press_report(page) is True
    form = page.get_by_role("dialog", name="Report a mistake")
    email = form.get_by_label("Your email (optional)")
    email.fill("reader@b")  # a browser takes it; the server's validator does not
    form.get_by_role("button", name="Send").click()
    status = form.get_by_role("status")
    expect(status).to_contain_text(T["rejected"] + " Some fields are not valid.")
    expect(status).to_contain_text("email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    assert stored_reports() == [] and page.evaluate(OUTBOX) is None

    email.fill("reader@localhost")
    form.get_by_role("button", name="Send").click()
    expect(status).to_have_text(T["sent"])
    assert [r.email for r in stored_reports()] == ["reader@localhost"]


def test_report_goes_to_the_scripts_origin_as_plain_text_without_cookies(page, context, web, publisher):
    context.add_cookies([{"name": "sessionid", "value": "secret", "url": CORRIGO}])
    form = _send_a_report(page, web)
    expect(form.get_by_role("status")).to_have_text(T["sent"])
    [headers] = web.posted_headers
    assert headers["content-type"] == "text/plain;charset=UTF-8"  # a simple request: no preflight
    assert "cookie" not in headers
    assert headers["origin"] == "https://publisher.test"
    assert [u for u in web.requests if "/api/v1/reports" in u] == [f"{CORRIGO}/api/v1/reports"]


@pytest.mark.parametrize(("fault", "notice", "stored"), [(None, "sent", 1), ("offline", "kept", 0)])
def test_closing_the_dialog_while_sending_still_tells_the_reader(page, web, publisher, fault, notice, stored):
    web.report_faults[:] = ["hold"]
    web.offline = fault == "offline"  # a kept report's retries (3 s on) fail too
    form = _send_a_report(page, web)
    expect(form.get_by_role("status")).to_have_text(T["sending"])
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    # "Sending…" shows before the request reaches the fake web: release it once it has.
    web.wait_for_held(page)
    web.release(fault)
    expect(page.locator("corrigo-widget .toast")).to_have_text(T[notice])
    assert len(stored_reports()) == stored
    assert (page.evaluate(OUTBOX) is None) == (fault is None)


def test_a_long_title_is_cut_without_splitting_an_emoji(page, web, publisher):
    # The 500th UTF-16 unit of this title is the first half of a crab: cut there, the
    # report would carry a lone surrogate, which the API refuses.
    title = "a" * 499 + "\U0001f980 and more"
    goto(
        page,
        web,
        HTML.replace("<title>Crab festival returns to the harbour — The Test Gazette</title>", f"<title>{title}</title>"),
    )
    select(page, "old customs house")
    form = send_report(page)
    expect(form.get_by_role("status")).to_have_text(T["sent"])
    [report] = stored_reports()
    assert report.title == "a" * 499
