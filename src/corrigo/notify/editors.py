"""Mail to a site's members about new cases: at once, in a daily digest, or not at all.

Each member chooses per site (MemberNotification); without a choice, editors and admins
get every new case at once and viewers get nothing. A member without an email address
gets nothing. Mail is in the member's language for that site (the site's own language
unless they chose another), with the quote in its context, the suggestion, and a link to
the case in the desk.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.notify import links, mail, sitelog, text
from corrigo.notify.events import subscriber
from corrigo.notify.models import EmailChoice, Event, EventType, MailKind, MemberNotification
from corrigo.notify.strings import CATEGORIES, language_of, strings
from corrigo.reports.models import Case, Report
from corrigo.sites.models import Membership, Role, Site

DIGEST_JOB = "notify.digest"
DIGEST_EVERY = timedelta(days=1)
DIGEST_CHECK_SECONDS = 3600
DIGEST_MOST_CASES = 50
DEFAULT_CHOICE = {Role.ADMIN: EmailChoice.INSTANT, Role.EDITOR: EmailChoice.INSTANT, Role.VIEWER: EmailChoice.NONE}


@dataclass(frozen=True)
class Recipient:
    user: User
    choice: str
    language: str
    setting: MemberNotification | None


def recipients(site: Site, choice: str | None = None) -> list[Recipient]:
    """The site's active members with an email address, with their choice (theirs or the default) and language."""
    chosen = {n.user_id: n for n in MemberNotification.objects.filter(site=site)}
    found = []
    memberships = Membership.objects.filter(site=site, user__is_active=True).exclude(user__email="").select_related("user")
    for membership in memberships.order_by("user_id"):
        setting = chosen.get(membership.user_id)
        member_choice = setting.email if setting else DEFAULT_CHOICE[membership.role]
        if choice is None or member_choice == choice:
            language = language_of(setting.language if setting else "", site.default_language)
            found.append(Recipient(membership.user, member_choice, language, setting))
    return found


def choice_of(user: User, site: Site) -> tuple[str, str]:
    """(email choice, language) of a member for a site, defaults filled in."""
    setting = MemberNotification.objects.filter(user=user, site=site).first()
    if setting is not None:
        return setting.email, setting.language
    role = Membership.objects.filter(user=user, site=site).values_list("role", flat=True).first()
    return DEFAULT_CHOICE.get(role, EmailChoice.NONE), ""


@transaction.atomic
def set_choice(user: User, site: Site, email: str, language: str = "", *, by=None) -> bool:
    """Record a member's choice for a site (made by `by`, usually themselves); False when it was already so."""
    email = EmailChoice(email)
    if language and language not in ("en", "uk", "ru"):
        raise ValueError(f"{language!r} is not a language mail is written in")
    if choice_of(user, site) == (email, language) and MemberNotification.objects.filter(user=user, site=site).exists():
        return False
    before = choice_of(user, site)
    defaults = {"email": email, "language": language}
    if before[0] != email:
        defaults["digest_until"] = None  # a digest chosen now starts from now
    MemberNotification.objects.update_or_create(user=user, site=site, defaults=defaults)
    said = f"{EmailChoice(email).label.lower()}" + (f", in {language}" if language else "")
    whose = "their" if by is not None and by.pk == user.pk else f"{user.get_username()}'s"
    sitelog.record(
        site,
        by,
        "member.notifications",
        f"set {whose} mail about new cases to: {said}",
        subject=user.get_username(),
        before=before[0],
        after=email,
    )
    return True


def _headers(user_id: int, site_id: int) -> dict:
    unsubscribe = links.unsubscribe_link(user_id, site_id)
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _context(case: Case, report: Report | None, language: str) -> dict:
    quoted = report if report is not None and report.has_quote else case
    t, site_name = strings(language), text.one_line(case.site.name, 200)
    return {
        "site": case.site,
        "intro": t["new_case_intro"].format(site=site_name),
        "why_you": t["why_you"].format(site=site_name),
        "case": case,
        "article_title": text.one_line(case.article.title, 200) or case.article.url,
        "article_url": case.article.url,
        "prefix": text.clean(quoted.prefix, strip=False) if case.has_quote else "",
        "exact": text.clean(quoted.exact) if case.has_quote else "",
        "suffix": text.clean(quoted.suffix, strip=False) if case.has_quote else "",
        "suggestion": text.clean(report.suggestion) if report else "",
        "comment": text.clean(report.comment) if report else "",
        "category": CATEGORIES[language].get(case.category, ""),
        "case_link": links.case_link(case.pk),
        "settings_link": links.notification_settings_link(),
    }


