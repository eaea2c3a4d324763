"""The editors' desk: the queue, each case with its article and log, outcomes, site settings,
the site log and the metrics.

Views translate HTTP into calls of reports.actions (case outcomes), sites.services (site
chores) and corrigo.audit (the site log); the decorators in desk.access say who may call
each one. After an action that can be taken back, the desk offers Undo (a toast, or `u`):
the session keeps the action's log batch for UNDO_SECONDS, and only its author can undo it.
"""

import csv
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from corrigo import audit
from corrigo.articles.fetching import enqueue_fetch
from corrigo.articles.models import ArticleVersion
from corrigo.audit.models import KINDS, Entry, Verb
from corrigo.corrections.services import draft
from corrigo.desk import cards, charts
from corrigo.desk import queue as queue_rules
from corrigo.desk.access import case_view, has_role, roles_of, site_view, sites_where
from corrigo.desk.forms import (
    AssignForm,
    BulkOutcomeForm,
    MemberForm,
    MergeForm,
    NoteForm,
    NoticeForm,
    OriginsForm,
    OutcomeForm,
    PeriodForm,
    RoleForm,
    SavedFilterForm,
    SiteSettingsForm,
    TokenForm,
)
from corrigo.desk.metrics import period_metrics
from corrigo.desk.models import MAX_SAVED_FILTERS, SavedFilter
from corrigo.desk.passage_diff import passage_diff
from corrigo.desk.queue import ALL, QueueFilters, filtered_cases, first_words, queue_page
from corrigo.desk.site_log import LogFilters, log_page
from corrigo.desk.site_log import entries as log_entries
from corrigo.reports import actions
from corrigo.reports.models import AnchorStatus, Case, CaseStatus
from corrigo.sites import services
from corrigo.sites.models import ApiToken, Membership, Role, Site, hash_token
from corrigo.sites.services import create_token, set_origins

MAX_REPORTS_SHOWN = 500
OTHER_CASES_SHOWN = 20
# A bulk action over "all matching" cases: beyond this, narrow the filter first.
BULK_LIMIT = 10_000
CONFIRM_SAMPLE = 8
UNDO_KEY = "desk_undo"
FOCUS_KEY = "desk_focus"
UNDO_SECONDS = 600
TEXT = "text/plain; charset=utf-8"
ID_IN_LINK = 918273645546372819  # a stand-in id no other part of a link could contain


# ---- how cases read on cards ------------------------------------------------


def dress(cases: list, sites: dict[int, Site], editable: set[int], now) -> None:
    """Give each case what its card shows: headline, context at whole words, age, answer time."""
    repeated = cards.site_suffixes(c.article.title for c in cases if c.article.title)
    # One reverse() for the page: a card's link differs only by its id (50 reverses were 5 % of the queue's time).
    link = reverse("desk:case", args=[ID_IN_LINK])
    for case in cases:
        case.url = link.replace(str(ID_IN_LINK), str(case.pk))
        case.site = sites[case.site_id]
        case.can_act = case.site_id in editable
        title = case.article.title
        case.headline = cards.headline(title, case.site.name, repeated) if title else cards.headline_from_url(case.article.url)
        case.headline_from_url = not title
        case.before, case.before_cut = cards.context_before(case.prefix)
        case.after, case.after_cut = cards.context_after(case.suffix)
        for name in ("first_suggestion", "first_comment"):
            if getattr(case, name, None):
                setattr(case, name, cards.shorten(getattr(case, name), queue_rules.SHOWN_IN_QUEUE))
        case.age = cards.span(now - case.created_at)
        case.answer = (
            cards.answer_time(case.created_at, case.site.sla_hours(case.category), now)
            if case.status == CaseStatus.OPEN
            else None
        )


def group_by_article(cases: list) -> list[dict]:
    """The page's cases under their articles, each article where its first (most urgent) case was."""
    groups: dict[int, dict] = {}
    for case in cases:
        group = groups.setdefault(case.article_id, {"article_id": case.article_id, "lead": case, "cases": []})
        group["cases"].append(case)
    return list(groups.values())


# ---- the queue --------------------------------------------------------------


def _queue_scope(request, query: QueryDict | None = None) -> tuple[list[Site], list[int], dict]:
    """The user's sites, the ones the queue shows (all, or the one picked), and the filters."""
    sites = list(Site.objects.filter(pk__in=list(roles_of(request))).order_by("name"))
    filters = QueueFilters(request.GET if query is None else query).values()
    site_ids = [s.pk for s in sites]
    if filters.get("site"):
        site_ids = [s.pk for s in sites if s.key == filters["site"]]
    return sites, site_ids, filters


