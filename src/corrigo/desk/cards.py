"""How a case reads on its card: the article's headline, the context cut at whole words, its age
and how long the desk has left to answer it (the site's answer times, by category).

Plain functions of plain values, used by the queue, the case page and the metrics page.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from corrigo.anchoring.quote import CONTEXT_LENGTH as CONTEXT

# The separators pages put between a headline and the site's name: "Headline — Site",
# "Site | Headline", "Headline - Site", "Headline · Site", "Headline » Site".
_SEPARATOR = re.compile(r"(\s+[|–—\-·•»/]\s+|\s+::\s+)")
# A last title segment shared by this many different articles on one page is the site's name.
REPEATED_BY = 3


def _plain(text: str) -> str:
    """A name compared loosely: no "(demo)"-style asides, no leading "The", letters and digits only."""
    text = re.sub(r"\([^)]*\)", " ", text.casefold())
    text = re.sub(r"^\W*the\b", " ", text)
    return "".join(ch for ch in text if ch.isalnum())


def _segments(title: str) -> list[str]:
    return _SEPARATOR.split(" ".join(title.split()))


def site_suffixes(titles) -> set[str]:
    """The last title segments that several different articles share: the site's name, however
    the CMS writes it, learnt from the titles seen together (a page of the queue). First
    segments are not learnt: a shared one is as often a section ("Opinion | …") as the site."""
    ends = Counter(_plain(parts[-1]) for parts in map(_segments, set(titles)) if len(parts) >= 3)
    return {end for end, seen in ends.items() if seen >= REPEATED_BY and end}


def headline(title: str, site_name: str = "", repeated: set[str] = frozenset()) -> str:
    """The article's title without the site's name that every page of the site repeats."""
    parts = _segments(title)
    if len(parts) < 3:
        return " ".join(title.split())
    name = _plain(site_name)
    if _plain(parts[-1]) in ({name} - {""} | set(repeated)):
        parts = parts[:-2]
    if len(parts) >= 3 and name and _plain(parts[0]) == name:
        parts = parts[2:]
    return "".join(parts)


def headline_from_url(url: str) -> str:
    """A readable stand-in when no title is known: the address's last words, e.g.
    ".../2026/harbour-town-keeps-night-ferry" gives "Harbour town keeps night ferry"; else host and path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    path = unquote(parts.path).strip("/")
    last = path.rsplit("/", 1)[-1]
    last = re.sub(r"\.(html?|php|aspx?)$", "", last)
    words = [w for w in re.split(r"[-_+]+", last) if w]
    if len(words) >= 3 and not all(w.isdigit() for w in words):
        text = " ".join(words)
        return text[:1].upper() + text[1:]
    return (parts.hostname or "") + ("/" + path if path else "")


def context_before(prefix: str) -> tuple[str, bool]:
    """The words just before the quote, from a whole word on and within its paragraph,
    and whether text was left out before them (the card shows an ellipsis then)."""
    if "\n" in prefix:
        return prefix.rsplit("\n", 1)[1], False
    if len(prefix) < CONTEXT:
        return prefix, False  # the text starts here: nothing was cut
    space = re.search(r"\s", prefix)
    return (prefix[space.end() :] if space else prefix), True


def context_after(suffix: str) -> tuple[str, bool]:
    """The words just after the quote, up to a whole word and within its paragraph."""
    if "\n" in suffix:
        return suffix.split("\n", 1)[0], False
    if len(suffix) < CONTEXT:
        return suffix, False
    space = max(suffix.rfind(" "), suffix.rfind("\t"))
    return (suffix[:space] if space > 0 else suffix), True


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word when there is one near the end."""
    if len(text) <= limit:
        return text
    body = text[: limit - 1]
    space = body.rfind(" ")
    if space >= limit * 0.6:
        body = body[:space]
    return body.rstrip() + "…"


def span(delta: timedelta) -> str:
    """A duration as an editor says it: "12 min", "5 h", "3 d"."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@dataclass(frozen=True)
class AnswerTime:
    state: str  # "ok", "soon" (the last quarter of the time), "late"
    words: str  # "5 h left", "3 h overdue"


def answer_time(created_at: datetime, hours: int | None, now: datetime) -> AnswerTime | None:
    """How the desk stands against the site's answer time for an open case (None: no target)."""
    if hours is None:
        return None
    allowed = timedelta(hours=hours)
    left = created_at + allowed - now
    if left <= timedelta(0):
        return AnswerTime("late", f"{span(-left)} overdue")
    return AnswerTime("soon" if left <= allowed / 4 else "ok", f"{span(left)} left")