@subscriber
def new_case_mail(event: Event) -> None:
    """A new case: one mail to each member who wants every new case at once."""
    if event.type != EventType.CASE_CREATED:
        return
    case = Case.objects.select_related("site", "article").filter(pk=event.data["case"]["id"]).first()
    if case is None:
        return
    report = case.reports.order_by("created_at", "pk").first()
    for recipient in recipients(case.site, EmailChoice.INSTANT):
        context = _context(case, report, recipient.language)
        context["unsubscribe_link"] = links.unsubscribe_link(recipient.user.pk, case.site_id)
        plain, html = mail.render("new_case", recipient.language, **context)
        t = strings(recipient.language)
        site_name = text.one_line(case.site.name, 60)
        if case.has_quote:
            subject = t["new_case_subject"].format(site=site_name, quote=text.one_line(case.exact, 60))
        else:
            comment = text.one_line(report.comment if report else "", 60)
            subject = t["new_case_subject_no_quote"].format(site=site_name, comment=comment)
        mail.write(
            key=f"case:{event.uid}:{recipient.user.pk}",
            site_id=case.site_id,
            kind=MailKind.NEW_CASE,
            to=recipient.user.email,
            user_id=recipient.user.pk,
            language=recipient.language,
            subject=subject,
            text=plain,
            html=html,
            headers=_headers(recipient.user.pk, case.site_id),
        )


@queue.periodic(DIGEST_JOB, DIGEST_CHECK_SECONDS)
def send_digests(job: Job) -> None:
    """Every hour: a digest to each member whose last one covered up to a day ago or more."""
    now = timezone.now()
    for site in Site.objects.filter(memberships__isnull=False).distinct():
        for recipient in recipients(site, EmailChoice.DIGEST):
            # A digest is always a chosen setting; the first one covers the day since the choice.
            since = recipient.setting.digest_until or recipient.setting.updated_at
            if now - since < DIGEST_EVERY:
                continue
            with transaction.atomic():
                _digest(site, recipient, since, now)


def _digest(site: Site, recipient: Recipient, since: datetime, until: datetime) -> None:
    created = Event.objects.filter(
        site=site, type=EventType.CASE_CREATED, occurred_at__gt=since, occurred_at__lte=until
    ).values_list("data", flat=True)
    case_ids = [data["case"]["id"] for data in created]
    cases = list(Case.objects.select_related("article").filter(pk__in=case_ids).order_by("-priority", "-pk"))
    if cases:
        language = recipient.language
        t, site_name = strings(language), text.one_line(site.name, 200)
        shown = [
            {
                "quote": text.one_line(case.exact or "", 200),
                "article": text.one_line(case.article.title, 200) or case.article.url,
                "readers_text": t["readers"].format(count=case.reader_count),
                "link": links.case_link(case.pk),
            }
            for case in cases[:DIGEST_MOST_CASES]
        ]
        plain, html = mail.render(
            "digest",
            language,
            site=site,
            intro=t["digest_intro"].format(site=site_name),
            why_you=t["why_you"].format(site=site_name),
            cases=shown,
            more=max(len(cases) - DIGEST_MOST_CASES, 0),
            settings_link=links.notification_settings_link(),
            unsubscribe_link=links.unsubscribe_link(recipient.user.pk, site.pk),
        )
        subject = t["digest_subject"].format(site=text.one_line(site.name, 60), count=len(cases))
        mail.write(
            key=f"digest:{site.pk}:{recipient.user.pk}:{int(until.timestamp())}",
            site_id=site.pk,
            kind=MailKind.DIGEST,
            to=recipient.user.email,
            user_id=recipient.user.pk,
            language=language,
            subject=subject,
            text=plain,
            html=html,
            headers=_headers(recipient.user.pk, site.pk),
        )
    MemberNotification.objects.update_or_create(
        user=recipient.user, site=site, defaults={"digest_until": until, "email": EmailChoice.DIGEST}
    )
