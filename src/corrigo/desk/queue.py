"""The queue: which cases an editor sees, in what order, a page at a time.

Ordered by the stored priority (reports.priority), newest id first among equals, and
paged by keyset on (priority, id): page 1,000 costs what page 1 costs, and a case
closed meanwhile never makes the next page skip or repeat one.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Left
from django.utils import timezone

from corrigo.articles.models import Article
from corrigo.reports import search
from corrigo.reports.models import AnchorStatus, Case, CaseStatus, Category, Report
from corrigo.sql import ROW_ID, fetchall, row_id

PAGE_SIZE = 50
# Above this many matching cases a search filters by subquery instead of by a list of ids.
SEARCH_IDS_AT_ONCE = 2000
# Cases per status are counted this far; beyond it the desk says "10,000+".
COUNT_CAP = 10_000
ALL = "all"


class QueueFilters(forms.Form):
    """The queue's query string, validated at the edge; bad values fall back to no filter."""

    site = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[(ALL, "All"), *CaseStatus.choices])
    category = forms.ChoiceField(required=False, choices=[("", "Any"), *Category.choices])
    assignee = forms.CharField(required=False, help_text="'me', 'nobody' or a user id")
    looks_fixed = forms.BooleanField(required=False)
    reported_from = forms.DateField(required=False)
    reported_to = forms.DateField(required=False)
    q = forms.CharField(required=False, max_length=200, strip=True)
    article = forms.RegexField(required=False, regex=rf"^{ROW_ID}$")
    group = forms.ChoiceField(required=False, choices=[("article", "By article"), ("none", "One list")])
    after = forms.RegexField(required=False, regex=r"^-?\d{1,19}_\d{1,19}$")
    before = forms.RegexField(required=False, regex=r"^-?\d{1,19}_\d{1,19}$")

    def values(self) -> dict:
        """The cleaned filters; an invalid field counts as absent rather than an error page."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        data["status"] = data.get("status") or CaseStatus.OPEN
        data["group"] = data.get("group") or "article"
        return data


@dataclass
class QueuePage:
    cases: list
    next_cursor: str | None
    previous_cursor: str | None
    counts: dict[str, int] | None  # None: too many search matches to count


def cursor_of(case: Case) -> str:
    return f"{case.priority}_{case.pk}"


def _parse(cursor: str) -> tuple[int, int]:
    priority, pk = cursor.split("_")
    return int(priority), int(pk)


def filtered_cases(site_ids: list[int], filters: dict, user, email_site_ids=()) -> tuple[QuerySet, bool]:
    """Every filter but status, which the per-status counts leave out; and whether to count them.

    A search reads reporters' email addresses only on `email_site_ids`, the sites where the
    user may see them.
    """
    # One site (the usual case) as an equality, so the planner walks the queue index in order.
    if not site_ids:
        return Case.objects.none(), True
    cases = Case.objects.filter(site_id=site_ids[0]) if len(site_ids) == 1 else Case.objects.filter(site_id__in=site_ids)
    if filters.get("category"):
        cases = cases.filter(category=filters["category"])
    assignee = filters.get("assignee") or ""
    if assignee == "me":
        cases = cases.filter(assignee=user)
    elif assignee == "nobody":
        cases = cases.filter(assignee__isnull=True)
    elif (assignee_id := row_id(assignee)) is not None:
        cases = cases.filter(assignee_id=assignee_id)
    if filters.get("article"):
        cases = cases.filter(article_id=int(filters["article"]))
    if filters.get("looks_fixed"):
        cases = cases.filter(anchor_status=AnchorStatus.CHANGED)
    zone = timezone.get_current_timezone()
    if filters.get("reported_from"):
        cases = cases.filter(last_reported_at__gte=datetime.combine(filters["reported_from"], time.min, zone))
    if filters.get("reported_to"):
        cases = cases.filter(created_at__lte=datetime.combine(filters["reported_to"], time.max, zone))
    if q := filters.get("q"):
        email_site_ids = [pk for pk in email_site_ids if pk in site_ids]
        ids = matching_case_ids(site_ids, q, email_site_ids)
        if ids is None:
            # Many matches: walk the queue in order and check each case's reports and article,
            # which finds a page of matches after reading a few dozen cases.
            # The case's reports by a range of one id, not an equality: PostgreSQL turns an
            # equality-correlated EXISTS into one hashed pass over every matching report
            # (140,000 at a million reports: 1.4 s), which no LIMIT stops.
            one_case = Q(case_id__gte=OuterRef("pk"), case_id__lte=OuterRef("pk"))
            said = Report.objects.filter(one_case).filter(_says(q, email_site_ids))
            return cases.filter(Exists(said) | Q(article__in=_articles_titled(site_ids, q))), False
        cases = cases.filter(pk__in=ids)
    return cases, True


def _says(q: str, email_site_ids=()) -> Q:
    said = Q(exact__icontains=q) | Q(suggestion__icontains=q) | Q(comment__icontains=q)
    if email_site_ids:
        said |= Q(email__icontains=q, site_id__in=list(email_site_ids))
    return said


def _articles_titled(site_ids: list[int], q: str) -> QuerySet:
    return Article.objects.filter(site_id__in=site_ids).filter(Q(title__icontains=q) | Q(url__icontains=q)).values("pk")


def matching_case_ids(site_ids: list[int], q: str, email_site_ids=()) -> list[int] | None:
    """The cases whose reports quote, suggest, comment or (where allowed) come from `q`, or whose
    article's title or address holds it; None when there are very many.

    Every report keeps its own quote, so one pass over the reports covers its fields; the
    articles are few beside them. The ids are then used by both the counts and the page.
    """
    limit = SEARCH_IDS_AT_ONCE + 1
    said = Report.objects.filter(site_id__in=site_ids).filter(_says(q, email_site_ids))
    ids = _cases_of_indexed(said, q, limit)
    if ids is None:  # no index for this term here: every report is read
        ids = set(said.values_list("case_id", flat=True).distinct()[:limit])
    if len(ids) < limit:
        in_article = Case.objects.filter(site_id__in=site_ids, article__in=_articles_titled(site_ids, q))
        ids.update(in_article.values_list("pk", flat=True)[:limit])
    return sorted(ids) if len(ids) <= SEARCH_IDS_AT_ONCE else None


def _cases_of_indexed(said: QuerySet, q: str, limit: int) -> set[int] | None:
    """The first `limit` cases of the reports in `said`, read through the SQLite search index.

    The index gives the reports that may hold `q` in id order and `said`'s own filter decides,
    so the answer is the full scan's; the index drives the join (a plain `id IN (…)` would
    collect every candidate first: three times slower for a common word).
    """
    found = search.candidates(q)
    if found is None:
        return None
    candidates, params = found
    compiler = said.query.get_compiler(connection=connection)
    where, where_params = compiler.compile(said.query.where)
    report = connection.ops.quote_name(Report._meta.db_table)
    sql = (
        f"SELECT DISTINCT {report}.case_id FROM ({candidates}) found"
        f" CROSS JOIN {report} ON {report}.id = found.id WHERE {where} LIMIT %s"
    )
    return {case_id for (case_id,) in fetchall(sql, [*params, *where_params, limit])}


def status_counts(cases) -> dict[str, int]:
    """Cases per status, each counted up to COUNT_CAP + 1 (more is shown as "10,000+"), in one query.

    A count reads every index entry it counts, so at a million reports an exact count of
    the open cases alone read 240,000 of them (200 ms on SQLite); each status's count is a
    LIMITed walk of the queue index instead (docs/decisions/0036). "All" is over the cap
    when any status is.
    """
    parts, params = [], []
    for status in CaseStatus.values:
        try:
            sql, found = cases.filter(status=status).order_by().values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (a search without matches)
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(found)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = dict(zip(CaseStatus.values, cursor.fetchone(), strict=True))
    total = sum(counts.values())
    counts[ALL] = COUNT_CAP + 1 if any(n > COUNT_CAP for n in counts.values()) else total
    return counts


SHOWN_IN_QUEUE = 300


def first_words(field: str):
    """The first report's suggestion (or comment), shortened, fetched in the same query as the page."""
    first = Report.objects.filter(case=OuterRef("pk")).exclude(**{field: ""}).order_by("pk")
    return Subquery(first.annotate(shown=_shortened(field)).values("shown")[:1])


