"""Operations: health and readiness, /metrics and its guard, HSTS, JSON logs without addresses."""

import json
import logging
import re
import socket
import sys
import urllib.request

import pytest
from django.db import connection
from django.test import override_settings

from corrigo.logs import JsonFormatter, without_addresses
from tests.conftest import ORIGIN, payload
from tests.test_cli import corrigo, corrigo_env, start_server, wait_for


def test_health_says_ok_when_the_database_answers(client, db):
    response = client.get("/api/v1/health")
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_ready_says_ready_on_a_migrated_database(client, db):
    response = client.get("/api/v1/ready")
    assert (response.status_code, response.json()) == (200, {"ready": True})


def test_ready_is_not_ready_while_a_migration_is_missing(client, transactional_db, monkeypatch):
    import corrigo.api

    # A migration this code has and the database lacks, as after deploying before `corrigo migrate`.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'jobs'")
    monkeypatch.setattr(corrigo.api, "_migrated", False)
    try:
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "not_ready"
        assert int(response["Retry-After"]) > 0
    finally:
        from django.core.management import call_command

        call_command("migrate", "jobs", fake=True, verbosity=0)


# ---- /metrics -------------------------------------------------------------------


def scrape(client, **headers) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def value(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{key}="{label}"' for key, label in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_reports_taken_and_refused_by_reason(client, site):
    before = scrape(client)
    body = payload()
    client.post("/api/v1/reports", json.dumps(body), content_type="application/json", HTTP_ORIGIN=ORIGIN)
    client.post("/api/v1/reports", json.dumps(body), content_type="application/json", HTTP_ORIGIN=ORIGIN)  # a replay
    client.post("/api/v1/reports", "{not json", content_type="application/json", HTTP_ORIGIN=ORIGIN)
    client.post("/api/v1/reports", json.dumps(payload(site="nowhere")), content_type="application/json")
    after = scrape(client)
    for name, labels, more in [
        ("corrigo_reports_taken_total", {"outcome": "created"}, 1),
        ("corrigo_reports_taken_total", {"outcome": "replay"}, 1),
        ("corrigo_reports_refused_total", {"reason": "invalid"}, 1),
        ("corrigo_reports_refused_total", {"reason": "unknown_site"}, 1),
    ]:
        assert value(after, name, **labels) - value(before, name, **labels) == more, (name, labels)
    assert value(after, "corrigo_request_seconds_count", view="api-v1:submit") >= 4


def test_metrics_show_the_queue_and_failed_deliveries(client, site):
    from django.utils import timezone

    from corrigo.jobs.models import Job, JobStatus

    now = timezone.now()
    Job.objects.create(kind="webhook.deliver", status=JobStatus.QUEUED, attempts=2, run_after=now)
    Job.objects.create(kind="webhook.deliver", status=JobStatus.QUEUED, run_after=now)
    Job.objects.create(kind="mail.send", status=JobStatus.DEAD, attempts=13, run_after=now)
    text = scrape(client)
    assert value(text, "corrigo_queue_depth", kind="webhook.deliver") == 2
    assert value(text, "corrigo_deliveries_retrying", kind="webhook.deliver") == 1
    assert value(text, "corrigo_delivery_failures", kind="mail.send") == 1


@pytest.mark.parametrize("address", ["10.1.2.3", "203.0.113.9", "::ffff:10.0.0.1", "not-an-address", ""])
def test_metrics_refuse_a_scraper_from_elsewhere_without_the_token(client, db, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 403
    assert b"corrigo_" not in response.content


def test_metrics_refuse_a_request_that_came_through_a_proxy_on_the_loopback(client, db):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 403


@override_settings(METRICS_TOKEN="s3cret-metrics-token")
@pytest.mark.parametrize(
    "sent", ["Bearer wrong", "Bearer ", "s3cret-metrics-token", "Bearer s3cret-metrics-token-and-more", "Basic czNjcmV0"]
)
def test_metrics_refuse_a_wrong_token(client, db, sent):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=sent).status_code == 403


@override_settings(METRICS_TOKEN="s3cret-metrics-token")
def test_metrics_take_the_token_from_anywhere(client, db):
    scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token", HTTP_X_FORWARDED_FOR="1.2.3.4")


def test_metrics_networks_are_read_as_cidrs(monkeypatch):
    from corrigo.config import network_list

    monkeypatch.setenv("CORRIGO_METRICS_NETWORKS", "10.0.0.0/8, 2001:db8::/32")
    assert [str(net) for net in network_list("CORRIGO_METRICS_NETWORKS", "")] == ["10.0.0.0/8", "2001:db8::/32"]
    monkeypatch.setenv("CORRIGO_METRICS_NETWORKS", "10.0.0.0/33")
    with pytest.raises(ValueError, match=re.escape("CORRIGO_METRICS_NETWORKS: '10.0.0.0/33' is not an address or a CIDR")):
        network_list("CORRIGO_METRICS_NETWORKS", "")


# ---- HSTS -----------------------------------------------------------------------


@override_settings(SECURE_HSTS_SECONDS=31536000)
def test_hsts_is_sent_over_https_when_configured(client, db):
    assert client.get("/api/v1/health", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/api/v1/health", secure=False)


def test_no_hsts_unless_configured(client, db):
    assert "Strict-Transport-Security" not in client.get("/api/v1/health", secure=True)


@pytest.mark.parametrize("seconds", ["-1", "1.5", "forever", "0x10", "9" * 40])
def test_a_bad_hsts_setting_is_refused_in_one_line(tmp_path, seconds):
    result = corrigo("migrate", env=corrigo_env(tmp_path, CORRIGO_HSTS_SECONDS=seconds))
    assert result.returncode == 2
    assert "CORRIGO_HSTS_SECONDS must be a whole number of seconds" in result.stderr
    assert "Traceback" not in result.stderr


# ---- logs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Invalid request from ip=127.0.0.1: bad",
        "peer 203.0.113.77 sent junk",
        "from [2001:db8::1]:443 and ::1 and fe80::1%eth0",
        "mapped ::ffff:192.0.2.1 too",
    ],
)
def test_log_lines_carry_no_address(text):
    scrubbed = without_addresses(text)
    assert "[address]" in scrubbed
    assert not re.search(r"\d+\.\d+\.\d+\.\d+|[0-9a-f]*::[0-9a-f]", scrubbed)


