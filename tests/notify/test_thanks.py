"""Readers are thanked when their case is fixed: once per report, in their language, only their own words."""

import pytest
from django.urls import reverse
from django.utils import timezone

from corrigo.articles.models import ArticleVersion
from corrigo.notify import thanks
from corrigo.notify.models import Mail, MailKind, MailStatus, ReaderOptOut
from corrigo.reports import actions
from corrigo.reports.models import AnchorStatus, Case, Report
from tests.conftest import ARTICLE_TEXT
from tests.desk.conftest import report
from tests.notify.conftest import run_worker


def thanked(smtp):
    return {str(m["To"]).strip(): m for m in smtp.messages}


def body(message, kind="plain"):
    return message.get_body((kind,)).get_content()


@pytest.fixture
def two_readers(site):
    first = report(email="ann@readers.example", suggestion="August", language="en")
    second = report(email="bohdan@readers.example", suggestion="серпня", language="uk-UA", comment="Bohdan's own words")
    silent = report(suggestion="Aug.")  # no address: nobody to thank
    assert first.case_id == second.case_id == silent.case_id
    return Case.objects.get(pk=first.case_id), first, second


def test_a_fixed_case_thanks_every_reporter_with_an_address_once_in_their_language(site, smtp, editor, two_readers):
    case, _first, _second = two_readers
    run_worker()
    actions.resolve(case, "fixed", by=editor)
    run_worker()
    mails = thanked(smtp)
    assert set(mails) == {"ann@readers.example", "bohdan@readers.example"}
    english, ukrainian = mails["ann@readers.example"], mails["bohdan@readers.example"]
    assert str(english["Subject"]).strip() == "Thank you: we corrected “Augest”"
    assert str(ukrainian["Subject"]).strip() == "Дякуємо: ми виправили «Augest»"
    assert "Your suggestion: August" in body(english)
    # No reporter sees another's address, suggestion or comment.
    for message, others in ((english, ("bohdan@", "серпня", "Bohdan's")), (ukrainian, ("ann@", "Your suggestion: August"))):
        raw = message.as_string()
        assert not any(other in raw or other in body(message) or other in body(message, "html") for other in others)
    assert str(english["List-Unsubscribe"]).strip().startswith("<https://corrections.example.org/notify/opt-out/")


def test_once_thanked_the_address_is_erased_and_a_second_fix_thanks_nobody(site, smtp, editor, two_readers):
    case, first, second = two_readers
    actions.resolve(case, "fixed", by=editor)
    run_worker()
    assert Report.objects.filter(pk__in=[first.pk, second.pk]).exclude(email="").count() == 0
    assert set(Mail.objects.filter(kind=MailKind.THANKS).values_list("to", flat=True)) == {""}
    actions.reopen(case, by=editor)
    actions.resolve(case, "fixed", by=editor)
    run_worker()
    assert len(smtp.messages) == 2


@pytest.mark.parametrize("outcome", ["not_error", "wont_fix", "spam"])
def test_other_outcomes_thank_nobody_and_keep_the_address(site, smtp, editor, two_readers, outcome):
    case, first, _ = two_readers
    actions.resolve(case, outcome, by=editor)
    run_worker()
    assert smtp.messages == []
    first.refresh_from_db()
    assert first.email == "ann@readers.example"


def test_the_mail_says_what_it_says_now_and_links_the_notice(site, smtp, editor, two_readers):
    case, _, _ = two_readers
    fixed_text = ARTICLE_TEXT.replace("Augest", "August")
    version = ArticleVersion.objects.create(article=case.article, text=fixed_text, text_hash="fixed")
    start = fixed_text.index("August")
    Case.objects.filter(pk=case.pk).update(
        anchor_status=AnchorStatus.CHANGED, anchor_version=version, anchor_start=start, anchor_end=start + 6
    )
    finder = thanks.notice_finder(
        lambda c: thanks.Notice("Correction", "We misspelt <August>.", "https://news.example.org/corrections/1")
    )
    try:
        actions.resolve(case, "fixed", by=editor)
        run_worker()
    finally:
        thanks.NOTICE_FINDERS.remove(finder)
    english = thanked(smtp)["ann@readers.example"]
    plain, html = body(english), body(english, "html")
    assert "What it says now: August" in plain
    assert "We misspelt <August>." in plain and "https://news.example.org/corrections/1" in plain
    assert "We misspelt &lt;August&gt;." in html and 'href="https://news.example.org/corrections/1"' in html


