"""Find a reported passage again in a new version of an article, and say what became of it.

The matcher keeps two questions apart (docs/decisions/0002-reanchoring-algorithm.md):

* **Locating** — where is the passage now? A place is a span ``(a, b)`` of the new text.
  Its evidence is how much of the quote's context fits around it: the prefix is
  matched approximately so that it *ends* at ``a`` and the suffix so that it *starts*
  at ``b`` (Levenshtein, :mod:`corrigo.anchoring.fuzzy`); the evidence is the number of
  context code points matched (prefix length − distance + suffix length − distance).
  A place where ``exact`` itself stands gets a bonus for it (half its length, at most
  12), so a passage whose context was rewritten is still found when its own words are.
  The old offset only tells apart places that fit about equally (at most four points).
* **Checking** — is ``exact`` still there? ``unchanged`` when ``new_text[a:b] ==
  exact``, ``changed`` (with the replacement text) when not.

A place is accepted only when it is good enough and clearly better than any other:
its evidence must reach :data:`FLOOR` of the context available, and beat the best place
elsewhere by a margin that grows the weaker the best place is. A weak best place is
``gone``; two strong places too close to call are ``ambiguous``. The replacement of a
``changed`` passage is at most ``2 × len(exact) + 16`` code points long, so a deleted
passage is not read as "changed" into whatever text now follows its prefix.

Candidate places come from seeds: exact occurrences of ``exact`` and of short pieces
of the prefix and suffix (``str.find``, so C speed), grouped into regions that are then
scored exactly. Two fast paths skip the search when the whole context is found once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corrigo.anchoring.fuzzy import distances_ending_at
from corrigo.anchoring.quote import CONTEXT_LENGTH, Reanchored, TextQuote

#: Minimum evidence of an accepted place, as a share of the context available.
FLOOR = 0.6
#: Two places this strong (share of context) that cannot be told apart are "ambiguous";
#: weaker ties are chance likeness, so the passage is "gone".
STRONG = 0.75
#: Lead the best place needs over the best other place when its context fits perfectly…
MARGIN_AT_PERFECT = 3.0
#: …plus this much for every context code point it misses.
MARGIN_PER_MISS = 0.25
#: Places this close (gap between spans) are one place seen through different alignments.
SAME_PLACE = 12
#: Longest replacement accepted for a "changed" passage: 2 × len(exact) + this.
REPLACEMENT_SLACK = 16
#: The old offset's say: this many points per doubling of the distance (past 64 code
#: points) from where the passage was, and never more than POSITION_CAP in all.
POSITION_WEIGHT = 0.5
POSITION_CAP = 4.0
#: The exact text standing at the located place wins if it fits at most this many
#: context code points fewer than the best context-only fit there.
EXACT_TOLERANCE = 8
#: The bonus for a place where the exact text stands: half its length, capped here.
EXACT_BONUS_CAP = 12.0

_SEED_LENGTH = 6
_SEED_STEP = 3
_MAX_SEED_HITS = 24  # a piece of context found more often than this says nothing
_MAX_EXACT_SEEDS = 64
_MAX_REGIONS = 8
_SEED_SLACK = 6

# Text-boundary markers (Unicode noncharacters): a quote taken at the very start of the
# old text has a short prefix, and "the new text starts here too" is evidence.
_TEXT_START = "\ufdd0"
_TEXT_END = "\ufdd1"


@dataclass(frozen=True, slots=True)
class _Place:
    start: int  # in the marked text (one more than in the caller's text)
    end: int
    context: int  # context code points matched
    exact: bool
    rank: float  # evidence, with the exact bonus and the position tie-break


def reanchor(quote: TextQuote, new_text: str) -> Reanchored:
    """Locate ``quote`` in ``new_text`` and classify it (see :class:`Reanchored`)."""
    if not quote.exact:
        return Reanchored("gone", None, None, None, 0.0)
    return _Search(quote, new_text).run()


class _Search:
    def __init__(self, quote: TextQuote, new_text: str) -> None:
        self.text = _TEXT_START + new_text + _TEXT_END
        self.exact = quote.exact
        prefix = quote.prefix[-CONTEXT_LENGTH:] if quote.prefix else ""
        suffix = quote.suffix[:CONTEXT_LENGTH]
        # A short context means the old text began (ended) there: the widget keeps 32.
        if len(quote.prefix) < CONTEXT_LENGTH and quote.start in (None, len(quote.prefix)):
            prefix = _TEXT_START + prefix
        if len(quote.suffix) < CONTEXT_LENGTH:
            suffix = suffix + _TEXT_END
        self.prefix = prefix
        self.suffix = suffix
        self.word_before = bool(quote.prefix) and _is_word_char(quote.prefix[-1])
        self.word_after = bool(quote.suffix) and _is_word_char(quote.suffix[0])
        self.context_length = len(prefix) + len(suffix)
        self.old_start = None if quote.start is None else quote.start + 1
        length = len(self.exact)
        self.max_replacement = 2 * length + REPLACEMENT_SLACK
        self.exact_bonus = min(length / 2, EXACT_BONUS_CAP)

    # -- the answer -------------------------------------------------------------------

    def run(self) -> Reanchored:
        quick = self._fast_path()
        if quick is not None:
            return quick
        places = self._places()
        if not places:
            return Reanchored("gone", None, None, None, 0.0)
        located = max(places, key=lambda p: (p.rank, p.exact))
        found = self._check(located, places)
        rival = max(
            (
                p.rank
                for p in places
                if not self._same_place(p, located) and not self._same_place(p, found)
            ),
            default=0.0,
        )
        self.decision = (located, found, rival)  # kept for diagnostics
        score = located.context / self.context_length if self.context_length else 0.0
        evidence = located.context + (self.exact_bonus if located.exact else 0.0)
        if evidence < FLOOR * self.context_length:
            return Reanchored("gone", None, None, None, round(score, 3))
        needed = MARGIN_AT_PERFECT + MARGIN_PER_MISS * (self.context_length - located.context)
        if located.rank - rival < needed:
            status = "ambiguous" if rival >= STRONG * self.context_length else "gone"
            return Reanchored(status, None, None, None, round(score, 3))
        return self._answer(found.start, found.end, score)

    def _check(self, located: _Place, places: list[_Place]) -> _Place:
        """Prefer the exact text where it stands at the located place.

        A context-only pair can fit a few more context code points than the exact text
        does at the same place (its ends are free to absorb nearby edits); when the
        exact text stands there and fits nearly as well, the passage is unchanged.
        """
        if located.exact:
            return located
        inside = [
            p
            for p in places
            if p.exact and located.start <= p.start and p.end <= located.end
        ]
        if inside:
            return max(inside, key=lambda p: p.rank)
        if located.end > located.start:
            return located
        beside = [
            p
            for p in places
            if p.exact
            and self._same_place(p, located)
            and p.context >= located.context - EXACT_TOLERANCE
        ]
        return max(beside, key=lambda p: p.rank, default=located)

    @staticmethod
    def _same_place(a: _Place, b: _Place) -> bool:
        gap = max(a.start - b.end, b.start - a.end, 0)
        return gap <= SAME_PLACE and abs(a.start - b.start) <= SAME_PLACE + max(
            a.end - a.start, b.end - b.start
        )

    def _answer(self, start: int, end: int, score: float) -> Reanchored:
        found = self.text[start:end]
        status = "unchanged" if found == self.exact else "changed"
        return Reanchored(status, start - 1, end - 1, found, round(score, 3))

    # -- fast paths: the whole context found once, with no rival possible ---------------

    def _fast_path(self) -> Reanchored | None:
        text, prefix, suffix = self.text, self.prefix, self.suffix
        whole = prefix + self.exact + suffix
        at = text.find(whole)
        if at >= 0 and text.find(whole, at + 1) < 0:
            start = at + len(prefix)
            if self._distance_penalty(start) <= 1 and self._no_close_rival():
                return self._answer(start, start + len(self.exact), 1.0)
        if not prefix or not suffix:
            return None
        prefix_at = text.find(prefix)
        if prefix_at < 0 or text.find(prefix, prefix_at + 1) >= 0:
            return None
        start = prefix_at + len(prefix)
        suffix_at = text.find(suffix, start, start + self.max_replacement + len(suffix))
        if suffix_at < 0 or self.exact in text[start:suffix_at]:
            return None
        if self._distance_penalty(start) <= 1 and self._no_close_rival():
            return self._answer(start, suffix_at, 1.0)
        return None

    def _no_close_rival(self) -> bool:
        """True when no other place can match the context with three edits or fewer.

        With at most three edits, one of the four halves of prefix and suffix is intact
        at that place; if each half occurs once in the text, that place is ours. Any
        other place then trails by at least four points, and ours lost at most one to
        its distance from the old offset: the margin at a perfect fit (3) holds.
        """
        text = self.text
        for side in (self.prefix, self.suffix):
            half = len(side) // 2
            for piece in (side[:half], side[half:]):
                if not piece:
                    continue
                first = text.find(piece)
                if first < 0 or text.find(piece, first + 1) >= 0:
                    return False
        return True

    # -- the search -------------------------------------------------------------------

    def _places(self) -> list[_Place]:
        places: list[_Place] = []
        for low, high in self._regions():
            places.extend(self._places_in(low, high))
        return places

    def _regions(self) -> list[tuple[int, int]]:
        """Stretches of possible passage starts, most supported by seeds first."""
        text, prefix, suffix = self.text, self.prefix, self.suffix
        length = len(self.exact)
        intervals: list[tuple[int, int]] = []  # possible starts implied by one seed hit
        for offset, piece in _seeds(prefix):
            start_after = len(prefix) - offset
            for hit in _find_all(text, piece, _MAX_SEED_HITS):
                implied = hit + start_after
                intervals.append((implied - _SEED_SLACK, implied + _SEED_SLACK))
        for offset, piece in _seeds(suffix):
            for hit in _find_all(text, piece, _MAX_SEED_HITS):
                end = hit - offset
                intervals.append((end - self.max_replacement - _SEED_SLACK, end + _SEED_SLACK))
        for hit in _find_all(text, self.exact, _MAX_EXACT_SEEDS):
            intervals.append((hit - 2, hit + 2))
        if not intervals:
            return []
        intervals.sort()
        regions: list[tuple[int, int, int]] = []  # (votes, low, high)
        low, high = intervals[0]
        votes = 0
        for a, b in intervals:
            if a > high:
                regions.append((votes, low, high))
                low, high, votes = a, b, 0
            high = max(high, b)
            votes += 1
        regions.append((votes, low, high))
        regions.sort(key=lambda r: -r[0])
        limit = len(text) - length
        return [
            (max(0, low), min(limit, high))
            for _, low, high in regions[:_MAX_REGIONS]
            if max(0, low) <= min(limit, high)
        ]

    def _places_in(self, low: int, high: int) -> list[_Place]:
        """Score every plausible place whose start lies in ``[low, high]``."""
        text, exact = self.text, self.exact
        length = len(exact)
        end_high = min(len(text), high + self.max_replacement)
        prefix_fit = self._prefix_fit(low, high)  # index: start - low
        suffix_fit = self._suffix_fit(low, end_high)  # index: end - low
        places: list[_Place] = []

        # Where the exact text stands, the check is already done.
        at = text.find(exact, low, high + length)
        while at >= 0:
            context = prefix_fit[at - low] + suffix_fit[at + length - low]
            places.append(self._place(at, at + length, context, self._stands(at, at + length)))
            at = text.find(exact, at + 1, high + length)

        # Otherwise the best fit of each side, and the other side's best partner for it.
        best_prefix = max(prefix_fit)
        for index, fit in enumerate(prefix_fit):
            if fit == best_prefix:
                start = low + index
                end_limit = min(end_high, start + self.max_replacement)
                end = self._best_end(suffix_fit, low, start, end_limit)
                context = fit + suffix_fit[end - low]
                places.append(self._place(start, end, context, self._stands(start, end)))
        best_suffix = max(suffix_fit)
        for index, fit in enumerate(suffix_fit):
            if fit == best_suffix:
                end = low + index
                start_low = max(low, end - self.max_replacement)
                start_high = min(high, end)
                if start_low > start_high:
                    continue
                start = self._best_start(prefix_fit, low, start_low, start_high, end)
                context = prefix_fit[start - low] + fit
                places.append(self._place(start, end, context, self._stands(start, end)))
        return places

    def _stands(self, start: int, end: int) -> bool:
        """True when ``exact`` stands at ``start:end`` as the same words.

        "internation" inside "international" is not the quoted word any more: where the
        quote begins or ends with a letter or digit, the new text must not carry that
        word on where the old text did not (and vice versa).
        """
        text, exact = self.text, self.exact
        if text[start:end] != exact:
            return False
        if _is_word_char(exact[0]) and _is_word_char(text[start - 1]) != self.word_before:
            return False
        if _is_word_char(exact[-1]) and _is_word_char(text[end]) != self.word_after:
            return False
        return True

    def _best_end(self, suffix_fit: list[int], low: int, start: int, end_limit: int) -> int:
        length = len(self.exact)
        best_end, best_key = start, None
        for end in range(start, end_limit + 1):
            key = (suffix_fit[end - low], -abs(end - start - length))
            if best_key is None or key > best_key:
                best_end, best_key = end, key
        return best_end

    def _best_start(
        self, prefix_fit: list[int], low: int, start_low: int, start_high: int, end: int
    ) -> int:
        length = len(self.exact)
        best_start, best_key = start_low, None
        for start in range(start_low, start_high + 1):
            key = (prefix_fit[start - low], -abs(end - start - length))
            if best_key is None or key > best_key:
                best_start, best_key = start, key
        return best_start

    def _place(self, start: int, end: int, context: int, exact: bool) -> _Place:
        rank = context + (self.exact_bonus if exact else 0.0) - self._distance_penalty(start)
        return _Place(start, end, context, exact, rank)

    def _distance_penalty(self, start: int) -> float:
        # Capped: edits above a passage move it by any amount, so the old offset can
        # only tell apart places whose context fits about equally.
        if self.old_start is None:
            return 0.0
        distance = abs(start - self.old_start)
        return min(POSITION_CAP, POSITION_WEIGHT * math.log2(1 + distance / 64))

    def _prefix_fit(self, low: int, high: int) -> list[int]:
        """Context code points of the prefix matched when it ends at each of low..high."""
        prefix = self.prefix
        size = len(prefix)
        if size == 0:
            return [0] * (high - low + 1)
        # The best alignment of the prefix spans at most twice its length.
        window_start = max(0, low - 2 * size)
        distances = distances_ending_at(prefix, self.text[window_start:high])
        return [size - distances[at - window_start] for at in range(low, high + 1)]

    def _suffix_fit(self, low: int, high: int) -> list[int]:
        """Context code points of the suffix matched when it starts at each of low..high."""
        suffix = self.suffix
        size = len(suffix)
        if size == 0:
            return [0] * (high - low + 1)
        window_end = min(len(self.text), high + 2 * size)
        backwards = self.text[low:window_end][::-1]
        distances = distances_ending_at(suffix[::-1], backwards)
        return [size - distances[window_end - at] for at in range(low, high + 1)]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _seeds(side: str) -> list[tuple[int, str]]:
    """Short pieces of a context side, with their offsets, to look for verbatim."""
    if len(side) <= _SEED_LENGTH:
        return [(0, side)] if len(side) >= 3 else []
    offsets = list(range(0, len(side) - _SEED_LENGTH + 1, _SEED_STEP))
    if offsets[-1] != len(side) - _SEED_LENGTH:
        offsets.append(len(side) - _SEED_LENGTH)
    return [(offset, side[offset : offset + _SEED_LENGTH]) for offset in offsets]


def _find_all(text: str, piece: str, limit: int) -> list[int]:
    """Every occurrence of ``piece``, or none when there are more than ``limit``."""
    hits: list[int] = []
    at = text.find(piece)
    while at >= 0:
        if len(hits) == limit:
            return []
        hits.append(at)
        at = text.find(piece, at + 1)
    return hits
