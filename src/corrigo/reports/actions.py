"""What editors do to a case: one function per outcome, each writing its line of the site log.

The desk calls these, and so will the API and the CLI: the rules (what may follow
what, what a merge moves and an unmerge gives back, what undo restores, what the log
records) live here once. Who may act is checked at the edge (the desk's role
decorators, the API's token), not here. `by` is a User, or the ApiToken an
integration acts with: the log names whichever it is.

Every function runs in one transaction, re-reads the case with a row lock, and
records a line in the site log (corrigo.audit) for each change, so the log and the
state never disagree. `batch` groups the lines of one action: undo() takes back a
batch as long as the cases are still as it left them.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, DateTimeField, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from corrigo import audit
from corrigo.audit.models import Entry, Verb
from corrigo.notify.events import emit, emit_many
from corrigo.notify.models import EventType
from corrigo.reports.models import Case, CaseStatus, Report
from corrigo.reports.priority import case_priority
from corrigo.reports.services import SEVERITY
from corrigo.sites.models import ApiToken, Membership, Role

# The outcomes an editor closes a case with in one click (a duplicate goes through merge).
OUTCOMES = (CaseStatus.FIXED, CaseStatus.NOT_ERROR, CaseStatus.WONT_FIX, CaseStatus.SPAM)
# Who a case can be given to: the people who can act on it.
ASSIGNABLE_ROLES = (Role.ADMIN, Role.EDITOR)
MAX_NOTE = 5000
# What undo can take back (a note stays: the log is never edited).
UNDOABLE = (Verb.CASE_STATUS, Verb.CASE_ASSIGN, Verb.CASE_MERGE, Verb.CASE_UNMERGE)
UNDONE = " (undo)"
# Rows locked and updated per statement in the bulk paths: well within every database's
# limit on query parameters.
CHUNK = 500

Actor = User | ApiToken


class ActionError(ValueError):
    """An action that the case's state does not allow; the message is for the editor."""


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _log(case: Case, by: Actor, verb: str, *, batch: str, suffix: str = "", **fields) -> Entry:
    line = audit.entry(case.site_id, by, verb, case=case, batch=batch, **fields)
    line.message += suffix
    line.save()
    return line


def _acted(case: Case, now) -> list[str]:
    """Note the first time anyone acted on the case; the fields to save with it."""
    if case.first_action_at is None:
        case.first_action_at = now
        return ["first_action_at"]
    return []


def _not_merged(case: Case) -> None:
    if case.status == CaseStatus.DUPLICATE:
        raise ActionError(f"Case {case.pk} was merged into case {case.duplicate_of_id}; act on that case.")


def _set_status(case: Case, status: str, by: Actor, batch: str, suffix: str = "") -> bool:
    if case.status == status:
        return False
    before = case.status
    now = timezone.now()
    case.status = status
    case.resolved_at = None if status == CaseStatus.OPEN else now
    case.save(update_fields=["status", "resolved_at", "updated_at", *_acted(case, now)])
    _log(case, by, Verb.CASE_STATUS, batch=batch, suffix=suffix, before=before, after=status)
    if status != CaseStatus.OPEN:  # given an outcome (or another one): webhooks, and thanks when fixed
        emit(EventType.CASE_RESOLVED, site_id=case.site_id, case_id=case.pk)
    return True


@transaction.atomic
def resolve(case: Case, outcome: str, *, by: Actor, batch: str = "") -> bool:
    """Close a case as fixed, not an error, won't fix or spam. False when it already was."""
    if outcome not in OUTCOMES:
        raise ActionError(f"{outcome!r} is not an outcome.")
    case = _locked(case)
    _not_merged(case)
    return _set_status(case, outcome, by, batch)


@transaction.atomic
def reopen(case: Case, *, by: Actor, batch: str = "") -> bool:
    """Put a closed case back in the queue. A merged case cannot be: unmerge it instead."""
    case = _locked(case)
    _not_merged(case)
    return _set_status(case, CaseStatus.OPEN, by, batch)


