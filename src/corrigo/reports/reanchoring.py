"""Re-anchoring in the product: each new text of an article re-finds its open cases.

corrigo.anchoring does the finding (pure Python); this module decides which cases
to look for, in which text, and stores the answer on the case (status, span,
version, when), where the desk and the read API show it. Storing it updates the
case, so its updated_at moves too.
"""

from datetime import datetime

from corrigo.anchoring import TextQuote, reanchor
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


def reanchor_open_cases(article_id: int, version_id: int, text: str, now: datetime) -> int:
    """Anchor every open case of the article in its new text; how many there were."""
    cases = list(
        Case.objects.filter(article_id=article_id, status=CaseStatus.OPEN, start__isnull=False).only(
            "pk", "version_id", "exact", "prefix", "suffix", "start", "end", *ANCHOR_COLUMNS
        )
    )
    for case in cases:
        anchor_case(case, version_id, text, now)
    # One prepared UPDATE for all of them: bulk_update builds a CASE expression per field
    # and row in Python, which took longer than the re-anchoring itself (bench/README.md).
    update_each(Case, [(case.pk, {name: getattr(case, name) for name in ANCHOR_COLUMNS}) for case in cases], now=now)
    return len(cases)
