"""Events: written with the change, dispatched once, with one id and one body for every channel."""

import threading

import pytest
from django.db import transaction

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.jobs.worker import work
from corrigo.notify import events
from corrigo.notify.models import Event, EventType
from tests.desk.conftest import case_about


@pytest.fixture
def heard():
    """A subscriber that records the events it is handed."""
    seen = []
    events.SUBSCRIBERS.append(seen.append)
    yield seen
    events.SUBSCRIBERS.remove(seen.append)


def run_worker():
    return work(threading.Event(), once=True, periodic=False)


def test_an_event_of_a_rolled_back_change_is_never_sent(site, heard):
    case = case_about()
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit(EventType.CASE_RESOLVED, site_id=site.pk, case_id=case.pk)
        raise RuntimeError("the change failed")
    run_worker()
    assert heard == [] and not Event.objects.exists()


def test_an_event_is_dispatched_with_the_case_as_the_read_api_shows_it(site, heard):
    case = case_about()
    with transaction.atomic():
        events.emit(EventType.CASE_CREATED, site_id=site.pk, case_id=case.pk)
    run_worker()
    [event] = heard
    assert event.type == "case.created" and event.site_id == site.pk
    assert event.uid.startswith("msg_")
    assert event.data["case"]["id"] == case.pk
    assert event.data["case"]["quote"]["exact"] == "Augest"
    assert Event.objects.get().uid == event.uid


def test_a_dispatch_run_twice_hands_the_event_over_once(site, heard):
    case = case_about()
    with transaction.atomic():
        events.emit(EventType.CASE_CREATED, site_id=site.pk, case_id=case.pk)
    [job] = queue.claim("w")
    queue.run(job, "w")
    events.dispatch(Job.objects.get(pk=job.pk))  # as a worker would after dying before marking it done
    assert len(heard) == 1 and Event.objects.count() == 1


def test_updates_to_one_case_are_throttled_into_one_event(site, heard):
    case = case_about()
    with transaction.atomic():
        first = [events.emit(EventType.CASE_UPDATED, site_id=site.pk, case_id=case.pk) for _ in range(40)]
        other = case_about("ferry")
        events.emit(EventType.CASE_UPDATED, site_id=site.pk, case_id=other.pk)
    assert first == [True] + [False] * 39
    assert Job.objects.filter(kind=events.DISPATCH).count() == 2
    job = Job.objects.filter(kind=events.DISPATCH).first()
    assert (job.run_after - job.created_at).total_seconds() >= events.UPDATE_WINDOW_SECONDS - 1


def test_an_event_about_a_deleted_case_is_dropped(site, heard):
    case = case_about()
    with transaction.atomic():
        events.emit(EventType.CASE_RESOLVED, site_id=site.pk, case_id=case.pk)
    case.delete()
    run_worker()
    assert heard == [] and not Event.objects.exists()


def test_unknown_event_types_are_refused_at_once(site):
    with pytest.raises(ValueError):
        events.emit("case.exploded", site_id=site.pk, case_id=1)
