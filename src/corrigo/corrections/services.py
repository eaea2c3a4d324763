"""Publishing, editing and withdrawing correction notices: one function each, used by the desk and the API.

Each runs in one transaction and writes its lines of the site log (corrigo.audit) there;
publishing also emits `notice.published` (corrigo.notify) in the same transaction, so a
webhook or a thank-you never tells of a notice that was rolled back. Who may act is
checked at the edge (the desk's role decorators, the API's triage token), not here.
"""

from django.db import transaction
from django.utils import timezone

from corrigo import audit
from corrigo.articles.models import Article
from corrigo.corrections.models import CorrectionNotice, NoticeKind
from corrigo.corrections.strings import draft_sentence, kind_label
from corrigo.notify import text as safe
from corrigo.notify.events import emit
from corrigo.notify.models import EventType
from corrigo.notify.thanks import what_it_says_now
from corrigo.reports import actions
from corrigo.reports.actions import ActionError, Actor
from corrigo.reports.models import Case, CaseStatus
from corrigo.sql import UNSTORABLE

MAX_TEXT = 5000
# How much of the quote and the fix a draft repeats.
DRAFT_QUOTE = 200
PUBLISH, EDIT, WITHDRAW = "notice.publish", "notice.edit", "notice.withdraw"


class InvalidNotice(ValueError):
    """A notice's text or kind breaks the rules; the message is for the editor."""


def clean_text(value: str) -> str:
    """The notice's text as stored: plain text, trimmed, with no control or bidi characters."""
    if not isinstance(value, str) or UNSTORABLE.search(value):
        raise InvalidNotice("The text may not contain NUL characters or unpaired surrogates.")
    value = safe.clean(value)
    if not value:
        raise InvalidNotice("A notice needs some text.")
    if len(value) > MAX_TEXT:
        raise InvalidNotice(f"A notice may be at most {MAX_TEXT} characters.")
    return value


def _kind(kind: str) -> str:
    if kind not in NoticeKind.values:
        raise InvalidNotice(f"{kind!r} is not a kind of notice.")
    return kind


def draft(case: Case) -> str:
    """A first draft for the case's notice, in the site's language, from its quote and what the passage says now."""
    quote = safe.one_line(case.exact, DRAFT_QUOTE) if case.has_quote else ""
    fix = safe.one_line(what_it_says_now(case), DRAFT_QUOTE)
    if not fix:
        first = case.reports.exclude(suggestion="").order_by("created_at", "pk").values_list("suggestion", flat=True).first()
        fix = safe.one_line(first, DRAFT_QUOTE)
    return draft_sentence(case.site.default_language, quote, fix)


def _who(by: Actor):
    return by if getattr(by, "is_authenticated", False) else None


def _log(notice: CorrectionNotice, by: Actor, verb: str, message: str, batch: str, **fields) -> None:
    """One line per case the notice answers (each case's timeline shows it), or one for the article."""
    case_ids = list(notice.cases.values_list("pk", flat=True)) or [None]
    data = {"notice_id": notice.pk, **fields.pop("data", {})}
    audit.record_many(
        audit.entry(notice.site_id, by, verb, case=case_id, batch=batch, message=message, data=data, **fields)
        for case_id in case_ids
    )


@transaction.atomic
def publish(
    article: Article,
    *,
    kind: str,
    text: str,
    by: Actor,
    cases: list[Case] = (),
    minor: bool = False,
    language: str = "",
    batch: str = "",
) -> CorrectionNotice:
    """Publish a notice on an article, answering `cases` (cases of that article)."""
    kind, text = _kind(kind), clean_text(text)
    if any(case.article_id != article.pk for case in cases):
        raise InvalidNotice("A notice answers cases of its own article only.")
    now = timezone.now()
    notice = CorrectionNotice.objects.create(
        site_id=article.site_id,
        article=article,
        kind=kind,
        text=text,
        minor=bool(minor),
        language=language or article.site.default_language,
        published_at=now,
        updated_at=now,
        author=_who(by),
        author_name=audit.name_of(by)[:200],
    )
    notice.cases.set(cases)
    label = kind_label(kind, "en").lower()
    where = ", ".join(f"case {case.pk}" for case in cases) or f"article {article.pk}"
    _log(
        notice,
        by,
        PUBLISH,
        f"{audit.name_of(by)} published a {label}{' (minor)' if minor else ''} on {where}",
        batch,
        subject=kind,
        after=text,
    )
    emit(EventType.NOTICE_PUBLISHED, site_id=article.site_id, notice_id=notice.pk)
    return notice


@transaction.atomic
def fix_with_notice(case: Case, *, kind: str, text: str, by: Actor, minor: bool = False, batch: str = "") -> CorrectionNotice:
    """ "Fixed, with a notice": the case closed as fixed and its notice published, in one step (both or neither)."""
    kind, text = _kind(kind), clean_text(text)  # before anything changes
    actions.resolve(case, CaseStatus.FIXED, by=by, batch=batch)
    case.refresh_from_db()
    return publish(case.article, kind=kind, text=text, by=by, cases=[case], minor=minor, batch=batch)


def _locked(notice: CorrectionNotice) -> CorrectionNotice:
    return CorrectionNotice.objects.select_for_update().get(pk=notice.pk)


@transaction.atomic
def edit(
    notice: CorrectionNotice,
    *,
    by: Actor,
    text: str | None = None,
    kind: str | None = None,
    minor: bool | None = None,
    batch: str = "",
) -> bool:
    """Change a published notice; the site log keeps what it said before. False when nothing changed."""
    notice = _locked(notice)
    if notice.withdrawn:
        raise ActionError("This notice was withdrawn; publish a new one instead.")
    before = {"kind": notice.kind, "text": notice.text, "minor": notice.minor}
    after = {
        "kind": before["kind"] if kind is None else _kind(kind),
        "text": before["text"] if text is None else clean_text(text),
        "minor": before["minor"] if minor is None else bool(minor),
    }
    if after == before:
        return False
    notice.kind, notice.text, notice.minor = after["kind"], after["text"], after["minor"]
    notice.updated_at = timezone.now()
    notice.save(update_fields=["kind", "text", "minor", "updated_at"])
    _log(
        notice,
        by,
        EDIT,
        f"{audit.name_of(by)} edited notice {notice.pk}",
        batch,
        subject=notice.kind,
        before=before["text"],
        after=after["text"],
        data={"before": before},
    )
    return True


@transaction.atomic
def withdraw(notice: CorrectionNotice, *, by: Actor, batch: str = "") -> CorrectionNotice:
    """Take a notice off every public surface; it stays in the database and the log."""
    notice = _locked(notice)
    if notice.withdrawn:
        raise ActionError("This notice was already withdrawn.")
    notice.withdrawn_at = notice.updated_at = timezone.now()
    notice.save(update_fields=["withdrawn_at", "updated_at"])
    _log(notice, by, WITHDRAW, f"{audit.name_of(by)} withdrew notice {notice.pk}", batch, subject=notice.kind, before=notice.text)
    return notice
