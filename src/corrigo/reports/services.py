"""The business rules of intake: store a report durably and file it under a case."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from corrigo.articles.services import find_or_create_article, record_version
from corrigo.reports.models import Case, CaseStatus, Category, Report
from corrigo.reports.schemas import MAX_CONTEXT, ReportIn
from corrigo.sites.models import Site

# When readers disagree on the kind of mistake, the case takes the most serious one.
SEVERITY = {Category.FACT: 3, Category.TYPO: 2, Category.OTHER: 1, "": 0}


@dataclass(frozen=True)
class Submission:
    report: Report
    created: bool


def submit_report(site: Site, data: ReportIn) -> Submission:
    """Store a validated report and its article version, and file it under a case.

    Idempotent by (site, client_report_id): a replay, even a concurrent one,
    returns the report stored first. Everything is written in one transaction,
    so the caller can acknowledge only what is committed.
    """
    existing = Report.objects.filter(site=site, client_report_id=data.client_report_id).first()
    if existing is not None:
        return Submission(existing, created=False)
    try:
        with transaction.atomic():
            return Submission(_store(site, data), created=True)
    except IntegrityError:
        # Another request stored the same client_report_id between our check and insert.
        existing = Report.objects.filter(site=site, client_report_id=data.client_report_id).first()
        if existing is None:
            raise
        return Submission(existing, created=False)


def _store(site: Site, data: ReportIn) -> Report:
    url, canonical = data.url, data.canonical_url or ""
    article = find_or_create_article(
        site, url=url, canonical_url=canonical, external_id=data.article_id or "", title=data.title or ""
    )
    report = Report(
        site=site,
        article=article,
        client_report_id=data.client_report_id,
        url=url,
        canonical_url=canonical,
        article_external_id=data.article_id or "",
        title=data.title or "",
        suggestion=data.suggestion or "",
        comment=data.comment or "",
        category=data.category or "",
        email=data.email or "",
        language=data.language or "",
    )
    if data.quote is not None:
        text = data.article_text or ""
        quote = data.quote
        report.version, _ = record_version(article, text)
        # The context is taken from the text itself, so it is right whatever the client sent.
        report.exact = quote.exact
        report.prefix = text[max(0, quote.start - MAX_CONTEXT) : quote.start]
        report.suffix = text[quote.end : quote.end + MAX_CONTEXT]
        report.start, report.end = quote.start, quote.end
    report.case = file_under_case(report)
    report.save(force_insert=True)
    return report


def file_under_case(report: Report) -> Case:
    """The open case about the same passage, or a new one.

    For now "the same passage" means overlapping offsets in the same article
    version; re-anchoring extends it across versions.
    """
    now = timezone.now()
    case = None
    if report.has_quote:
        case = (
            Case.objects.filter(
                article=report.article,
                status=CaseStatus.OPEN,
                version=report.version,
                start__lt=report.end,
                end__gt=report.start,
            )
            .order_by("created_at")
            .first()
        )
    if case is None:
        return Case.objects.create(
            site=report.site,
            article=report.article,
            category=report.category,
            version=report.version,
            exact=report.exact,
            prefix=report.prefix,
            suffix=report.suffix,
            start=report.start,
            end=report.end,
            report_count=1,
            last_reported_at=now,
        )
    updates = {"report_count": F("report_count") + 1, "last_reported_at": now, "updated_at": now}
    if SEVERITY[report.category] > SEVERITY[case.category]:
        updates["category"] = report.category
    Case.objects.filter(pk=case.pk).update(**updates)
    return case
