"""Approximate matching of a short pattern (a quote's context) against text.

Both functions answer the same question, Sellers' search mode of Levenshtein distance:
for every position ``j`` of a text window, the smallest edit distance between the
pattern and any piece of the window ending at ``j``. Patterns here are at most 33 code
points (32 of context plus a text-boundary marker).

* :func:`distances_ending_at` is the reference: Myers' bit-parallel algorithm (Myers
  1999, in Hyyrö's formulation) with the bits over the pattern, one step a text code
  point, about fifteen integer operations each.
* :func:`make_fits` (and :func:`fits_ending_at`) is what re-anchoring runs. Compiled
  (``_native.c``: the reference's loop in C, one 64-bit word a window), or, where the
  extension was not built, :class:`PythonFits`: the same recurrence turned on its side
  (the bits over the text, one step a pattern code point) for many windows and two
  patterns at once, so a search costs 33 steps on one wide integer instead of fifteen
  operations for every code point of every window.

:func:`occurrences` finds short pieces of a quote's context (its seeds) in the text:
compiled, in one pass over the text for all of them; in pure Python, ``str.find`` a
piece at a time. Tests hold every version to the reference and to each other
(``tests/anchoring/test_fuzzy.py``, ``tests/anchoring/test_native.py``);
docs/decisions/0040-compiled-matcher.md says why.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import accumulate
from operator import or_, sub

try:
    from corrigo.anchoring import _native
except ImportError:  # installed without a C compiler: the pure-Python loops answer the same
    _native = None

#: Set to 1 to run the pure-Python loops even where the extension is built (see :func:`use_native`).
PURE_ENVIRONMENT = "CORRIGO_PURE_PYTHON_MATCHER"
#: The native loops take patterns of at most one machine word.
NATIVE_LONGEST_PATTERN = 64
#: Whether the compiled loops run: where built, unless the environment turns them off.
_USE = {"native": _native is not None and os.environ.get(PURE_ENVIRONMENT, "") != "1"}


def distances_ending_at(pattern: str, window: str) -> list[int]:
    """``d[j]`` = least edit distance of ``pattern`` to a substring of ``window`` ending at ``j``.

    ``len(d) == len(window) + 1``; ``d[0] == len(pattern)`` (only the empty substring
    ends at 0). The substring may start anywhere, including at ``j`` itself.
    """
    m = len(pattern)
    if m == 0:
        return [0] * (len(window) + 1)
    peq: dict[str, int] = {}
    for i, char in enumerate(pattern):
        peq[char] = peq.get(char, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv = mask
    mv = 0
    score = m
    out = [m]
    append = out.append
    get = peq.get
    for char in window:
        eq = get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        append(score)
    return out


def fits_ending_at(jobs: Sequence[tuple[str, str, int]]) -> list[list[int]]:
    """For each job ``(pattern, window, lead)``: how much of the pattern fits at each end.

    The answer for a job is ``[len(pattern) - d for d in distances_ending_at(pattern,
    window)[lead:]]``: the code points of the pattern matched by the best piece of
    ``window`` ending at ``lead``, ``lead + 1``, … ``len(window)``. Patterns must not
    be empty. See :class:`PythonFits`; :func:`make_fits` builds one for the jobs' patterns.
    """
    if not jobs:
        return []
    patterns = list(dict.fromkeys(pattern for pattern, _, _ in jobs))
    index = {pattern: number for number, pattern in enumerate(patterns)}
    return make_fits(patterns).fits([(index[pattern], window, lead) for pattern, window, lead in jobs])


def find_occurrences(text: str, pieces: Sequence[str], limits: Sequence[int]) -> list[list[int]]:
    """For each piece, every position where it starts in ``text`` (overlapping ones too),
    in order; none when it occurs more than its limit times. Pieces must not be empty.

    The pure-Python :func:`occurrences`; the compiled one scans the text once for all.
    """
    if len(limits) != len(pieces):
        raise ValueError("one limit for each piece")
    out = []
    for piece, limit in zip(pieces, limits, strict=True):
        if not piece:
            raise ValueError("every piece must be a non-empty str")
        hits: list[int] = []
        at = text.find(piece)
        while at >= 0:
            if len(hits) == limit:
                hits = []
                break
            hits.append(at)
            at = text.find(piece, at + 1)
        out.append(hits)
    return out


def _check_patterns(patterns: Sequence[str]) -> None:
    if not patterns or not all(patterns):
        raise ValueError("every pattern must have at least one code point")


class NativeFits:
    """:class:`PythonFits`' answers from the compiled loop (patterns of up to 64 code points)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        _check_patterns(patterns)
        if max(map(len, patterns)) > NATIVE_LONGEST_PATTERN:
            raise ValueError(f"patterns must have at most {NATIVE_LONGEST_PATTERN} code points")
        self.patterns = list(patterns)

    def fits(self, jobs: Sequence[tuple[int, str, int]]) -> list[list[int]]:
        """For each job ``(pattern number, window, lead)``, as :func:`fits_ending_at` says."""
        return _native.fits(self.patterns, jobs)


