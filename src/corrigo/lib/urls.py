"""Every URL Corrigo reads, parsed once and the way browsers parse them.

Page URLs in reports, allowed origins, and the URLs Corrigo will fetch or call (article
pages, webhook endpoints) all go through `parse_http_url`: the WHATWG URL Standard's parser
(ada-url, the one Node.js uses, decision 0014), so Corrigo and the reader's browser never
disagree on which host a URL names. On top of the standard, Corrigo is stricter than a
browser where leniency would let two programs read one URL two ways: http(s) only, no
user name or password, no whitespace, and hosts as DNS has them (xn-- labels that decode,
IPv4 addresses only in their dotted form).
"""

import codecs
import functools
import ipaddress
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import unquote_plus

import ada_url

MAX_URL_LENGTH = 2048
MAX_HOST_LENGTH = 253
DEFAULT_PORTS = {"http": 80, "https": 443}

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

# Lone surrogates cannot be stored as UTF-8 and NUL cannot be stored by PostgreSQL.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNPRINTABLE = re.compile(r"[\s\x00-\x1f\x7f\ud800-\udfff]")
# The scheme and the authority as written: browsers would also take "https:host" or "https:\\host".
_START = re.compile(r"(https?)://([^/?#]*)", re.IGNORECASE)
_ASCII_HOST = re.compile(r"[A-Za-z0-9._-]+")
_DNS_NAME = re.compile(r"(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}")
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")  # a last label browsers read as (part of) an IPv4 address
_HOST_DOTS = ".\u3002\uff0e\uff61"  # browsers read the ideographic full stops as dots
_SERIALISED = re.compile(r"(https?)://(\[[^\]]*\]|[^:/]*)(?::([0-9]+))?(/[^?#]*)(?:\?([^#]*))?")
# One character of UTF-8 in percent-encoding (decoding refuses overlong forms and surrogates).
_ENCODED_CHARACTER = re.compile(
    r"%(?:[cd][0-9a-f]%[89ab][0-9a-f]|e[0-9a-f](?:%[89ab][0-9a-f]){2}|f[0-4](?:%[89ab][0-9a-f]){3})", re.IGNORECASE
)


class InvalidURL(ValueError):
    """A value Corrigo does not take as an http(s) URL; the message says why."""


