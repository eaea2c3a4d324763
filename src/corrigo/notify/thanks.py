"""Thanking readers: when a case is resolved as fixed, each report on it that left an email gets one mail.

One mail per report, ever (the mail's key is the report's), in the report's language:
what was wrong (the reader's own quote and suggestion, nobody else's), what the article
says there now, and the correction notice with its link when there is one. Once it is
delivered, the address is erased from the report and from the mail, as the widget
promises ("only to tell you what we did about it").

A reader can opt out from a link in the mail; the opt-out keeps a keyed hash of the
address (HMAC with the secret key, old keys in SECRET_KEY_FALLBACKS still count), and
an opted-out address is never written to again: checked when the mail is written and
again just before it is sent.

Notices come from the corrections app, which registers a finder with `@notice_finder`:
a function of a case returning the Notice to mention, or None.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from corrigo.articles.models import ArticleVersion
from corrigo.notify import links, mail, text
from corrigo.notify.events import subscriber
from corrigo.notify.models import Event, EventType, Mail, MailKind, ReaderOptOut
from corrigo.notify.strings import language_of, strings
from corrigo.reports.models import AnchorStatus, Case, CaseStatus, Report

OPT_OUT_HMAC_SALT = "corrigo.notify.reader-opt-out"


@dataclass(frozen=True)
class Notice:
    """A correction notice as a thank-you mail mentions it."""

    kind: str  # as readers should read it: "Correction", "Clarification"…
    text: str
    url: str


NoticeFinder = Callable[[Case], Notice | None]
NOTICE_FINDERS: list[NoticeFinder] = []


def notice_finder(function: NoticeFinder) -> NoticeFinder:
    if function not in NOTICE_FINDERS:
        NOTICE_FINDERS.append(function)
    return function


def notice_of(case: Case) -> Notice | None:
    for finder in NOTICE_FINDERS:
        if (notice := finder(case)) is not None:
            return notice
    return None


def address_digests(address: str) -> list[str]:
    """The keyed hashes of an address under the secret key and each fallback key (newest first)."""
    normal = address.strip().lower()
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac(OPT_OUT_HMAC_SALT, normal, secret=key, algorithm="sha256").hexdigest() for key in keys]


def opted_out(address: str) -> bool:
    return bool(address) and ReaderOptOut.objects.filter(digest__in=address_digests(address)).exists()


def opt_out(digest: str) -> None:
    ReaderOptOut.objects.get_or_create(digest=digest)


def what_it_says_now(case: Case) -> str:
    """The passage where the reported one was, in the article's latest published text, when it changed."""
    if case.anchor_status != AnchorStatus.CHANGED or case.anchor_start is None or case.anchor_end is None:
        return ""
    version = ArticleVersion.objects.filter(pk=case.anchor_version_id).only("text").first()
    if version is None or not 0 <= case.anchor_start <= case.anchor_end <= len(version.text):
        return ""
    return version.text[case.anchor_start : case.anchor_end]


@subscriber
def thank_readers(event: Event) -> None:
    """A case resolved as fixed: a thank-you for every report on it with an address that did not opt out."""
    if event.type != EventType.CASE_RESOLVED or event.data["case"]["status"] != CaseStatus.FIXED:
        return
    case = Case.objects.select_related("site", "article").filter(pk=event.data["case"]["id"]).first()
    if case is None or case.status != CaseStatus.FIXED:
        return
    reports = list(case.reports.exclude(email="").order_by("pk"))
    if not reports:
        return
    already = set(Mail.objects.filter(key__in=[f"thanks:{r.pk}" for r in reports]).values_list("key", flat=True))
    now_says = text.clean(what_it_says_now(case))
    notice = notice_of(case)
    if notice is not None and not notice.url.startswith(("https://", "http://")):
        notice = Notice(notice.kind, notice.text, "")
    for report in reports:
        if f"thanks:{report.pk}" in already or opted_out(report.email):
            continue
        _write_thanks(case, report, now_says, notice)


def _write_thanks(case: Case, report: Report, now_says: str, notice: Notice | None) -> None:
    language = language_of(report.language, case.site.default_language)
    t = strings(language)
    quoted = report if report.has_quote else case
    article = text.one_line(case.article.title, 200) or case.article.url
    opt_out_link = links.opt_out_link(address_digests(report.email)[0], language)
    plain, html = mail.render(
        "thanks",
        language,
        site=case.site,
        article_title=article,
        article_url=case.article.url,
        prefix=text.clean(quoted.prefix, strip=False) if quoted.has_quote else "",
        exact=text.clean(quoted.exact) if quoted.has_quote else "",
        suffix=text.clean(quoted.suffix, strip=False) if quoted.has_quote else "",
        suggestion=text.clean(report.suggestion),
        now_says=now_says,
        notice=notice,
        notice_text=text.clean(notice.text) if notice else "",
        opt_out_link=opt_out_link,
        intro=t["thanks_intro"].format(article=article),
    )
    exact = text.one_line(quoted.exact, 60) if quoted.has_quote else ""
    subject = t["thanks_subject"].format(quote=exact) if exact else t["thanks_subject_no_quote"]
    mail.write(
        key=f"thanks:{report.pk}",
        site_id=case.site_id,
        kind=MailKind.THANKS,
        to=report.email,
        report_id=report.pk,
        language=language,
        subject=subject,
        text=plain,
        html=html,
        headers={"List-Unsubscribe": f"<{opt_out_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


@mail.before_sending(MailKind.THANKS)
def _not_if_opted_out(message: Mail) -> str | None:
    return "the reader opted out" if opted_out(message.to) else None


@mail.after_delivery(MailKind.THANKS)
def _erase_address(message: Mail) -> None:
    """Delivered: the reader's address has done its one job, and goes from the report and the mail."""
    with transaction.atomic():
        Mail.objects.filter(pk=message.pk).update(to="")
        if message.report_id:
            Report.objects.filter(pk=message.report_id).update(email="")