@transaction.atomic
def resolve_many(cases: Iterable[Case | int], outcome: str, *, by: Actor, batch: str = "") -> int:
    """The bulk form of resolve, for cases or their ids: all or nothing. Returns how many cases changed.

    A few statements per 500 cases rather than a few per case, so a bulk action over
    thousands of matching cases stays a matter of seconds.
    """
    if outcome not in OUTCOMES:
        raise ActionError(f"{outcome!r} is not an outcome.")
    ids = sorted({getattr(c, "pk", c) for c in cases})
    rows = []
    for chunk in _chunks(ids):
        locked = Case.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        # Merged cases are skipped, not refused: a bulk selection may hold one.
        rows += [
            (pk, site_id, status, outcome)
            for pk, site_id, status in locked.values_list("pk", "site_id", "status")
            if status not in (outcome, CaseStatus.DUPLICATE)
        ]
    return _set_statuses(rows, by, batch)


def _set_statuses(rows: list[tuple[int, int, str, str]], by: Actor, batch: str, suffix: str = "") -> int:
    """Give each (case id, site id, status before, status after) its new status, logged."""
    now = timezone.now()
    by_status: dict[str, list[int]] = {}
    for pk, _site, _before, after in rows:
        by_status.setdefault(after, []).append(pk)
    for status, ids in by_status.items():
        for chunk in _chunks(ids):
            Case.objects.filter(pk__in=chunk).update(
                status=status,
                resolved_at=None if status == CaseStatus.OPEN else now,
                updated_at=now,
                first_action_at=Coalesce("first_action_at", Value(now, output_field=DateTimeField())),
            )
    lines = [
        audit.entry(site_id, by, Verb.CASE_STATUS, case=pk, before=before, after=after, batch=batch)
        for pk, site_id, before, after in rows
    ]
    for line in lines:
        line.message += suffix
    # As _set_status: each case given an outcome is an event (in a few statements here too).
    emit_many(EventType.CASE_RESOLVED, [(site_id, {"case_id": pk}) for pk, site_id, _, after in rows if after != CaseStatus.OPEN])
    return audit.record_many(lines)


@transaction.atomic
def merge(duplicate: Case, into: Case, *, by: Actor, batch: str = "") -> Case:
    """Mark `duplicate` as a duplicate of `into` and move its reports there.

    The surviving case is recounted (readers, last report, most serious category,
    priority); cases already merged into the duplicate now point at the survivor.
    Each moved report remembers the case it was filed in, so unmerge() can give it back.
    """
    return _merge(duplicate, into, by, batch)


def _merge(duplicate: Case, into: Case, by: Actor, batch: str, suffix: str = "") -> Case:
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

    Report.objects.filter(case=duplicate, merged_from__isnull=True).update(merged_from=duplicate)
    moved = Report.objects.filter(case=duplicate).update(case=into)
    repointed = list(Case.objects.filter(duplicate_of=duplicate).values_list("pk", flat=True))
    Case.objects.filter(pk__in=repointed).update(duplicate_of=into)
    _recount(into)

    now = timezone.now()
    before_status = duplicate.status
    duplicate.status = CaseStatus.DUPLICATE
    duplicate.duplicate_of = into
    duplicate.report_count = duplicate.reader_count = 0
    duplicate.resolved_at = now
    duplicate.save(
        update_fields=[
            "status",
            "duplicate_of",
            "report_count",
            "reader_count",
            "resolved_at",
            "updated_at",
            *_acted(duplicate, now),
        ]
    )
    _log(
        duplicate,
        by,
        Verb.CASE_MERGE,
        batch=batch,
        suffix=suffix,
        related_case=into,
        subject=f"{moved} report{'s' if moved != 1 else ''} moved",
        before=before_status,
        after=CaseStatus.DUPLICATE,
        data={"moved": moved, "repointed": repointed},
    )
    emit(EventType.CASE_RESOLVED, site_id=duplicate.site_id, case_id=duplicate.pk)
    return into


