"""Re-anchoring: find a reported passage again in a new version of an article.

Pure Python, no Django. The public API (normative, see issue 3):

    from corrigo.anchoring import TextQuote, reanchor, article_text
    result = reanchor(quote, new_text)   # Reanchored(status, start, end, exact, score)
"""

from corrigo.anchoring.textmodel import (
    BLOCK_TAGS,
    SKIPPED_TAGS,
    WHITESPACE,
    article_text,
)

__all__ = ["BLOCK_TAGS", "SKIPPED_TAGS", "WHITESPACE", "article_text"]
