"""Mail: written once as a row, then sent through CORRIGO_SMTP_URL, or kept for the desk's mailbox.

`write()` runs in the transaction that decides a mail is due (an event's dispatch, the
digest), so a mail exists exactly when that decision committed, and its text is fixed
then: a retry sends the same message, with the same Message-ID. The `notify.mail` job
sends it. A mail is marked sent right after the server accepted it; a worker killed in
between sends it again (at least once), and the repeated Message-ID lets mail systems
recognise the copy.
"""

import logging
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.notify.models import Mail, MailKind, MailStatus
from corrigo.notify.strings import strings

log = logging.getLogger("corrigo.notify")

MAIL_JOB = "notify.mail"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def smtp_configured() -> bool:
    return bool(getattr(settings, "SMTP_URL", ""))


def render(template: str, language: str, **context) -> tuple[str, str]:
    """(plain text, HTML) of notify/mail/<template>.txt and .html, with the language's strings as `t`."""
    context = {"t": strings(language), "language": language, **context}
    return (
        render_to_string(f"notify/mail/{template}.txt", context).strip() + "\n",
        render_to_string(f"notify/mail/{template}.html", context),
    )


def write(
    *,
    key: str,
    site_id: int,
    kind: MailKind,
    to: str,
    language: str,
    subject: str,
    text: str,
    html: str,
    headers: dict | None = None,
    user_id: int | None = None,
    report_id: int | None = None,
) -> Mail | None:
    """The mail and the job that sends it, in the caller's transaction; None when a mail with this key exists."""
    if Mail.objects.filter(key=key).exists():
        return None
    mail = Mail.objects.create(
        key=key,
        site_id=site_id,
        kind=kind,
        to=to,
        user_id=user_id,
        report_id=report_id,
        language=language,
        subject=subject,
        text=text,
        html=html,
        headers=headers or {},
    )
    queue.enqueue(MAIL_JOB, {"mail_id": mail.pk}, site_id=site_id)
    return mail


def message_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "corrigo.invalid"


def message(mail: Mail) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": f"<{mail.uid}@{message_domain()}>",
        "Auto-Submitted": "auto-generated",
        "Content-Language": mail.language,
        **mail.headers,
    }
    built = EmailMultiAlternatives(mail.subject, mail.text, settings.DEFAULT_FROM_EMAIL, [mail.to], headers=headers)
    built.attach_alternative(mail.html, "text/html")
    return built


# Hooks run in the transaction that marks a mail delivered (sent or kept), by kind.
AFTER_DELIVERY: dict[str, list] = {}


def after_delivery(kind: MailKind):
    def register(function):
        AFTER_DELIVERY.setdefault(kind, []).append(function)
        return function

    return register


# Checks run just before a mail goes out, by kind: a reason not to send it, or None.
BEFORE_SENDING: dict[str, list] = {}


def before_sending(kind: MailKind):
    def register(function):
        BEFORE_SENDING.setdefault(kind, []).append(function)
        return function

    return register


@queue.handler(MAIL_JOB)
def send(job: Job) -> None:
    mail = Mail.objects.filter(pk=job.payload["mail_id"]).first()
    if mail is None or mail.status != MailStatus.QUEUED:
        return  # removed with its site, or delivered by an earlier try
    for check in BEFORE_SENDING.get(mail.kind, []):
        if reason := check(mail):
            log.info("mail %s not sent: %s", mail.uid, reason)
            _delivered(mail, MailStatus.DROPPED)
            return
    if not smtp_configured():
        _delivered(mail, MailStatus.KEPT)
        return
    try:
        get_connection(SMTP_BACKEND, fail_silently=False).send_messages([message(mail)])
    except BadHeaderError as exc:  # reader text is cleaned before it reaches a header; this is a bug
        raise queue.GiveUp(f"a header would have broken the message: {exc}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        error = f"the SMTP server refused the recipient ({', '.join(map(str, codes))})"
        if codes and all(code >= 500 for code in codes):
            raise queue.GiveUp(error) from None
        raise queue.RetryLater(error) from None
    except smtplib.SMTPDataError as exc:
        error = f"the SMTP server refused the message: {exc.smtp_code} {_said(exc.smtp_error)}"
        if exc.smtp_code >= 500:
            raise queue.GiveUp(error) from None
        raise queue.RetryLater(error) from None
    except smtplib.SMTPResponseException as exc:  # sender refused, authentication failed: the set-up, retried
        raise queue.RetryLater(f"the SMTP server answered {exc.smtp_code} {_said(exc.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise queue.RetryLater(f"cannot send through the SMTP server: {exc or type(exc).__name__}") from None
    _delivered(mail, MailStatus.SENT)


def _said(error: bytes | str) -> str:
    return (error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error))[:300]


def _delivered(mail: Mail, status: MailStatus) -> None:
    with transaction.atomic():
        Mail.objects.filter(pk=mail.pk).update(status=status, sent_at=timezone.now())
        mail.status = status
        for hook in AFTER_DELIVERY.get(mail.kind, []):
            hook(mail)
