"""Readers' text made safe for the channels people read: mail, its headers, chat messages.

Reader text is untrusted. In HTML the templates escape it; here it loses what could
mislead a reader of any channel: control characters and the bidirectional embeddings,
overrides and isolates that make text display in another order than it is written
(U+202E turns "gpj.exe" into "exe.jpg" on screen). A header gets one line, so no reader
can start a header of their own.
"""

import re

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM ALM.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# C0 and C1 controls other than tab and newline, and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")
# Everything that ends a line somewhere: CR, LF, VT, FF, NEL, LS, PS.
_LINE_BREAKS = re.compile(r"\s*[\r\n\x0b\x0c\x85\u2028\u2029]+\s*")
_SPACES = re.compile(r"\s+")
_SLACK_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def clean(text: str | None, *, strip: bool = True) -> str:
    """Reader text for a body: line breaks kept (as \\n), controls and bidi formatting removed.

    strip=False keeps the spaces at its ends (a quote's context runs into the quote).
    """
    if not text:
        return ""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    return text.strip() if strip else text


def one_line(text: str | None, limit: int = 120) -> str:
    """Reader text for a header or a title: one line, at most `limit` characters (cut with …)."""
    text = _SPACES.sub(" ", clean(text)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def slack(text: str | None) -> str:
    """Text for Slack's mrkdwn: &, < and > escaped, so no reader can write <!channel> or a link."""
    return re.sub(r"[&<>]", lambda match: _SLACK_SPECIAL[match.group()], clean(text))
