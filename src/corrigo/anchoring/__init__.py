"""Re-anchoring: find a reported passage again in a new version of an article.

Pure Python, no Django. The public API (normative, see issue 3):

    from corrigo.anchoring import TextQuote, reanchor, article_text
    result = reanchor(quote, new_text)   # Reanchored(status, start, end, exact, score)

``article_text`` is the server side of the text model (docs/text-model.md);
``quote_from_text`` makes the quote a reader's selection gives; ``spans_overlap`` tells
whether two reports are about the same passage.
"""

from corrigo.anchoring.quote import (
    CONTEXT_LENGTH,
    QuoteMismatch,
    Reanchored,
    TextQuote,
    quote_from_text,
    spans_overlap,
)
from corrigo.anchoring.reanchor import reanchor
from corrigo.anchoring.textmodel import (
    BLOCK_TAGS,
    SKIPPED_TAGS,
    WHITESPACE,
    article_text,
    selector_error,
)

__all__ = [
    "BLOCK_TAGS",
    "CONTEXT_LENGTH",
    "SKIPPED_TAGS",
    "WHITESPACE",
    "QuoteMismatch",
    "Reanchored",
    "TextQuote",
    "article_text",
    "quote_from_text",
    "reanchor",
    "selector_error",
    "spans_overlap",
]
