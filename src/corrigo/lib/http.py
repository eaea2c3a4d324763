"""The one outbound HTTP client: every request Corrigo makes (fetching pages, webhooks) goes here.

A URL from a site's settings or a fetched page's redirect is someone else's input, and
the server it names may be inside our network. So before any connection:
- the URL must be http(s) (corrigo.lib.urls, the one URL parser), without user name or
  password, to a host the caller allows;
- the host is resolved once, and every address it resolves to must be public (not
  loopback, private, link-local, shared, multicast, reserved or unspecified, nor an
  IPv4-mapped, NAT64 or 6to4 form of one) unless host:port is listed in
  CORRIGO_ALLOW_PRIVATE_HOSTS;
- the connection goes to the checked address (TLS still verifies the host name), so a
  second DNS answer cannot send it elsewhere;
- redirects are followed only when asked, at most `max_redirects`, each re-checked;
- the answer is read up to `max_bytes` (after decompression) within `timeout` seconds in
  all, however slowly the server drips it.
A refused URL raises Refused before any socket is opened.
"""

import http.client
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import urllib3
import urllib3.connection
from django.conf import settings

import corrigo
from corrigo.lib import urls

USER_AGENT = f"Corrigo/{corrigo.__version__} (reader corrections; +https://github.com/corrigo/corrigo)"
DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 16 * 1024

# IPv6 prefixes that carry an IPv4 address inside, and where it sits.
NAT64 = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
TEREDO = ipaddress.ip_network("2001::/32")

Resolver = Callable[[str, int], Iterable[str]]


class Refused(Exception):
    """The request was not made: the URL, its host or its address is not allowed. Says why."""


class FetchFailed(Exception):
    """The request was made and failed: network error, timeout, an answer too large or malformed."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and what to say to the server."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal without brackets
    port: int
    path: str  # path and query
    address: str  # the checked IP address the connection goes to


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str  # the final URL, after redirects
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # a charset nobody knows
            return self.body.decode("utf-8", errors="replace")


def private_hosts_allowed() -> frozenset[tuple[str, int]]:
    """CORRIGO_ALLOW_PRIVATE_HOSTS as (host, port) pairs (corrigo.config.host_port_list)."""
    return frozenset(getattr(settings, "ALLOW_PRIVATE_HOSTS", ()))


def check_url(raw: str, base: str | None = None) -> urls.HttpURL:
    """The http(s) URL (read relative to `base` when given), or Refused saying why."""
    try:
        return urls.join_http_url(base, raw) if base else urls.parse_http_url(raw)
    except urls.InvalidURL as exc:
        raise Refused(str(exc)) from None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if any(address in net for net in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public(text: str) -> bool:
    """True for an address on the public internet, and for nothing that could be ours."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address in TEREDO:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(str(inner))
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified or address.is_loopback or address.is_link_local
    )


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"the host {host} cannot be resolved ({exc})") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def target(
    raw: str,
    *,
    allow: Callable[[str, str, int], bool],
    base: str | None = None,
    resolve: Resolver = system_resolver,
) -> Target:
    """Check a URL and its addresses; Refused (saying why) before anything is sent."""
    url = check_url(raw, base)
    scheme, host, port = url.scheme, url.host.strip("[]"), url.port_number
    if not allow(scheme, host, port):
        raise Refused(f"{scheme}://{host}:{port} is not among the hosts this request may go to")
    addresses = list(resolve(host, port))
    if not addresses:
        raise Refused(f"the host {host} has no address")
    if (host.lower(), port) not in private_hosts_allowed():
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise Refused(f"{host} resolves to {private[0]}, which is not a public address")
    path = url.path + (f"?{url.query}" if url.query else "")
    return Target(url.href, scheme, host, port, path, addresses[0])


def _host_header(t: Target) -> str:
    host = f"[{t.host}]" if ":" in t.host else t.host
    return host if t.port == DEFAULT_PORTS[t.scheme] else f"{host}:{t.port}"


def _connection(t: Target, timeout: float) -> urllib3.connection.HTTPConnection:
    if t.scheme == "https":
        # Connect to the checked address; verify the certificate for the host name.
        return urllib3.connection.HTTPSConnection(
            t.address, t.port, timeout=timeout, server_hostname=t.host, assert_hostname=t.host, cert_reqs="CERT_REQUIRED"
        )
    return urllib3.connection.HTTPConnection(t.address, t.port, timeout=timeout)


def request(
    method: str,
    url: str,
    *,
    allow: Callable[[str, str, int], bool],
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = 2 * 1024 * 1024,
    timeout: float = 10.0,
    max_redirects: int = 0,
    resolve: Resolver = system_resolver,
) -> Answer:
    """Make one request (following up to max_redirects redirects for GET), under every rule above.

    Refused when a URL (the first or a redirect's) is not allowed; FetchFailed when the
    request was made and did not give a whole answer within the limits.
    """
    deadline = time.monotonic() + timeout
    current = target(url, allow=allow, resolve=resolve)
    seen: list[str] = []
    while True:
        answer = _once(method, current, body, headers, max_bytes, deadline)
        location = answer.headers.get("location")
        if answer.status not in REDIRECTS or not location or max_redirects == 0:
            answer.redirects = seen
            return answer
        if len(seen) >= max_redirects:
            raise FetchFailed(f"more than {max_redirects} redirects")
        seen.append(current.url)
        current = target(location, allow=allow, base=current.url, resolve=resolve)
        if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
            method, body = "GET", None


def _once(
    method: str, t: Target, body: bytes | None, headers: Mapping[str, str] | None, max_bytes: int, deadline: float
) -> Answer:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("timed out")
    sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **(headers or {}), "Host": _host_header(t)}
    connection = _connection(t, min(remaining, 5.0))
    # Socket timeouts bound each read, not the whole answer: a server that drips a byte a
    # second would never trip them. At the deadline this timer shuts the socket instead.
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        if connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(remaining, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.connect()
        connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        connection.request(method, t.path, body=body, headers=sent, preload_content=False, decode_content=True)
        response = connection.getresponse()
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > max_bytes
            and response.headers.get("content-encoding") in (None, "", "identity")
        ):
            raise FetchFailed(f"the answer is larger than {max_bytes} bytes")
        chunks, size = [], 0
        for chunk in response.stream(CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(f"the answer is larger than {max_bytes} bytes")
            chunks.append(chunk)
        if expired.is_set():
            raise FetchFailed("timed out")
    except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as exc:
        raise FetchFailed("timed out" if expired.is_set() else _reason(exc)) from None
    finally:
        watchdog.cancel()
        connection.close()
    return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, b"".join(chunks), t.url)


def _reason(exc: Exception) -> str:
    inner = getattr(exc, "reason", None) or exc
    if isinstance(inner, urllib3.exceptions.TimeoutError | socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(inner, urllib3.exceptions.DecodeError):
        return "the answer's compression is broken"
    text = str(inner).split(": ", 1)[-1] if str(inner) else type(inner).__name__
    return text[:300]
