"""Reporters' addresses: erased N days after their case closes and after the thank-you; erased on request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from corrigo.cli import main
from corrigo.jobs import queue
from corrigo.notify.models import Mail, MailKind, MailStatus
from corrigo.reports import actions
from corrigo.reports.models import Case, Report
from corrigo.reports.privacy import ERASE_JOB, erase_expired_addresses, erase_reporter
from tests.desk.conftest import report
from tests.notify.conftest import run_worker


def closed_days_ago(case: Case, days: float) -> None:
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=days))


def address_of(one: Report) -> str:
    one.refresh_from_db()
    return one.email


@pytest.fixture
def closed_report(site, editor):
    one = report(email="ann@readers.example", comment="I live on the island")
    actions.resolve(one.case, "not_error", by=editor)
    return one


def test_the_hourly_job_is_registered():
    assert queue.PERIODIC[ERASE_JOB].seconds == 3600


def test_an_address_is_erased_by_the_job_once_its_case_has_been_closed_ninety_days(closed_report):
    closed_days_ago(closed_report.case, 91)
    queue.enqueue(ERASE_JOB)
    run_worker()
    assert address_of(closed_report) == ""
    closed_report.refresh_from_db()
    assert closed_report.comment == "I live on the island"  # only the address is the reader's to take back


def test_an_address_is_kept_until_the_ninety_days_are_up(closed_report):
    closed_days_ago(closed_report.case, 89)
    assert erase_expired_addresses() == 0
    assert address_of(closed_report) == "ann@readers.example"


def test_an_address_on_a_reopened_case_is_kept(closed_report, editor):
    closed_days_ago(closed_report.case, 200)
    actions.reopen(Case.objects.get(pk=closed_report.case_id), by=editor)
    assert erase_expired_addresses() == 0
    assert address_of(closed_report) == "ann@readers.example"


def test_the_number_of_days_is_a_setting(closed_report, settings):
    settings.REPORTER_EMAIL_DAYS = 7
    closed_days_ago(closed_report.case, 8)
    assert erase_expired_addresses() == 1
    assert address_of(closed_report) == ""


def test_an_address_waits_for_its_thank_you_then_goes(site, editor, settings):
    settings.SMTP_URL = "smtp://127.0.0.1:9"  # nothing listens: the thank-you stays queued
    one = report(email="ann@readers.example")
    actions.resolve(one.case, "fixed", by=editor)
    run_worker()  # the thank-you is written, and fails to go
    thanks = Mail.objects.get(kind=MailKind.THANKS, report=one)
    assert thanks.status == MailStatus.QUEUED
    closed_days_ago(one.case, 100)
    assert erase_expired_addresses() == 0
    assert address_of(one) == "ann@readers.example"
    Mail.objects.filter(pk=thanks.pk).update(status=MailStatus.DROPPED)  # given up (the reader opted out)
    assert erase_expired_addresses() == 1
    assert address_of(one) == ""
    assert Mail.objects.get(pk=thanks.pk).to == ""


def test_every_due_address_is_erased_in_one_run(site, editor):
    for number in range(3):
        one = report(email=f"reader{number}@readers.example", exact="Augest" if number == 0 else "islanders")
        actions.resolve(Case.objects.get(pk=one.case_id), "spam", by=editor)
        closed_days_ago(one.case, 365)
    assert erase_expired_addresses() == 3  # three reports on two cases
    assert not Report.objects.exclude(email="").exists()


# ---- corrigo erase-reporter ---------------------------------------------------


def run(capsys, *argv: str) -> tuple[int | None, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_erase_reporter_erases_every_trace_of_the_address_and_says_what(site, other_site, editor, capsys):
    mine = report(email="Ann@Readers.example", comment="My neighbour told me")
    theirs = report("gazette", email="ann@readers.example", suggestion="August")
    someone_else = report(email="bob@readers.example", comment="Bob's words")
    Mail.objects.create(site=site, key="thanks:test", kind=MailKind.THANKS, to="ann@readers.example", report=mine, language="en")
    code, out, err = run(capsys, "erase-reporter", "ANN@readers.example")
    assert (code in (None, 0), err) == (True, "")
    assert out == (
        "Erased ANN@readers.example on courier, gazette: the address and comment of 2 reports, 1 mail to it deleted."
        " The quotes and suggestions stay with their cases, with no way back to the reader.\n"
    )
    for erased in (mine, theirs):
        erased.refresh_from_db()
        assert (erased.email, erased.comment) == ("", "")
    assert not Mail.objects.filter(key="thanks:test").exists()
    someone_else.refresh_from_db()
    assert (someone_else.email, someone_else.comment) == ("bob@readers.example", "Bob's words")


def test_erase_reporter_says_when_nothing_is_stored(site, capsys):
    code, out, _ = run(capsys, "erase-reporter", "nobody@readers.example")
    assert code in (None, 0)
    assert out == "Nothing is stored for nobody@readers.example: no report or mail carries that address.\n"


@pytest.mark.parametrize("pattern", ["a_n@readers.example", "%@readers.example", "ann@readers.exampl%", "_nn@readers.example"])
def test_erase_reporter_takes_the_address_literally_not_as_a_pattern(site, capsys, pattern):
    one = report(email="ann@readers.example")
    _, out, err = run(capsys, "erase-reporter", pattern)
    assert address_of(one) == "ann@readers.example"
    assert out.startswith("Nothing is stored") or err.startswith("corrigo erase-reporter: error: ")


@pytest.mark.parametrize("argument", ["", "   ", "not an address", "ann@", "@readers.example", "a" * 300 + "@x.example"])
def test_erase_reporter_refuses_what_is_not_an_address(db, capsys, argument):
    code, out, err = run(capsys, "erase-reporter", argument)
    assert code == 2 and out == ""
    assert err.startswith("corrigo erase-reporter: error: ") and err.count("\n") == 1


def test_the_service_refuses_an_empty_address(db):
    with pytest.raises(ValueError):
        erase_reporter("  ")
