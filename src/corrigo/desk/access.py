"""Who may do what in the desk: a role per site, and the decorators that guard each view.

viewer < editor < admin. Every view that touches a case finds it among the sites the
user is a member of (another site's case is a 404, as if it did not exist) and then
checks the role (a viewer's POST is a 403). Nothing is changed before both pass.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from corrigo.reports.models import Case
from corrigo.sites.models import Membership, Role, Site

RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


def roles_of(request) -> dict[int, str]:
    """{site id: role} for the logged-in user, read once per request."""
    if not hasattr(request, "_desk_roles"):
        request._desk_roles = dict(Membership.objects.filter(user=request.user).values_list("site_id", "role"))
    return request._desk_roles


def has_role(request, site_id: int, role: str) -> bool:
    held = roles_of(request).get(site_id)
    return held is not None and RANK[held] >= RANK[role]


def sites_where(request, role: str) -> list[int]:
    return [site_id for site_id, held in roles_of(request).items() if RANK[held] >= RANK[role]]


def case_view(role: str = Role.VIEWER):
    """Loads the URL's case for the view, or answers 404 (not a member) / 403 (role too low)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, pk: int, *args, **kwargs):
            case = (
                Case.objects.select_related("site", "article", "assignee", "duplicate_of")
                .filter(pk=pk, site_id__in=list(roles_of(request)))
                .first()
            )
            if case is None:
                raise Http404("No such case.")
            if not has_role(request, case.site_id, role):
                raise PermissionDenied(f"You need the {role} role on {case.site.name} for this.")
            return view(request, case, *args, **kwargs)

        return wrapper

    return decorator


def site_view(role: str = Role.ADMIN):
    """Loads the URL's site for the view, or answers 404 (not a member) / 403 (role too low)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, key: str, *args, **kwargs):
            site = Site.objects.filter(key=key, pk__in=list(roles_of(request))).first()
            if site is None:
                raise Http404("No such site.")
            if not has_role(request, site.pk, role):
                raise PermissionDenied(f"You need the {role} role on {site.name} for this.")
            return view(request, site, *args, **kwargs)

        return wrapper

    return decorator