def _shortened(field: str):
    """One character more than the card shows, so cards.shorten() knows it was cut and cuts at a word."""
    return Left(F(field), SHOWN_IN_QUEUE + 1, output_field=TextField())


def queue_page(site_ids: list[int], filters: dict, user, size: int | None = None, email_site_ids=()) -> QueuePage:
    size = size or PAGE_SIZE
    cases, countable = filtered_cases(site_ids, filters, user, email_site_ids)
    # Counting a search with thousands of matches would read every case: it is not counted.
    counts = status_counts(cases) if countable else None
    if filters["status"] != ALL:
        cases = cases.filter(status=filters["status"])
    # No join to the site: a join ahead of the case index makes SQLite sort instead of walk it.
    cases = cases.select_related("article", "assignee").annotate(
        first_suggestion=first_words("suggestion"), first_comment=first_words("comment")
    )
    backwards = False
    if filters.get("after"):
        priority, pk = _parse(filters["after"])
        # The plain range term lets the planner start the index walk at the cursor.
        cases = cases.filter(Q(priority__lte=priority) & (Q(priority__lt=priority) | Q(pk__lt=pk)))
    elif filters.get("before"):
        priority, pk = _parse(filters["before"])
        cases = cases.filter(Q(priority__gte=priority) & (Q(priority__gt=priority) | Q(pk__gt=pk)))
        backwards = True
    order = ("priority", "pk") if backwards else ("-priority", "-pk")
    rows = list(cases.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, bool(filters.get("after"))
    return QueuePage(
        cases=rows,
        next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
        previous_cursor=cursor_of(rows[0]) if rows and has_previous else None,
        counts=counts,
    )
