"""Intake's limits: per reader per site, per site in all, one voice per reader per passage (docs/api.md).

Each test runs with the database counters and with Redis (127.0.0.1:6379 or REDIS_URL).
"""

import json
import os
import socket
import uuid

import pytest

from corrigo.reports.models import Article, ArticleVersion, Case, LimitCounter, Report
from corrigo.sites.models import ChallengeMode, Site
from corrigo.sites.services import set_intake_limits
from tests.conftest import ARTICLE_TEXT, ORIGIN, payload

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_listens() -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def counters(request, settings, db):
    settings.INTAKE_LIMITS = True
    Site.objects.update(challenge=ChallengeMode.OFF)  # the proof of work has tests of its own
    settings.LIMITS_NAMESPACE = f"test-{uuid.uuid4().hex}"  # nothing counted by an earlier run
    if request.param == "redis":
        if not redis_listens():
            pytest.skip(f"no Redis at {REDIS_URL}")
        settings.REDIS_URL = REDIS_URL
    else:
        settings.REDIS_URL = ""
    return request.param


def post(client, body, remote="192.0.2.10"):
    return client.post(
        "/api/v1/reports", data=json.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN, REMOTE_ADDR=remote
    )


def passages(count):
    """Bodies on `count` different passages of one text (so that none is folded into another)."""
    words = [word for word in dict.fromkeys(ARTICLE_TEXT.replace("\n", " ").split(" ")) if len(word) > 3]
    return [payload(word) for word in words[:count]]


def stored():
    return (Report.objects.count(), Case.objects.count(), Article.objects.count(), ArticleVersion.objects.count())


def test_a_reader_over_five_a_minute_is_refused_with_retry_after_and_nothing_stored(client, site, counters):
    bodies = passages(6)
    assert [post(client, body).status_code for body in bodies[:5]] == [201] * 5
    before = stored()
    refused = post(client, bodies[5])
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read Retry-After
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]
    assert stored() == before


def test_another_reader_is_not_held_up_by_one_over_the_limit(client, site, counters):
    bodies = passages(7)
    for body in bodies[:6]:
        post(client, body, remote="192.0.2.10")
    assert post(client, bodies[6], remote="192.0.2.11").status_code == 201


def test_the_hourly_limit_holds_after_the_minute_is_over(client, site, counters):
    set_intake_limits(site, reports_per_client_minute=10, reports_per_client_hour=3)
    bodies = passages(4)
    assert [post(client, body).status_code for body in bodies] == [201, 201, 201, 429]
    assert 60 < int(post(client, bodies[3])["Retry-After"]) <= 3600


def test_the_site_limit_counts_every_reader(client, site, counters):
    set_intake_limits(site, reports_per_site_minute=3)
    bodies = passages(4)
    answers = [post(client, body, remote=f"192.0.2.{20 + number}").status_code for number, body in enumerate(bodies)]
    assert answers == [201, 201, 201, 429]
    assert "site limit" in post(client, bodies[3], remote="192.0.2.99").json()["error"]["message"]


def test_each_site_has_its_own_limits(client, site, other_site, counters):
    set_intake_limits(site, reports_per_client_minute=1)
    bodies = passages(3)
    assert post(client, bodies[0]).status_code == 201
    assert post(client, bodies[1]).status_code == 429
    other = payload("Augest", site="gazette")
    assert (
        client.post(
            "/api/v1/reports",
            data=json.dumps(other),
            content_type="text/plain",
            HTTP_ORIGIN="https://gazette.example.com",
            REMOTE_ADDR="192.0.2.10",
        ).status_code
        == 201
    )


def test_zero_is_no_limit(client, site, counters):
    set_intake_limits(site, reports_per_client_minute=0, reports_per_client_hour=0, reports_per_site_minute=0)
    assert {post(client, body).status_code for body in passages(8)} == {201}


def test_a_replay_is_answered_and_not_counted_twice(client, site, counters):
    set_intake_limits(site, reports_per_client_minute=2)
    first, second = passages(2)
    assert post(client, first).status_code == 201
    assert post(client, first).status_code in (200, 429)  # Redis counts before it knows it is a replay
    if counters == "database":
        assert post(client, second).status_code == 201


def test_a_second_report_on_the_same_passage_is_folded_into_the_first(client, site, counters):
    first = post(client, payload("Augest"))
    again = post(client, payload("Augest to", suggestion="August to"))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.count() == 1
    assert Case.objects.get().report_count == 1


def test_another_reader_on_the_same_passage_joins_the_case(client, site, counters):
    post(client, payload("Augest"), remote="192.0.2.10")
    post(client, payload("Augest"), remote="192.0.2.11")
    assert Report.objects.count() == 2
    assert Case.objects.get().report_count == 2


def test_the_same_reader_on_another_passage_is_a_new_case(client, site, counters):
    post(client, payload("Augest"))
    post(client, payload("islanders"))
    assert Case.objects.count() == 2


def test_reports_without_an_address_are_not_limited(site, counters):
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report

    set_intake_limits(site, reports_per_client_minute=1, reports_per_site_minute=1)
    for body in passages(3):
        assert submit_report(site, ReportIn.model_validate(body)).created


def test_database_counters_keep_one_row_per_window(client, site, counters):
    for body in passages(3):
        post(client, body)
    expected = 3 if counters == "database" else 0  # client minute, client hour, site minute
    assert LimitCounter.objects.count() == expected


@pytest.mark.parametrize("counters", ["redis"], indirect=True)
def test_redis_windows_expire_after_their_minute_and_hour(client, site, counters, settings):
    import redis

    for body in passages(2):
        post(client, body)
    connection = redis.Redis.from_url(REDIS_URL)
    windows = {key.decode(): connection.ttl(key) for key in connection.scan_iter(f"*{settings.LIMITS_NAMESPACE}*")}
    assert sorted(int(connection.get(key)) for key in windows) == [2, 2, 2]  # client minute, client hour, site minute
    assert sorted(1 if ttl <= 60 else 60 if ttl <= 3600 else 0 for ttl in windows.values()) == [1, 1, 60]
    assert all(ttl > 0 for ttl in windows.values())


@pytest.mark.parametrize(
    "values",
    [{"reports_per_client_minute": -1}, {"reports_per_site_minute": "5"}, {"reports_per_client_minute": 1.5}],
)
def test_a_limit_is_a_whole_number(site, values):
    with pytest.raises(ValueError, match="whole number"):
        set_intake_limits(site, **values)


def test_only_intake_limits_can_be_set_that_way(site):
    with pytest.raises(TypeError, match="not an intake limit"):
        set_intake_limits(site, name="renamed")


def test_without_its_redis_intake_goes_on_unlimited(client, site, settings):
    settings.INTAKE_LIMITS = True
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    assert {post(client, body).status_code for body in passages(7)} == {201}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_expired_database_windows_are_pruned_by_the_hourly_job(db):
    from corrigo.jobs import queue
    from corrigo.reports.limits import PRUNE_JOB
    from tests.notify.conftest import run_worker

    LimitCounter.objects.create(window_key="gone", count=3, expires_at=1.0)  # 1970: long run out
    LimitCounter.objects.create(window_key="live", count=2, expires_at=4_000_000_000.0)  # 2096
    assert queue.PERIODIC[PRUNE_JOB].seconds == 3600
    queue.enqueue(PRUNE_JOB)
    run_worker()
    assert list(LimitCounter.objects.values_list("window_key", "count")) == [("live", 2)]
