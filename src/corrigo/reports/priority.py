"""The queue's order: a "hot" score stored on each case, so the desk can sort by an index.

A case's priority is a moment in time, in seconds: when it was last reported, moved
later by how many readers reported it and how serious the mistake is. Recency is an
additive term, as in a "hot" score, so the order of two cases never changes while
neither gets a new report, and the column can be indexed and paged by keyset.

Intake stores it when a report opens or joins a case; reports.actions when a merge
recounts one.
"""

import math
from datetime import UTC, datetime

from corrigo.reports.models import Category

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
# Each doubling of the readers who reported a mistake counts as one day fresher.
PER_DOUBLING_OF_READERS = 24 * 3600
# A factual error jumps two days ahead of an unclassified report, a typo six hours.
HEAD_START = {Category.FACT: 2 * 24 * 3600, Category.TYPO: 6 * 3600, Category.OTHER: 0, "": 0}


def case_priority(reader_count: int, category: str, last_reported_at: datetime) -> int:
    """The case's place in the queue; `reader_count` is distinct readers, so one reader's many reports do not lift it."""
    readers = PER_DOUBLING_OF_READERS * math.log2(max(reader_count, 1))
    return int((last_reported_at - EPOCH).total_seconds() + readers + HEAD_START.get(category, 0))
