"""Who sent a request, as far as intake may know: a keyed hash of the client's address, never the address.

The address is the peer's, or, when the peer is one of CORRIGO_TRUSTED_PROXIES, the
nearest address in X-Forwarded-For that is not a trusted proxy. It is hashed with
HMAC-SHA256 under a key made of the secret key and a salt of the day: the salts live in
the database (so every app process hashes alike) and are deleted after a day, after
which nobody, not even with the database and the secret key, can tell whose a hash was.
IPv6 clients are hashed by their /64, the block one subscriber usually has.
"""

import hmac
import ipaddress
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from corrigo.reports.models import ClientSalt

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = ipaddress.ip_address("0.0.0.0")  # a peer Django could not name (never on a real socket)
_salts: dict[date, bytes] = {}


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> Address:
    """The client's address: the peer's, unless a trusted proxy passed the client's on."""
    address = _parse(request.META.get("REMOTE_ADDR") or "") or UNKNOWN
    if not _trusted(address):
        return address
    # Each proxy appends the address it was sent from: read from the right, past our own
    # proxies; whatever lies left of the first outsider is the outsider's to invent.
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        sender = _parse(entry)
        if sender is None:
            break
        address = sender
        if not _trusted(sender):
            break
    return address


def _salt(day: date) -> bytes:
    salt = _salts.get(day)
    if salt is None:
        row, _ = ClientSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        # Yesterday's is kept for the requests under way at midnight; older ones are gone for good.
        ClientSalt.objects.filter(day__lt=day - timedelta(days=1)).delete()
        _salts.clear()
        salt = _salts[day] = bytes.fromhex(row.salt)
    return salt


def client_hash(site_id: int, address: Address, day: date | None = None) -> str:
    """The client's keyed hash for this site on this day (today): what intake stores and counts, not the address."""
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Network((address, 64), strict=False).network_address
    key = _salt(day or timezone.now().date()) + settings.SECRET_KEY.encode()
    return hmac.digest(key, f"{site_id}|{address}".encode(), "sha256").hex()[:32]  # one-shot: no HMAC object


def request_client(request: HttpRequest, site_id: int) -> str:
    return client_hash(site_id, client_address(request))


def forget_cached_salts() -> None:
    _salts.clear()
