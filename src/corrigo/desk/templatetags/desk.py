"""Template filters for showing reader text safely: autoescaping does the rest."""

import re

from django import template

register = template.Library()

# Bidi embedding, override and isolate controls, and the invisible marks: a reader could use
# them to make text read differently than it is stored, so the desk shows them by name.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@register.filter
def visible_controls(value) -> str:
    """Replace each bidi control with a visible [U+XXXX]; the result is still escaped."""
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", str(value))


@register.filter
def http_url(value) -> str:
    """The URL if it is http(s), else "" (so a javascript: URL never becomes a link)."""
    text = str(value).strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.filter
def status_count(counts: dict, key) -> str:
    """A queue tab's count; one over the cap (the queue counts no further) reads "10,000+"."""
    from corrigo.desk.queue import COUNT_CAP

    count = counts.get(key, 0)
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else str(count)


@register.filter
def status_label(value) -> str:
    """A case status as the desk says it ("not_error" is "Not an error")."""
    from corrigo.reports.models import CaseStatus

    return CaseStatus(value).label if value in CaseStatus.values else str(value)


@register.filter
def hours(value) -> str:
    """Hours with one decimal, or a dash when there is nothing to measure."""
    return "—" if value is None else f"{value:,.1f} h"


@register.filter
def share(value) -> str:
    return "—" if value is None else f"{value:.0%}"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