def _queue_context(request, query: QueryDict) -> dict:
    """Everything the queue's results show, for the queue page and for the answers that redraw it."""
    sites, site_ids, filters = _queue_scope(request, query)
    editable = set(sites_where(request, Role.EDITOR))
    page = queue_page(site_ids, filters, request.user, email_site_ids=editable)
    dress(page.cases, {s.pk: s for s in sites}, editable, timezone.now())
    groups = group_by_article(page.cases) if filters["group"] == "article" else None
    query = query.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    _count_articles(groups or [], filters, query)
    return {
        "page": page,
        "groups": groups,
        "filters": filters,
        "sites": sites,
        "statuses": [(ALL, "All"), *CaseStatus.choices],
        "qd": query,
        "return_query": query.urlencode(),
        "here": reverse("desk:queue") + ("?" + query.urlencode() if query else ""),
        "can_act": bool(editable),
        "outcomes": actions.OUTCOMES,
        "search_cap": queue_rules.SEARCH_IDS_AT_ONCE,
        "matching": _matching(page.counts, filters["status"]),
        "more_than_a_page": bool(page.next_cursor or page.previous_cursor),
        "on_queue": True,
    }


def _matching(counts: dict | None, status: str) -> int | None:
    """How many cases "select all matching" would take, when the queue counted them all."""
    count = counts.get(status) if counts else None
    return count if count is not None and count <= queue_rules.COUNT_CAP else None


def _count_articles(groups: list[dict], filters, query: QueryDict) -> None:
    """Give each article group how many of its cases have the status the queue shows, and the
    link to them (the queue with the article's filter added), computed here: per group in the
    template they were a tenth of the queue's time."""
    if not groups:
        return
    cases = Case.objects.filter(article_id__in=[g["article_id"] for g in groups])
    if filters["status"] != ALL:
        cases = cases.filter(status=filters["status"])
    counts = dict(cases.order_by().values("article_id").annotate(n=Count("pk")).values_list("article_id", "n"))
    queue_url = reverse("desk:queue")
    for group in groups:
        group["count"] = counts.get(group["article_id"], 0)
        params = query.copy()  # as {% querystring %} does: the filters kept in their order, the article set
        params["article"] = group["article_id"]
        group["link"] = f"{queue_url}?{params.urlencode()}"


@require_safe
@login_required
def queue(request):
    context = _queue_context(request, request.GET)
    context |= {
        "focus_case": request.session.pop(FOCUS_KEY, None),
        "assignees": _assignee_choices([s.pk for s in context["sites"]]),
        "saved_filters": list(SavedFilter.objects.filter(user=request.user)),
        "filter_form": SavedFilterForm(initial={"query": context["return_query"]}),
    }
    template = "desk/partials/queue_results.html" if request.htmx and request.htmx.target == "queue" else "desk/queue.html"
    return render(request, template, context)


def _assignee_choices(site_ids: list[int]):
    return (
        User.objects.filter(memberships__site_id__in=site_ids, memberships__role__in=actions.ASSIGNABLE_ROLES)
        .distinct()
        .order_by("username")
    )


def _offer_undo(request, batch: str, words: str) -> None:
    """A toast saying what was done, with Undo; the session remembers which action it takes back."""
    request.session[UNDO_KEY] = {"batch": batch, "at": int(time.time())}
    messages.success(request, words, extra_tags="undo")


@require_POST
@login_required
def bulk_resolve(request):
    form = BulkOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick some cases and an outcome.")
        return _back_to_queue(request)
    data = form.cleaned_data
    outcome = CaseStatus(data["outcome"])
    if data["all_matching"]:
        ids = _all_matching(request, QueryDict(data["return_query"]))
        if ids is None:
            messages.error(request, f"More than {BULK_LIMIT:,} cases match: narrow the filter to act on them at once.")
            return _back_to_queue(request)
    else:
        ids = _picked(request, set(data["cases"]))
    if not data["confirmed"] or (data["all_matching"] and data["expected"] != len(ids)):
        changed_since = data["confirmed"]
        return _confirm_bulk(request, form, outcome, ids, changed_since)
    batch = audit.new_batch()
    changed = actions.resolve_many(ids, outcome, by=request.user, batch=batch)
    words = f"Marked {changed} case{'s' if changed != 1 else ''} {outcome.label.lower()}."
    if changed:
        _offer_undo(request, batch, words)
    else:
        messages.info(request, "Nothing changed: those cases already had that outcome.")
    return _back_to_queue(request)


def _picked(request, wanted: set[int]) -> list[int]:
    """The picked cases, all or nothing: one the user may not touch refuses the whole batch."""
    found = dict(Case.objects.filter(pk__in=wanted, site_id__in=list(roles_of(request))).values_list("pk", "site_id"))
    if len(found) != len(wanted):
        raise Http404("Some of these cases do not exist.")
    if any(not has_role(request, site_id, Role.EDITOR) for site_id in found.values()):
        raise PermissionDenied("You need the editor role on every selected case's site.")
    return sorted(found)


