"""Mail to editors through a real SMTP server on loopback (aiosmtpd), or into the desk's mailbox without one."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from corrigo.config import smtp_settings
from corrigo.jobs.models import Job, JobStatus
from corrigo.notify import editors
from corrigo.notify.editors import send_digests
from corrigo.notify.mail import MAIL_JOB
from corrigo.notify.models import EmailChoice, Mail, MailStatus, MemberNotification
from tests.conftest import ARTICLE_TEXT, make_user
from tests.desk.conftest import case_about, report
from tests.notify.conftest import run_worker, time_passes


def member(name, site, role, address, **choice):
    user = make_user(name, site, role)
    user.email = address
    user.save()
    if choice:
        editors.set_choice(user, site, **choice)
    return user


def header(message, name):
    """A header's value as a mail client shows it (Django folds long ones after the colon)."""
    value = message[name]
    return None if value is None else str(value).strip()


def parts(message):
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, html


def test_a_new_case_mails_each_editor_and_admin_at_once_in_their_language(site, smtp):
    member("eddie", site, "editor", "eddie@news.example.org")
    member("olena", site, "admin", "olena@news.example.org", email="instant", language="uk")
    member("vera", site, "viewer", "vera@news.example.org")  # viewers get nothing unless they choose
    member("nomail", site, "editor", "")
    case = case_about(suggestion="August")
    run_worker()
    by_address = {header(m, "To"): m for m in smtp.messages}
    assert set(by_address) == {"eddie@news.example.org", "olena@news.example.org"}
    english, ukrainian = by_address["eddie@news.example.org"], by_address["olena@news.example.org"]
    assert header(english, "Subject") == "New case on The Courier: “Augest”"
    assert header(ukrainian, "Subject") == "Нова справа на The Courier: «Augest»"
    plain, html = parts(english)
    assert "ferry running from [Augest] to March." in plain  # the quote in its context
    assert "Suggested instead: August" in plain
    assert f"https://corrections.example.org/desk/cases/{case.pk}/" in plain and f"/desk/cases/{case.pk}/" in html
    assert "<mark" in html and ">Augest</mark>" in html
    assert header(english, "From") == "Corrigo <corrigo@news.example.org>"
    assert header(english, "List-Unsubscribe").startswith("<https://corrections.example.org/notify/unsubscribe/")
    assert header(english, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert header(english, "Message-ID").endswith("@news.example.org>")
    assert "Стаття" in parts(ukrainian)[0]
    assert set(Mail.objects.values_list("status", flat=True)) == {MailStatus.SENT}


def test_hostile_reader_text_adds_no_header_no_html_and_no_bidi_override(site, smtp):
    member("eddie", site, "editor", "eddie@news.example.org")
    hostile = "Augest\r\nBcc: victim@evil.example\r\n\r\n<script>alert(1)</script> <b>bold</b> \u202egpj.exe"
    text = ARTICLE_TEXT + "\n" + "Reader line Augest2 here."
    report(exact="Augest2", text=text, suggestion=hostile, comment="Subject: forged\nX-Evil: 1")
    run_worker()
    [message] = smtp.messages
    assert [envelope.rcpt_tos for envelope in smtp.envelopes] == [["eddie@news.example.org"]]
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert header(message, "Subject") == "New case on The Courier: “Augest2”"
    plain, html = parts(message)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold" in html
    assert "\u202e" not in plain and "\u202e" not in html
    assert "Bcc: victim@evil.example" in plain  # shown as the text it is, inside the body


def test_a_header_from_a_quote_is_one_clean_line(site, smtp):
    member("eddie", site, "editor", "eddie@news.example.org")
    text = ARTICLE_TEXT + "\nLine one\u2028Bcc: x@evil.example\u202e end"
    report(exact="Line one\u2028Bcc: x@evil.example\u202e end", text=text)
    run_worker()
    [message] = smtp.messages
    assert message["Bcc"] is None
    assert header(message, "Subject") == "New case on The Courier: “Line one Bcc: x@evil.example end”"


def test_a_member_who_chose_nothing_gets_nothing(site, smtp):
    member("eddie", site, "editor", "eddie@news.example.org", email="none")
    case_about()
    run_worker()
    assert smtp.messages == [] and not Mail.objects.exists()


def test_the_unsubscribe_link_stops_mail_in_one_click_and_a_get_changes_nothing(site, smtp, client):
    eddie = member("eddie", site, "editor", "eddie@news.example.org")
    case_about()
    run_worker()
    link = header(smtp.messages[0], "List-Unsubscribe").strip("<>").removeprefix("https://corrections.example.org")
    page = client.get(link)
    assert page.status_code == 200 and b"Stop these emails" in page.content
    assert editors.choice_of(eddie, site)[0] == EmailChoice.INSTANT
    done = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert editors.choice_of(eddie, site)[0] == EmailChoice.NONE
    case_about("ferry")
    run_worker()
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("token", ["x", "a" * 500, "eyJ1IjoxLCJzIjoxfQ:1:bad", "%00"])
def test_a_broken_unsubscribe_or_opt_out_link_is_a_404_page(db, client, token):
    for name in ("notify:unsubscribe", "notify:opt-out"):
        answer = client.post(reverse(name, args=[token]))
        assert answer.status_code == 404 and b"not valid" in answer.content


def test_a_daily_digest_lists_the_days_new_cases_in_one_mail(site, smtp):
    eddie = member("eddie", site, "editor", "eddie@news.example.org", email="digest")
    setting = MemberNotification.objects.get(user=eddie)
    MemberNotification.objects.filter(pk=setting.pk).update(digest_until=timezone.now() - timedelta(hours=1))
    case_about()
    case_about("ferry")
    run_worker()
    assert smtp.messages == []  # not at once
    send_digests(None)
    assert smtp.messages == []  # the last digest was an hour ago
    MemberNotification.objects.filter(pk=setting.pk).update(digest_until=timezone.now() - timedelta(hours=25))
    send_digests(None)
    send_digests(None)  # run twice in the hour: still one digest
    run_worker()
    [digest] = smtp.messages
    assert header(digest, "Subject") == "The Courier: 2 new case(s) in the last day"
    plain, _ = parts(digest)
    assert "“Augest”" in plain and "“ferry”" in plain


def test_a_digest_with_nothing_new_is_not_sent(site, smtp):
    eddie = member("eddie", site, "editor", "eddie@news.example.org", email="digest")
    MemberNotification.objects.filter(user=eddie).update(digest_until=timezone.now() - timedelta(days=2))
    send_digests(None)
    run_worker()
    assert smtp.messages == []
    assert MemberNotification.objects.get(user=eddie).digest_until > timezone.now() - timedelta(minutes=1)


def test_a_recipient_the_server_refuses_for_good_becomes_a_dead_letter(site, smtp):
    member("eddie", site, "editor", "eddie@news.example.org")
    smtp.refuse = "550 5.1.1 No such user"
    case_about()
    run_worker()
    job = Job.objects.get(kind=MAIL_JOB)
    assert job.status == JobStatus.DEAD and "550" in job.last_error
    assert Mail.objects.get().status == MailStatus.QUEUED


def test_a_server_that_says_try_later_gets_the_mail_later_once(site, smtp):
    member("eddie", site, "editor", "eddie@news.example.org")
    smtp.refuse = "451 4.3.0 Try again later"
    case_about()
    run_worker()
    assert Job.objects.get(kind=MAIL_JOB).status == JobStatus.QUEUED
    smtp.refuse = None
    time_passes()
    run_worker()
    time_passes()
    run_worker()
    assert len(smtp.messages) == 1 and Mail.objects.get().status == MailStatus.SENT


def test_an_smtp_server_that_is_down_is_retried(site, settings, smtp):
    member("eddie", site, "editor", "eddie@news.example.org")
    from tests.notify.conftest import free_port

    settings.EMAIL_PORT = free_port()  # nobody listens there
    case_about()
    run_worker()
    job = Job.objects.get(kind=MAIL_JOB)
    assert job.status == JobStatus.QUEUED and "cannot send" in job.last_error


def test_without_an_smtp_server_mail_is_kept_for_admins_in_the_desk(site, no_smtp, client):
    admin = member("ada", site, "admin", "ada@news.example.org")
    eddie = member("eddie", site, "editor", "eddie@news.example.org")
    case_about(suggestion="<b>August</b>")
    run_worker()
    assert django_mail.outbox == []
    kept = list(Mail.objects.filter(status=MailStatus.KEPT))
    assert {m.to for m in kept} == {"ada@news.example.org", "eddie@news.example.org"}
    client.force_login(admin)
    box = client.get(reverse("desk:mailbox", args=[site.key]))
    assert box.status_code == 200 and "New case on The Courier" in box.content.decode()
    one = client.get(reverse("desk:mailbox-mail", args=[site.key, kept[0].pk])).content.decode()
    assert "&lt;b&gt;August&lt;/b&gt;" in one
    html = client.get(reverse("desk:mailbox-html", args=[site.key, kept[0].pk]))
    assert "sandbox" in html["Content-Security-Policy"] and "script-src" not in html["Content-Security-Policy"]
    client.force_login(eddie)
    assert client.get(reverse("desk:mailbox", args=[site.key])).status_code == 403


def test_a_mailbox_of_another_site_does_not_exist_for_its_non_members(site, other_site, no_smtp, client):
    outsider = member("otto", other_site, "admin", "otto@gazette.example.com")
    case_about()
    run_worker()
    client.force_login(outsider)
    assert client.get(reverse("desk:mailbox", args=[site.key])).status_code == 404
    mail = Mail.objects.filter(site=site).first()
    if mail is not None:
        assert client.get(reverse("desk:mailbox-mail", args=[other_site.key, mail.pk])).status_code == 404


def test_a_mail_dispatched_twice_is_written_and_sent_once(site, smtp):
    from corrigo.jobs import queue
    from corrigo.notify import events

    member("eddie", site, "editor", "eddie@news.example.org")
    case_about()
    [dispatch] = queue.claim("w")
    queue.run(dispatch, "w")
    events.dispatch(Job.objects.get(pk=dispatch.pk))
    run_worker()
    send = Job.objects.get(kind=MAIL_JOB)
    from corrigo.notify.mail import send as send_mail

    send_mail(send)  # a worker that died after sending but before marking it done, run again
    assert len(smtp.messages) == 1 and Mail.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mail.example.org",
            {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False},
        ),
        ("smtp+starttls://mail.example.org", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
        ("smtps://mail.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True}),
        (
            "smtps://relay%40news:p%3Ass%2Fw@mail.example.org:2465",
            {"EMAIL_PORT": 2465, "EMAIL_HOST_USER": "relay@news", "EMAIL_HOST_PASSWORD": "p:ss/w"},
        ),
    ],
)
def test_the_smtp_url_sets_host_port_security_and_login(url, expected):
    got = smtp_settings(url)
    assert {key: got[key] for key in expected} == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "smtp://",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org/path",
        "smtps://h?x=1",
        "mail.example.org",
    ],
)
def test_a_bad_smtp_url_is_refused_with_a_reason(url):
    with pytest.raises(ValueError, match="CORRIGO_SMTP_URL"):
        smtp_settings(url)