def make_fits(patterns: Sequence[str]) -> NativeFits | PythonFits:
    """What re-anchoring fits its context with: compiled where built and in use, and the
    patterns fit a machine word; else :class:`PythonFits`. The same answers either way."""
    _check_patterns(patterns)
    if _USE["native"] and max(map(len, patterns)) <= NATIVE_LONGEST_PATTERN:
        return NativeFits(patterns)
    return PythonFits(patterns)


def occurrences(text: str, pieces: Sequence[str], limits: Sequence[int]) -> list[list[int]]:
    """:func:`find_occurrences`' answer; compiled (one pass for all pieces) where built and in use."""
    if _USE["native"]:
        return _native.occurrences(text, pieces, limits)
    return find_occurrences(text, pieces, limits)


def enough_unique(text: str, pieces: Sequence[str], needed: float) -> bool:
    """True when at least ``needed`` of the (non-empty) pieces occur exactly once in ``text``.

    Compiled: one pass for all pieces. Pure Python: ``str.find`` a piece at a time,
    stopping as soon as the answer is known.
    """
    if _USE["native"]:
        return sum(len(found) == 1 for found in occurrences(text, pieces, [1] * len(pieces))) >= needed
    left = len(pieces)
    unique = 0
    for piece in pieces:
        if unique + left < needed:
            return False
        left -= 1
        first = text.find(piece)
        if first >= 0 and text.find(piece, first + 1) < 0:
            unique += 1
    return unique >= needed


def use_native(enabled: bool) -> bool:
    """Run the compiled loops (``True``, where built) or the pure-Python ones (``False``).

    Both give the same answers; tests and benchmarks switch to compare them. Returns
    whether the compiled loops are now in use.
    """
    _USE["native"] = enabled and _native is not None
    return _USE["native"]


def native_in_use() -> bool:
    """True when :func:`use_native` chose the compiled loops."""
    return _USE["native"]