def _all_matching(request, query: QueryDict) -> list[int] | None:
    """Every case the queue's filters match on the sites where the user may act; None beyond BULK_LIMIT."""
    editable = sites_where(request, Role.EDITOR)
    if not editable:
        raise PermissionDenied("You need the editor role to act on cases.")
    _, site_ids, filters = _queue_scope(request, query)
    site_ids = [pk for pk in site_ids if pk in editable]
    cases, _ = filtered_cases(site_ids, filters, request.user, email_site_ids=editable)
    if filters["status"] != ALL:
        cases = cases.filter(status=filters["status"])
    ids = list(cases.order_by("-priority", "-pk").values_list("pk", flat=True)[: BULK_LIMIT + 1])
    return ids if len(ids) <= BULK_LIMIT else None


def _confirm_bulk(request, form, outcome, ids: list[int], changed_since: bool):
    sample = list(Case.objects.filter(pk__in=ids[:CONFIRM_SAMPLE]).select_related("article").order_by("-priority", "-pk"))
    sites = {s.pk: s for s in Site.objects.filter(pk__in={c.site_id for c in sample})}
    dress(sample, sites, set(), timezone.now())
    return render(
        request,
        "desk/bulk_confirm.html",
        {
            "form": form,
            "outcome": outcome,
            "count": len(ids),
            "ids": ids,
            "sample": sample,
            "changed_since": changed_since,
            "return_query": form.cleaned_data["return_query"],
        },
    )


def _back_to_queue(request):
    """The queue with the filters the bulk form was sent from (from its first page)."""
    query = QueryDict(request.POST.get("return_query", ""), mutable=True)
    for key in ["after", "before", *(key for key, value in query.items() if not value)]:
        query.pop(key, None)
    return redirect(reverse("desk:queue") + ("?" + query.urlencode() if query else ""))


@require_safe
@login_required
def export_csv(request):
    """The filtered queue as CSV; every cell a spreadsheet could run as a formula is defused."""
    _, site_ids, filters = _queue_scope(request)
    cases, _ = filtered_cases(site_ids, filters, request.user, email_site_ids=sites_where(request, Role.EDITOR))
    if filters["status"] != ALL:
        cases = cases.filter(status=filters["status"])
    cases = (
        cases.select_related("site", "article", "assignee")
        .annotate(first_suggestion=first_words("suggestion"))
        .order_by("-priority", "-pk")
    )
    header = [
        "case",
        "site",
        "status",
        "category",
        "readers",
        "quote",
        "suggestion",
        "article",
        "url",
        "assignee",
        "first reported",
        "last reported",
    ]

    def rows():
        for case in cases.iterator(chunk_size=500):
            yield (
                case.pk,
                case.site.key,
                case.status,
                case.category,
                case.report_count,
                case.exact,
                cards.shorten(case.first_suggestion or "", queue_rules.SHOWN_IN_QUEUE),
                case.article.title,
                case.article.url,
                case.assignee.get_username() if case.assignee_id else "",
                case.created_at.isoformat(),
                case.last_reported_at.isoformat() if case.last_reported_at else "",
            )

    return csv_response("corrigo-cases.csv", header, rows())


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Rows streamed as CSV, each cell made safe for spreadsheets."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading quote stops =, +, -, @, tab and CR formulas."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# ---- saved filters ----------------------------------------------------------


def _normal_query(query: str) -> str:
    """A queue query string reduced to the filters the queue knows, as the queue reads them."""
    raw = QueryDict(query)
    form = QueueFilters(raw)
    form.is_valid()
    kept = QueryDict(mutable=True)
    for name in form.fields:
        if name in ("after", "before") or name in form.errors:
            continue
        value = raw.get(name, "")
        if value and form.cleaned_data.get(name) not in (None, "", False):
            kept[name] = value
    return kept.urlencode()


@require_POST
@login_required
def save_filter(request):
    form = SavedFilterForm(request.POST)
    query = _normal_query(request.POST.get("query", ""))
    back = reverse("desk:queue") + ("?" + query if query else "")
    if not form.is_valid():
        messages.error(request, "A saved filter needs a name of at most 80 characters.")
        return redirect(back)
    name = form.cleaned_data["name"]
    with transaction.atomic():
        mine = SavedFilter.objects.select_for_update().filter(user=request.user)
        if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_FILTERS:
            messages.error(request, f"You have {MAX_SAVED_FILTERS} saved filters: delete one first.")
            return redirect(back)
        SavedFilter.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
    messages.success(request, f"Saved the filter “{name}”.")
    return redirect(back)


