"""Re-anchoring in the product: each new text of an article re-finds its open cases.

corrigo.anchoring does the finding (pure Python); this module decides which cases
to look for, in which text, and stores the answer on the case (status, span,
version, when), where the desk and the read API show it. Storing it updates the
case, so its updated_at moves too.
"""

from datetime import datetime

from corrigo.anchoring import TextQuote, reanchor
from corrigo.articles.services import follow
from corrigo.notify.events import emit
from corrigo.notify.models import EventType
from corrigo.reports.models import AnchorStatus, Case, CaseStatus
from corrigo.sql import update_each

# What re-anchoring changes on a case, and all it changes.
ANCHOR_COLUMNS = ("anchor_status", "anchor_start", "anchor_end", "anchor_version_id", "anchor_checked_at")


def anchor_case(case: Case, version_id: int, text: str, now: datetime) -> None:
    """Set the case's anchor in the given text (the article's latest), without saving.

    The case's own quote, from the version it was reported on, is what is looked
    for every time: "looks fixed" means "differs from what the reader saw".
    """
    if case.version_id == version_id:
        status, start, end = AnchorStatus.UNCHANGED, case.start, case.end
    else:
        found = reanchor(TextQuote(case.exact, case.prefix, case.suffix, case.start, case.end), text)
        status, start, end = found.status, found.start, found.end
    case.anchor_status, case.anchor_start, case.anchor_end = status, start, end
    case.anchor_version_id, case.anchor_checked_at = version_id, now


def reanchor_open_cases(article_id: int, version_id: int, text: str, now: datetime) -> list[Case]:
    """Anchor every open case of the article in its new text; the cases, each with `previous_anchor_status`."""
    cases = list(
        Case.objects.filter(article_id=article_id, status=CaseStatus.OPEN, start__isnull=False).only(
            "pk", "version_id", "exact", "prefix", "suffix", "start", "end", *ANCHOR_COLUMNS
        )
    )
    for case in cases:
        case.previous_anchor_status = case.anchor_status
        anchor_case(case, version_id, text, now)
    # One prepared UPDATE for all of them: bulk_update builds a CASE expression per field
    # and row in Python, which took longer than the re-anchoring itself (bench/README.md).
    update_each(Case, [(case.pk, {name: getattr(case, name) for name in ANCHOR_COLUMNS}) for case in cases], now=now)
    return cases


# What the desk and integrators hear of when a new text moves a case into these states.
NEWS = {AnchorStatus.CHANGED: EventType.CASE_LOOKS_FIXED, AnchorStatus.GONE: EventType.CASE_PASSAGE_GONE}


def follow_text(site_id: int, article_id: int, version_id: int, text: str, now: datetime) -> list[Case]:
    """Make this the text the article's open cases are anchored in, and re-anchor them (in the caller's transaction).

    A case that comes to look fixed, or whose passage is gone, is told to subscribers
    (case.looks_fixed, case.passage_gone) in the same transaction.
    """
    follow(article_id, version_id, now)
    cases = reanchor_open_cases(article_id, version_id, text, now)
    for case in cases:
        event = NEWS.get(case.anchor_status)
        if event is not None and case.previous_anchor_status != case.anchor_status:
            emit(event, site_id=site_id, case_id=case.pk)
    return cases
