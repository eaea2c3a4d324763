"""Limits and spent challenges hold across app processes: two real `corrigo serve` on one SQLite database, with and without Redis."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from corrigo.sites.services import SITE_CACHE_SECONDS
from tests.conftest import ARTICLE_TEXT, ORIGIN, payload
from tests.notify.conftest import free_port
from tests.reports.test_limits import REDIS_URL, redis_listens
from tests.reports.test_proof_of_work import solve
from tests.test_cli import corrigo, corrigo_env, rows, wait_for


def challenge_of(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/challenge?site=courier", timeout=30) as answer:
        return json.loads(answer.read())


def send(port: int, body: dict, forwarded: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/reports",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "text/plain", "Origin": ORIGIN, "X-Forwarded-For": forwarded},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.parametrize("counted_in", ["database", "redis"])
def test_two_servers_share_one_readers_limit(tmp_path, counted_in):
    extra = {"CORRIGO_TRUSTED_PROXIES": "127.0.0.1", "CORRIGO_LIMITS_NAMESPACE": f"test-{uuid.uuid4().hex}"}
    if counted_in == "redis":
        if not redis_listens():
            pytest.skip(f"no Redis at {REDIS_URL}")
        extra["REDIS_URL"] = REDIS_URL
    env = corrigo_env(tmp_path, **extra)
    if counted_in == "database":
        env.pop("REDIS_URL", None)
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", "--origin", ORIGIN, env=env).returncode == 0
    assert corrigo("limits", "courier", "--challenge", "off", env=env).returncode == 0
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "corrigo", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for(f"http://127.0.0.1:{port}/api/v1/health", server)
        words = [word for word in dict.fromkeys(ARTICLE_TEXT.replace("\n", " ").split(" ")) if len(word) > 3][:8]
        # One reader behind the proxy, its reports spread over both servers; another reader after it.
        answers = [send(ports[number % 2], payload(word), "203.0.113.5") for number, word in enumerate(words)]
        other = send(ports[1], payload("islanders", client_report_id=f"other-{uuid.uuid4().hex[:12]}"), "203.0.113.6")
        # A solved challenge from one server is spent on the other too.
        assert corrigo("limits", "courier", "--challenge", "always", env=env).returncode == 0
        time.sleep(SITE_CACHE_SECONDS + 0.5)  # the servers' cached site settings run out
        solution = solve(challenge_of(ports[0]))
        spent = [send(port, payload("Harbour", altcha=solution), "203.0.113.7") for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    assert answers == [201] * 5 + [429] * 3
    assert other in (200, 201)
    assert spent == [201, 403]
    assert rows(tmp_path, "reports_report") == 7
