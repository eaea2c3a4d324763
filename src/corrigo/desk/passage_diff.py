"""What changed in a passage: the sentence the reader saw beside the same sentence in the latest text, word by word.

Plain Python (difflib on words), so an editor reads one sentence with the words taken out
and put in, not two whole articles to compare by eye.
"""

import difflib
import re
from dataclasses import dataclass

# A sentence ends at a line break or after . ! ? (and any closing quotes or brackets) and a space.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|\n")
TOKENS = re.compile(r"\s+|[^\s]+")
LONGEST_SENTENCE = 600  # code points each side of the passage: a "sentence" without stops stays readable


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "removed" or "added"
    text: str


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) holding text[start:end]."""
    floor = max(0, start - LONGEST_SENTENCE)
    begin = floor
    for match in SENTENCE_END.finditer(text, floor, start):
        begin = match.end()
    ceiling = min(len(text), end + LONGEST_SENTENCE)
    found = SENTENCE_END.search(text, end, ceiling) if end < len(text) else None
    finish = found.end() if found else ceiling
    return text[begin:finish].strip()


def word_diff(before: str, after: str) -> list[Piece]:
    """`before` turned into `after`, as runs of kept, removed and added words (spaces kept with them)."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return pieces


def passage_diff(reported: str, start: int, end: int, latest: str | None, latest_start: int | None, latest_end: int | None):
    """The word diff between the passage's sentence as reported and in the latest text.

    None when there is nothing to compare; all "removed" when the passage is gone (no span
    in the latest text).
    """
    if not 0 <= start <= end <= len(reported):
        return None
    before = sentence_around(reported, start, end)
    if latest is None or latest_start is None or latest_end is None:
        return [Piece("removed", before)]
    if not 0 <= latest_start <= latest_end <= len(latest):
        return None
    return word_diff(before, sentence_around(latest, latest_start, latest_end))
