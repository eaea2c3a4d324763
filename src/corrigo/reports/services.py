"""The business rules of intake: store a report durably and file it under a case.

Intake is the one hot path of Corrigo (every reader's report, in bursts when a
story spreads), so its writes are a handful of plain SQL statements rather than
ORM calls: bench/intake.py measured the ORM version at a tenth of the budget.
The SQL is portable between SQLite (3.35+) and PostgreSQL, and its columns come
from the models (corrigo.sql); see docs/decisions/0006-intake-sql.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import IntegrityError, connection
from django.utils import timezone

from corrigo.anchoring import quote_from_text
from corrigo.articles.fetching import enqueue_fetch
from corrigo.articles.models import ArticleVersion
from corrigo.articles.services import record_reader_copy, upsert_article
from corrigo.notify.events import emit
from corrigo.notify.models import EventType
from corrigo.reports.limits import IntakeLimits
from corrigo.reports.models import AnchorStatus, Case, CaseStatus, Category, Report
from corrigo.reports.priority import case_priority
from corrigo.reports.reanchoring import anchor_case, follow_text
from corrigo.reports.schemas import ReportIn, cross_field_errors
from corrigo.sites.models import Site
from corrigo.sql import fetchone, insert, update, values_of, write_transaction

DAY = timedelta(days=1)
# When readers disagree on the kind of mistake, the case takes the most serious one.
SEVERITY = {Category.FACT: 3, Category.TYPO: 2, Category.OTHER: 1, "": 0}


@dataclass(frozen=True)
class Submission:
    uid: str
    case_id: int
    created: bool


@dataclass
class Filing:
    """What filing under a case needs to know about a report: where it is and what it says."""

    site_id: int
    article_id: int
    latest_version_id: int | None
    category: str
    at: datetime
    version_id: int | None = None
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    client: str = ""  # the sender's keyed hash (reports.clients); empty when unknown
    fold: bool = False  # a second report of this client on the passage is folded into its first


class Folded(Exception):
    """The client already reported this passage (the report `uid` in case `case_id`); this one rolls back."""

    def __init__(self, uid: str, case_id: int):
        super().__init__(uid)
        self.uid, self.case_id = uid, case_id


class InvalidReport(ValueError):
    """A report whose fields break a rule that ties them together; nothing of it was stored.

    `fields` names the fields an author should fix, as the API's 400 does.
    """

    def __init__(self, fields: dict[str, str]):
        super().__init__(next(iter(fields.values())))
        self.fields = fields


def submit_report(site: Site, data: ReportIn, client: str = "", *, token_sent: bool = False) -> Submission:
    """Store a validated report and its article version, and file it under a case.

    `client` is the sender's keyed hash (reports.clients.request_client), empty when the
    report did not come over HTTP (the demo's seed, the CLI).

    Idempotent by (site, client_report_id): a replay, even a concurrent one,
    returns the report stored first. Everything is written in one transaction,
    so the caller can acknowledge only what is committed. A report that breaks the
    cross-field rules (reports.schemas.cross_field_errors) raises InvalidReport first, one
    over the site's limits RateLimited (reports.limits), one that needs a solved challenge
    and has no valid unspent one ChallengeRequired (reports.challenges; never when
    `token_sent`), and none of them stores anything. A second report from the same client
    on a passage it already reported is folded into the first: nothing new is stored and
    the answer is the first report's.
    """
    if errors := cross_field_errors(data):
        raise InvalidReport(errors)
    limits = IntakeLimits(site, client, solution=data.altcha, token_sent=token_sent)
    limits.before()
    # No lookup first: replays are rare, so the unique constraint is the check, and a
    # replay pays for one rolled-back transaction instead of every report paying a SELECT.
    try:
        with write_transaction():
            limits.count_before_storing()
            submission = _store(site, data, client, fold=limits.active)
            limits.count_after_storing()
            return submission
    except Folded as folded:
        return Submission(folded.uid, folded.case_id, created=False)
    except IntegrityError:
        # A replay: the unique (site, client_report_id) constraint refused the second copy.
        existing = Report.objects.filter(site=site, client_report_id=data.client_report_id).values_list("uid", "case_id").first()
        if existing is None:
            raise
        return Submission(existing[0], existing[1], created=False)


def _store(site: Site, data: ReportIn, client: str, *, fold: bool) -> Submission:
    now = timezone.now()
    article_id, latest_version_id = upsert_article(
        site.pk,
        url=data.url,
        canonical_url=data.canonical_url or "",
        external_id=data.article_id or "",
        title=data.title or "",
        now=now,
    )
    filing = Filing(site.pk, article_id, latest_version_id, data.category or "", now, client=client, fold=fold)
    if data.quote is not None:
        text = data.article_text
        filing.version_id, filing.latest_version_id, followed = record_reader_copy(
            article_id, latest_version_id, text, corroborate=not site.follows_publisher, now=now, client=filing.client
        )
        if followed:
            # Before this report is filed, so that it meets its case where the passage is now.
            follow_text(site.pk, article_id, filing.version_id, text, now)
        elif site.fetch_articles and filing.version_id != filing.latest_version_id:
            # The reader saw a text the article does not follow: the page will say which is current.
            enqueue_fetch(site.pk, article_id)
        # The context is taken from the text itself, so it is right whatever the client sent.
        quote = quote_from_text(text, data.quote.start, data.quote.end)
        filing.exact, filing.prefix, filing.suffix = quote.exact, quote.prefix, quote.suffix
        if filing.version_id is not None:  # offsets only into a text that is kept
            filing.start, filing.end = quote.start, quote.end
    case_id = file_under_case(filing)
    sent = {
        "canonical_url": data.canonical_url,
        "article_external_id": data.article_id,
        "title": data.title,
        "suggestion": data.suggestion,
        "comment": data.comment,
        "email": data.email,
        "language": data.language,
    }
    report = {
        "site_id": site.pk,
        "case_id": case_id,
        "article_id": article_id,
        "version_id": filing.version_id,
        "client_report_id": data.client_report_id,
        "url": data.url,
        "exact": filing.exact,
        "prefix": filing.prefix,
        "suffix": filing.suffix,
        "start": filing.start,
        "end": filing.end,
        "category": filing.category,
        "client_hash": client,
        # A field the reader left out takes the model's default.
        **{name: value for name, value in sent.items() if value is not None},
    }
    (uid,) = insert(Report, report, now=now, returning=("uid",))
    return Submission(uid, case_id, created=True)


def file_under_case(filing: Filing) -> int:
    """The open case about the same passage (its id), or a new one.

    "The same passage" means overlapping spans in one text of the article: the
    span a case was reported on, in its own version, or the span it was last
    re-anchored to, in the latest version.
    """
    row = None
    # On SQLite the client's earlier report on the case is asked in the same statement: its
    # transactions take turns, so no report can come between. PostgreSQL asks after the row
    # lock, as a subquery would read as of before a concurrent report of that client committed.
    joined = bool(filing.client) and connection.vendor == "sqlite"
    if filing.start is not None:
        where = [filing.article_id, CaseStatus.OPEN, filing.version_id, filing.end, filing.start]
        where += [filing.version_id, filing.end, filing.start]
        row = fetchone(_same_passage_sql(connection.vendor, joined), [filing.client, *where] if joined else where)
    if row is None:
        case_id = _open_case(filing)
        emit(EventType.CASE_CREATED, site_id=filing.site_id, case_id=case_id)  # in this transaction: the outbox
        return case_id
    case_id, category, count, readers, anchor_status, anchor_version_id, disputed, *asked_with_it = row
    # The uid of this client's earlier report on the case, or None.
    if joined:
        earlier = asked_with_it[0]
    else:
        earlier = (fetchone(_SAME_CLIENT_SQL, [case_id, filing.client]) or [None])[0] if filing.client else None
    if earlier is not None and filing.fold:
        raise Folded(earlier, case_id)
    if SEVERITY[filing.category] > SEVERITY[category]:
        category = filing.category
    count += 1
    readers += earlier is None
    changes = {
        "report_count": count,
        "reader_count": readers,
        "category": category,
        "last_reported_at": filing.at,
        "priority": case_priority(readers, category, filing.at),
    }
    if not disputed and anchor_status == AnchorStatus.CHANGED and filing.version_id == anchor_version_id:
        # This reader saw the corrected text and still reports the passage: the fix is in doubt.
        changes["disputed"] = True
    update(Case, case_id, changes, now=filing.at)
    emit(EventType.CASE_UPDATED, site_id=filing.site_id, case_id=case_id)  # throttled: one per case per window
    return case_id


_SAME_CLIENT_SQL = f"SELECT uid FROM {Report._meta.db_table} WHERE case_id = %s AND client_hash = %s LIMIT 1"


@lru_cache(maxsize=4)
def _same_passage_sql(vendor: str, with_client: bool = False) -> str:
    q = connection.ops.quote_name
    # On PostgreSQL the row lock keeps two concurrent reports from both counting from n to n + 1;
    # SQLite needs none, as its IMMEDIATE transactions already take turns.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    earlier = f", (SELECT uid FROM {Report._meta.db_table} r WHERE r.case_id = c.id AND r.client_hash = %s LIMIT 1)"
    return (
        "SELECT c.id, c.category, c.report_count, c.reader_count, c.anchor_status, c.anchor_version_id, c.disputed"
        f"{earlier if with_client else ''} FROM {Case._meta.db_table} c"
        " WHERE c.article_id = %s AND c.status = %s"
        f" AND ((c.version_id = %s AND c.{q('start')} < %s AND c.{q('end')} > %s)"
        "  OR (c.anchor_version_id = %s AND c.anchor_start < %s AND c.anchor_end > %s))"
        f" ORDER BY c.created_at LIMIT 1{lock}"
    )


def _open_case(filing: Filing) -> int:
    case = Case(
        site_id=filing.site_id,
        article_id=filing.article_id,
        category=filing.category,
        version_id=filing.version_id,
        exact=filing.exact,
        prefix=filing.prefix,
        suffix=filing.suffix,
        start=filing.start,
        end=filing.end,
        report_count=1,
        reader_count=1,
        last_reported_at=filing.at,
        priority=case_priority(1, filing.category, filing.at),
    )
    if filing.start is not None and filing.latest_version_id is not None:
        # Usually the reader saw the latest text; otherwise look for the passage in it now.
        latest_text = (
            ""
            if filing.latest_version_id == filing.version_id
            else (ArticleVersion.objects.values_list("text", flat=True).get(pk=filing.latest_version_id))
        )
        anchor_case(case, filing.latest_version_id, latest_text, filing.at)
    (case_id,) = insert(Case, values_of(case), now=filing.at, returning=("id",))
    return case_id