@transaction.atomic
def unmerge(duplicate: Case, *, by: Actor, batch: str = "") -> Case:
    """Take a merge back: the duplicate gets its own reports again, and its status before the merge.

    Cases that had been merged into it before (and so went along into the survivor)
    come back with it. Both cases are recounted. Returns the restored case.
    """
    return _unmerge(duplicate, by, batch)


def _unmerge(duplicate: Case, by: Actor, batch: str, suffix: str = "") -> Case:
    duplicate = _locked(duplicate)
    if duplicate.status != CaseStatus.DUPLICATE or duplicate.duplicate_of_id is None:
        raise ActionError(f"Case {duplicate.pk} is not merged into another case.")
    locked = {
        c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[duplicate.pk, duplicate.duplicate_of_id]).order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[duplicate.duplicate_of_id]
    merged = (
        Entry.objects.filter(case=duplicate, verb=Verb.CASE_MERGE, related_case=into)
        .order_by("-id")
        .values("before", "data")
        .first()
    )
    restored_status = (merged or {}).get("before") or CaseStatus.OPEN
    if restored_status == CaseStatus.DUPLICATE:
        restored_status = CaseStatus.OPEN
    came_along = [
        pk for pk in ((merged or {}).get("data") or {}).get("repointed", []) if isinstance(pk, int) and not isinstance(pk, bool)
    ]
    came_along = list(
        Case.objects.filter(pk__in=came_along, status=CaseStatus.DUPLICATE, duplicate_of=into).values_list("pk", flat=True)
    )

    moved = Report.objects.filter(case=into, merged_from=duplicate).update(case=duplicate, merged_from=None)
    if came_along:
        Case.objects.filter(pk__in=came_along).update(duplicate_of=duplicate)
        moved += Report.objects.filter(case=into, merged_from__in=came_along).update(case=duplicate)

    now = timezone.now()
    duplicate.status = restored_status
    duplicate.duplicate_of = None
    duplicate.resolved_at = None if restored_status == CaseStatus.OPEN else now
    duplicate.save(update_fields=["status", "duplicate_of", "resolved_at", "updated_at"])
    _recount(duplicate, keep_category=False)
    _recount(into, keep_category=False)
    _log(
        duplicate,
        by,
        Verb.CASE_UNMERGE,
        batch=batch,
        suffix=suffix,
        related_case=into,
        subject=f"{moved} report{'s' if moved != 1 else ''} back",
        before=CaseStatus.DUPLICATE,
        after=restored_status,
        data={"moved": moved, "came_along": came_along},
    )
    return duplicate


def _recount(case: Case, *, keep_category: bool = True) -> None:
    """Readers, last report, category and priority from the reports the case holds now.

    A merge keeps the category the case had (it can only rise); an unmerge recomputes it
    from the reports that stay, as the duplicate's may have raised it.
    """
    totals = Report.objects.filter(case=case).aggregate(count=Count("pk"), last=Max("created_at"))
    categories = set(Report.objects.filter(case=case).values_list("category", flat=True).distinct())
    if keep_category or not categories:
        categories.add(case.category)
    case.report_count = totals["count"]
    case.reader_count = reader_count(case)
    case.last_reported_at = totals["last"] or case.last_reported_at or case.created_at
    case.category = max(categories, key=lambda c: SEVERITY.get(c, 0))
    case.priority = case_priority(case.reader_count, case.category, case.last_reported_at)
    case.save(update_fields=["report_count", "reader_count", "last_reported_at", "category", "priority", "updated_at"])


def reader_count(case: Case) -> int:
    """The distinct readers among the case's reports: one per client hash, one per report without a hash."""
    reports = Report.objects.filter(case=case)
    return reports.exclude(client_hash="").values("client_hash").distinct().count() + reports.filter(client_hash="").count()


