"""Canonical page URLs: the same article reached through tracking links is one article."""

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

# Query parameters that only say where a click came from, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2048
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


class InvalidURL(ValueError):
    pass


def canonical_url(raw: str) -> str:
    """Drop the fragment, tracking parameters and default port; lower-case scheme and host."""
    if len(raw) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL is longer than {MAX_URL_LENGTH} characters.")
    if _SPACE_OR_CONTROL.search(raw):
        raise InvalidURL("URL contains whitespace or control characters.")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"URL cannot be parsed: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL("URL must start with http:// or https://.")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidURL("URL has no host.")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Pairs are kept as they were written: decoding and re-encoding would change the URL
    # (and could make it several times longer).
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    url = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL is longer than {MAX_URL_LENGTH} characters.")
    return url


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.split("=", 1)[0]).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def origin_of(raw: str) -> str:
    """The serialised origin (scheme://host[:port]) of a URL or Origin header value."""
    url = canonical_url(raw)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