class PythonFits:
    """The fits of a few fixed patterns (re-anchoring has two: the prefix and the
    reversed suffix) in any number of windows, computed in one pass.

    How: the windows are laid side by side on one integer, bit ``k`` for code point
    ``k`` of the layout, and the edit-distance table is filled a pattern code point at
    a time (the bit vectors hold the differences between neighbouring ends). A window
    does not see its left neighbour: the best piece for a pattern of length ``m`` is
    never longer than ``2·m`` (a longer one costs more than the empty piece), so a
    window whose lead is at least that is exact from ``lead`` on, and one with a
    shorter lead is put behind a run of code points that match nothing (the longest
    pattern's length of them: crossing them costs as much as starting afresh).

    Which code points of a layout are a given char is found at C speed: the layout is
    split into bytes (UTF-32), the low byte gets a class number (one for each low byte
    the patterns' chars have), each bit of the class numbers becomes an integer parsed
    from a string of binary digits, and the upper bytes narrow it where the layout or
    the char goes past U+00FF.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        _check_patterns(patterns)
        self.patterns = list(patterns)
        self.distinct = [set(pattern) for pattern in patterns]
        self.longest = max(map(len, patterns))
        self.lengths = set(map(len, patterns))
        points = [ord(char) for char in set().union(*self.distinct)]
        lows = bytes({point & 255 for point in points})
        if len(lows) > 255:  # class numbers are bytes, and 0 is for none
            raise ValueError("the patterns' chars have more than 255 distinct low bytes")
        classes = bytearray(256)  # low byte -> class number (1, 2, …); 0 for a byte no char has
        for number, byte in enumerate(lows, 1):
            classes[byte] = number
        self.classes = bytes(classes)
        self.bits = len(lows).bit_length()
        self.chars = [(chr(point), self.classes[point & 255], point >> 8) for point in points]

    def fits(self, jobs: Sequence[tuple[int, str, int]]) -> list[list[int]]:
        """For each job ``(pattern number, window, lead)``, as :func:`fits_ending_at` says."""
        patterns, longest = self.patterns, self.longest
        pieces: list[str] = []
        areas: list[tuple[int, int, int, int]] = []  # pattern length, first bit, window length, lead
        in_area = [0] * len(patterns)
        width = 0
        for number, window, lead in jobs:
            length = len(patterns[number])
            if width and lead < 2 * length:
                pieces.append("\x00" * longest)  # matches nothing: it lies outside every area
                width += longest
            size = len(window)
            pieces.append(window)
            areas.append((length, width, size, lead))
            in_area[number] |= ((1 << size) - 1) << width
            width += size
        if not width:
            return [[0] for _ in areas]

        masks = self._char_masks("".join(pieces), width)
        rows: list[int] = []
        for pattern, distinct, area in zip(patterns, self.distinct, in_area, strict=True):
            if area:
                mine = {char: masks[char] & area for char in distinct}
                own = list(map(mine.__getitem__, pattern))
                if len(own) > len(rows):
                    rows, own = own, rows
                rows[: len(own)] = map(or_, rows, own)

        # Row 0 of the table is all zeros (a piece may start anywhere); every row starts
        # one higher at the left edge. Bits above the layout collect carries and are never read.
        lengths = self.lengths
        full = (1 << width) - 1
        pv = mv = 0
        states: dict[int, tuple[int, int]] = {}
        for row, eq in enumerate(rows, 1):
            xv = eq | mv
            xh = (((eq & pv) + pv) ^ pv) | eq
            ph = mv | (full ^ (xh | pv))
            mh = pv & xh
            ph = (ph << 1) | 1
            mh <<= 1
            pv = mh | (full ^ (xv | ph))
            mv = ph & xv
            if row in lengths:
                states[row] = (pv, mv)

        # The table's bottom row at the layout's left edge is the pattern's length, and
        # the fit is that length minus it: the fit at an end is the count of steps down
        # less steps up before it. As binary digits, lowest bit first, one byte a step.
        top = full + 1
        digits = {
            length: (bin(pv & full | top)[:2:-1].encode(), bin(mv & full | top)[:2:-1].encode())
            for length, (pv, mv) in states.items()
        }
        out = []
        for length, first, size, lead in areas:
            ups, downs = digits.get(length, (b"", b""))
            start, stop = first + lead, first + size
            fit = downs.count(49, 0, start) - ups.count(49, 0, start)
            out.append(list(accumulate(map(sub, downs[start:stop], ups[start:stop]), initial=fit)))
        return out

    def _char_masks(self, layout: str, size: int) -> dict[str, int]:
        """For each char of the patterns, the integer whose bit ``k`` is set where ``layout[k]`` is it."""
        full = (1 << size) - 1
        # Reversed: the last digit parsed is bit 0. Lone surrogates are code points too.
        data = layout[::-1].encode("utf-32-le", "surrogatepass")
        numbered = data[0::4].translate(self.classes)
        by_number = [full]  # the positions of each class number, a bit at a time (highest first)
        for bit in reversed(range(self.bits)):
            ones = int(numbered.translate(_BIT[bit]), 2)
            zeros = full ^ ones
            by_number = [mask & side for mask in by_number for side in (zeros, ones)]

        middle, high = data[1::4], data[2::4]
        zero = bytes(size)
        plain_middle, plain_high = middle == zero, high == zero
        if plain_middle and plain_high:  # the layout is all Latin-1
            return {char: by_number[number] if not upper else 0 for char, number, upper in self.chars}
        uppers: dict[int, int] = {}
        masks = {}
        for char, number, upper in self.chars:
            narrowed = uppers.get(upper)
            if narrowed is None:
                narrowed = full
                if upper & 255 or not plain_middle:
                    narrowed &= int(middle.translate(_IS[upper & 255]), 2)
                if upper >> 8 or not plain_high:
                    narrowed &= int(high.translate(_IS[upper >> 8]), 2)
                uppers[upper] = narrowed
            masks[char] = by_number[number] & narrowed
        return masks


# Translation tables: a layout's bytes to binary digits.
_IS = [bytes(49 if value == byte else 48 for value in range(256)) for byte in range(256)]
_BIT = [bytes(49 if value >> bit & 1 else 48 for value in range(256)) for bit in range(8)]
