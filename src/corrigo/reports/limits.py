"""Intake's limits: how many reports one client, and one whole site, may send in a while.

Counted with the `limits` library's fixed windows (docs/decisions/0030-intake-limits.md),
in Redis when REDIS_URL is set, so that every app process shares the counts, and in the
database otherwise (DatabaseCounters below, a `limits` storage of our own). The database
counters are counted in the report's own transaction, so a refused report leaves no
trace and an accepted one costs no commit of its own; Redis counts before it.

Each site sets its own numbers (Site.reports_per_client_minute, _per_client_hour,
_per_site_minute; 0 is no limit). Reports that did not come over HTTP (no client) are
not counted.
"""

import logging
import math
import time
from functools import lru_cache

from django.conf import settings
from django.db import connection
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import RedisStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.reports import challenges
from corrigo.reports.models import LimitCounter
from corrigo.sites.models import ChallengeMode, Site
from corrigo.sql import execute, fetchall, fetchone

log = logging.getLogger(__name__)


class RateLimited(Exception):
    """Over one of the site's limits; nothing was stored. `retry_after` in whole seconds."""

    def __init__(self, retry_after: int, scope: str):
        super().__init__(f"over the {scope} limit")
        self.retry_after, self.scope = retry_after, scope


class DatabaseCounters(Storage):
    """Fixed-window counters in a table (LimitCounter): one row per window key, reused when it expires."""

    STORAGE_SCHEME = ["corrigo+database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        from django.db import DatabaseError

        return DatabaseError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        (_, count) = fetchone(_incr_sql(connection.vendor, 1), [key, amount, now + expiry, now, now])
        return count

    def get(self, key: str) -> int:
        row = fetchone(f"SELECT count FROM {_TABLE} WHERE {_KEY} = %s AND expires_at > %s", [key, time.time()])
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = fetchone(f"SELECT expires_at FROM {_TABLE} WHERE {_KEY} = %s", [key])
        return max(row[0], time.time()) if row else time.time()

    def get_many(self, keys: list[str]) -> dict[str, int]:
        """The live counts of these keys in one statement (intake reads all its windows at once)."""
        marks = ", ".join(["%s"] * len(keys))
        sql = f"SELECT {_KEY}, count FROM {_TABLE} WHERE {_KEY} IN ({marks}) AND expires_at > %s"
        return dict(fetchall(sql, [*keys, time.time()]))

    def incr_many(self, expiries: dict[str, int]) -> dict[str, int]:
        """incr() of each key by 1, its window `expiries[key]` seconds long, in one statement; the new counts."""
        now = time.time()
        rows = [value for key, expiry in expiries.items() for value in (key, 1, now + expiry)]
        return dict(fetchall(_incr_sql(connection.vendor, len(expiries)), [*rows, now, now]))

    def check(self) -> bool:
        return fetchone("SELECT 1") is not None

    def reset(self) -> int | None:
        return LimitCounter.objects.all().delete()[0]

    def clear(self, key: str) -> None:
        execute(f"DELETE FROM {_TABLE} WHERE {_KEY} = %s", [key])


_TABLE = LimitCounter._meta.db_table
_KEY = "window_key"

PRUNE_JOB = "limits.prune_counters"


def prune_expired_counters(now: float | None = None) -> int:
    """Delete the database's limit windows that have run out; how many.

    An expired window is reused only by the same key, and a reader's key holds the day's
    client hash: without this, the table would keep every reader's windows for ever.
    """
    return LimitCounter.objects.filter(expires_at__lt=time.time() if now is None else now).delete()[0]


@queue.periodic(PRUNE_JOB, 3600)
def _prune_job(job: Job) -> None:
    prune_expired_counters()


@lru_cache(maxsize=16)
def _incr_sql(vendor: str, rows: int) -> str:
    # An expired window starts again at `amount`; a live one adds to its count. One statement,
    # so two processes counting at once cannot both read n and write n + 1.
    values = ", ".join(["(%s, %s, %s)"] * rows)
    return (
        f"INSERT INTO {_TABLE} ({_KEY}, count, expires_at) VALUES {values}"
        f" ON CONFLICT ({_KEY}) DO UPDATE SET"
        f" count = CASE WHEN {_TABLE}.expires_at <= %s THEN excluded.count ELSE {_TABLE}.count + excluded.count END,"
        f" expires_at = CASE WHEN {_TABLE}.expires_at <= %s THEN excluded.expires_at ELSE {_TABLE}.expires_at END"
        f" RETURNING {_KEY}, count"
    )


@lru_cache(maxsize=4)
def _limiter(redis_url: str) -> FixedWindowRateLimiter:
    if redis_url:
        return FixedWindowRateLimiter(storage_from_string(redis_url, wrap_exceptions=True, key_prefix="corrigo"))
    return FixedWindowRateLimiter(DatabaseCounters(wrap_exceptions=True))


@lru_cache(maxsize=1024)
def _windows(namespace: str, per_client_minute: int, per_client_hour: int, per_site_minute: int):
    """(name, limit) of each limit set (not 0), built once per set of numbers rather than per report."""
    items = [
        ("client_minute", RateLimitItemPerMinute(per_client_minute, namespace=namespace)),
        ("client_hour", RateLimitItemPerHour(per_client_hour, namespace=namespace)),
        ("site_minute", RateLimitItemPerMinute(per_site_minute, namespace=namespace)),
    ]
    return tuple((name, item) for name, item in items if item.amount > 0)


# limits' own incr_expire.lua (RedisStorage.incr), for several keys in one round trip.
_INCR_MANY_LUA = """
local counts = {}
for i, key in ipairs(KEYS) do
    local amount = tonumber(ARGV[2 * i])
    local current = redis.call("incrby", key, amount)
    if tonumber(current) == amount then
        redis.call("expire", key, ARGV[2 * i - 1])
    end
    counts[i] = current
end
return counts
"""


@lru_cache(maxsize=4)
def _incr_many_script(storage: RedisStorage):
    return storage.get_connection().register_script(_INCR_MANY_LUA)


def _redis_incr_many(storage: RedisStorage, expiries: dict[str, int]) -> dict[str, int]:
    """storage.incr() of each key by 1, its window `expiries[key]` seconds long, in one script call; the new counts."""
    keys = list(expiries)
    try:
        counts = _incr_many_script(storage)(
            [storage.prefixed_key(key) for key in keys], [v for k in keys for v in (expiries[k], 1)]
        )
    except storage.base_exceptions as exc:
        raise StorageError(exc) from exc
    return dict(zip(keys, map(int, counts), strict=True))


def _items(site: Site, client: str) -> list[tuple[str, RateLimitItem, tuple[str, ...]]]:
    """(name, limit, identifiers) of each limit the site sets, for this client."""
    by_client, by_site = (str(site.pk), "client", client), (str(site.pk), "site")
    windows = _windows(
        settings.LIMITS_NAMESPACE, site.reports_per_client_minute, site.reports_per_client_hour, site.reports_per_site_minute
    )
    return [(name, item, by_site if name == "site_minute" else by_client) for name, item in windows]


def _refusal(limiter: FixedWindowRateLimiter, name: str, item: RateLimitItem, identifiers) -> RateLimited:
    reset = limiter.get_window_stats(item, *identifiers).reset_time
    return RateLimited(max(1, math.ceil(reset - time.time())), name.split("_", maxsplit=1)[0])


class IntakeLimits:
    """The limits of one report, and whether it must carry a solved challenge (reports.challenges).

    Checked `before` its transaction, and counted in it. With Redis everything happens
    `before`. With database counters the count is one statement in the report's
    transaction: on SQLite first (the write lock is held from BEGIN anyway, and a refusal
    then costs no work), on PostgreSQL last, after a read-only check `before`, so that the
    site's counter row is locked for the shortest time.
    """

    def __init__(self, site: Site, client: str, *, solution: str | None = None, token_sent: bool = False):
        self.site, self.client, self.solution = site, client, solution
        self.active = bool(client) and settings.INTAKE_LIMITS
        self.limiter = _limiter(settings.REDIS_URL) if self.active else None
        self.items = _items(site, client) if self.active else []
        self.keys = {name: item.key_for(*identifiers) for name, item, identifiers in self.items}
        self.in_database = self.active and isinstance(self.limiter.storage, DatabaseCounters)
        self.counts_first = bool(self.items) and self.in_database and connection.vendor == "sqlite"
        self.gated = bool(client) and not token_sent and site.challenge != ChallengeMode.OFF

    def before(self) -> None:
        """Raise RateLimited or ChallengeRequired when this report cannot be taken (Redis: count it now)."""
        if self.counts_first:
            return
        counts: dict[str, int] = {}
        try:
            if self.items and self.in_database:
                now = self.limiter.storage.get_many(list(self.keys.values()))
                counts = {name: now.get(key, 0) + 1 for name, key in self.keys.items()}
            elif self.items:
                storage = self.limiter.storage
                expiries = {self.keys[name]: item.get_expiry() for name, item, _ in self.items}
                if type(storage) is RedisStorage:  # not a cluster, whose keys may live on other nodes
                    now = _redis_incr_many(storage, expiries)
                else:
                    now = {key: storage.incr(key, expiry) for key, expiry in expiries.items()}
                counts = {name: now[key] for name, key in self.keys.items()}
        except StorageError as exc:
            # Readers' reports matter more than the limits: without Redis, intake goes on unlimited.
            log.warning("intake limits not counted: %s", exc.storage_error)
        self._judge(counts)

    def count_before_storing(self) -> None:
        """First in the report's transaction (SQLite): count it, or raise to roll it back."""
        if self.counts_first:
            self._judge(self._count())

    def count_after_storing(self) -> None:
        """Last in the report's transaction (PostgreSQL): count it, or raise RateLimited to roll it back."""
        if self.items and self.in_database and not self.counts_first:
            self._refuse_over(self._count())

    def _count(self) -> dict[str, int]:
        counts = self.limiter.storage.incr_many({self.keys[name]: item.get_expiry() for name, item, _ in self.items})
        return {name: counts[key] for name, key in self.keys.items()}

    def _refuse_over(self, counts: dict[str, int]) -> None:
        for name, item, identifiers in self.items:
            if counts.get(name, 0) > item.amount:
                raise _refusal(self.limiter, name, item, identifiers)

    def _judge(self, counts: dict[str, int]) -> None:
        self._refuse_over(counts)
        if self.gated and challenges.needed(
            self.site, client_minute=counts.get("client_minute"), site_minute=counts.get("site_minute")
        ):
            challenges.spend(self.site, self.solution)
