"""What a report stores about its passage, and what re-anchoring answers.

A :class:`TextQuote` is the W3C Web Annotation TextQuoteSelector plus
TextPositionSelector, over the article text of docs/text-model.md: ``exact`` is the
selected text, ``prefix`` and ``suffix`` up to :data:`CONTEXT_LENGTH` code points
around it, ``start``/``end`` its code-point offsets. A :class:`Reanchored` is where that
passage is in a later version of the article and what became of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Code points of context kept on each side of a quote (docs/text-model.md, "Offsets").
CONTEXT_LENGTH = 32

Status = Literal["unchanged", "changed", "gone", "ambiguous"]


class QuoteMismatch(ValueError):
    """A quote does not describe the text it claims to come from."""


@dataclass(frozen=True, slots=True)
class TextQuote:
    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None

    def validate(self, text: str) -> None:
        """Raise :class:`QuoteMismatch` unless this quote was taken from ``text``.

        ``text[start:end]`` must equal ``exact`` (the report API's rule), and the
        context must agree with the text around it (it may be shorter than 32).
        """
        if not self.exact:
            raise QuoteMismatch("exact is empty")
        if self.start is None or self.end is None:
            raise QuoteMismatch("start and end are required")
        if not 0 <= self.start < self.end <= len(text):
            raise QuoteMismatch("start/end are outside the text")
        if text[self.start : self.end] != self.exact:
            raise QuoteMismatch("text[start:end] is not exact")
        if len(self.prefix) > CONTEXT_LENGTH or not text[: self.start].endswith(self.prefix):
            raise QuoteMismatch("prefix is not the text before start")
        if len(self.suffix) > CONTEXT_LENGTH or not text[self.end :].startswith(self.suffix):
            raise QuoteMismatch("suffix is not the text after end")

    def fits(self, text: str) -> bool:
        """True when :meth:`validate` would accept ``text``."""
        try:
            self.validate(text)
        except QuoteMismatch:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Reanchored:
    """Where a quoted passage is in a new text, and whether it still reads the same.

    ``status``:
      - ``"unchanged"``: ``exact`` is there (possibly moved); ``start``/``end`` locate it.
      - ``"changed"``: the passage's place was found from its context, but the text
        there differs (usually the mistake was fixed); ``start``/``end``/``exact`` give
        the replacement, which may be empty when the words were removed.
      - ``"gone"``: no place fits well enough; ``start``/``end``/``exact`` are None.
      - ``"ambiguous"``: two or more places fit about equally; no span is given.

    ``score`` is the share of the quote's context (prefix and suffix) found at the chosen
    place, 0–1; for ``gone`` and ``ambiguous`` it is that of the best place looked at.
    """

    status: Status
    start: int | None
    end: int | None
    exact: str | None
    score: float


def quote_from_text(text: str, start: int, end: int) -> TextQuote:
    """The quote a reader makes by selecting ``text[start:end]``."""
    if not 0 <= start < end <= len(text):
        raise QuoteMismatch("start/end must select at least one code point of the text")
    return TextQuote(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )


def spans_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """True when two half-open spans share at least one code point.

    An empty span (start == end) overlaps a span that strictly contains its position,
    so a passage whose words were removed still meets a report on that place.
    """
    if a_start == a_end:
        return b_start < a_start < b_end or (b_start == b_end == a_start)
    if b_start == b_end:
        return a_start < b_start < a_end
    return a_start < b_end and b_start < a_end
