"""Emitting events in the change's transaction, and dispatching them to subscribers in the worker."""

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.notify.models import Event, EventType

log = logging.getLogger("corrigo.notify")

DISPATCH = "notify.dispatch"
# New reports on a case are told at most once per window: the first opens it, and the
# event, sent when it closes, says how many readers there are by then.
UPDATE_WINDOW_SECONDS = getattr(settings, "CORRIGO_UPDATE_WINDOW_SECONDS", 15 * 60)

# What an event's data says, by what it is about; each returns None when that thing is gone.
Describer = Callable[[dict], dict | None]
DESCRIBERS: dict[str, Describer] = {}
# Who hears of events: each subscriber queues its own deliveries (in the dispatch transaction).
Subscriber = Callable[[Event], None]
SUBSCRIBERS: list[Subscriber] = []


def describer(subject: str):
    def register(function: Describer) -> Describer:
        DESCRIBERS[subject] = function
        return function

    return register


def subscriber(function: Subscriber) -> Subscriber:
    if function not in SUBSCRIBERS:
        SUBSCRIBERS.append(function)
    return function


def new_event_uid() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def emit(event_type: EventType | str, *, site_id: int, **refs) -> bool:
    """Record that something happened, in the caller's transaction (one INSERT).

    `refs` name what it is about (case_id=…, notice_id=…). Updates to one case are
    throttled: False when an update about it is already waiting to go.
    """
    event_type = EventType(event_type)
    # When it happened is the job's created_at (the same transaction): no need to write it twice.
    payload = {"uid": new_event_uid(), "type": event_type.value, **refs}
    if event_type == EventType.CASE_UPDATED:
        return queue.enqueue(
            DISPATCH, payload, site_id=site_id, key=f"case.updated:{refs['case_id']}", delay=UPDATE_WINDOW_SECONDS
        )
    return queue.enqueue(DISPATCH, payload, site_id=site_id)


def emit_many(event_type: EventType | str, events: list[tuple[int, dict]]) -> int:
    """Many events of one type, each (site_id, refs), in a few statements: a bulk action's.

    Not for case.updated, whose throttle needs emit()'s one-by-one key check.
    """
    event_type = EventType(event_type)
    if event_type == EventType.CASE_UPDATED:
        raise ValueError("updates to a case are throttled one by one: use emit()")
    now = timezone.now()
    jobs = [
        Job(kind=DISPATCH, payload={"uid": new_event_uid(), "type": event_type.value, **refs}, site_id=site_id, run_after=now)
        for site_id, refs in events
    ]
    Job.objects.bulk_create(jobs, batch_size=500)
    return len(jobs)


def describe(payload: dict) -> dict | None:
    subject = payload["type"].split(".", 1)[0]
    function = DESCRIBERS.get(subject)
    if function is None:
        raise queue.GiveUp(f"nothing describes {subject} events")
    return function(payload)


@queue.handler(DISPATCH)
def dispatch(job: Job) -> None:
    """Fix the event's id and data, and let every subscriber queue its deliveries: all in one transaction.

    Run twice (a worker died after committing), it finds the event and does nothing more.
    """
    payload = job.payload
    with transaction.atomic():
        if Event.objects.filter(uid=payload["uid"]).exists():
            return
        data = describe(payload)
        if data is None:
            log.info("event %s: its %s no longer exists", payload["uid"], payload["type"])
            return
        event = Event.objects.create(
            uid=payload["uid"],
            site_id=job.site_id,
            type=payload["type"],
            data=data,
            occurred_at=job.created_at,
        )
        for function in SUBSCRIBERS:
            function(event)
