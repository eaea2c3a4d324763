"""What editors do to a case: one function per outcome, each writing the case's audit log.

The desk calls these, and so will the API and the CLI: the rules (what may follow
what, what a merge moves, what the log records) live here once. Who may act is
checked at the edge (the desk's role decorators, the API's token), not here.

Every function runs in one transaction, re-reads the case with a row lock, and
records a CaseEvent for each change, so the log and the state never disagree.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from corrigo.notify.events import emit
from corrigo.notify.models import EventType
from corrigo.reports.models import Case, CaseEvent, CaseStatus, Report
from corrigo.reports.priority import case_priority
from corrigo.reports.services import SEVERITY
from corrigo.sites.models import Membership, Role

# The outcomes an editor closes a case with in one click (a duplicate goes through merge).
OUTCOMES = (CaseStatus.FIXED, CaseStatus.NOT_ERROR, CaseStatus.WONT_FIX, CaseStatus.SPAM)
# Who a case can be given to: the people who can act on it.
ASSIGNABLE_ROLES = (Role.ADMIN, Role.EDITOR)
MAX_NOTE = 5000


class ActionError(ValueError):
    """An action that the case's state does not allow; the message is for the editor."""


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _log(case: Case, by: User, action: str, before: str = "", after: str = "", text: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=by, actor_name=by.get_username(), action=action, before=before, after=after, text=text
    )


def _not_merged(case: Case) -> None:
    if case.status == CaseStatus.DUPLICATE:
        raise ActionError(f"Case {case.pk} was merged into case {case.duplicate_of_id}; act on that case.")


def _set_status(case: Case, status: str, by: User) -> bool:
    if case.status == status:
        return False
    before = case.status
    case.status = status
    case.resolved_at = None if status == CaseStatus.OPEN else timezone.now()
    case.save(update_fields=["status", "resolved_at", "updated_at"])
    _log(case, by, CaseEvent.Action.STATUS, before, status)
    if status != CaseStatus.OPEN:  # given an outcome (or another one): webhooks, and thanks when fixed
        emit(EventType.CASE_RESOLVED, site_id=case.site_id, case_id=case.pk)
    return True


@transaction.atomic
def resolve(case: Case, outcome: str, *, by: User) -> bool:
    """Close a case as fixed, not an error, won't fix or spam. False when it already was."""
    if outcome not in OUTCOMES:
        raise ActionError(f"{outcome!r} is not an outcome.")
    case = _locked(case)
    _not_merged(case)
    return _set_status(case, outcome, by)


@transaction.atomic
def reopen(case: Case, *, by: User) -> bool:
    """Put a closed case back in the queue. A merged case cannot be: its reports moved."""
    case = _locked(case)
    _not_merged(case)
    return _set_status(case, CaseStatus.OPEN, by)


@transaction.atomic
def resolve_many(cases: Iterable[Case], outcome: str, *, by: User) -> int:
    """The bulk form of resolve: all or nothing. Returns how many cases changed."""
    if outcome not in OUTCOMES:
        raise ActionError(f"{outcome!r} is not an outcome.")
    changed = 0
    for case in Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).order_by("pk"):
        # Merged cases are skipped, not refused: a bulk selection may hold one.
        if case.status != CaseStatus.DUPLICATE:
            changed += _set_status(case, outcome, by)
    return changed


@transaction.atomic
def merge(duplicate: Case, into: Case, *, by: User) -> Case:
    """Mark `duplicate` as a duplicate of `into` and move its reports there.

    The surviving case is recounted (readers, last report, most serious category,
    priority); cases already merged into the duplicate now point at the survivor.
    """
    if duplicate.pk == into.pk:
        raise ActionError("A case cannot be a duplicate of itself.")
    # Lock in id order, so two editors merging the same pair both ways cannot deadlock.
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.site_id != into.site_id:
        raise ActionError("Only cases of the same site can be merged.")
    _not_merged(duplicate)
    if into.status == CaseStatus.DUPLICATE:
        raise ActionError(f"Case {into.pk} is itself merged into case {into.duplicate_of_id}; merge into that one.")

    moved = Report.objects.filter(case=duplicate).update(case=into)
    Case.objects.filter(duplicate_of=duplicate).update(duplicate_of=into)

    before_count = into.report_count
    _recount(into)
    _log(
        into,
        by,
        CaseEvent.Action.MERGED_FROM,
        str(before_count),
        str(into.report_count),
        text=f"{moved} report(s) from case {duplicate.pk}",
    )

    before_status = duplicate.status
    duplicate.status = CaseStatus.DUPLICATE
    duplicate.duplicate_of = into
    duplicate.report_count = 0
    duplicate.resolved_at = timezone.now()
    duplicate.save(update_fields=["status", "duplicate_of", "report_count", "resolved_at", "updated_at"])
    _log(duplicate, by, CaseEvent.Action.MERGE_INTO, before_status, f"duplicate of case {into.pk}")
    emit(EventType.CASE_RESOLVED, site_id=duplicate.site_id, case_id=duplicate.pk)
    return into


def _recount(case: Case) -> None:
    totals = Report.objects.filter(case=case).aggregate(count=Count("pk"), last=Max("created_at"))
    categories = set(Report.objects.filter(case=case).values_list("category", flat=True).distinct())
    case.report_count = totals["count"]
    case.last_reported_at = totals["last"] or case.last_reported_at or case.created_at
    case.category = max(categories | {case.category}, key=lambda c: SEVERITY.get(c, 0))
    case.priority = case_priority(case.report_count, case.category, case.last_reported_at)
    case.save(update_fields=["report_count", "last_reported_at", "category", "priority", "updated_at"])


def assignable_members(case: Case):
    """The users a case on this site can be given to."""
    return User.objects.filter(
        memberships__site_id=case.site_id, memberships__role__in=ASSIGNABLE_ROLES, is_active=True
    ).order_by("username")


@transaction.atomic
def assign(case: Case, assignee: User | None, *, by: User) -> bool:
    """Give the case to an editor or admin of its site (None takes it back). False when unchanged."""
    if (
        assignee is not None
        and not Membership.objects.filter(
            user=assignee, site_id=case.site_id, role__in=ASSIGNABLE_ROLES, user__is_active=True
        ).exists()
    ):
        raise ActionError(f"{assignee.get_username()} is not an editor of this site.")
    case = _locked(case)
    if case.assignee_id == (assignee.pk if assignee else None):
        return False
    before = case.assignee.get_username() if case.assignee_id else ""
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _log(case, by, CaseEvent.Action.ASSIGN, before, assignee.get_username() if assignee else "")
    return True


@transaction.atomic
def add_note(case: Case, text: str, *, by: User) -> CaseEvent:
    """An internal note on the case, for the desk only; it stays in the log as written."""
    text = text.strip()
    if not text:
        raise ActionError("A note needs some text.")
    if len(text) > MAX_NOTE:
        raise ActionError(f"A note may be at most {MAX_NOTE} characters.")
    case = _locked(case)
    case.save(update_fields=["updated_at"])
    return _log(case, by, CaseEvent.Action.NOTE, text=text)