@require_POST
@login_required
def delete_filter(request, filter_id: int):
    deleted, _ = SavedFilter.objects.filter(pk=filter_id, user=request.user).delete()
    if not deleted:
        raise Http404("No such saved filter.")
    messages.success(request, "Saved filter deleted.")
    return redirect("desk:queue")


# ---- one case ---------------------------------------------------------------


@require_safe
@case_view(Role.VIEWER)
def case_detail(request, case):
    return render(request, "desk/case.html", _case_context(request, case))


def timeline(case) -> list[Entry]:
    """The case's lines of the site log, oldest first: its own, and the merges it took part in."""
    return list(Entry.objects.filter(Q(case=case) | Q(related_case=case)).order_by("created_at", "pk"))


def _case_context(request, case, **forms) -> dict:
    can_act = has_role(request, case.site_id, Role.EDITOR)
    reports = list(case.reports.order_by("created_at", "pk")[:MAX_REPORTS_SHOWN])
    versions = {v.pk: v for v in _versions(case)}
    reported_on = versions.get(case.version_id)
    latest = versions.get(case.anchor_version_id)
    others = list(
        Case.objects.filter(article_id=case.article_id, status=CaseStatus.OPEN)
        .exclude(pk=case.pk)
        .order_by("-priority", "-pk")[:OTHER_CASES_SHOWN]
    )
    dress([case], {case.site_id: case.site}, {case.site_id} if can_act else set(), timezone.now())
    members = actions.assignable_members(case)
    moved = case.anchor_status in (AnchorStatus.CHANGED, AnchorStatus.GONE) and case.anchor_version_id != case.version_id
    return {
        "versions": article_versions(case),
        "passage_diff": passage_diff(
            reported_on.text, case.start, case.end, latest.text if latest else None, case.anchor_start, case.anchor_end
        )
        if moved and reported_on and case.has_quote
        else None,
        "can_check": can_act and case.site.fetch_articles,
        "case": case,
        "reports": reports,
        "more_reports": max(case.report_count - len(reports), 0),
        "show_email": can_act,
        "can_act": can_act,
        "reported_text": _split(reported_on.text, case.start, case.end) if reported_on and case.has_quote else None,
        # The reported version may still be the latest: then the text is shown once.
        "anchor_text": _split(latest.text, case.anchor_start, case.anchor_end)
        if latest and case.anchor_version_id != case.version_id
        else None,
        "still_latest": case.anchor_status and case.anchor_version_id == case.version_id,
        "anchor_badge": ANCHOR_BADGES.get(case.anchor_status),
        "others": others,
        "events": timeline(case),
        "outcomes": actions.OUTCOMES,
        "assign_form": forms.get("assign_form") or AssignForm(members=members, initial={"assignee": case.assignee_id}),
        "note_form": forms.get("note_form") or NoteForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "notice_form": (forms.get("notice_form") or NoticeForm(initial={"text": draft(case)})) if can_act else None,
        "notices": [
            (
                notice,
                NoticeForm(
                    initial={"kind": notice.kind, "text": notice.text, "minor": notice.minor}, auto_id=f"id_notice{notice.pk}_%s"
                ),
            )
            for notice in case.notices.order_by("published_at", "pk")
        ],
        "case_data": {"id": case.pk, "quote": case.exact, "prefix": case.prefix, "suffix": case.suffix},
    }


ANCHOR_BADGES = {
    AnchorStatus.CHANGED: ("looks-fixed", "Looks fixed"),
    AnchorStatus.GONE: ("gone", "Passage gone"),
    AnchorStatus.UNCHANGED: ("unchanged", "Unchanged"),
    AnchorStatus.AMBIGUOUS: ("ambiguous", "Ambiguous"),
}


MAX_VERSIONS_SHOWN = 20


def article_versions(case) -> list[ArticleVersion]:
    """The article's versions, newest first, each marked: the one reported on, the one followed, the published one."""
    article = case.article
    versions = list(
        ArticleVersion.objects.filter(article_id=case.article_id)
        .only("pk", "source", "created_at", "published_at", "modified_at", "followed_at")
        .order_by("-created_at", "-pk")[:MAX_VERSIONS_SHOWN]
    )
    for version in versions:
        version.reported_here = version.pk == case.version_id
        version.followed_now = version.pk == article.latest_version_id
        version.published_now = version.pk == article.published_version_id
    return versions


def _versions(case):
    ids = {pk for pk in (case.version_id, case.anchor_version_id) if pk}
    return ArticleVersion.objects.filter(pk__in=ids) if ids else []


