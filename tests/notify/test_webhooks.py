"""Webhooks to a real receiver on 127.0.0.1 that verifies every signature with the `standardwebhooks` library."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from corrigo.jobs.models import Job, JobStatus
from corrigo.notify import webhooks
from corrigo.notify.models import Event, WebhookEndpoint
from corrigo.reports import actions
from tests.conftest import ARTICLE_TEXT
from tests.desk.conftest import case_about, report
from tests.notify.conftest import run_worker, time_passes
from tests.servers import reply

HOSTILE = "Augest\u202e gpj.exe <script>alert(1)</script> <!channel> @channel & <https://evil.example|click>"


def standard(site, receiver, **options):
    endpoint, secret = webhooks.add_endpoint(site, receiver.url, **options)
    receiver.secret = secret
    return endpoint


def deliveries():
    return Job.objects.filter(kind=webhooks.WEBHOOK_JOB)


def test_a_new_case_reaches_the_receiver_signed_as_standard_webhooks_say(site, receiver):
    standard(site, receiver)
    case = case_about()
    run_worker()
    [(webhook_id, body)] = receiver.verified
    event = Event.objects.get()
    assert webhook_id == event.uid and webhook_id.startswith("msg_")
    assert body["type"] == "case.created"
    assert body["timestamp"].endswith("Z")
    assert body["data"]["case"]["id"] == case.pk
    assert body["data"]["case"]["quote"]["exact"] == "Augest"
    [request] = receiver.received
    assert request.headers["content-type"] == "application/json"
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60


def test_the_signature_is_the_hmac_the_specification_describes(site, receiver):
    # Computed here from the specification's words, not by the library that signs.
    endpoint = standard(site, receiver)
    case_about()
    run_worker()
    [request] = receiver.received
    key = base64.b64decode(endpoint.secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert request.headers["webhook-signature"] == expected
    assert len(key) == webhooks.SECRET_BYTES


def test_a_receiver_that_is_down_gets_the_event_later_with_the_same_id(site, receiver):
    standard(site, receiver)
    receiver.answers = [(503, {}), (500, {})]
    case_about()
    run_worker()
    [job] = deliveries()
    assert job.status == JobStatus.QUEUED and "503" in job.last_error
    time_passes()
    run_worker()
    time_passes()
    run_worker()
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1
    assert deliveries().get().status == JobStatus.DONE
    assert [webhook_id for webhook_id, _ in receiver.verified] == [Event.objects.get().uid] * 3


def test_a_receiver_with_no_server_listening_gets_the_event_once_it_is_back(site, http_server, settings):
    from tests.notify.conftest import Receiver, free_port
    from tests.servers import LocalServer

    port = free_port()
    settings.ALLOW_PRIVATE_HOSTS = frozenset({("127.0.0.1", port)})
    _endpoint, secret = webhooks.add_endpoint(site, f"http://127.0.0.1:{port}/hook")
    case_about()
    run_worker()
    job = deliveries().get()
    assert job.status == JobStatus.QUEUED and job.last_error.startswith("no answer")
    with LocalServer(port) as server:
        later = Receiver(server)
        later.secret = secret
        time_passes()
        run_worker()
    assert [webhook_id for webhook_id, _ in later.verified] == [Event.objects.get().uid]


def test_a_redirect_is_a_failure_and_is_not_followed(site, receiver, http_server):
    standard(site, receiver)

    @http_server.route("/elsewhere")
    def elsewhere(handler, request):
        reply(handler, 200)

    receiver.answers = [(307, {"Location": http_server.url("/elsewhere")})]
    case_about()
    run_worker()
    assert "307" in deliveries().get().last_error
    assert [r.path for r in http_server.received] == ["/hook"]


def test_gone_disables_the_endpoint_and_later_events_skip_it(site, receiver, editor):
    endpoint = standard(site, receiver)
    receiver.answers = [(410, {})]
    case = case_about()
    run_worker()
    job = deliveries().get()
    assert job.status == JobStatus.DEAD and "410" in job.last_error
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    actions.resolve(case, "fixed", by=editor)
    run_worker()
    assert deliveries().count() == 1 and len(receiver.received) == 1


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [("120", 119, 121), ("999999999999", 6 * 3600 - 1, 6 * 3600 + 1), ("soon", 14, 46), ("-5", 14, 46)],
)
def test_retry_after_sets_the_next_try_within_bounds(site, receiver, header, low, high):
    standard(site, receiver)
    receiver.answers = [(429, {"Retry-After": header})]
    case_about()
    run_worker()
    job = deliveries().get()
    wait = (job.run_after - timezone.now()).total_seconds()
    assert low <= wait <= high, wait  # unreadable: the first back-off step, 30 s ± 50 %


def test_retry_after_as_an_http_date_is_honoured(site, receiver):
    standard(site, receiver)
    when = timezone.now() + timedelta(minutes=10)
    receiver.answers = [(503, {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")})]
    case_about()
    run_worker()
    wait = (deliveries().get().run_after - timezone.now()).total_seconds()
    assert 590 <= wait <= 601


def test_after_a_rotation_both_secrets_verify_for_a_day_then_only_the_new_one(site, receiver):
    endpoint = standard(site, receiver)
    old = receiver.secret
    new = webhooks.rotate_secret(endpoint)
    case_about()
    run_worker()
    [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    from standardwebhooks.webhooks import Webhook

    for secret in (old, new):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "case.created"
    endpoint.refresh_from_db()
    keys = webhooks.signing_secrets(endpoint, timezone.now() + timedelta(hours=24, seconds=1))
    assert keys == [new]


def test_a_rolled_back_change_sends_nothing(site, receiver, editor):
    standard(site, receiver)
    case = case_about()
    run_worker()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.resolve(case, "fixed", by=editor)
        raise RuntimeError("the change failed")
    run_worker()
    assert [body["type"] for _, body in receiver.verified] == ["case.created"]


def test_an_endpoint_hears_only_the_events_it_chose(site, receiver, editor):
    standard(site, receiver, events=["case.resolved"])
    case = case_about()
    run_worker()
    assert receiver.received == []
    actions.resolve(case, "wont_fix", by=editor)
    run_worker()
    [(_, body)] = receiver.verified
    assert body["type"] == "case.resolved" and body["data"]["case"]["status"] == "wont_fix"


def test_a_removed_endpoint_gets_nothing_and_its_deliveries_end(site, receiver):
    endpoint = standard(site, receiver)
    case_about()
    from corrigo.jobs import queue

    [dispatch] = queue.claim("w")
    queue.run(dispatch, "w")
    webhooks.remove_endpoint(endpoint)
    run_worker()
    assert receiver.received == [] and deliveries().get().status == JobStatus.DONE


def test_hostile_reader_text_arrives_as_data_and_still_verifies(site, receiver):
    standard(site, receiver)
    text = ARTICLE_TEXT + "\n" + HOSTILE
    case_about(exact=HOSTILE, text=text, suggestion="x\r\nBcc: x@evil.example")
    run_worker()
    [(_, body)] = receiver.verified
    # Data, as the read API gives it: exactly what the reader quoted, for the integrator to escape.
    assert body["data"]["case"]["quote"]["exact"] == HOSTILE
    [request] = receiver.received
    assert b"\\u202e" in request.body and b"\r\n" not in request.body  # JSON escapes, ASCII only


def test_slack_messages_escape_reader_text_so_nobody_is_mentioned(site, receiver):
    webhooks.add_endpoint(site, receiver.url, format="slack")
    report(suggestion=HOSTILE)
    run_worker()
    [request] = receiver.received
    assert "webhook-signature" not in request.headers
    message = json.loads(request.body)
    assert set(message) == {"text", "blocks"}
    shown = json.dumps(message, ensure_ascii=False)
    assert "<!channel>" not in shown and "<script>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt;" in shown and "&lt;script&gt;" in shown and "&amp;" in shown
    assert "\u202e" not in shown
    # The one link is Corrigo's own, to the case.
    assert "<https://corrections.example.org/desk/cases/" in message["blocks"][0]["text"]["text"]


def test_the_slack_text_of_a_site_name_is_escaped_too(site, receiver):
    site.name = "Courier <!here>"
    site.save()
    webhooks.add_endpoint(site, receiver.url, format="slack")
    case_about()
    run_worker()
    assert "<!here>" not in receiver.received[0].body.decode()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/hook",
        "http://user:pw@example.org/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://[::1]:8080/hook",
        "",
        "https://" + "a" * 3000 + ".example/",
        "http://exa mple.org/",
    ],
)
def test_an_endpoint_that_corrigo_may_not_call_is_refused_when_added(site, url):
    with pytest.raises(webhooks.EndpointError):
        webhooks.add_endpoint(site, url)
    assert not WebhookEndpoint.objects.exists()


def test_a_loopback_endpoint_needs_the_private_hosts_setting(site, settings):
    settings.ALLOW_PRIVATE_HOSTS = frozenset()
    with pytest.raises(webhooks.EndpointError, match="not a public address"):
        webhooks.add_endpoint(site, "http://127.0.0.1:9/hook")


def test_unknown_event_types_and_formats_are_refused(site, receiver):
    with pytest.raises(webhooks.EndpointError, match="Unknown event type"):
        webhooks.add_endpoint(site, receiver.url, events=["case.exploded"])
    with pytest.raises(webhooks.EndpointError, match="standard or slack"):
        webhooks.add_endpoint(site, receiver.url, format="xml")
    assert not WebhookEndpoint.objects.exists()


def test_one_worker_delivers_an_event_to_every_endpoint_of_its_site_only(site, other_site, receiver, http_server):
    from tests.notify.conftest import Receiver

    second = Receiver(http_server, "/second")
    standard(site, receiver)
    _endpoint, second.secret = webhooks.add_endpoint(site, second.url)
    foreign = Receiver(http_server, "/foreign")
    webhooks.add_endpoint(other_site, foreign.url)
    case_about()
    run_worker()
    assert len(receiver.verified) == len(second.verified) == 1
    assert receiver.verified[0][0] == second.verified[0][0]
    assert foreign.received == []


def test_an_endpoint_that_became_private_is_not_called_and_says_why(site, receiver, settings):
    standard(site, receiver)
    settings.ALLOW_PRIVATE_HOSTS = frozenset()  # the operator took it off the list
    case_about()
    run_worker()
    job = deliveries().get()
    assert receiver.received == []
    assert job.status == JobStatus.QUEUED and "not a public address" in job.last_error


def test_a_receiver_answering_too_much_is_a_failed_try_not_a_crash(site, receiver, http_server):
    endpoint = standard(site, receiver)
    big = b"x" * (webhooks.ANSWER_BYTES + 1)

    @http_server.route("/big")
    def answer(handler, request):
        reply(handler, 200, big, "text/plain")

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=http_server.url("/big"))
    case_about()
    run_worker()
    job = deliveries().get()
    assert job.status == JobStatus.QUEUED and "larger than" in job.last_error
