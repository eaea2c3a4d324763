"""The editors' desk: the queue, each case with its article and log, outcomes, site settings.

Views translate HTTP into calls of reports.actions (case outcomes) and sites.services
(site chores); the decorators in desk.access say who may call each one.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from corrigo.articles.models import ArticleVersion
from corrigo.desk import queue as queue_rules
from corrigo.desk.access import case_view, has_role, roles_of, site_view, sites_where
from corrigo.desk.forms import (
    AssignForm,
    BulkOutcomeForm,
    MemberForm,
    MergeForm,
    NoteForm,
    OriginsForm,
    OutcomeForm,
    RoleForm,
    SiteSettingsForm,
    TokenForm,
)
from corrigo.desk.queue import ALL, QueueFilters, filtered_cases, first_words, queue_page
from corrigo.reports import actions
from corrigo.reports.models import AnchorStatus, Case, CaseStatus
from corrigo.sites import services
from corrigo.sites.models import ApiToken, Membership, Role, Site
from corrigo.sites.services import create_token, set_origins

MAX_REPORTS_SHOWN = 500
OTHER_CASES_SHOWN = 20


# ---- the queue --------------------------------------------------------------


def _queue_scope(request) -> tuple[list[Site], list[int], dict]:
    """The user's sites, the ones the queue shows (all, or the one picked), and the filters."""
    sites = list(Site.objects.filter(pk__in=list(roles_of(request))).order_by("name"))
    filters = QueueFilters(request.GET).values()
    site_ids = [s.pk for s in sites]
    if filters.get("site"):
        site_ids = [s.pk for s in sites if s.key == filters["site"]]
    return sites, site_ids, filters


@require_safe
@login_required
def queue(request):
    sites, site_ids, filters = _queue_scope(request)
    page = queue_page(site_ids, filters, request.user)
    editable = set(sites_where(request, Role.EDITOR))
    site_by_id = {s.pk: s for s in sites}
    for case in page.cases:
        case.site = site_by_id[case.site_id]
        case.can_act = case.site_id in editable
    query = {k: v for k, v in request.GET.items() if k not in ("after", "before") and v}
    context = {
        "page": page,
        "filters": filters,
        "sites": sites,
        "statuses": [(ALL, "All"), *CaseStatus.choices],
        "query": query,
        "can_act": bool(editable),
        "assignees": _assignee_choices(site_ids),
        "outcomes": actions.OUTCOMES,
        "search_cap": queue_rules.SEARCH_IDS_AT_ONCE,
    }
    template = "desk/partials/queue_results.html" if request.htmx and request.htmx.target == "queue" else "desk/queue.html"
    return render(request, template, context)


def _assignee_choices(site_ids: list[int]):
    return (
        User.objects.filter(memberships__site_id__in=site_ids, memberships__role__in=actions.ASSIGNABLE_ROLES)
        .distinct()
        .order_by("username")
    )


@require_POST
@login_required
def bulk_resolve(request):
    form = BulkOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick some cases and an outcome.")
        return _back_to_queue(request)
    wanted = set(form.cleaned_data["cases"])
    cases = list(Case.objects.filter(pk__in=wanted, site_id__in=list(roles_of(request))))
    # All or nothing: one case the user may not touch refuses the whole batch.
    if len(cases) != len(wanted):
        raise Http404("Some of these cases do not exist.")
    if any(not has_role(request, c.site_id, Role.EDITOR) for c in cases):
        raise PermissionDenied("You need the editor role on every selected case's site.")
    outcome = form.cleaned_data["outcome"]
    changed = actions.resolve_many(cases, outcome, by=request.user)
    messages.success(request, f"Marked {changed} case{'s' if changed != 1 else ''} {CaseStatus(outcome).label.lower()}.")
    return _back_to_queue(request)


def _back_to_queue(request):
    """The queue with the filters the bulk form was sent from (from its first page)."""
    query = QueryDict(request.POST.get("return_query", ""), mutable=True)
    for key in ("after", "before"):
        query.pop(key, None)
    return redirect(reverse("desk:queue") + ("?" + query.urlencode() if query else ""))


@require_safe
@login_required
def export_csv(request):
    """The filtered queue as CSV; every cell a spreadsheet could run as a formula is defused."""
    _, site_ids, filters = _queue_scope(request)
    cases, _ = filtered_cases(site_ids, filters, request.user)
    if filters["status"] != ALL:
        cases = cases.filter(status=filters["status"])
    cases = (
        cases.select_related("site", "article", "assignee")
        .annotate(first_suggestion=first_words("suggestion"))
        .order_by("-priority", "-pk")
    )

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
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
        yield writer.writerow(header)
        for case in cases.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        case.pk,
                        case.site.key,
                        case.status,
                        case.category,
                        case.report_count,
                        case.exact,
                        case.first_suggestion or "",
                        case.article.title,
                        case.article.url,
                        case.assignee.get_username() if case.assignee_id else "",
                        case.created_at.isoformat(),
                        case.last_reported_at.isoformat() if case.last_reported_at else "",
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="corrigo-cases.csv"'
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading quote stops =, +, -, @, tab and CR formulas."""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# ---- one case ---------------------------------------------------------------


@require_safe
@case_view(Role.VIEWER)
def case_detail(request, case):
    return render(request, "desk/case.html", _case_context(request, case))


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
    members = actions.assignable_members(case)
    return {
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
        "events": list(case.events.order_by("created_at", "pk")),
        "outcomes": actions.OUTCOMES,
        "assign_form": forms.get("assign_form") or AssignForm(members=members, initial={"assignee": case.assignee_id}),
        "note_form": forms.get("note_form") or NoteForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "case_data": {"id": case.pk, "quote": case.exact, "prefix": case.prefix, "suffix": case.suffix},
    }


ANCHOR_BADGES = {
    AnchorStatus.CHANGED: ("looks-fixed", "Looks fixed"),
    AnchorStatus.GONE: ("gone", "Passage gone"),
    AnchorStatus.UNCHANGED: ("unchanged", "Unchanged"),
    AnchorStatus.AMBIGUOUS: ("ambiguous", "Ambiguous"),
}


def _versions(case):
    ids = {pk for pk in (case.version_id, case.anchor_version_id) if pk}
    return ArticleVersion.objects.filter(pk__in=ids) if ids else []


def _split(text: str, start: int | None, end: int | None) -> tuple[str, str, str] | None:
    """(before, passage, after) of a text, or None when the offsets do not fit it."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        return None
    return text[:start], text[start:end], text[end:]