def _split(text: str, start: int | None, end: int | None) -> tuple[str, str, str] | None:
    """(before, passage, after) of a text, or None when the offsets do not fit it."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        return None
    return text[:start], text[start:end], text[end:]


def _from_queue(request) -> bool:
    return bool(request.htmx) and request.POST.get("from") == "queue"


def _done(request, case, message: str | None = None, batch: str = ""):
    """After an action: on the queue (htmx), the case's card (or nothing, when it left the list
    the queue shows) with fresh counts and the toast; else back to the case page."""
    if message:
        if batch:
            _offer_undo(request, batch, message)
        else:
            messages.success(request, message)
    if _from_queue(request):
        return _queue_row(request, case)
    return redirect("desk:case", case.pk)


def _queue_row(request, case):
    query = QueryDict(request.POST.get("return_query", ""))
    context = _queue_context(request, query)
    filters = context["filters"]
    row = (
        Case.objects.select_related("article", "assignee")
        .annotate(first_suggestion=first_words("suggestion"), first_comment=first_words("comment"))
        .get(pk=case.pk)
    )
    sites = {s.pk: s for s in context["sites"]}
    dress([row], sites, set(sites_where(request, Role.EDITOR)), timezone.now())
    # The row's article group as the page counted it, or counted now when the page no longer holds it.
    group = next((g for g in context["groups"] or [] if g["article_id"] == row.article_id), None)
    if group is None:
        group = {"article_id": row.article_id}
        _count_articles([group], filters, context["qd"])
    context |= {
        "case": row,
        "keep": filters["status"] in (ALL, row.status),
        "flat": filters["group"] != "article",
        "group": group,
    }
    return render(request, "desk/partials/row_swap.html", context)


def _refused(request, case, error: actions.ActionError):
    if request.htmx:  # the desk's script shows it in a toast
        return HttpResponse(str(error), status=409, content_type=TEXT)
    messages.error(request, str(error))
    return redirect("desk:case", case.pk)


def _invalid(request, case, **form):
    """The case page again, with the form that did not validate and its errors."""
    return render(request, "desk/case.html", _case_context(request, case, **form), status=400)


@require_POST
@case_view(Role.EDITOR)
def resolve(request, case):
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown outcome.", status=400, content_type=TEXT)
    batch = audit.new_batch()
    try:
        changed = actions.resolve(case, form.cleaned_data["outcome"], by=request.user, batch=batch)
    except actions.ActionError as error:
        return _refused(request, case, error)
    label = CaseStatus(form.cleaned_data["outcome"]).label
    return _done(request, case, f"Case {case.pk} marked {label.lower()}." if changed else None, batch)


@require_POST
@case_view(Role.EDITOR)
def reopen(request, case):
    batch = audit.new_batch()
    try:
        changed = actions.reopen(case, by=request.user, batch=batch)
    except actions.ActionError as error:
        return _refused(request, case, error)
    return _done(request, case, f"Case {case.pk} is open again." if changed else None, batch)


@require_POST
@case_view(Role.EDITOR)
def assign(request, case):
    form = AssignForm(request.POST, members=actions.assignable_members(case))
    if not form.is_valid():
        return _invalid(request, case, assign_form=form)
    batch = audit.new_batch()
    try:
        changed = actions.assign(case, form.cleaned_data["assignee"], by=request.user, batch=batch)
    except actions.ActionError as error:
        return _refused(request, case, error)
    assignee = form.cleaned_data["assignee"]
    words = f"Case {case.pk} assigned to {assignee.get_username()}." if assignee else f"Case {case.pk} is unassigned."
    return _done(request, case, words if changed else "Assignment saved.", batch if changed else "")


@require_POST
@case_view(Role.EDITOR)
def add_note(request, case):
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, note_form=form)
    try:
        actions.add_note(case, form.cleaned_data["text"], by=request.user)
    except actions.ActionError as error:
        return _refused(request, case, error)
    return _done(request, case, "Note added.")


@require_POST
@case_view(Role.EDITOR)
def merge(request, case):
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, merge_form=form)
    # The surviving case must be one this editor may act on too: same rule as the URL's case.
    into = (
        Case.objects.select_related("article", "site")
        .filter(pk=form.cleaned_data["into"], site_id__in=list(roles_of(request)))
        .first()
    )
    if into is None:
        form.add_error("into", "There is no such case.")
        return _invalid(request, case, merge_form=form)
    if not has_role(request, into.site_id, Role.EDITOR):
        raise PermissionDenied("You need the editor role on the other case's site.")
    # A merge the action refuses anyway (into itself, a merged case) goes straight to its reason.
    refused_anyway = into.pk == case.pk or CaseStatus.DUPLICATE in (into.status, case.status)
    if not form.cleaned_data["confirmed"] and not refused_anyway:
        dress([case, into], {case.site_id: case.site, into.site_id: into.site}, set(), timezone.now())
        return render(request, "desk/merge_confirm.html", {"case": case, "into": into})
    batch = audit.new_batch()
    try:
        actions.merge(case, into, by=request.user, batch=batch)
    except actions.ActionError as error:
        return _refused(request, case, error)
    _offer_undo(request, batch, f"Case {case.pk} merged into case {into.pk}.")
    return redirect("desk:case", into.pk)


@require_POST
@case_view(Role.EDITOR)
def check_article(request, case):
    """ "Check the article now": a fetch of its page, on the queue (the worker does it in a moment)."""
    if not case.site.fetch_articles:
        return _refused(request, case, actions.ActionError("This site does not fetch its pages: turn it on in its settings."))
    enqueue_fetch(case.site_id, case.article_id, delay=0)
    messages.success(request, "Corrigo is fetching the article now: reload this page in a moment.")
    return redirect("desk:case", case.pk)


@require_POST
@case_view(Role.EDITOR)
def unmerge(request, case):
    survivor = case.duplicate_of_id
    batch = audit.new_batch()
    try:
        actions.unmerge(case, by=request.user, batch=batch)
    except actions.ActionError as error:
        return _refused(request, case, error)
    _offer_undo(request, batch, f"Case {case.pk} is its own case again: its reports came back from case {survivor}.")
    return redirect("desk:case", case.pk)


@require_POST
@login_required
def undo(request):
    """Take back the user's last action, if it is recent and the cases are still as it left them."""
    offer = request.session.pop(UNDO_KEY, None)
    restored = None
    if not isinstance(offer, dict) or not isinstance(offer.get("batch"), str) or time.time() - offer.get("at", 0) > UNDO_SECONDS:
        messages.error(request, "There is nothing to undo.")
    else:
        lines = Entry.objects.filter(batch=offer["batch"])
        if any(not has_role(request, site_id, Role.EDITOR) for site_id in set(lines.values_list("site_id", flat=True))):
            raise PermissionDenied("You no longer have the editor role there.")
        restored = lines.exclude(case=None).values_list("case_id", flat=True).first()
        try:
            count = actions.undo(offer["batch"], by=request.user)
        except actions.ActionError as error:
            messages.error(request, str(error))
            restored = None
        else:
            messages.success(request, f"Undone: {count} case{'s are' if count != 1 else ' is'} as before.")
    if request.htmx and request.htmx.target == "queue":
        context = _queue_context(request, QueryDict(request.POST.get("return_query", "")))
        # The desk's script moves the focus to the case that came back.
        return render(request, "desk/partials/queue_results.html", context | {"toasts_oob": True, "focus_case": restored})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("desk:queue")
    if restored:
        request.session[FOCUS_KEY] = restored  # the queue it leads to puts the focus there
    return redirect(back)


