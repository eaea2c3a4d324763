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
* **Checking** — is ``exact`` still there? ``unchanged`` when ``new_text[a:b]`` is
  ``exact`` as the same words (not the start of a longer word), or holds it with words
  inserted beside it; ``changed`` (with the replacement text, possibly empty) when not.

A place is accepted only when it is good enough and clearly better than any other:
its evidence must reach :data:`FLOOR` of the context available, and beat the best place
elsewhere by a margin that grows the weaker the best place is. A weak best place is
``gone``; two strong places too close to call are ``ambiguous``. The replacement of a
``changed`` passage is at most ``2 × len(exact) + 16`` code points long, so a deleted
passage is not read as "changed" into whatever text now follows its prefix.

Two exceptions settle places the margin alone would refuse: where ``exact`` stands with
a whole side of its context verbatim, its words count in full and a perfect fit's lead
is enough (:meth:`_Search._held_by_own_words`); and two strong places that context cannot
tell apart are told apart by the old offset when the context agrees and the other place
is at least :data:`POSITION_RATIO` times as far (:meth:`_Search._told_apart_by_position`).

Candidate places come from seeds: exact occurrences of ``exact`` and of short pieces
of the prefix and suffix (:func:`corrigo.anchoring.fuzzy.occurrences`: all of them in one
pass over the text), grouped into regions that are then scored exactly
(:func:`corrigo.anchoring.fuzzy.make_fits`: every region's context fits at once). Both
loops are compiled where the extension was built, pure Python otherwise, with the same
answers (docs/decisions/0040-compiled-matcher.md). Two fast paths skip the search when the whole context is found once and no
rival is possible, and a region whose places provably cannot change the decision is
not scored (docs/decisions/0010-reanchoring-speed.md); :func:`reanchor_the_long_way`
answers without those shortcuts, and the tests hold the two to the same answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import itemgetter

from corrigo.anchoring import fuzzy
from corrigo.anchoring.quote import CONTEXT_LENGTH, Reanchored, Status, TextQuote

#: Minimum evidence of an accepted place, as a share of the context available.
FLOOR = 0.6
#: A best place this strong (share of context) that cannot be told apart from another
#: acceptable place is "ambiguous"; a weaker tie is chance likeness: "gone".
STRONG = 0.75
#: Lead the best place needs over the best other place when its context fits perfectly
#: (scaled down for quotes with less than 64 code points of context)…
MARGIN_AT_PERFECT = 3.0
#: …plus this much for every context code point it misses.
MARGIN_PER_MISS = 0.25
#: Places this close (gap between spans) are one place seen through different alignments.
SAME_PLACE = 12
#: Longest replacement accepted for a "changed" passage: 2 × len(exact) + this.
REPLACEMENT_SLACK = 16
#: The old offset's say: this many points per doubling of the distance (past
#: POSITION_SCALE code points) from where the passage was, and never more than
#: POSITION_CAP in all.
POSITION_WEIGHT = 0.5
POSITION_CAP = 4.0
#: Distances from the old offset are counted past this many code points: within it the
#: old offset says nothing (most edits move a passage by less).
POSITION_SCALE = 64
#: Two strong places that the context cannot tell apart are told apart by the old offset
#: when the context agrees and the other place is at least this many times as far from
#: it (distances counted past POSITION_SCALE).
POSITION_RATIO = 3.0
#: The exact text standing at the located place wins if it fits at most this many
#: context code points fewer than the best context-only fit there.
EXACT_TOLERANCE = 8
#: The bonus for a place where the exact text stands: half its length, capped here.
EXACT_BONUS_CAP = 12.0

_SEED_LENGTH = 6
_SEED_STEP = 6
_MAX_SEED_HITS = 24  # a piece of context found more often than this says nothing
_MAX_EXACT_SEEDS = 64
_MAX_EXACT_RIVALS = 8  # places of the exact text a fast path bounds one by one
_MAX_REGIONS = 5
_NEAR_OLD_OFFSET = 4096
_PIECE = 6  # pieces of a context side for the rank bound of a region left unscored
_ROUNDING = 1e-9  # ranks are sums of floats: a bound this close to a threshold is not under it
_SEED_SLACK = 6

# Text-boundary markers (Unicode noncharacters): a quote taken at the very start of the
# old text has a short prefix, and "the new text starts here too" is evidence.
_TEXT_START = "\ufdd0"
_TEXT_END = "\ufdd1"


# Not frozen: a frozen dataclass's __init__ is several times slower, and a search makes
# dozens of these. Nothing changes them after they are made.
@dataclass(slots=True)
class _Region:
    votes: int  # distinct context seeds found here
    start_low: int  # possible passage starts and ends, in the marked text
    start_high: int
    end_low: int
    end_high: int


@dataclass(slots=True)
class _Place:
    start: int  # in the marked text (one more than in the caller's text)
    end: int
    context: int  # context code points matched
    exact: bool
    rank: float  # evidence, with the exact bonus and the position tie-break


@dataclass(frozen=True, slots=True)
class _Decision:
    answer: Reanchored
    #: Places ranked under this (by a hair: the rules compare sums of floats) that hold
    #: the exact text nowhere near ``located`` nor beside a whole side of context would
    #: not change ``answer``.
    threshold: float
    located: _Place | None


def reanchor(quote: TextQuote, new_text: str) -> Reanchored:
    """Locate ``quote`` in ``new_text`` and classify it (see :class:`Reanchored`)."""
    if not quote.exact:
        return Reanchored("gone", None, None, None, 0.0)
    return _Search(quote, new_text).run()


def reanchor_the_long_way(quote: TextQuote, new_text: str) -> Reanchored:
    """What :func:`reanchor` answers, found without its shortcuts: the reference for tests.

    No fast path, and every seeded region scored (up to the vote bound's early stop),
    as the algorithm is written down in docs/decisions/0002. :func:`reanchor` must give
    the same answer for every quote and text; it only skips work that provably cannot
    change it (docs/decisions/0010).
    """
    if not quote.exact:
        return Reanchored("gone", None, None, None, 0.0)
    search = _Search(quote, new_text)
    regions, seed_count = search._regions()
    return search._decide(search._places(regions, seed_count)).answer


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
        self.aligner: fuzzy.NativeFits | fuzzy.PythonFits | None = None  # made on first use: most quotes never need it
        self.prefix_pieces = [prefix[at : at + _PIECE] for at in range(0, len(prefix), _PIECE)]
        self.suffix_pieces = [suffix[at : at + _PIECE] for at in range(0, len(suffix), _PIECE)]

    # -- the answer -------------------------------------------------------------------

    def run(self) -> Reanchored:
        quick = self._fast_path()
        if quick is not None:
            return quick
        regions, seed_count = self._regions()
        if self._votes_may_stop_early(regions, seed_count):
            return self._decide(self._places(regions, seed_count)).answer
        return self._decide_scoring_what_matters(regions)

    def _decide_scoring_what_matters(self, regions: list[_Region]) -> Reanchored:
        """The answer from every region's places, without scoring those that cannot matter.

        The most-voted region is scored first. A region left unscored must hold no place
        that could change the decision: none where the exact text stands near the located
        place or with a whole side of context, and a bound on its places' rank
        (:meth:`_ranked_under`) under the decision's threshold (:class:`_Decision`). Each
        round scores the regions that fail that test, until none does. The places keep
        the regions' order, so ties go as they would with every region scored.
        """
        scored: dict[int, list[_Place]] = {}
        pending = [0] if regions else []
        while True:
            for index, found in zip(pending, self._score([regions[i] for i in pending]), strict=True):
                scored[index] = found
            decision = self._decide([place for index in sorted(scored) for place in scored[index]])
            pending = [
                index for index, region in enumerate(regions) if index not in scored and not self._cannot_matter(region, decision)
            ]
            if not pending:
                return decision.answer

    def _decide(self, places: list[_Place]) -> _Decision:
        """What becomes of the passage, given the places scored (see the module's docstring)."""
        if not places:
            return _Decision(Reanchored("gone", None, None, None, 0.0), -math.inf, None)
        held, held_threshold = self._held_by_own_words(places)
        # Accepted only while no other place ranks above the threshold.
        if held is not None:
            return _Decision(self._answer(held, held.context / self.context_length), held_threshold, held)
        located = max(places, key=lambda p: (p.rank, p.exact))
        found = self._check(located, places)
        rival = max(
            (p for p in places if not self._same_place(p, located) and not self._same_place(p, found)),
            key=lambda p: p.rank,
            default=None,
        )
        context = self.context_length
        score = located.context / context if context else 0.0
        # Places ranked under the located one leave it located; the held rule above stays
        # as it is too, since more places can only make its rival stronger.
        if self._evidence(located) < FLOOR * context:
            return _Decision(Reanchored("gone", None, None, None, round(score, 3)), located.rank, located)
        needed = MARGIN_AT_PERFECT * min(1.0, context / (2 * CONTEXT_LENGTH)) + MARGIN_PER_MISS * (context - located.context)
        # A rival ranked above this refuses the located place; none at or below it can.
        threshold = min(located.rank - needed, located.rank)
        if rival is not None and located.rank - rival.rank < needed:
            # Two places that both fit well are a tie; a weak best place is no place.
            both_fit = self._evidence(located) >= STRONG * context and self._evidence(rival) >= FLOOR * context
            if both_fit and self._told_apart_by_position(located, rival):
                return _Decision(self._answer(found, score), threshold, located)
            return _Decision(
                Reanchored("ambiguous" if both_fit else "gone", None, None, None, round(score, 3)), threshold, located
            )
        return _Decision(self._answer(found, score), threshold, located)

    def _evidence(self, place: _Place) -> float:
        return place.context + (self.exact_bonus if place.exact else 0.0)

    def _with_a_whole_side(self, place: _Place) -> bool:
        """True when ``exact`` stands at ``place`` with a whole side of its context verbatim.

        Then ``prefix + exact`` or ``exact + suffix`` (32 code points of context and the
        quoted words, or the text's start or end) is there unbroken: no chance likeness,
        and no lookalike either, since the words are where their context puts them.
        """
        return place.exact and self._beside_a_whole_side(place.start, place.end)

    def _beside_a_whole_side(self, start: int, end: int) -> bool:
        text, prefix, suffix = self.text, self.prefix, self.suffix
        if _whole(prefix, _TEXT_START) and text.startswith(prefix, start - len(prefix)):
            return True
        return _whole(suffix, _TEXT_END) and text.startswith(suffix, end)

    def _held_by_own_words(self, places: list[_Place]) -> tuple[_Place | None, float]:
        """The place held by the quoted words and a whole side of context, if accepted.

        Where the other side was rewritten (a paragraph replaced before a heading), the
        place misses many context code points, and the margin, which grows with the
        misses, would refuse it against any place that keeps one side only (the old
        prefix now followed by other text). But an unbroken run of a whole side and the
        quoted words is not chance: the words count in full (up to the bonus cap), not
        half, and the lead needed is that of a perfect fit. A deleted passage has no
        such place unless its words and one side stand elsewhere verbatim, and then
        they have moved, not gone. A rival held the same way gets the same credit, so
        two such places are still a tie.

        Also returns the rank above which a place not held this way would refuse it
        (infinite when no rival can: nothing is held, or the best is under the floor).
        """
        credit = min(len(self.exact), EXACT_BONUS_CAP) - self.exact_bonus
        held = [p for p in places if self._with_a_whole_side(p)]
        if not held:
            return None, math.inf
        best = max(held, key=lambda p: p.rank)
        context = self.context_length
        if self._evidence(best) + credit < FLOOR * context:
            return None, math.inf
        rival = max(
            (p.rank + (credit if p in held else 0.0) for p in places if not self._same_place(p, best)),
            default=None,
        )
        needed = MARGIN_AT_PERFECT * min(1.0, context / (2 * CONTEXT_LENGTH))
        threshold = best.rank + credit - needed
        if rival is not None and best.rank + credit - rival < needed:
            return None, threshold
        return best, threshold

    def _told_apart_by_position(self, located: _Place, rival: _Place) -> bool:
        """True when the old offset settles a tie between two strong places.

        A sentence printed twice (or a repeated teaser line) gives two places that fit
        about equally; the context cannot choose, but where the passage was can: most
        edits move a passage by a few code points, few by hundreds. The best place wins
        when its context fits at least as well as the other's (the two kinds of
        evidence agree; when they disagree the answer stays "ambiguous") and the other
        place is at least :data:`POSITION_RATIO` times as far from the old offset, both
        distances counted past :data:`POSITION_SCALE`. Copies side by side (a line
        printed twice) stay a tie.
        """
        if self.old_start is None or self._evidence(located) < self._evidence(rival):
            return False
        near = abs(located.start - self.old_start) + POSITION_SCALE
        far = abs(rival.start - self.old_start) + POSITION_SCALE
        return far >= POSITION_RATIO * near

    def _check(self, located: _Place, places: list[_Place]) -> _Place:
        """Prefer the exact text where it stands at the located place.

        A context-only pair can fit a few more context code points than the exact text
        does at the same place (its ends are free to absorb nearby edits); when the
        exact text stands there and fits nearly as well, the passage is unchanged.
        """
        if located.exact:
            return located
        inside = [p for p in places if p.exact and located.start <= p.start and p.end <= located.end]
        if inside:
            return max(inside, key=lambda p: p.rank)
        if located.end > located.start:
            return located
        beside = [
            p for p in places if p.exact and self._same_place(p, located) and p.context >= located.context - EXACT_TOLERANCE
        ]
        return max(beside, key=lambda p: p.rank, default=located)

    @staticmethod
    def _same_place(a: _Place, b: _Place) -> bool:
        gap = max(a.start - b.end, b.start - a.end, 0)
        return gap <= SAME_PLACE and abs(a.start - b.start) <= SAME_PLACE + max(a.end - a.start, b.end - b.start)

    def _answer(self, place: _Place, score: float) -> Reanchored:
        status: Status = "unchanged" if place.exact else "changed"
        found = self.text[place.start : place.end]
        return Reanchored(status, place.start - 1, place.end - 1, found, round(score, 3))

    # -- fast paths: the whole context found once, with no rival possible ---------------

    def _fast_path(self) -> Reanchored | None:
        text, prefix, suffix, exact = self.text, self.prefix, self.suffix, self.exact
        whole = prefix + exact + suffix
        at = text.find(whole)
        if at >= 0 and text.find(whole, at + 1) < 0:
            start = at + len(prefix)
            end = start + len(exact)
            # A rival where the exact text stands gets its bonus, but so does this place.
            if self._beyond_rivals(start):
                return self._answer(self._place(start, end, self.context_length, True), 1.0)
        if not prefix or not suffix:
            return None
        prefix_at = text.find(prefix)
        if prefix_at < 0 or text.find(prefix, prefix_at + 1) >= 0:
            return None
        start = prefix_at + len(prefix)
        suffix_at = text.find(suffix, start, start + self.max_replacement + len(suffix))
        if suffix_at < 0:
            return None
        # This place holds other words; a place where the exact text stands gets a bonus
        # it does not (and, beside a whole side of context, the full credit). Nearby,
        # the check might prefer it; elsewhere, its context must be too poor to matter.
        limit = self.context_length - self._distance_penalty(start) - MARGIN_AT_PERFECT - _ROUNDING
        reach = len(exact) + SAME_PLACE
        at = text.find(exact)
        for _ in range(_MAX_EXACT_RIVALS + 1):
            if at < 0:
                break
            end = at + len(exact)
            if start - reach <= at <= suffix_at + reach:
                return None
            bonus = self.exact_bonus
            if self._beside_a_whole_side(at, end):
                bonus = min(len(exact), EXACT_BONUS_CAP)
            if not self._ranked_under(at, at, end, end, bonus, limit):
                return None
            at = text.find(exact, at + 1)
        else:
            return None  # too many places to bound one by one
        if self._beyond_rivals(start):
            return self._answer(self._place(start, suffix_at, self.context_length, False), 1.0)
        return None

    def _beyond_rivals(self, start: int) -> bool:
        """True when the whole context, found at ``start``, leads any other place by the margin.

        Cut the context into pieces. A place aligned with ``d`` edits keeps at least
        ``pieces - d`` of them intact; if ``u`` pieces occur once in the text (here),
        a place with fewer than ``u`` edits keeps one of those, so it lies here (within
        ``d`` code points: the same place). Any other place misses at least ``u``
        context code points, and this one lost no more than its distance penalty: it
        leads by ``u - penalty``, which must reach the margin at a perfect fit. Halves
        (at most 4 pieces) and quarters (8) are tried. (A rival where the exact text
        stands also gets its bonus: the caller sees to those.)
        """
        needed = MARGIN_AT_PERFECT + self._distance_penalty(start)
        return any(self._unique_pieces(parts, needed) for parts in (2, 4))

    def _unique_pieces(self, parts: int, needed: float) -> bool:
        """True when at least ``needed`` of the pieces (each side cut in ``parts``) occur once in the text."""
        text = self.text
        pieces = []
        for side in (self.prefix, self.suffix):
            size = max(1, -(-len(side) // parts))
            pieces.extend(side[offset : offset + size] for offset in range(0, len(side), size))
        return fuzzy.enough_unique(text, pieces, needed)

    # -- the search -------------------------------------------------------------------

    def _votes_may_stop_early(self, regions: list[_Region], seed_count: int) -> bool:
        """True when :meth:`_places` might stop early: a region's vote bound is under the floor."""
        floor = FLOOR * self.context_length
        return any(self._vote_bound(region, seed_count) < floor for region in regions[1:])

    def _vote_bound(self, region: _Region, seed_count: int) -> float:
        # Seeds are 6 long and side by side (the last one may overlap its neighbour),
        # so a one-character edit kills at most two: each seed missing here stands
        # for at least half a context code point lost.
        return self.context_length - (seed_count - region.votes) / 2 + self.exact_bonus

    def _places(self, regions: list[_Region], seed_count: int) -> list[_Place]:
        """Score the places in the seeded regions, skipping regions that cannot matter.

        Regions come most-voted first. A region whose seeds say it cannot reach the
        floor, nor come within the needed margin of the best place so far, is skipped;
        since votes only fall from there on, so is every region after it. The context
        fits of every region are computed together beforehand (one pass, see
        :func:`corrigo.anchoring.fuzzy.make_fits`); a skipped region's are unused.
        """
        places: list[_Place] = []
        fits = self._fits(regions)
        best_rank = None
        best_context = 0
        for region, (prefix_fit, suffix_fit) in zip(regions, fits, strict=True):
            bound = self._vote_bound(region, seed_count)
            if best_rank is not None:
                floor = FLOOR * self.context_length
                needed = MARGIN_AT_PERFECT + MARGIN_PER_MISS * (self.context_length - best_context)
                if bound < floor and (best_rank < floor or bound < best_rank - needed):
                    break
            found = self._places_in(region, prefix_fit, suffix_fit)
            places.extend(found)
            for place in found:
                if best_rank is None or place.rank > best_rank:
                    best_rank, best_context = place.rank, place.context
        return places

    def _score(self, regions: list[_Region]) -> list[list[_Place]]:
        """The places of each region (their context fits computed in one pass)."""
        return [self._places_in(region, *fits) for region, fits in zip(regions, self._fits(regions), strict=True)]

    def _cannot_matter(self, region: _Region, decision: _Decision) -> bool:
        """True when no place of ``region`` could change ``decision``.

        Its places must be ranked under the decision's threshold, and none may hold the
        exact text near the located place (which :meth:`_check` would look at) or beside
        a whole side of context (which :meth:`_held_by_own_words` would).
        """
        located = decision.located
        if located is None:
            return False
        text, exact = self.text, self.exact
        length = len(exact)
        low, high = region.start_low, region.start_high
        stands = False
        at = text.find(exact, low, high + length)
        while at >= 0:
            stands = True
            near = at - located.end <= SAME_PLACE and located.start - (at + length) <= SAME_PLACE
            if near or self._beside_a_whole_side(at, at + length):
                return False
            at = text.find(exact, at + 1, high + length)
        end_low, end_high = self._ends(region)
        bonus = self.exact_bonus if stands else 0.0
        return self._ranked_under(low, high, end_low, end_high, bonus, decision.threshold - _ROUNDING)

    def _ranked_under(self, low: int, high: int, end_low: int, end_high: int, bonus: float, limit: float) -> bool:
        """True when every place starting in ``low..high`` and ending in ``end_low..end_high``
        ranks under ``limit``, given the most exact bonus (or credit) it can have.

        Cut a context side into pieces: an edit touches at most one piece, so a side
        aligned with ``d`` edits keeps at least ``pieces - d`` of them intact, and they
        stand in the stretch of text that alignment can cover (twice the side's length
        before a start, or after an end). Each piece missing from that stretch is an edit.
        """
        text = self.text
        bound = self.context_length + bonus
        if self.old_start is not None:
            bound -= self._penalty_for(max(low - self.old_start, self.old_start - high, 0))
        for pieces, first, last in (
            (self.prefix_pieces, max(0, low - 2 * len(self.prefix)), high),
            (self.suffix_pieces, end_low, min(len(text), end_high + 2 * len(self.suffix))),
        ):
            for piece in pieces:
                if bound < limit:
                    return True
                if text.find(piece, first, last) < 0:
                    bound -= 1
        return bound < limit

    def _regions(self) -> tuple[list[_Region], int]:
        """Stretches of possible passage starts and ends, most supported by seeds first.

        Each seed hit implies where the passage starts (prefix pieces, the exact text)
        or ends (suffix pieces, the exact text). Hits are merged into regions on a
        common axis of starts, an end ``b`` standing for the starts ``b - max_replacement
        .. b``. Also returns how many context seeds there were (for the vote bound).
        """
        text, prefix, suffix = self.text, self.prefix, self.suffix
        length = len(self.exact)
        reach = self.max_replacement
        slack = _SEED_SLACK
        # (axis low, axis high, start or None, end or None, seed); regions depend only
        # on the order of the axis lows (hits with equal ones join the same region).
        hits: list[tuple[int, int, int | None, int | None, int]] = []
        seed_count = 0
        before, after = _seeds(prefix), _seeds(suffix)
        pieces = [piece for _, piece in before] + [piece for _, piece in after] + [self.exact]
        limits = [_MAX_SEED_HITS] * (len(pieces) - 1) + [_MAX_EXACT_SEEDS]
        *seeded, exact_hits = fuzzy.occurrences(text, pieces, limits)
        seeded_before, seeded_after = seeded[: len(before)], seeded[len(before) :]
        for (offset, _), found in zip(before, seeded_before, strict=True):
            if found:
                seed_count += 1
                shift = len(prefix) - offset
                hits += [(hit + shift - slack, hit + shift + slack, hit + shift, None, seed_count) for hit in found]
        for (offset, _), found in zip(after, seeded_after, strict=True):
            if found:
                seed_count += 1
                hits += [(hit - offset - reach - slack, hit - offset + slack, None, hit - offset, seed_count) for hit in found]
        for hit in self._exact_seeds(exact_hits):
            hits.append((hit - 2, hit + 2, hit, None, 0))
            hits.append((hit - 2, hit + 2, None, hit + length, 0))
        if not hits:
            return [], seed_count
        hits.sort(key=itemgetter(0))
        groups: list[list[tuple[int, int, int | None, int | None, int]]] = []
        seeds: list[set[int]] = []  # the seeds found in each group (0: the exact text)
        high = hits[0][0] - 1
        for hit in hits:
            if hit[0] > high:
                group, found = [hit], {hit[4]}
                groups.append(group)
                seeds.append(found)
                high = hit[1]
            else:
                group.append(hit)
                found.add(hit[4])
                high = max(high, hit[1])
        # Most votes first, ties in text order; only the first few are ever scored.
        votes = [len(found) - (0 in found) for found in seeds]
        chosen = sorted(range(len(groups)), key=votes.__getitem__, reverse=True)[:_MAX_REGIONS]
        regions = [self._region(groups[index], votes[index]) for index in chosen]
        return [r for r in regions if r.start_low <= r.start_high], seed_count

    def _exact_seeds(self, hits: list[int]) -> list[int]:
        """Where the exact text stands (``hits``: every place, or none when too many);
        when it stands too often, the places nearest the old offset."""
        text, exact = self.text, self.exact
        if hits or self.old_start is None or exact not in text:
            return hits
        low = max(0, self.old_start - _NEAR_OLD_OFFSET)
        high = self.old_start + _NEAR_OLD_OFFSET
        near: list[int] = []
        at = text.find(exact, low, high + len(exact))
        while at >= 0:
            near.append(at)
            at = text.find(exact, at + 1, high + len(exact))
        near.sort(key=lambda hit: abs(hit - self.old_start))
        return near[:_MAX_EXACT_SEEDS]

    def _region(self, group: list[tuple[int, int, int | None, int | None, int]], votes: int) -> _Region:
        last_start = len(self.text) - 1
        starts = [hit[2] for hit in group if hit[2] is not None]
        ends = [hit[3] for hit in group if hit[3] is not None]
        slack = _SEED_SLACK
        if starts:
            start_low, start_high = min(starts) - slack, max(starts) + slack
        else:
            start_low, start_high = min(ends) - self.max_replacement - slack, max(ends) + slack
        if ends:
            end_low, end_high = min(ends) - slack, max(ends) + slack
        else:
            end_low, end_high = min(starts) - slack, max(starts) + self.max_replacement + slack
        return _Region(
            votes,
            max(1, start_low),
            min(last_start, start_high),
            max(1, end_low),
            min(last_start, end_high),
        )

    def _fits(self, regions: list[_Region]) -> list[tuple[list[int], list[int]]]:
        """For each region, the prefix fit at each start and the suffix fit at each end.

        ``prefix_fit[start - start_low]``: context code points of the prefix matched when
        it ends at ``start``; ``suffix_fit[end - end_low]`` likewise for the suffix
        starting at ``end``, with the end range widened to take in ``start_low`` (see
        :meth:`_ends`). The best alignment of a side spans at most twice its length, so
        each window reaches that far beyond its range.
        """
        text, prefix, suffix = self.text, self.prefix, self.suffix
        # The suffix is never empty (a short one carries the text-end marker).
        if self.aligner is None:
            self.aligner = fuzzy.make_fits([prefix, suffix[::-1]] if prefix else [suffix[::-1]])
        backwards = 1 if prefix else 0  # the suffix's pattern number
        jobs: list[tuple[int, str, int]] = []
        for region in regions:
            low, high = region.start_low, region.start_high
            if prefix:
                window_start = max(0, low - 2 * len(prefix))
                jobs.append((0, text[window_start:high], low - window_start))
            end_low, end_high = self._ends(region)
            window_end = min(len(text), end_high + 2 * len(suffix))
            jobs.append((backwards, text[end_low:window_end][::-1], window_end - end_high))
        computed = iter(self.aligner.fits(jobs))
        out = []
        for region in regions:
            prefix_fit = next(computed) if prefix else [0] * (region.start_high - region.start_low + 1)
            end_low, end_high = self._ends(region)
            suffix_fit = next(computed)[::-1]
            out.append((prefix_fit, suffix_fit))
        return out

    @staticmethod
    def _ends(region: _Region) -> tuple[int, int]:
        """The ends scored in a region: its end range, widened to take in its first start."""
        return min(region.end_low, region.start_low), max(region.end_high, region.start_low)

    def _places_in(self, region: _Region, prefix_fit: list[int], suffix_fit: list[int]) -> list[_Place]:
        """Score the plausible places whose start and end lie in the region's ranges."""
        text, exact = self.text, self.exact
        length = len(exact)
        low, high = region.start_low, region.start_high
        end_low, end_high = self._ends(region)
        places: list[_Place] = []

        # Where the exact text stands, the check is already done.
        at = text.find(exact, low, high + length)
        while at >= 0:
            end = at + length
            if end_low <= end <= end_high:
                context = prefix_fit[at - low] + suffix_fit[end - end_low]
                places.append(self._place(at, end, context, self._stands(at, end)))
            at = text.find(exact, at + 1, high + length)

        # Otherwise the best fit of each side, and the other side's best partner for it.
        for start in _positions_of_max(prefix_fit, low):
            first, last = max(start, end_low), min(end_high, start + self.max_replacement)
            if first > last:
                continue
            end = self._best_boundary(suffix_fit, end_low, first, last, start + length)
            context = prefix_fit[start - low] + suffix_fit[end - end_low]
            places.append(self._place(start, end, context, self._stands(start, end)))
        for end in _positions_of_max(suffix_fit, end_low):
            first, last = max(low, end - self.max_replacement), min(high, end)
            if first > last:
                continue
            start = self._best_boundary(prefix_fit, low, first, last, end - length)
            context = prefix_fit[start - low] + suffix_fit[end - end_low]
            places.append(self._place(start, end, context, self._stands(start, end)))
        return places

    def _stands(self, start: int, end: int) -> bool:
        """True when ``exact`` stands at ``start:end`` as the same words.

        "internation" inside "international" is not the quoted word any more: where the
        quote begins or ends with a letter or digit, the new text must not carry that
        word on where the old text did not (and vice versa).
        """
        text, exact = self.text, self.exact
        if end - start != len(exact) or text[start:end] != exact:
            return False
        if _is_word_char(exact[0]) and _is_word_char(text[start - 1]) != self.word_before:
            return False
        return not (_is_word_char(exact[-1]) and _is_word_char(text[end]) != self.word_after)

    @staticmethod
    def _best_boundary(fit: list[int], fit_low: int, first: int, last: int, target: int) -> int:
        """The boundary in first..last whose context fits best; ties go to the one nearest
        ``target`` (the other boundary moved by the passage's length, so the passage
        keeps its length), and then to the earlier one."""
        low, high = first - fit_low, last - fit_low + 1
        best = max(fit[low:high])
        goal = target - fit_low
        chosen = fit.index(best, low, high)
        distance = abs(chosen - goal)
        at = chosen
        # Candidates come in order: nearer and nearer up to the goal, farther after it.
        while at < goal:
            try:
                at = fit.index(best, at + 1, high)
            except ValueError:
                break
            if abs(at - goal) < distance:
                chosen, distance = at, abs(at - goal)
        return chosen + fit_low

    def _place(self, start: int, end: int, context: int, exact: bool) -> _Place:
        rank = context + (self.exact_bonus if exact else 0.0) - self._distance_penalty(start)
        return _Place(start, end, context, exact, rank)

    def _distance_penalty(self, start: int) -> float:
        if self.old_start is None:
            return 0.0
        return self._penalty_for(abs(start - self.old_start))

    @staticmethod
    def _penalty_for(distance: int) -> float:
        # Capped: edits above a passage move it by any amount, so the old offset can
        # only tell apart places whose context fits about equally.
        return min(POSITION_CAP, POSITION_WEIGHT * math.log2(1 + distance / POSITION_SCALE))


def _whole(side: str, marker: str) -> bool:
    """True when a context side is all the context a quote keeps (or reaches the text's edge)."""
    return len(side) >= CONTEXT_LENGTH or marker in side


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _seeds(side: str) -> list[tuple[int, str]]:
    """Short pieces of a context side, with their offsets, to look for verbatim."""
    if len(side) <= _SEED_LENGTH:
        # A boundary marker is found once at most, so even a short side is a seed then.
        useful = len(side) >= 3 or _TEXT_START in side or _TEXT_END in side
        return [(0, side)] if useful else []
    offsets = list(range(0, len(side) - _SEED_LENGTH + 1, _SEED_STEP))
    if offsets[-1] != len(side) - _SEED_LENGTH:
        offsets.append(len(side) - _SEED_LENGTH)
    return [(offset, side[offset : offset + _SEED_LENGTH]) for offset in offsets]


def _positions_of_max(fit: list[int], low: int) -> list[int]:
    """The positions (``low`` + index) where ``fit`` is at its maximum, in order."""
    best = max(fit)
    index = fit.index(best)
    out = [low + index]
    while True:
        try:
            index = fit.index(best, index + 1)
        except ValueError:
            return out
        out.append(low + index)