def test_no_channel_but_the_thank_you_carries_a_readers_address(site, smtp, receiver, editor):
    from corrigo.notify import webhooks

    member("olena", site, "admin", "olena@news.example.org")
    _, receiver.secret = webhooks.add_endpoint(site, receiver.url)
    webhooks.add_endpoint(site, receiver.server.url("/slack"), format="slack")
    mine = report(email="ann@readers.example")
    from corrigo.reports import actions

    actions.resolve(mine.case, "wont_fix", by=editor)
    run_worker()
    assert receiver.received and smtp.messages
    for request in receiver.server.received:
        assert b"ann@readers.example" not in request.body and b"readers.example" not in request.body
    for message in smtp.messages:
        assert "readers.example" not in message.as_string()


def test_a_digest_escapes_reader_text_and_keeps_it_off_the_subject(site, smtp):
    eddie = member("eddie", site, "editor", "eddie@news.example.org", email="digest")
    MemberNotification.objects.filter(user=eddie).update(digest_until=timezone.now() - timedelta(days=2))
    hostile = "<script>x</script>\u202e\r\nBcc: a@evil.example"
    report(exact=hostile, text=ARTICLE_TEXT + "\n" + hostile)
    run_worker()  # the event is dispatched: now the digest can find it
    send_digests(None)
    run_worker()
    [digest] = smtp.messages
    plain, html = parts(digest)
    assert digest["Bcc"] is None and "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "\u202e" not in plain + html and "script" not in header(digest, "Subject")
