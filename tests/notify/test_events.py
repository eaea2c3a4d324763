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


def quiet_case(heard, exact="Augest"):
    """A case whose own case.created event (intake emits it) is already dispatched and forgotten."""
    case = case_about(exact)
    run_worker()
    heard.clear()
    Event.objects.all().delete()
    return case


def test_an_event_of_a_rolled_back_change_is_never_sent(site, heard):
    case = quiet_case(heard)
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit(EventType.CASE_RESOLVED, site_id=site.pk, case_id=case.pk)
        raise RuntimeError("the change failed")
    run_worker()
    assert heard == [] and not Event.objects.exists()


def test_an_event_is_dispatched_with_the_case_as_the_read_api_shows_it(site, heard):
    case = case_about()  # intake emits case.created in the report's transaction
    run_worker()
    [event] = heard
    assert event.type == "case.created" and event.site_id == site.pk
    assert event.uid.startswith("msg_")
    assert event.data["case"]["id"] == case.pk
    assert event.data["case"]["quote"]["exact"] == "Augest"
    assert Event.objects.get().uid == event.uid


def test_a_dispatch_run_twice_hands_the_event_over_once(site, heard):
    case = quiet_case(heard)
    with transaction.atomic():
        events.emit(EventType.CASE_CREATED, site_id=site.pk, case_id=case.pk)
    [job] = queue.claim("w")
    queue.run(job, "w")
    events.dispatch(Job.objects.get(pk=job.pk))  # as a worker would after dying before marking it done
    assert len(heard) == 1 and Event.objects.count() == 1


def test_updates_to_one_case_are_throttled_into_one_event(site, heard):
    case = quiet_case(heard)
    other = quiet_case(heard, "ferry")
    with transaction.atomic():
        first = [events.emit(EventType.CASE_UPDATED, site_id=site.pk, case_id=case.pk) for _ in range(40)]
        events.emit(EventType.CASE_UPDATED, site_id=site.pk, case_id=other.pk)
    assert first == [True] + [False] * 39
    waiting = Job.objects.filter(kind=events.DISPATCH, status="queued")
    assert waiting.count() == 2
    job = waiting.first()
    assert (job.run_after - job.created_at).total_seconds() >= events.UPDATE_WINDOW_SECONDS - 1


def test_an_event_about_a_deleted_case_is_dropped(site, heard):
    case = quiet_case(heard)
    with transaction.atomic():
        events.emit(EventType.CASE_RESOLVED, site_id=site.pk, case_id=case.pk)
    case.delete()
    run_worker()
    assert heard == [] and not Event.objects.exists()


def test_unknown_event_types_are_refused_at_once(site):
    with pytest.raises(ValueError):
        events.emit("case.exploded", site_id=site.pk, case_id=1)


def test_a_bulk_outcome_writes_its_events_in_a_few_statements_each_dispatched(site, heard, editor, django_assert_max_num_queries):
    from corrigo.reports import actions

    cases = [quiet_case(heard, exact) for exact in ("Augest", "ferry", "islanders")]
    with django_assert_max_num_queries(12):
        actions.resolve_many(cases, "spam", by=editor)
    run_worker()
    assert sorted(e.data["case"]["id"] for e in heard) == sorted(c.pk for c in cases)
    assert {e.type for e in heard} == {"case.resolved"} and len({e.uid for e in heard}) == 3


def test_bulk_updates_are_refused_as_they_would_slip_the_throttle(site):
    with pytest.raises(ValueError, match="throttled"):
        events.emit_many(EventType.CASE_UPDATED, [(site.pk, {"case_id": 1})])
