"""The article text model: the one plain text that quotes and offsets refer to.

The widget computes this text from the live DOM and the server computes it from HTML;
both must produce the same string for the same page. This module is the server side;
``docs/text-model.md`` is the spec both sides follow (the JavaScript side too); the
rules, exactly:

1. **Root.** Parse the HTML with an HTML5-conformant parser (Lexbor, via selectolax).
   The root is the first element, in document order, matching the site's article
   selector when one is given and matches; otherwise the first match of
   ``[data-corrigo-article]``, then ``article``, then ``main``; otherwise ``body``.
   A selector the CSS engine rejects counts as matching nothing. The root itself is
   never skipped.
2. **Skipped subtrees.** Below the root, an element is skipped with everything inside
   it when its tag is in :data:`SKIPPED_TAGS`, or it has a ``hidden`` attribute (any
   value), or ``aria-hidden`` exactly ``"true"``, or a ``data-corrigo-ignore``
   attribute (any value), or it matches one of the site's ignore selectors (matched
   against the whole document, like ``Element.matches``). A skipped element
   contributes nothing at all: no text and no line break. Comments, processing
   instructions and ``<template>`` contents contribute nothing. CSS (``display:
   none`` and the like) is not consulted: the model is structural, never rendered.
3. **Breaks.** A ``<br>`` gives one break. An element whose tag is in
   :data:`BLOCK_TAGS` gives a break before its first child and after its last child.
   Every other element (``span``, ``a``, ``b``, ``caption``, ``img``…) gives nothing
   of its own; its children are walked in place. Text nodes give their data, with
   character references already decoded by the parser.
4. **Normalisation,** in this order, on the sequence of characters and breaks:
   a. remove U+00AD SOFT HYPHEN, U+200B ZERO WIDTH SPACE and U+FEFF ZERO WIDTH
      NO-BREAK SPACE wherever they are;
   b. a maximal run of whitespace characters (:data:`WHITESPACE`, the Unicode
      White_Space property: NBSP included, U+200B and U+FEFF not) and breaks becomes
      one ``"\\n"`` if it holds at least one break, else one ``" "``. So consecutive
      block boundaries collapse into a single ``"\\n"``, no line starts or ends with a
      space, and empty blocks leave no empty lines;
   c. a run at the very start or very end of the text is dropped (trim);
   d. the result is put in Unicode NFC. (Last, because removing a soft hyphen can
      bring a base letter and a combining mark together. NFC never yields whitespace
      from non-whitespace, so step b stays true.)
   Whitespace inside ``<pre>`` collapses like everywhere else: the model keeps no
   preformatted line structure.
5. **Offsets** index the result in Unicode code points (Python ``str`` indices), not
   UTF-16 code units.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

#: Elements whose start and end each give a line break.
BLOCK_TAGS: frozenset[str] = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
    ]
)

#: Elements skipped with their whole subtree (they hold code, controls or graphics).
SKIPPED_TAGS: frozenset[str] = frozenset(
    ["script", "style", "noscript", "template", "textarea", "input", "select", "button", "svg", "iframe", "object", "canvas"]
)

#: Attributes that skip an element and its subtree whatever their value.
SKIPPING_ATTRIBUTES: tuple[str, ...] = ("hidden", "data-corrigo-ignore")

#: Where no site selector is given (or it matches nothing), the root is the first match of these.
DEFAULT_ROOT_SELECTORS: tuple[str, ...] = ("[data-corrigo-article]", "article", "main", "body")

#: Code points removed before whitespace is collapsed (invisible, and copy-paste unstable).
REMOVED_CHARACTERS: frozenset[str] = frozenset("\u00ad\u200b\ufeff")

#: The Unicode White_Space property. Not ``str.isspace`` (which adds U+001C–U+001F)
#: and not JavaScript's ``\s`` (which adds U+FEFF and lacks U+0085).
WHITESPACE: frozenset[str] = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# Internal marker for a break in the walk's output; never part of the text itself.
_BREAK = object()

_REMOVAL_TABLE = {ord(c): None for c in REMOVED_CHARACTERS}
_NON_WHITESPACE_RUN = re.compile("[^" + "".join(sorted(WHITESPACE)) + "]+")


def article_text(
    html: str,
    article_selector: str | None = None,
    ignore_selectors: Sequence[str] | str = (),
) -> str:
    """Return the article text of an HTML page under the normative text model."""
    if isinstance(ignore_selectors, str):
        ignore_selectors = (ignore_selectors,)
    # Browsers drop a byte-order mark while decoding; left in, it would push <head> into <body>.
    tree = LexborHTMLParser(html.removeprefix("\ufeff"))
    root = _find_root(tree, article_selector)
    if root is None:
        return ""
    ignored = _ignored_element_ids(tree, ignore_selectors)
    return normalise(_walk(root, ignored))


def root_matches(html: str, article_selector: str) -> bool:
    """Whether some element of the page matches the article selector (rule 1 would not fall back)."""
    return _first_match(LexborHTMLParser(html.removeprefix("\ufeff")), article_selector) is not None


def in_text_model(text: str) -> bool:
    """Whether a text is already what rule 4 makes: no text in the model ever changes under it again."""
    lines = text.split("\n")
    return all(line and normalise([line]) == line for line in lines)


# What selector_error looks at once strings and attribute tests are blanked out.
_QUOTED = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")
_ATTRIBUTE_TEST = re.compile(r"\[[^\]]*\]")
_NTH_OF_TYPE_OF = re.compile(r":nth(?:-last)?-of-type\([^)]*\bof\b", re.IGNORECASE)
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")
# Chains of descendant combinators make matching exponential in the page's depth (Lexbor
# took 0.24 s for 24 on a page 22 elements deep); real sites' selectors stay far below these.
MAX_CHAIN = 8
MAX_COMPOUNDS = 32


def selector_error(selector: str) -> str | None:
    """Why `selector` (a CSS selector list) is unfit for a site's settings, or None when it is fit.

    A site's article and ignore selectors are checked with this before they are saved.
    The server reads pages with Lexbor and the widget with the browser: a selector one of
    them refuses would make the two texts differ, and a very long chain would make
    reading a page slow.
    """
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except Exception:  # selectolax raises its own error type (SelectolaxError) for any bad selector
        return "not a CSS selector this parser understands"
    bare = _ATTRIBUTE_TEST.sub("[]", _QUOTED.sub('""', selector))
    # Both parse in Lexbor, and browsers throw on both (a namespace prefix other than *|).
    if "|" in bare.replace("*|", ""):
        return "a namespace selector, which browsers refuse in HTML pages"
    if _NTH_OF_TYPE_OF.search(bare):
        return 'an :nth-of-type() with "of", which browsers refuse'
    chains = [[c for c in _COMBINATOR.split(part.strip()) if c] for part in re.split(r"[(),]", bare)]
    if max(map(len, chains), default=0) > MAX_CHAIN:
        return f"a chain of more than {MAX_CHAIN} steps, which makes reading a page slow"
    if sum(map(len, chains)) > MAX_COMPOUNDS:
        return f"more than {MAX_COMPOUNDS} simple selectors in all, which makes reading a page slow"
    return None


def normalise(pieces: Iterable[object]) -> str:
    """Apply rule 4 to a sequence of text pieces (``str``) and breaks (any non-str)."""
    out: list[str] = []
    pending_space = False  # inside a whitespace run
    pending_break = False  # the run holds a break
    for piece in pieces:
        if not isinstance(piece, str):
            pending_space = True
            pending_break = True
            continue
        cleaned = piece.translate(_REMOVAL_TABLE)
        position = 0
        for word in _NON_WHITESPACE_RUN.finditer(cleaned):
            if word.start() > position:
                pending_space = True
            if pending_space:
                _flush(out, pending_break)
            out.append(word.group())
            pending_space = pending_break = False
            position = word.end()
        if position < len(cleaned):
            pending_space = True
    # A trailing run is dropped (trim); a leading one never got flushed into ``out``.
    return unicodedata.normalize("NFC", "".join(out))


def _flush(out: list[str], pending_break: bool) -> None:
    # The run before the first visible text is the leading run: trimmed away.
    if out:
        out.append("\n" if pending_break else " ")


def _find_root(tree: LexborHTMLParser, article_selector: str | None) -> LexborNode | None:
    selectors = ((article_selector,) if article_selector else ()) + DEFAULT_ROOT_SELECTORS
    for selector in selectors:
        node = _first_match(tree, selector)
        if node is not None:
            return node
    return None


def _first_match(tree: LexborHTMLParser, selector: str) -> LexborNode | None:
    try:
        return tree.css_first(selector)
    except Exception:  # selectolax raises bare Exception/ValueError for bad selectors
        return None


def _ignored_element_ids(tree: LexborHTMLParser, selectors: Sequence[str]) -> set[int]:
    ignored: set[int] = set()
    for selector in selectors:
        if not selector or not selector.strip():
            continue
        try:
            matches = tree.css(selector)
        except Exception:  # a selector the engine rejects matches nothing
            continue
        ignored.update(node.mem_id for node in matches)
    return ignored


def _is_skipped(node: LexborNode, ignored: set[int]) -> bool:
    if node.tag in SKIPPED_TAGS:
        return True
    attributes = node.attributes
    if attributes:
        if any(name in attributes for name in SKIPPING_ATTRIBUTES):
            return True
        if attributes.get("aria-hidden") == "true":
            return True
    return bool(ignored) and node.mem_id in ignored


def _walk(root: LexborNode, ignored: set[int]) -> list[object]:
    """Rules 2 and 3: the root's text pieces and breaks, in document order."""
    pieces: list[object] = []
    # An explicit stack instead of recursion: real pages nest deeper than Python's limit.
    # Each entry is a node to enter, or a ("close", tag) marker to emit a block's end break.
    stack: list[object] = []
    child = root.child
    children: list[LexborNode] = []
    while child is not None:
        children.append(child)
        child = child.next
    stack.extend(reversed(children))
    while stack:
        item = stack.pop()
        if item is _BREAK:
            pieces.append(_BREAK)
            continue
        node: LexborNode = item  # type: ignore[assignment]
        if node.is_text_node:
            text = node.text_content
            if text:
                pieces.append(text)
            continue
        if not node.is_element_node or _is_skipped(node, ignored):
            continue
        tag = node.tag
        if tag == "br":
            pieces.append(_BREAK)
            continue
        is_block = tag in BLOCK_TAGS
        if is_block:
            pieces.append(_BREAK)
            stack.append(_BREAK)
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    return pieces