def test_an_opted_out_reader_is_never_written_to_again(site, smtp, editor, two_readers, client):
    case, _first, _ = two_readers
    actions.resolve(case, "fixed", by=editor)
    run_worker()
    link = str(thanked(smtp)["ann@readers.example"]["List-Unsubscribe"]).strip().strip("<>")
    path = link.removeprefix("https://corrections.example.org")
    assert client.get(path).status_code == 200 and not ReaderOptOut.objects.exists()  # a look changes nothing
    assert client.post(path).status_code == 200
    assert ReaderOptOut.objects.count() == 1
    smtp.messages.clear()
    later = report(exact="ferry", email="ANN@readers.example", suggestion="boat")
    actions.resolve(later.case, "fixed", by=editor)
    run_worker()
    assert smtp.messages == [] and not Mail.objects.filter(report=later).exists()


def test_a_reader_who_opts_out_before_the_mail_goes_gets_nothing(site, smtp, editor, two_readers):
    case, first, _ = two_readers
    actions.resolve(case, "fixed", by=editor)
    from corrigo.jobs import queue

    [dispatch] = [
        job for job in queue.claim("w", limit=20) if job.kind == "notify.dispatch" and job.payload["type"] == "case.resolved"
    ]
    queue.run(dispatch, "w")
    thanks.opt_out(thanks.address_digests("ann@readers.example")[0])
    run_worker()
    assert set(thanked(smtp)) == {"bohdan@readers.example"}
    dropped = Mail.objects.get(report=first)
    assert dropped.status == MailStatus.DROPPED and dropped.to == ""
    first.refresh_from_db()
    assert first.email == ""


def test_an_opt_out_outlives_a_rotated_secret_key(site, smtp, editor, settings):
    old_key = settings.SECRET_KEY
    thanks.opt_out(thanks.address_digests("ann@readers.example")[0])
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a brand new secret key " * 3, [old_key]
    assert thanks.opted_out("ann@readers.example")


def test_hostile_reader_text_in_a_thank_you_is_escaped_and_cleaned(site, smtp, editor):
    hostile = "<img src=x onerror=alert(1)>\u202e\r\nBcc: x@evil.example"
    mine = report(email="ann@readers.example", suggestion=hostile)
    actions.resolve(mine.case, "fixed", by=editor)
    run_worker()
    [message] = smtp.messages
    assert message["Bcc"] is None
    html = body(message, "html")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html and "\u202e" not in html


def test_the_demo_mailbox_keeps_a_thank_you_without_the_address(site, no_smtp, editor):
    mine = report(email="ann@readers.example")
    actions.resolve(mine.case, "fixed", by=editor)
    run_worker()
    kept = Mail.objects.get(kind=MailKind.THANKS)
    assert kept.status == MailStatus.KEPT and kept.to == ""
    mine.refresh_from_db()
    assert mine.email == ""


def test_a_merged_duplicates_readers_are_thanked_when_the_survivor_is_fixed(site, smtp, editor):
    kept = report(email="ann@readers.example")
    moved = report(exact="ferry", email="carl@readers.example")
    actions.merge(moved.case, kept.case, by=editor)
    actions.resolve(kept.case, "fixed", by=editor)
    run_worker()
    assert set(thanked(smtp)) == {"ann@readers.example", "carl@readers.example"}


def test_the_opt_out_page_speaks_the_readers_language(site, client):
    link = reverse("notify:opt-out", args=["x"]).replace("/x/", "/{}/")
    from corrigo.notify import links

    path = links.opt_out_link(thanks.address_digests("a@b.example")[0], "ru").removeprefix(links.base_url())
    page = client.get(path)
    assert page.status_code == 200 and "Больше никогда мне не писать" in page.content.decode()
    assert page["Content-Security-Policy"].startswith("default-src 'none'") and link