class HttpURL(NamedTuple):
    """An http(s) URL in the form browsers serialise it, without its fragment."""

    scheme: str  # "http" or "https"
    host: str  # ASCII: a DNS name (IDNs in xn-- form, no trailing dot), an IPv4 address, or "[IPv6]"
    port: int | None  # None for the scheme's default port
    path: str  # "/" at least; percent-encoded as browsers send it
    query: str  # without its "?"; "" when there is none

    @property
    def netloc(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        """scheme://host[:port], as a browser sends it in an Origin header."""
        return f"{self.scheme}://{self.netloc}"

    @property
    def href(self) -> str:
        """The URL as a client requests it."""
        return f"{self.origin}{self.path}" + (f"?{self.query}" if self.query else "")

    @property
    def port_number(self) -> int:
        """The port a client connects to."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    @property
    def ip_address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The host when it is an IP address, for rules about which addresses may be reached."""
        if self.host.startswith("["):
            return ipaddress.IPv6Address(self.host[1:-1])
        if self.host.rpartition(".")[2].isdigit():  # the parser reads a host ending in a number as IPv4
            return ipaddress.IPv4Address(self.host)
        return None


def parse_http_url(value: object) -> HttpURL:
    """The http(s) URL in `value`, for everything Corrigo will fetch or call.

    Raises InvalidURL saying why for anything else: another scheme, a user name or
    password, whitespace, a host no browser or resolver would agree on, port 0, or more
    than MAX_URL_LENGTH characters.
    """
    return _parse(value)


def join_http_url(base: str, reference: object) -> HttpURL:
    """The http(s) URL that `reference` (a redirect's Location, a link) names, read relative to `base`."""
    _check_text(reference)
    try:
        joined = ada_url.join_url(base, reference)
    except ValueError:
        raise InvalidURL("URL cannot be parsed") from None
    return _parse(joined)


def parse_origin(value: object) -> str:
    """The origin of a URL or Origin header in the form browsers send (scheme://host[:port]).

    Paths, queries, fragments and default ports are dropped, hosts lower-cased and IDNs
    written in xn-- form; raises InvalidURL (saying why) for anything else.
    """
    return _parse(value).origin


def normalise_origin(value: object) -> str | None:
    """The origin in canonical form, or None when it is not an http(s) origin (e.g. "null")."""
    try:
        return parse_origin(value)
    except InvalidURL:
        return None


def canonical_url(value: object) -> str:
    """One name for one page: the URL browsers would request, less what only tracks the click.

    The fragment, tracking parameters, empty query pairs, the default port and a user name
    or password are dropped; the host is written as its origin is (lower case, xn-- form).
    Non-ASCII letters in the path and query read as themselves ("/café", not "/caf%C3%A9"):
    the same page however the reader's browser or a CMS spelled it, and legible in the desk.
    """
    _check_text(value)  # before the cache, which would hash any string however long
    return _canonical(value)


# The readers of an article send its URL again and again: each process remembers the last
# 512 answers (8 MB at worst, as no URL is longer than MAX_URL_LENGTH; decision 0014).
@functools.lru_cache(maxsize=512)
def _canonical(value: str) -> str:
    url = _parse(value, drop_credentials=True)
    # Pairs are kept as written, not decoded and re-encoded: that could change what the server sees.
    query = "&".join(pair for pair in url.query.split("&") if pair and not _is_tracking(pair))
    canonical = f"{url.origin}{_legible(url.path)}" + (f"?{_legible(query)}" if query else "")
    if len(canonical) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL is longer than {MAX_URL_LENGTH} characters")
    return canonical


def _is_tracking(pair: str) -> bool:
    key = pair.partition("=")[0]
    key = (unquote_plus(key) if "%" in key or "+" in key else key).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _legible(text: str) -> str:
    return _ENCODED_CHARACTER.sub(_decoded_character, text) if "%" in text else text


def _decoded_character(match: re.Match) -> str:
    try:
        character = bytes.fromhex(match[0].replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return match[0]
    # Spaces, controls, format and private-use characters stay encoded: seen, they would mislead.
    return character if unicodedata.category(character)[0] in "LMNPS" else match[0]


def _check_text(value: object) -> None:
    if not isinstance(value, str):
        raise InvalidURL("it is not text")
    if len(value) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL is longer than {MAX_URL_LENGTH} characters")
    if not (value.isprintable() and " " not in value) and _UNPRINTABLE.search(value):
        if _UNSTORABLE.search(value):
            raise InvalidURL("it contains a NUL character or an unpaired surrogate")
        raise InvalidURL("URL contains whitespace or control characters")


def _parse(value: object, *, drop_credentials: bool = False) -> HttpURL:
    _check_text(value)
    start = _START.match(value)
    if start is None:
        raise InvalidURL("URL must start with http:// or https://")
    authority = start[2]
    if "\\" in authority:  # browsers end the host at a backslash, other parsers read on: refuse both readings
        raise InvalidURL("the host is not a valid host name")
    if "@" in authority:
        if not drop_credentials:
            raise InvalidURL("it carries a user name or password")
        # Browsers take the host from after the last "@": so does Corrigo, and keeps no secret.
        value = value[: start.start(2)] + value[start.start(2) + authority.rindex("@") + 1 :]
        authority = authority[authority.rindex("@") + 1 :]
    _check_written_host(authority)
    try:
        href = ada_url.parse_url(value, ("href",))["href"]
    except ValueError:
        raise InvalidURL(f"URL cannot be parsed: {_why_unparsable(authority)}") from None
    return _split(href)


def _check_written_host(authority: str) -> None:
    """Refuse hosts that browsers would rewrite into another host than the one written."""
    if authority.startswith("["):
        if "%" in authority.partition("]")[0]:
            raise InvalidURL("an IPv6 zone is not part of a URL")
        return  # the parser checks the address itself
    host = authority.partition(":")[0]
    if not host:
        raise InvalidURL("URL has no host")
    if _ASCII_HOST.fullmatch(host):
        name = host.lower().removesuffix(".")
        last = name.rpartition(".")[2]
        # Browsers read "127.1" and "0x7f.1" as 127.0.0.1: only the dotted form names one address for all.
        if last[:1].isdigit() and _NUMBER.fullmatch(last):
            try:
                ipaddress.IPv4Address(name)
            except ValueError:
                raise InvalidURL("the host is not a valid IPv4 address") from None
    elif host.isascii():  # quotes, angle brackets, backslashes, percent-escapes…
        raise InvalidURL("the host is not a valid host name")
    elif any(unicodedata.category(ch)[0] not in "LMN" and ch not in "-_" + _HOST_DOTS for ch in host):
        # Browsers drop invisible characters such as U+200B: the host would not be the one shown.
        raise InvalidURL("the host contains characters no host name has")


def _why_unparsable(authority: str) -> str:
    bracketed = authority.startswith("[")
    host, _, port = authority.partition("]") if bracketed else authority.partition(":")
    port = port.removeprefix(":") if bracketed else port
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return "the port is not a number from 1 to 65535"
    if bracketed:
        return "the host is not a valid IPv6 address"
    if not host.isascii():
        return "the host is not a valid internationalised domain name"
    return "the host is not a valid host name"


def _split(href: str) -> HttpURL:
    """The parts of a URL as the WHATWG parser serialises it: scheme://host[:port]/path[?query][#fragment]."""
    scheme, host, port, path, query = _SERIALISED.match(href).groups()
    if port == "0":
        raise InvalidURL("port 0 is not a port a page can be served from")
    return HttpURL(scheme, host if host[0] == "[" else _checked_host(host), int(port) if port else None, path, query or "")


def _checked_host(host: str) -> str:
    # "news.example.org." is the fully qualified form of the same name: browsers reach the same server.
    host = host.removesuffix(".")
    if not _DNS_NAME.fullmatch(host):
        raise InvalidURL("the host is not a valid host name")
    if "xn--" in host:
        for label in host.split("."):
            if label.startswith("xn--") and not _is_punycode(label[4:]):
                raise InvalidURL(f"{label!r} is not valid punycode")
    if len(host) > MAX_HOST_LENGTH:
        raise InvalidURL(f"the host is longer than {MAX_HOST_LENGTH} characters")
    return host


def _is_punycode(text: str) -> bool:
    try:
        return bool(codecs.decode(text, "punycode"))
    except UnicodeError:
        return False
