"""Approximate matching of a short pattern (a quote's context) against text.

Both functions answer the same question, Sellers' search mode of Levenshtein distance:
for every position ``j`` of a text window, the smallest edit distance between the
pattern and any piece of the window ending at ``j``. Patterns here are at most 33 code
points (32 of context plus a text-boundary marker).

* :func:`distances_ending_at` is the reference: Myers' bit-parallel algorithm (Myers
  1999, in Hyyrö's formulation) with the bits over the pattern, one step a text code
  point, about fifteen integer operations each.
* :func:`fits_ending_at` is what re-anchoring runs: the same recurrence turned on its
  side (the bits over the text, one step a pattern code point) for many windows and two
  patterns at once, so a search costs 33 steps on one wide integer instead of fifteen
  operations for every code point of every window. Tests hold it equal to the reference
  (``tests/anchoring/test_fuzzy.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import accumulate
from operator import sub


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
    ``window`` ending at ``lead``, ``lead + 1``, … ``len(window)``. Any number of jobs,
    with any number of distinct non-empty patterns (re-anchoring has two: the prefix
    and the reversed suffix), are computed in one pass.

    How: the windows are laid side by side on one integer, bit ``k`` for code point
    ``k`` of the layout, and the edit-distance table is filled a pattern code point at
    a time (the bit vectors hold the differences between neighbouring ends). A window
    does not see its left neighbour: the best piece for a pattern of length ``m`` is
    never longer than ``2·m`` (a longer one costs more than the empty piece), so a
    window whose lead is at least that is exact from ``lead`` on, and one with a
    shorter lead is put behind a run of code points that match nothing (the longest
    pattern's length of them: crossing them costs as much as starting afresh).
    """
    if not jobs:
        return []
    longest = max(len(pattern) for pattern, _, _ in jobs)
    if longest == 0 or any(not pattern for pattern, _, _ in jobs):
        raise ValueError("every pattern must have at least one code point")
    pieces: list[str] = []
    areas: list[tuple[str, int, int, int]] = []  # pattern, first bit, window length, lead
    width = 0
    for pattern, window, lead in jobs:
        if width and lead < 2 * len(pattern):
            pieces.append("\x00" * longest)  # matches nothing: it lies outside every area
            width += longest
        pieces.append(window)
        areas.append((pattern, width, len(window), lead))
        width += len(window)

    in_areas: dict[str, int] = {}
    for pattern, first, length, _ in areas:
        in_areas[pattern] = in_areas.get(pattern, 0) | (((1 << length) - 1) << first)
    masks = _char_masks("".join(pieces), {char for pattern in in_areas for char in pattern})
    rows = [0] * longest
    for pattern, area in in_areas.items():
        mine: dict[str, int] = {}
        for row, char in enumerate(pattern):
            eq = mine.get(char)
            if eq is None:
                eq = mine[char] = masks[char] & area
            rows[row] |= eq

    # Row 0 of the table is all zeros (a piece may start anywhere); every row starts
    # one higher at the left edge. Bits above the layout collect carries and are never read.
    lengths = {len(pattern) for pattern in in_areas}
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

    # The table's bottom row at the layout's left edge is len(pattern), and the fit is
    # len(pattern) minus it: the fit at an end is the count of steps down less steps up
    # before it. As binary digits, lowest bit first, one byte a step.
    digits = {}
    for length, (pv, mv) in states.items():
        top = 1 << width
        digits[length] = (bin(pv & (top - 1) | top)[:2:-1].encode(), bin(mv & (top - 1) | top)[:2:-1].encode())
    out = []
    for pattern, first, length, lead in areas:
        ups, downs = digits[len(pattern)]
        start, stop = first + lead, first + length
        fit = downs.count(49, 0, start) - ups.count(49, 0, start)
        out.append(list(accumulate(map(sub, downs[start:stop], ups[start:stop]), initial=fit)))
    return out


# Translation tables: a layout's code points, one byte each, to binary digits.
_IS = [bytes(49 if value == byte else 48 for value in range(256)) for byte in range(256)]
_BIT = [bytes(49 if value >> bit & 1 else 48 for value in range(256)) for bit in range(8)]


def _char_masks(layout: str, chars: Iterable[str]) -> dict[str, int]:
    """For each char, the integer whose bit ``k`` is set where ``layout[k]`` is that char.

    C-speed: the layout's code points are split into bytes (UTF-32), each char's low
    byte gets a small class number, and each bit of the class number becomes an integer
    parsed from a string of binary digits; a char's mask is then a few ANDs of those,
    narrowed by its upper bytes where the layout has code points past U+00FF.
    """
    chars = list(chars)
    points = [ord(char) for char in chars]
    if len(chars) > 255 and len({point & 255 for point in points}) > 255:  # class numbers are bytes, 0 for none
        half = len(chars) // 2
        return _char_masks(layout, chars[:half]) | _char_masks(layout, chars[half:])
    size = len(layout)
    if not size:
        return dict.fromkeys(chars, 0)
    full = (1 << size) - 1
    # Reversed: the last digit parsed is bit 0. Lone surrogates are code points too.
    data = layout[::-1].encode("utf-32-le", "surrogatepass")
    low, middle, high = data[0::4], data[1::4], data[2::4]

    classes = bytearray(256)  # low byte -> class number, 0 for bytes no char has
    count = 0
    for point in points:
        if not classes[point & 255]:
            count += 1
            classes[point & 255] = count
    numbered = low.translate(bytes(classes))
    # The positions of each class number, one bit of the number at a time (highest first).
    by_number = [full]
    for bit in reversed(range(count.bit_length())):
        ones = int(numbered.translate(_BIT[bit]), 2)
        zeros = full ^ ones
        by_number = [mask & side for mask in by_number for side in (zeros, ones)]

    zero = bytes(size)
    plain_middle, plain_high = middle == zero, high == zero
    uppers: dict[int, int] = {}
    masks = {}
    for char, point in zip(chars, points, strict=True):
        mask = by_number[classes[point & 255]]
        upper = point >> 8
        if upper or not (plain_middle and plain_high):
            if upper not in uppers:
                narrowed = full
                if upper & 255 or not plain_middle:
                    narrowed &= int(middle.translate(_IS[upper & 255]), 2)
                if upper >> 8 or not plain_high:
                    narrowed &= int(high.translate(_IS[upper >> 8]), 2)
                uppers[upper] = narrowed
            mask &= uppers[upper]
        masks[char] = mask
    return masks
