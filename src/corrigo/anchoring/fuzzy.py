"""Approximate matching of a short pattern (a quote's context) against text.

Myers' bit-parallel algorithm (Myers 1999, in Hyyrö's formulation) in Sellers' search
mode: for every position ``j`` of a text window it gives the smallest Levenshtein
distance between the pattern and any piece of text ending at ``j``. Patterns here are at
most 33 code points (32 of context plus a text-boundary marker), so the bit vectors are
small ints and one text character costs about fifteen integer operations.
"""

from __future__ import annotations


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