@pytest.mark.parametrize("text", ["at 12:30:45 UTC", "version 1.2.3", "ratio 3:2", "case 12345"])
def test_log_lines_keep_what_is_not_an_address(text):
    assert without_addresses(text) == text


def test_log_records_are_json_with_the_error():
    try:
        raise ValueError("from 198.51.100.3")
    except ValueError:
        record = logging.LogRecord("corrigo.api", logging.ERROR, __file__, 1, "failed for %s", ("198.51.100.3",), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "error" and entry["logger"] == "corrigo.api"
    assert entry["message"] == "failed for [address]"
    assert "ValueError: from [address]" in entry["error"]


def test_serve_logs_json_lines_without_client_addresses(tmp_path):
    env = corrigo_env(tmp_path, CORRIGO_ACCESS_LOG="-")
    assert corrigo("migrate", env=env).returncode == 0
    process, port = start_server(env)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", process)
        with socket.create_connection(("127.0.0.1", port)) as sock:  # gunicorn itself refuses this one, and logs it
            sock.sendall(b"GARBAGE\x00 / HTTP/1.1\r\n\r\n")
            sock.recv(1000)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ready").read()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]
    assert {entry["logger"] for entry in entries} >= {"gunicorn.error", "gunicorn.access"}
    assert any("/api/v1/ready" in entry["message"] for entry in entries)
    assert "127.0.0.1" not in output