# ---- site settings (admins) -------------------------------------------------


@require_safe
@login_required
def my_sites(request):
    sites = Site.objects.filter(pk__in=sites_where(request, Role.ADMIN)).order_by("name")
    return render(request, "desk/sites.html", {"sites": sites})


def _in_quotes(value: str) -> str:
    """A value for a double-quoted HTML attribute: only & and " need escaping there."""
    return value.replace("&", "&amp;").replace('"', "&quot;")


def embed_snippet(site: Site, widget_url: str) -> str:
    """The normative embed tag for this site, as text to paste into a page template."""
    attributes = {
        "src": widget_url,
        "data-site": site.key,
        "data-article": site.article_selector,
        "data-ignore": site.ignore_selectors,
        "data-lang": site.default_language,
    }
    # Written as HTML source must be; the template escapes the whole tag again for display.
    written = "".join(f' {name}="{_in_quotes(value)}"' for name, value in attributes.items() if value)
    return f"<script async{written}></script>"


def _settings_context(request, site, **overrides) -> dict:
    widget_url = request.build_absolute_uri(reverse("widget"))
    context = {
        "site": site,
        "site_form": SiteSettingsForm(instance=site),
        "origins_form": OriginsForm(initial={"origins": "\n".join(site.origins)}),
        "member_form": MemberForm(),
        "token_form": TokenForm(),
        "members": Membership.objects.filter(site=site).select_related("user").order_by("user__username"),
        "roles": Role.choices,
        "tokens": ApiToken.objects.filter(site=site).order_by("-created_at"),
        "embed_snippet": embed_snippet(site, widget_url),
        "new_token": None,
    }
    context.update(overrides)
    return context


@require_safe
@site_view(Role.ADMIN)
def site_settings(request, site):
    return render(request, "desk/site_settings.html", _settings_context(request, site))


def _settings_invalid(request, site, **form):
    """The settings page again, with the form that did not validate and its errors."""
    return render(request, "desk/site_settings.html", _settings_context(request, site, **form), status=400)