def _done(request, case, message: str | None = None):
    """After an action: the updated queue row for htmx, else back to the case page."""
    if message:
        messages.success(request, message)
    if request.htmx and request.POST.get("from") == "queue":
        case = (
            Case.objects.select_related("site", "article", "assignee")
            .annotate(first_suggestion=first_words("suggestion"), first_comment=first_words("comment"))
            .get(pk=case.pk)
        )
        case.can_act = True
        return render(request, "desk/partials/queue_row.html", {"case": case, "outcomes": actions.OUTCOMES})
    return redirect("desk:case", case.pk)


def _refused(request, case, error: actions.ActionError):
    messages.error(request, str(error))
    if request.htmx:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    return redirect("desk:case", case.pk)


def _invalid(request, case, **form):
    """The case page again, with the form that did not validate and its errors."""
    return render(request, "desk/case.html", _case_context(request, case, **form), status=400)


@require_POST
@case_view(Role.EDITOR)
def resolve(request, case):
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown outcome.", status=400, content_type="text/plain; charset=utf-8")
    try:
        changed = actions.resolve(case, form.cleaned_data["outcome"], by=request.user)
    except actions.ActionError as error:
        return _refused(request, case, error)
    label = CaseStatus(form.cleaned_data["outcome"]).label
    return _done(request, case, f"Case {case.pk}: {label.lower()}." if changed else None)


@require_POST
@case_view(Role.EDITOR)
def reopen(request, case):
    try:
        changed = actions.reopen(case, by=request.user)
    except actions.ActionError as error:
        return _refused(request, case, error)
    return _done(request, case, f"Case {case.pk} is open again." if changed else None)


@require_POST
@case_view(Role.EDITOR)
def assign(request, case):
    form = AssignForm(request.POST, members=actions.assignable_members(case))
    if not form.is_valid():
        return _invalid(request, case, assign_form=form)
    try:
        actions.assign(case, form.cleaned_data["assignee"], by=request.user)
    except actions.ActionError as error:
        return _refused(request, case, error)
    return _done(request, case, "Assignment saved.")


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
    into = Case.objects.filter(pk=form.cleaned_data["into"], site_id__in=list(roles_of(request))).first()
    if into is None:
        form.add_error("into", "There is no such case.")
        return _invalid(request, case, merge_form=form)
    if not has_role(request, into.site_id, Role.EDITOR):
        raise PermissionDenied("You need the editor role on the other case's site.")
    try:
        actions.merge(case, into, by=request.user)
    except actions.ActionError as error:
        return _refused(request, case, error)
    messages.success(request, f"Case {case.pk} merged into case {into.pk}.")
    return redirect("desk:case", into.pk)


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
    form = SiteSettingsForm(request.POST, instance=site)
    if not form.is_valid():
        return _settings_invalid(request, site, site_form=form)
    form.save()
    return _settings_saved(request, site, "Site settings saved.")


@require_POST
@site_view(Role.ADMIN)
def save_origins(request, site):
    form = OriginsForm(request.POST)
    if not form.is_valid():
        return _settings_invalid(request, site, origins_form=form)
    set_origins(site, form.cleaned_data["origins"])
    return _settings_saved(request, site, "Allowed origins saved.")


@require_POST
@site_view(Role.ADMIN)
def add_member(request, site):
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _settings_invalid(request, site, member_form=form)
    data = form.cleaned_data
    try:
        added = services.add_member(site, data["username"], data["role"], password=data["password"], email=data["email"])
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
        services.change_role(site, membership.user, form.cleaned_data["role"])
    except services.SiteRuleError as error:
        messages.error(request, str(error))
        return redirect("desk:site-settings", site.key)
    return _settings_saved(request, site, f"{membership.user.username} is now {form.cleaned_data['role']}.")


@require_POST
@site_view(Role.ADMIN)
def remove_member(request, site, user_id: int):
    membership = _member(site, user_id)
    try:
        services.remove_member(site, membership.user)
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
    token = create_token(
        site,
        form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        can_see_email=form.cleaned_data["can_see_email"],
        created_by=request.user,
    )
    # Shown in this answer only (no redirect): Corrigo keeps just its hash.
    response = render(request, "desk/site_settings.html", _settings_context(request, site, new_token=token))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@site_view(Role.ADMIN)
def revoke_token(request, site, token_id: int):
    if not services.revoke_token(site, token_id):
        raise Http404("No such live token.")
    return _settings_saved(request, site, "Token revoked: it no longer works.")