def assignable_members(case: Case):
    """The users a case on this site can be given to."""
    return User.objects.filter(
        memberships__site_id=case.site_id, memberships__role__in=ASSIGNABLE_ROLES, is_active=True
    ).order_by("username")


@transaction.atomic
def assign(case: Case, assignee: User | None, *, by: Actor, batch: str = "") -> bool:
    """Give the case to an editor or admin of its site (None takes it back). False when unchanged."""
    return _assign(case, assignee, by, batch)


def _assign(case: Case, assignee: User | None, by: Actor, batch: str, suffix: str = "") -> bool:
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
    before_id = case.assignee_id
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at", *_acted(case, timezone.now())])
    _log(
        case,
        by,
        Verb.CASE_ASSIGN,
        batch=batch,
        suffix=suffix,
        before=before,
        after=assignee.get_username() if assignee else "",
        data={"before_id": before_id, "after_id": assignee.pk if assignee else None},
    )
    return True


@transaction.atomic
def add_note(case: Case, text: str, *, by: Actor, batch: str = "") -> Entry:
    """An internal note on the case, for the desk only; it stays in the log as written."""
    text = text.strip()
    if not text:
        raise ActionError("A note needs some text.")
    if len(text) > MAX_NOTE:
        raise ActionError(f"A note may be at most {MAX_NOTE} characters.")
    case = _locked(case)
    case.save(update_fields=["updated_at", *_acted(case, timezone.now())])
    return _log(case, by, Verb.CASE_NOTE, batch=batch, text=text)


@transaction.atomic
def undo(batch: str, *, by: User) -> int:
    """Take back the action that wrote `batch`, if `by` did it and the cases are still as it left them.

    All or nothing: when any case has changed since (someone else acted on it), nothing is
    undone and the message names the case. Returns how many cases were restored.
    """
    lines = list(Entry.objects.filter(batch=batch, verb__in=UNDOABLE).order_by("-id")) if batch else []
    if not lines or any(line.actor_id != by.pk or line.token_id is not None for line in lines):
        raise ActionError("There is nothing to undo.")
    ids = sorted({line.case_id for line in lines if line.case_id is not None})
    cases = {}
    for chunk in _chunks(ids):
        cases.update({c.pk: c for c in Case.objects.select_for_update().filter(pk__in=chunk).order_by("pk")})
    for line in lines:
        case = cases.get(line.case_id)
        if case is None or not _still_as_left(case, line):
            raise ActionError(f"Case {line.case_id} has changed since; nothing was undone.")

    again = audit.new_batch()
    statuses = [(line.case_id, line.site_id, line.after, line.before) for line in lines if line.verb == Verb.CASE_STATUS]
    _set_statuses(statuses, by, again, UNDONE)
    for line in lines:
        case = cases[line.case_id]
        if line.verb == Verb.CASE_ASSIGN:
            before_id = (line.data or {}).get("before_id")
            _assign(case, User.objects.filter(pk=before_id).first() if before_id else None, by, again, UNDONE)
        elif line.verb == Verb.CASE_MERGE:
            _unmerge(case, by, again, UNDONE)
        elif line.verb == Verb.CASE_UNMERGE:
            _merge(case, Case.objects.get(pk=line.related_case_id), by, again, UNDONE)
    return len(ids)


def _still_as_left(case: Case, line: Entry) -> bool:
    match line.verb:
        case Verb.CASE_STATUS:
            return case.status == line.after
        case Verb.CASE_ASSIGN:
            return case.assignee_id == (line.data or {}).get("after_id")
        case Verb.CASE_MERGE:
            return case.status == CaseStatus.DUPLICATE and case.duplicate_of_id == line.related_case_id
        case Verb.CASE_UNMERGE:
            return case.status == line.after and case.duplicate_of_id is None and line.related_case_id is not None
    return False
