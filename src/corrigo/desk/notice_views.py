"""Correction notices on the desk: "Fixed, with a notice" on the case page, editing and withdrawing one.

The views call corrigo.corrections.services; who may act is the case's (or the notice's)
site role, as everywhere in the desk.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from corrigo import audit
from corrigo.corrections import services
from corrigo.corrections.models import CorrectionNotice
from corrigo.desk.access import case_view, has_role, roles_of
from corrigo.desk.forms import NoticeForm
from corrigo.desk.views import _invalid, _refused
from corrigo.reports.actions import ActionError
from corrigo.sites.models import Role


@require_POST
@case_view(Role.EDITOR)
def fix_with_notice(request, case):
    form = NoticeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, notice_form=form)
    try:
        notice = services.fix_with_notice(
            case,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            minor=form.cleaned_data["minor"],
            by=request.user,
            batch=audit.new_batch(),
        )
    except ActionError as error:
        return _refused(request, case, error)
    messages.success(request, f"Case {case.pk} marked fixed; the {notice.get_kind_display().lower()} is published.")
    return redirect("desk:case", case.pk)


def _editable_notice(request, notice_id: int) -> CorrectionNotice:
    notice = CorrectionNotice.objects.filter(pk=notice_id, site_id__in=list(roles_of(request))).first()
    if notice is None:
        raise Http404("No such notice.")
    if not has_role(request, notice.site_id, Role.EDITOR):
        raise PermissionDenied("You need the editor role on this site for this.")
    return notice


def _back(notice: CorrectionNotice):
    case_id = notice.cases.order_by("pk").values_list("pk", flat=True).first()
    return redirect("desk:case", case_id) if case_id else redirect("desk:queue")


@require_POST
@login_required
def edit_notice(request, notice_id: int):
    notice = _editable_notice(request, notice_id)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return _back(notice)
    try:
        changed = services.edit(notice, by=request.user, **form.cleaned_data)
    except ActionError as error:
        messages.error(request, str(error))
        return _back(notice)
    messages.success(request, "Notice updated; the log keeps what it said before." if changed else "Nothing changed.")
    return _back(notice)


@require_POST
@login_required
def withdraw_notice(request, notice_id: int):
    notice = _editable_notice(request, notice_id)
    try:
        services.withdraw(notice, by=request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Notice withdrawn: it is gone from the corrections page, the feeds and the article.")
    return _back(notice)