def _settings_saved(request, site, message: str):
    messages.success(request, message)
    return redirect("desk:site-settings", site.key)


@require_POST
@site_view(Role.ADMIN)
def save_site(request, site):
    before = {name: getattr(site, name) for name in SiteSettingsForm.Meta.fields}
    form = SiteSettingsForm(request.POST, instance=site)
    if not form.is_valid():
        return _settings_invalid(request, site, site_form=form)
    batch = audit.new_batch()
    with transaction.atomic():
        form.save()
        for name, old in before.items():
            new = getattr(site, name)
            if new != old:
                audit.record(site, request.user, Verb.SITE_SETTING, subject=name, before=old, after=new, batch=batch)
    return _settings_saved(request, site, "Site settings saved.")


@require_POST
@site_view(Role.ADMIN)
def save_origins(request, site):
    form = OriginsForm(request.POST)
    if not form.is_valid():
        return _settings_invalid(request, site, origins_form=form)
    before = site.origins
    batch = audit.new_batch()
    with transaction.atomic():
        after = set_origins(site, form.cleaned_data["origins"])
        for origin in after:
            if origin not in before:
                audit.record(site, request.user, Verb.ORIGIN_ADD, subject=origin, batch=batch)
        for origin in before:
            if origin not in after:
                audit.record(site, request.user, Verb.ORIGIN_REMOVE, subject=origin, batch=batch)
    return _settings_saved(request, site, "Allowed origins saved.")


