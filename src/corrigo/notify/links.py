"""Absolute links in mail and chat messages, and the signed tokens in unsubscribe links.

Links start with CORRIGO_BASE_URL (the demo sets its own address). Without it they are
made from the first host in CORRIGO_ALLOWED_HOSTS (http for loopback names, https for
the rest), and the worker says once in its log that the setting is missing.
"""

import logging
from functools import cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

log = logging.getLogger("corrigo.notify")

LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
UNSUBSCRIBE_SALT = "corrigo.notify.unsubscribe"
OPT_OUT_SALT = "corrigo.notify.opt-out"


@cache
def _guessed_base() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
    host = hosts[0] if hosts else "localhost"
    log.warning("CORRIGO_BASE_URL is not set: links in mail and chat messages start with %s", host)
    return f"{'http' if host in LOOPBACK else 'https'}://{host}"


def base_url() -> str:
    return settings.BASE_URL or _guessed_base()


def absolute(path: str) -> str:
    return base_url() + path


def case_link(case_id: int) -> str:
    return absolute(reverse("desk:case", args=[case_id]))


def notification_settings_link() -> str:
    return absolute(reverse("desk:notifications"))


def unsubscribe_link(user_id: int, site_id: int) -> str:
    """One click stops this member's mail about this site (RFC 8058; the token is the proof)."""
    token = signing.dumps({"u": user_id, "s": site_id}, salt=UNSUBSCRIBE_SALT, compress=True)
    return absolute(reverse("notify:unsubscribe", args=[token]))


def read_unsubscribe(token: str) -> tuple[int, int] | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(value["u"]), int(value["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def opt_out_link(address_digest: str, language: str) -> str:
    """A reader's way out: the token carries a keyed hash of their address, never the address."""
    token = signing.dumps({"d": address_digest, "l": language}, salt=OPT_OUT_SALT, compress=True)
    return absolute(reverse("notify:opt-out", args=[token]))


def read_opt_out(token: str) -> tuple[str, str] | None:
    try:
        value = signing.loads(token, salt=OPT_OUT_SALT)
        digest, language = value["d"], value["l"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not (isinstance(digest, str) and len(digest) == 64 and isinstance(language, str)):
        return None
    return digest, language
