"""Putting work on the queue, claiming it, and recording how each try went.

Apps register what they know how to do with `@handler("kind")` (imported from their
AppConfig.ready()), and work that recurs with `@periodic("kind", seconds)`. Everything
here but `enqueue` runs in the worker.
"""

import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from corrigo.jobs.models import Job, JobStatus
from corrigo.sql import fetchone, write_transaction

log = logging.getLogger("corrigo.jobs")

# Back-off: 30 s, 1 min, 2 min … doubling up to 6 h, each drawn from ±50 % so that jobs
# failing together do not retry together; 13 tries span about a day (20–30 h).
FIRST_DELAY = 30.0
LONGEST_DELAY = 6 * 3600.0
MAX_ATTEMPTS = 13
# A worker that holds a job longer than this is presumed dead, and the job runs again.
LEASE = timedelta(minutes=5)
ERROR_LENGTH = 2000


class RetryLater(Exception):
    """Raised by a handler: this try failed and another may work, after `after` seconds if given."""

    def __init__(self, message: str, after: float | None = None):
        super().__init__(message)
        self.after = after


class GiveUp(Exception):
    """Raised by a handler: no later try can succeed (a 410 Gone, an endpoint deleted)."""


@dataclass(frozen=True)
class Periodic:
    kind: str
    seconds: float


HANDLERS: dict[str, Callable[[Job], None]] = {}
PERIODIC: dict[str, Periodic] = {}


def handler(kind: str):
    """Register the function that runs jobs of this kind."""

    def register(function: Callable[[Job], None]) -> Callable[[Job], None]:
        if HANDLERS.get(kind, function) is not function:
            raise ValueError(f"two handlers for job kind {kind!r}")
        HANDLERS[kind] = function
        return function

    return register


def periodic(kind: str, seconds: float):
    """Register a handler that the worker also enqueues every `seconds` (once across all workers)."""

    def register(function: Callable[[Job], None]) -> Callable[[Job], None]:
        PERIODIC[kind] = Periodic(kind, seconds)
        return handler(kind)(function)

    return register


def enqueue(kind: str, payload: dict | None = None, *, site_id: int | None = None, delay: float = 0.0, key: str = "") -> bool:
    """Add a job in the caller's transaction, so it exists exactly when the change that asked for it does.

    With a key, a job already queued under it stands for this one (debouncing): False then.
    One statement either way; the intake calls this for every report.
    """
    now = timezone.now()
    payload_field = Job._meta.get_field("payload")
    row = fetchone(
        _enqueue_sql(connection.vendor),
        [
            kind,
            payload_field.get_db_prep_save(payload or {}, connection),
            site_id,
            JobStatus.QUEUED,
            key,
            now + timedelta(seconds=delay),
            now,
        ],
    )
    return row is not None


_ENQUEUE_SQL: dict[str, str] = {}


def _enqueue_sql(vendor: str) -> str:
    if vendor not in _ENQUEUE_SQL:
        # Every column, so a new one without a default fails here rather than at 3 a.m.
        defaults = {"attempts": "0", "locked_by": "''", "locked_until": "NULL", "last_error": "''", "finished_at": "NULL"}
        given = ["kind", "payload", "site_id", "status", "key", "run_after", "created_at"]
        columns = [f.column for f in Job._meta.concrete_fields if not f.primary_key]
        if set(columns) != set(given) | set(defaults):
            raise RuntimeError(f"jobs.enqueue does not know the columns {sorted(set(columns) - set(given) - set(defaults))}")
        quote = connection.ops.quote_name
        values = ["%s" if c in given else defaults[c] for c in columns]
        ordered = [c for c in columns if c in given]
        if ordered != given:
            raise RuntimeError("jobs.enqueue: column order drifted from the model")
        _ENQUEUE_SQL[vendor] = (
            f"INSERT INTO {Job._meta.db_table} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(values)})"
            " ON CONFLICT DO NOTHING RETURNING id"
        )
    return _ENQUEUE_SQL[vendor]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(worker: str, limit: int = 10, now: datetime | None = None) -> list[Job]:
    """Take up to `limit` due jobs (and jobs whose worker's lease ran out) for this worker.

    PostgreSQL: rows other workers are claiming are skipped (SKIP LOCKED), so several
    workers never wait on each other. SQLite: the write transaction already lets one in.
    """
    now = now or timezone.now()
    due = Q(status=JobStatus.QUEUED, run_after__lte=now) | Q(status=JobStatus.RUNNING, locked_until__lt=now)
    with write_transaction():
        jobs = list(Job.objects.select_for_update(skip_locked=True).filter(due).order_by("run_after", "pk")[:limit])
        if not jobs:
            return []
        # A claimed job gives up its key: a new job under the same key can be queued while it runs.
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(
            status=JobStatus.RUNNING, locked_by=worker, locked_until=now + LEASE, attempts=F("attempts") + 1, key=""
        )
    for job in jobs:
        job.status, job.locked_by, job.locked_until, job.key = JobStatus.RUNNING, worker, now + LEASE, ""
        job.attempts += 1
    return jobs


