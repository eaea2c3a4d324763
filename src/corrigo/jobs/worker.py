"""The worker loop behind `corrigo worker` (which `corrigo demo` starts beside its server)."""

import logging
import signal
import sys
import threading
import time

from django.db import OperationalError, close_old_connections, connections

from corrigo.jobs import queue

log = logging.getLogger("corrigo.jobs")

POLL_SECONDS = 1.0
BATCH = 10
PERIODIC_CHECK_SECONDS = 30.0
PRUNE_SECONDS = 3600.0


def work(
    stop: threading.Event, *, once: bool = False, poll: float = POLL_SECONDS, worker: str | None = None, periodic: bool = True
) -> int:
    """Run due jobs until `stop` is set (or, with once, until none is due); how many ran."""
    worker = worker or queue.worker_name()
    ran = 0
    next_periodic = next_prune = 0.0
    while not stop.is_set():
        try:
            now = time.monotonic()
            if periodic and now >= next_periodic:
                queue.schedule_periodic()
                next_periodic = now + PERIODIC_CHECK_SECONDS
            if now >= next_prune:
                queue.prune()
                next_prune = now + PRUNE_SECONDS
            jobs = queue.claim(worker, BATCH)
            for job in jobs:
                queue.run(job, worker)
                ran += 1
        except OperationalError as exc:
            # The database is away (restarting, locked for long): wait and try again.
            log.warning("worker cannot reach the database: %s", str(exc).splitlines()[0] if str(exc) else exc)
            close_old_connections()
            jobs = []
            if once:
                raise
        if not jobs:
            if once:
                break
            stop.wait(poll)
    return ran


def run_forever() -> None:
    """`corrigo worker`: until SIGTERM or SIGINT, finishing the job in hand."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"Corrigo worker {queue.worker_name()} started; stop it with Ctrl+C or SIGTERM.", file=sys.stderr, flush=True)
    try:
        work(stop)
    finally:
        connections.close_all()
