"""Proof of work for intake, ALTCHA-compatible and without a third party (docs/decisions/0031-proof-of-work.md).

`GET /api/v1/challenge?site=KEY` hands out an ALTCHA challenge (SHA-256, signed with a
key derived from the secret key, bound to the site, expiring after CHALLENGE_SECONDS);
the widget finds the number in a Web Worker and sends the solution as the report's
`altcha` field. A solution is spent once: its challenge is recorded (Redis SET NX when
REDIS_URL is set, else a row in the database) until it would have expired anyway.

Per site (Site.challenge): `off`; `always`; or `auto`, where a reader needs one from
its SOFT_LIMIT + 1st report in a minute on, and every reader while the whole site
takes more than half its per-minute limit (a flood). Reports that did not come over
HTTP, and those sent with a site's API token (servers), never need one.
"""

import base64
import hashlib
import hmac
import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl

import altcha
from django.conf import settings
from django.db import connection

from corrigo.reports.models import SpentChallenge
from corrigo.sites.models import ChallengeMode, Site
from corrigo.sql import execute, fetchone

log = logging.getLogger(__name__)
# About half a second on a mid-range phone at the figures of bench/README.md ("Proof of work"):
# the widget tries on average MAX_NUMBER / 2 hashes.
MAX_NUMBER = 8_000
CHALLENGE_SECONDS = 600
SOFT_LIMIT = 2  # reports a minute one reader sends before `auto` asks for work


class ChallengeRequired(Exception):
    """This report needs a solved challenge, and came without a valid, unspent one."""


def _key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"corrigo altcha challenges", hashlib.sha256).digest()


def new_challenge(site: Site) -> dict:
    """A fresh challenge for a reader of this site, as ALTCHA's widget and ours read it."""
    expires = datetime.now(UTC) + timedelta(seconds=CHALLENGE_SECONDS)
    challenge = altcha.create_challenge_v1(
        algorithm="SHA-256", max_number=MAX_NUMBER, hmac_key=_key(), expires=expires, params={"site": site.key}
    )
    return challenge.to_dict()


def needed(site: Site, *, client_minute: int | None, site_minute: int | None) -> bool:
    """Whether a report with these counts (this one included) must carry a solution."""
    if site.challenge == ChallengeMode.ALWAYS:
        return True
    if site.challenge == ChallengeMode.OFF:
        return False
    flood = site.reports_per_site_minute > 0 and site_minute is not None and site_minute > site.reports_per_site_minute // 2
    return flood or (client_minute is not None and client_minute > SOFT_LIMIT)


def spend(site: Site, solution: str | None) -> None:
    """Accept a valid solution of a challenge for this site once; ChallengeRequired otherwise."""
    if not solution:
        raise ChallengeRequired("This report needs the answer to a challenge (GET /api/v1/challenge).")
    try:
        ok, _ = altcha.verify_solution_v1(solution, _key(), check_expires=True)
    except (ValueError, TypeError, KeyError, AttributeError):  # a payload of the wrong shape
        ok = False
    if not ok:
        raise ChallengeRequired("The answer to the challenge is wrong or has expired; fetch a new challenge.")
    payload = json.loads(base64.b64decode(solution))
    salt_params = dict(parse_qsl(payload["salt"].split("?", 1)[1])) if "?" in payload["salt"] else {}
    if salt_params.get("site") != site.key or "expires" not in salt_params:
        raise ChallengeRequired("This challenge is for another site; fetch a new challenge.")
    if not _first_use(payload["challenge"], float(salt_params["expires"])):
        raise ChallengeRequired("This challenge was already used; fetch a new challenge.")


def _first_use(challenge: str, expires: float) -> bool:
    if settings.REDIS_URL:
        from redis.exceptions import RedisError

        key = f"{settings.LIMITS_NAMESPACE}:altcha:{challenge}"
        try:
            return bool(_redis(settings.REDIS_URL).set(key, 1, nx=True, exat=int(expires) + 1))
        except RedisError as exc:  # as the limits do without their Redis: go on, here with the database
            log.warning("spent challenges kept in the database: %s", exc)
    if random.random() < 0.01:  # now and then, forget what has expired anyway
        execute(f"DELETE FROM {_TABLE} WHERE expires_at < %s", [time.time()])
    return fetchone(_spend_sql(connection.vendor), [challenge, expires]) is not None


_TABLE = SpentChallenge._meta.db_table


@lru_cache(maxsize=4)
def _spend_sql(vendor: str) -> str:
    return f"INSERT INTO {_TABLE} (challenge, expires_at) VALUES (%s, %s) ON CONFLICT (challenge) DO NOTHING RETURNING id"


@lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2)
