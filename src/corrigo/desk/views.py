"""The editors' desk: the queue of cases and each case with its reports."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from corrigo.reports.models import Case
from corrigo.sites.models import Site


def member_sites(user):
    return Site.objects.filter(memberships__user=user)


@require_safe
@login_required
def queue(request):
    cases = (
        Case.objects.filter(site__in=member_sites(request.user))
        .select_related("site", "article")
        .order_by("-last_reported_at", "-pk")
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "desk/queue.html", {"page": page})


@require_safe
@login_required
def case_detail(request, pk: int):
    case = get_object_or_404(
        Case.objects.select_related("site", "article"), pk=pk, site__in=member_sites(request.user)
    )
    reports = case.reports.order_by("created_at")
    return render(request, "desk/case.html", {"case": case, "reports": reports})
