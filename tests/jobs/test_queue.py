"""The job queue: written with the change, run at least once, retried with back-off, then dead."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from corrigo.jobs import queue
from corrigo.jobs.models import Job, JobStatus
from corrigo.jobs.worker import work

WORKER = "test-worker"


@pytest.fixture
def handlers():
    """Test-only job kinds, registered for one test and removed after it."""
    added = []

    def register(kind, function):
        queue.HANDLERS[kind] = function
        added.append(kind)
        return function

    yield register
    for kind in added:
        queue.HANDLERS.pop(kind, None)


def queued(**fields):
    with transaction.atomic():
        assert queue.enqueue(fields.pop("kind", "test.noop"), fields.pop("payload", {}), **fields)
    return Job.objects.order_by("-pk").first()


def test_a_job_enqueued_in_a_rolled_back_transaction_does_not_exist(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.enqueue("test.noop", {"case": 1})
        raise RuntimeError("the change failed")
    assert not Job.objects.exists()


def test_a_job_is_stored_with_its_payload_and_every_default(db, site):
    job = queued(payload={"case": 7, "text": "Ünïcode"}, site_id=site.pk)
    assert (job.kind, job.payload, job.site_id, job.status) == (
        "test.noop",
        {"case": 7, "text": "Ünïcode"},
        site.pk,
        JobStatus.QUEUED,
    )
    assert (job.attempts, job.locked_by, job.locked_until, job.last_error, job.finished_at) == (0, "", None, "", None)
    assert job.run_after <= timezone.now()


def test_a_key_keeps_one_job_queued_and_allows_another_once_it_runs(db):
    with transaction.atomic():
        assert queue.enqueue("test.noop", {"n": 1}, key="fetch:42")
        assert not queue.enqueue("test.noop", {"n": 2}, key="fetch:42")
        assert queue.enqueue("test.noop", {"n": 3}, key="fetch:43")
    assert Job.objects.count() == 2
    assert [job.payload["n"] for job in queue.claim(WORKER)] == [1, 3]
    with transaction.atomic():
        assert queue.enqueue("test.noop", {"n": 4}, key="fetch:42")


def test_a_delayed_job_is_not_claimed_before_its_time(db):
    job = queued(delay=60)
    assert queue.claim(WORKER) == []
    claimed = queue.claim(WORKER, now=timezone.now() + timedelta(seconds=61))
    assert [c.pk for c in claimed] == [job.pk]


def test_a_successful_job_is_done(db, handlers):
    seen = []
    handlers("test.record", lambda job: seen.append(job.payload))
    job = queued(kind="test.record", payload={"x": 1})
    [claimed] = queue.claim(WORKER)
    assert queue.run(claimed, WORKER) == JobStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.attempts, job.locked_by, seen) == (JobStatus.DONE, 1, "", [{"x": 1}])
    assert job.finished_at is not None


def test_a_failing_job_is_retried_later_with_its_error_kept(db, handlers):
    def broken(job):
        raise ConnectionError("receiver down")

    handlers("test.broken", broken)
    job = queued(kind="test.broken")
    before = timezone.now()
    [claimed] = queue.claim(WORKER)
    assert queue.run(claimed, WORKER) == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.last_error == "ConnectionError: receiver down"
    # The first delay is 30 s, jittered by ±50 %.
    assert before + timedelta(seconds=15) <= job.run_after <= timezone.now() + timedelta(seconds=45)
    assert queue.claim(WORKER) == []


def test_retry_later_sets_the_delay_the_handler_asks_for(db, handlers):
    def busy(job):
        raise queue.RetryLater("429 from the receiver", after=120)

    handlers("test.busy", busy)
    job = queued(kind="test.busy")
    [claimed] = queue.claim(WORKER)
    queue.run(claimed, WORKER)
    job.refresh_from_db()
    expected = timezone.now() + timedelta(seconds=120)
    assert abs((job.run_after - expected).total_seconds()) < 5
    assert job.last_error == "429 from the receiver"


def test_a_job_that_keeps_failing_becomes_a_dead_letter_after_the_last_try(db, handlers):
    def broken(job):
        raise queue.RetryLater("still down")

    handlers("test.broken", broken)
    job = queued(kind="test.broken")
    now = timezone.now()
    for attempt in range(1, queue.MAX_ATTEMPTS + 1):
        now += timedelta(hours=7)  # past any back-off
        [claimed] = queue.claim(WORKER, now=now)
        status = queue.run(claimed, WORKER)
        assert status == (JobStatus.DEAD if attempt == queue.MAX_ATTEMPTS else JobStatus.QUEUED)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (JobStatus.DEAD, queue.MAX_ATTEMPTS, "still down")
    assert queue.claim(WORKER, now=now + timedelta(days=2)) == []


def test_give_up_makes_a_dead_letter_at_once(db, handlers):
    def gone(job):
        raise queue.GiveUp("410 Gone: the endpoint was removed")

    handlers("test.gone", gone)
    job = queued(kind="test.gone")
    [claimed] = queue.claim(WORKER)
    assert queue.run(claimed, WORKER) == JobStatus.DEAD
    job.refresh_from_db()
    assert (job.attempts, job.last_error) == (1, "410 Gone: the endpoint was removed")


def test_a_job_of_an_unknown_kind_is_a_dead_letter_that_says_so(db):
    job = queued(kind="test.nobody-handles-this")
    [claimed] = queue.claim(WORKER)
    assert queue.run(claimed, WORKER) == JobStatus.DEAD
    job.refresh_from_db()
    assert "no handler" in job.last_error


def test_send_again_gives_a_dead_letter_a_fresh_round(db, handlers):
    handlers("test.gone", lambda job: (_ for _ in ()).throw(queue.GiveUp("down")))
    job = queued(kind="test.gone")
    queue.run(queue.claim(WORKER)[0], WORKER)
    job.refresh_from_db()
    assert queue.send_again(job)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (JobStatus.QUEUED, 0, None)
    assert not queue.send_again(job), "only a dead letter can be sent again"
    assert [c.pk for c in queue.claim(WORKER)] == [job.pk]


def test_the_back_off_spans_about_a_day():
    steady = random.Random(0)
    steady.uniform = lambda low, high: 1.0  # the middle of every jitter range
    waits = [queue.delay_before(attempt, steady) for attempt in range(1, queue.MAX_ATTEMPTS)]
    assert waits[:3] == [30, 60, 120]
    assert waits == sorted(waits)
    assert max(waits) == queue.LONGEST_DELAY
    assert 20 * 3600 <= sum(waits) <= 30 * 3600


def test_the_jitter_stays_within_half_the_delay_either_side():
    rng = random.Random(1)
    waits = [queue.delay_before(4, rng) for _ in range(500)]
    assert min(waits) >= 120 and max(waits) <= 360
    assert max(waits) - min(waits) > 150, "the delays must actually spread"


def test_a_job_whose_worker_died_runs_again_after_the_lease(db, handlers):
    seen = []
    handlers("test.record", lambda job: seen.append(job.locked_by))
    job = queued(kind="test.record")
    [first] = queue.claim("dead-worker")
    assert queue.claim("second-worker") == [], "a leased job is not taken while the lease holds"
    later = timezone.now() + queue.LEASE + timedelta(seconds=1)
    [again] = queue.claim("second-worker", now=later)
    assert again.pk == job.pk and again.attempts == 2
    assert queue.run(again, "second-worker") == JobStatus.DONE
    # The first worker waking up late cannot overwrite the outcome.
    assert queue.run(first, "dead-worker") == JobStatus.DONE
    job.refresh_from_db()
    assert (job.status, seen) == (JobStatus.DONE, ["second-worker", "dead-worker"])
    assert Job.objects.get(pk=job.pk).attempts == 2


def test_the_worker_runs_every_due_job_once(db, handlers):
    seen = []
    handlers("test.record", lambda job: seen.append(job.payload["n"]))
    with transaction.atomic():
        for n in range(25):
            queue.enqueue("test.record", {"n": n})
    assert work(threading.Event(), once=True, periodic=False) == 25
    assert sorted(seen) == list(range(25))
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job(handlers):
    seen, lock = [], threading.Lock()

    def record(job):
        with lock:
            seen.append(job.pk)

    handlers("test.record", record)
    with transaction.atomic():
        for n in range(200):
            queue.enqueue("test.record", {"n": n})
    stop = threading.Event()
    results = []

    def worker(name):
        try:
            results.append(work(stop, once=True, periodic=False, worker=name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("worker-a", "worker-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(seen) == sorted(Job.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 200
    assert sum(results) == 200


def test_a_periodic_job_is_queued_once_per_period(db, handlers):
    queue.PERIODIC["test.tick"] = queue.Periodic("test.tick", 3600)
    try:
        handlers("test.tick", lambda job: None)
        now = timezone.now()
        assert queue.schedule_periodic(now) >= 1
        assert queue.schedule_periodic(now) == 0
        queue.run(queue.claim(WORKER)[0], WORKER)
        assert queue.schedule_periodic(now) == 0, "this period's job ran already"
        assert queue.schedule_periodic(now + timedelta(hours=1)) >= 1
        assert Job.objects.filter(kind="test.tick").count() == 2
    finally:
        queue.PERIODIC.pop("test.tick")


def test_old_finished_jobs_are_pruned_and_recent_ones_kept(db):
    old, recent, dead = queued(), queued(), queued()
    now = timezone.now()
    Job.objects.filter(pk=old.pk).update(status=JobStatus.DONE, finished_at=now - timedelta(days=8))
    Job.objects.filter(pk=recent.pk).update(status=JobStatus.DONE, finished_at=now - timedelta(days=1))
    Job.objects.filter(pk=dead.pk).update(status=JobStatus.DEAD, finished_at=now - timedelta(days=8))
    assert queue.prune(now) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, dead.pk}