def run(job: Job, worker: str) -> str:
    """Run one claimed job and record the outcome; the job's new status."""
    function = HANDLERS.get(job.kind)
    try:
        if function is None:
            raise GiveUp(f"no handler for job kind {job.kind!r}")
        function(job)
    except RetryLater as exc:
        return _failed(job, worker, str(exc) or "retry later", exc.after)
    except GiveUp as exc:
        return _settle(job, worker, JobStatus.DEAD, str(exc))
    except Exception as exc:  # a handler's bug must not stop the worker: the job is retried, then dead
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return _failed(job, worker, f"{type(exc).__name__}: {exc}", None)
    return _settle(job, worker, JobStatus.DONE, "")


def delay_before(attempt: int, rng: random.Random = random._inst) -> float:
    """Seconds to wait after the attempt-th failed try: exponential, capped, jittered ±50 %."""
    base = min(FIRST_DELAY * 2 ** (attempt - 1), LONGEST_DELAY)
    return base * rng.uniform(0.5, 1.5)


def _failed(job: Job, worker: str, error: str, after: float | None) -> str:
    if job.attempts >= MAX_ATTEMPTS:
        return _settle(job, worker, JobStatus.DEAD, error)
    wait = delay_before(job.attempts) if after is None else min(max(after, 1.0), LONGEST_DELAY)
    _mine(job, worker).update(
        status=JobStatus.QUEUED,
        run_after=timezone.now() + timedelta(seconds=wait),
        locked_by="",
        locked_until=None,
        last_error=error[:ERROR_LENGTH],
    )
    job.status = JobStatus.QUEUED
    return job.status


def _settle(job: Job, worker: str, status: str, error: str) -> str:
    _mine(job, worker).update(
        status=status, finished_at=timezone.now(), locked_by="", locked_until=None, last_error=error[:ERROR_LENGTH]
    )
    job.status = status
    return status


def _mine(job: Job, worker: str):
    # Only while this worker still holds it: past the lease another worker may have it now.
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, locked_by=worker)


@transaction.atomic
def send_again(job: Job) -> bool:
    """Queue a dead letter for delivery again, with a fresh round of tries. False if it was not dead."""
    return bool(
        Job.objects.filter(pk=job.pk, status=JobStatus.DEAD).update(
            status=JobStatus.QUEUED, attempts=0, run_after=timezone.now(), finished_at=None
        )
    )


def schedule_periodic(now: datetime | None = None) -> int:
    """Queue each periodic job for the current period unless it is queued or ran already; how many were added.

    A period is a slot of `seconds` since the epoch, so every worker asks for the same one
    and the first to ask queues it.
    """
    now = now or timezone.now()
    added = 0
    for entry in PERIODIC.values():
        slot = int(now.timestamp() // entry.seconds)
        if Job.objects.filter(kind=entry.kind, payload__slot=slot).exists():
            continue
        with transaction.atomic():
            added += enqueue(entry.kind, {"slot": slot}, key=f"periodic:{entry.kind}:{slot}")
    return added


# Finished jobs are kept a while for the desk to show, then removed by the worker.
KEEP_DONE = timedelta(days=7)
KEEP_DEAD = timedelta(days=30)


def prune(now: datetime | None = None) -> int:
    now = now or timezone.now()
    removed, _ = Job.objects.filter(
        Q(status=JobStatus.DONE, finished_at__lt=now - KEEP_DONE) | Q(status=JobStatus.DEAD, finished_at__lt=now - KEEP_DEAD)
    ).delete()
    return removed