@require_POST
@site_view(Role.ADMIN)
def add_member(request, site):
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _settings_invalid(request, site, member_form=form)
    data = form.cleaned_data
    try:
        added = services.add_member(
            site, data["username"], data["role"], password=data["password"], email=data["email"], by=request.user
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _settings_invalid(request, site, member_form=form)
    except services.SiteRuleError as error:
        messages.error(request, str(error))
        return redirect("desk:site-settings", site.key)
    name, role = added.membership.user.username, added.membership.role
    if not added.new_user and (data["password"] or data["email"]):
        return _settings_saved(
            request, site, f"{name} already has an account, so the password and email given were not used: {name} is now {role}."
        )
    return _settings_saved(request, site, f"{name} is now {role}.")


def _member(site, user_id: int):
    membership = Membership.objects.select_related("user").filter(site=site, user_id=user_id).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


@require_POST
@site_view(Role.ADMIN)
def change_role(request, site, user_id: int):
    membership = _member(site, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown role.", status=400, content_type="text/plain; charset=utf-8")
    try:
        services.change_role(site, membership.user, form.cleaned_data["role"], by=request.user)
    except services.SiteRuleError as error:
        messages.error(request, str(error))
        return redirect("desk:site-settings", site.key)
    return _settings_saved(request, site, f"{membership.user.username} is now {form.cleaned_data['role']}.")


@require_POST
@site_view(Role.ADMIN)
def remove_member(request, site, user_id: int):
    membership = _member(site, user_id)
    try:
        services.remove_member(site, membership.user, by=request.user)
    except services.SiteRuleError as error:
        messages.error(request, str(error))
        return redirect("desk:site-settings", site.key)
    return _settings_saved(request, site, f"{membership.user.username} is no longer a member.")


@require_POST
@site_view(Role.ADMIN)
def new_token(request, site):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _settings_invalid(request, site, token_form=form)
    with transaction.atomic():
        token = create_token(
            site,
            form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            can_see_email=form.cleaned_data["can_see_email"],
            created_by=request.user,
        )
        audit.record(site, request.user, Verb.TOKEN_CREATE, subject=_token_words(ApiToken.objects.get(digest=hash_token(token))))
    # Shown in this answer only (no redirect): Corrigo keeps just its hash.
    response = render(request, "desk/site_settings.html", _settings_context(request, site, new_token=token))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@site_view(Role.ADMIN)
def revoke_token(request, site, token_id: int):
    with transaction.atomic():
        if not services.revoke_token(site, token_id):
            raise Http404("No such live token.")
        audit.record(site, request.user, Verb.TOKEN_REVOKE, subject=_token_words(ApiToken.objects.get(pk=token_id)))
    return _settings_saved(request, site, "Token revoked: it no longer works.")


def _token_words(token: ApiToken) -> str:
    """A token as the log names it: its name and first characters (never the secret)."""
    scope = ", may see reporters' email" if token.can_see_email else ""
    return f"“{token.name}” ({token.hint}…{scope})" if token.name else f"{token.hint}…" + (f" ({scope[2:]})" if scope else "")


# ---- the site log and the metrics (every member) ----------------------------

PICKS = {"log": ("desk:site-log", "Site log"), "metrics": ("desk:site-metrics", "Metrics")}


@require_safe
@login_required
def pick_site(request, purpose: str):
    """The log or the metrics of the user's one site, or the list of their sites to pick from."""
    view, title = PICKS[purpose]
    sites = list(Site.objects.filter(pk__in=list(roles_of(request))).order_by("name"))
    if len(sites) == 1:
        return redirect(view, sites[0].key)
    return render(request, "desk/sites.html", {"sites": sites, "view": view, "title": title})


@require_safe
@site_view(Role.VIEWER)
def site_log(request, site):
    filters = LogFilters(request.GET).values()
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "site": site,
        "page": log_page(site, filters),
        "filters": filters,
        "kinds": KINDS,
        "qd": query,
        "first_page": not filters.get("after"),
    }
    return render(request, "desk/site_log.html", context)


@require_safe
@site_view(Role.VIEWER)
def site_log_csv(request, site):
    lines = log_entries(site, LogFilters(request.GET).values()).order_by("-pk")
    header = ["when", "who", "kind", "change", "case", "in words", "before", "after", "text"]
    rows = (
        (e.created_at.isoformat(), e.actor_name, e.kind, e.verb, e.case_id or "", e.message, e.before, e.after, e.text)
        for e in lines.iterator(chunk_size=1000)
    )
    return csv_response(f"corrigo-log-{site.key}.csv", header, rows)


def _query(**values) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(values)
    return query


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _bucket_label(bucket, weekly: bool) -> str:
    return ("w/c " if weekly else "") + f"{bucket.start.day} {bucket.start:%b}"


def _metrics_charts(metrics) -> dict:
    weekly = metrics.bucket == "week"
    timed = [f for f in metrics.by_category if f.median_first_action_h is not None]
    return {
        "per_bucket": charts.columns([(_bucket_label(b, weekly), b.cases) for b in metrics.buckets]),
        "outcomes": charts.rows(
            [(label, count) for _, label, count in metrics.outcome_rows],
            classes=[f"status-{status}" for status, _, _ in metrics.outcome_rows],
        ),
        "first_action": charts.rows([(f.label, round(f.median_first_action_h, 1)) for f in timed], shown=lambda v: f"{v:.1f} h"),
    }


@require_safe
@site_view(Role.VIEWER)
def site_metrics(request, site):
    start, end, problems = PeriodForm(request.GET).period(timezone.localdate())
    metrics = period_metrics(site, start, end)
    for article in metrics.top_articles:
        article.headline = cards.headline(article.title, site.name) if article.title else cards.headline_from_url(article.url)
    context = {
        "site": site,
        "metrics": metrics,
        "problems": problems,
        "form": PeriodForm(initial={"day_from": start, "day_to": end}),
        "groups": [
            ("By category", metrics.by_category),
            ("By section", metrics.by_section),
            ("By author", metrics.by_author),
        ],
        "qd": _query(day_from=start.isoformat(), day_to=end.isoformat()),
        **_metrics_charts(metrics),
    }
    return render(request, "desk/metrics.html", context)


@require_safe
@site_view(Role.VIEWER)
def site_metrics_csv(request, site):
    start, end, _ = PeriodForm(request.GET).period(timezone.localdate())
    metrics = period_metrics(site, start, end)
    header = [
        "table",
        "group",
        "cases",
        "readers",
        "fixed",
        "not an error",
        "open",
        "real-error share",
        "median hours to first action",
        "p90 hours to first action",
        "median hours to fix",
        "p90 hours to fix",
    ]

    def figures(table, f):
        return (
            table,
            f.label,
            f.cases,
            f.readers,
            f.fixed,
            f.not_error,
            f.open,
            _share(f.real_error_share),
            _hours(f.median_first_action_h),
            _hours(f.p90_first_action_h),
            _hours(f.median_fix_h),
            _hours(f.p90_fix_h),
        )

    def rows():
        yield ("period", f"{start.isoformat()} to {end.isoformat()}", "", "", "", "", "", "", "", "", "", "")
        yield ("reports received", "", metrics.reports, "", "", "", "", "", "", "", "", "")
        yield figures("all", metrics.total)
        for table, groups in (("category", metrics.by_category), ("section", metrics.by_section), ("author", metrics.by_author)):
            for f in groups:
                yield figures(table, f)
        for a in metrics.top_articles:
            yield ("article", a.title or a.url, a.cases, "", a.fixed, "", "", "", "", "", "", "")
        for b in metrics.buckets:
            yield (metrics.bucket, b.start.isoformat(), b.cases, "", b.fixed, "", "", "", "", "", "", "")

    return csv_response(f"corrigo-metrics-{site.key}-{start.isoformat()}-{end.isoformat()}.csv", header, rows())
