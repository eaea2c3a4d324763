"""Reporters' addresses kept no longer than needed (docs/privacy.md, decision 0035).

An address left with a report has one use: telling the reader what became of it. Once the
case is closed and any thank-you for the report has gone (or given up), it is erased
`REPORTER_EMAIL_DAYS` days after the case closed, by an hourly job. A reader who asks is
erased at once, everywhere, with `corrigo erase-reporter EMAIL`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.reports.models import CaseStatus, Report

ERASE_JOB = "privacy.erase_addresses"
ERASE_CHECK_SECONDS = 3600


def _pending_thanks():
    from corrigo.notify.models import Mail, MailKind, MailStatus

    return Mail.objects.filter(report_id=OuterRef("pk"), kind=MailKind.THANKS, status=MailStatus.QUEUED)


def addresses_due(now: datetime | None = None):
    """Reports whose address has served its purpose: case closed long enough, no thank-you on its way."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REPORTER_EMAIL_DAYS)
    return (
        Report.objects.exclude(email="")
        .exclude(case__status=CaseStatus.OPEN)
        .filter(case__resolved_at__lte=cutoff)
        .exclude(Exists(_pending_thanks()))
    )


def erase_expired_addresses(now: datetime | None = None) -> int:
    """Erase the addresses that are due, from the reports and the mails written to them; how many reports."""
    from corrigo.notify.models import Mail

    with transaction.atomic():
        due = list(addresses_due(now).values_list("pk", flat=True)[:5000])
        if not due:
            return 0
        Mail.objects.filter(report_id__in=due).exclude(to="").update(to="")
        return Report.objects.filter(pk__in=due).update(email="")


@queue.periodic(ERASE_JOB, ERASE_CHECK_SECONDS)
def _erase_job(job: Job) -> None:
    while erase_expired_addresses() == 5000:  # a backlog (first run after an upgrade): in batches
        pass


@dataclass(frozen=True)
class Erased:
    reports: int  # reports that carried the address (now erased, their comments too)
    mails: int  # mails to the address, deleted (their text quoted the reader's report)
    sites: tuple[str, ...]

    def summary(self, email: str) -> str:
        if not (self.reports or self.mails):
            return f"Nothing is stored for {email}: no report or mail carries that address."
        where = f" on {', '.join(self.sites)}" if self.sites else ""
        return (
            f"Erased {email}{where}: the address and comment of {self.reports} report{'s' if self.reports != 1 else ''},"
            f" {self.mails} mail{'s' if self.mails != 1 else ''} to it deleted."
            " The quotes and suggestions stay with their cases, with no way back to the reader."
        )


def erase_reporter(email: str) -> Erased:
    """Everything stored under one reader's address, gone: addresses, comments, mails to them."""
    from corrigo.notify.models import Mail

    address = email.strip()
    if not address:
        raise ValueError("give the reader's email address")
    with transaction.atomic():
        # The address as the reader typed it, whatever its case (domains are case-blind, and readers are too).
        reports = Report.objects.filter(email__iexact=address)
        report_ids = list(reports.values_list("pk", flat=True))
        sites = tuple(sorted(set(reports.values_list("site__key", flat=True))))
        mails = Mail.objects.filter(Q(to__iexact=address) | Q(report_id__in=report_ids))
        mail_count = mails.count()
        mails.delete()
        Report.objects.filter(pk__in=report_ids).update(email="", comment="")
    return Erased(len(report_ids), mail_count, sites)
