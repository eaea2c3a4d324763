"""docs/deploy.md's set-up, for real: two `corrigo serve` processes behind a local proxy.

On one PostgreSQL database (SQLite when the suite runs on SQLite), the intake's limits
counted in Redis or in the database. Readers are told apart by the loopback address they
connect from (Linux answers on all of 127.0.0.0/8): the proxy listens on 127.0.0.1 and
forwards from it, and only 127.0.0.1 is a trusted proxy.
"""

import http.client
import itertools
import json
import os
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.conftest import ARTICLE_TEXT, ORIGIN, payload
from tests.reports.test_limits import REDIS_URL as SUITE_REDIS_URL
from tests.reports.test_limits import redis_listens
from tests.test_cli import corrigo, corrigo_env, start_server, wait_for

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
# The Redis of the suite, in a database number of this file's own (keys under a namespace of each test's own).
REDIS_URL = urlunsplit(urlsplit(SUITE_REDIS_URL)._replace(path="/8"))
PROXY = "127.0.0.1"
READER, OTHER_READER = "127.0.0.2", "127.0.0.3"
PER_READER_MINUTE = 3
WORDS = [word for word in dict.fromkeys(ARTICLE_TEXT.replace("\n", " ").split(" ")) if len(word) > 3]


class Proxy:
    """A TLS-terminating proxy's part that matters here: round robin, X-Forwarded-Proto: https, and
    X-Forwarded-For with the peer's address appended, as nginx's $proxy_add_x_forwarded_for does."""

    def __init__(self, backends: list[int]):
        turns, lock = itertools.cycle(backends), threading.Lock()
        self.served: list[int] = []  # the backend each request went to, in order
        served = self.served

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                passed_on = HOP_BY_HOP | {"x-forwarded-for", "x-forwarded-proto"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in passed_on}
                sent = ", ".join(self.headers.get_all("X-Forwarded-For") or [])
                peer = self.client_address[0]
                headers["X-Forwarded-For"] = f"{sent}, {peer}" if sent else peer
                headers["X-Forwarded-Proto"] = "https"
                with lock:
                    backend = next(turns)
                    served.append(backend)
                upstream = http.client.HTTPConnection("127.0.0.1", backend, timeout=30, source_address=(PROXY, 0))
                upstream.request(self.command, self.path, body or None, headers)
                answer = upstream.getresponse()
                content = answer.read()
                upstream.close()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer((PROXY, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def database_url():
    """PostgreSQL when the suite runs on it (a database of this test's own), else SQLite (None)."""
    if connection.vendor != "postgresql":
        yield None
        return
    import psycopg

    settings = connection.settings_dict
    base = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    name = f"corrigo_deploy_{os.getpid()}"
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    yield f"{base}/{name}"
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def redis_namespace():
    """A limits namespace of this test's own; its keys in Redis are deleted afterwards."""
    namespace = f"test-deploy-{uuid.uuid4().hex}"
    yield namespace
    import redis

    try:
        with redis.Redis.from_url(REDIS_URL, socket_timeout=5) as client:
            for key in list(client.scan_iter(match=f"*{namespace}*")):
                client.delete(key)
    except redis.ConnectionError:
        pass  # no Redis: nothing was written there


def redis_keys(namespace: str) -> list[bytes]:
    import redis

    with redis.Redis.from_url(REDIS_URL, socket_timeout=5) as client:
        return list(client.scan_iter(match=f"*{namespace}*"))


def fetch(port: int, path: str, body: bytes | None = None, reader: str = "127.0.0.1", **headers) -> tuple[int, dict, bytes]:
    """GET (or POST `body`) to 127.0.0.1:port, sent from the reader's own loopback address."""
    link = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(reader, 0))
    try:
        link.request("GET" if body is None else "POST", path, body, headers)
        answer = link.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        link.close()


def report(port: int, word: str, reader: str, **headers) -> tuple[int, dict, bytes]:
    """One reader's report on `word` (a passage of its own, so that none is folded into another)."""
    body = payload(word, client_report_id=f"deploy-{uuid.uuid4().hex[:16]}")
    headers = {"Origin": ORIGIN, "Content-Type": "text/plain", **headers}
    return fetch(port, "/api/v1/reports", json.dumps(body).encode(), reader=reader, **headers)


def taken(port: int) -> float:
    _, _, text = fetch(port, "/metrics")
    lines = [line for line in text.decode().splitlines() if line.startswith('corrigo_reports_taken_total{outcome="created"}')]
    return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0


def count_rows(data: Path, database_url: str | None, table: str) -> int:
    if database_url is None:
        with sqlite3.connect(data / "corrigo.sqlite3") as database:
            return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as database:
        return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@contextmanager
def deployment(data: Path, database_url: str | None, namespace: str, redis_url: str | None):
    """docs/deploy.md's example: set up, two `corrigo serve` behind the proxy; the proxy, ended afterwards."""
    env = corrigo_env(
        data,
        CORRIGO_TRUSTED_PROXIES=PROXY,
        CORRIGO_LIMITS_NAMESPACE=namespace,
        CORRIGO_HSTS_SECONDS="600",
        CORRIGO_METRICS_TOKEN="scrape-token-for-tests",
    )
    env.pop("REDIS_URL", None)
    env.update({"DATABASE_URL": database_url} if database_url else {})
    env.update({"REDIS_URL": redis_url} if redis_url else {})
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", "--origin", ORIGIN, env=env).returncode == 0
    # The limit alone answers here: no proof of work asked of the third report.
    setting = corrigo("limits", "courier", "--per-client-minute", str(PER_READER_MINUTE), "--challenge", "off", env=env)
    assert setting.returncode == 0, setting.stderr
    servers = [start_server(env, workers=1) for _ in range(2)]
    proxy = None
    try:
        for process, port in servers:
            wait_for(f"http://127.0.0.1:{port}/api/v1/ready", process)
        proxy = Proxy([port for _, port in servers])
        yield proxy
    finally:
        if proxy is not None:
            proxy.close()
        for process, _ in servers:
            process.terminate()
            process.communicate(timeout=30)


def test_two_app_processes_behind_a_proxy_share_the_work_and_keep_metrics_private(tmp_path, database_url, redis_namespace):
    with deployment(tmp_path, database_url, redis_namespace, redis_url=None) as proxy:
        readers = [f"127.0.0.{number}" for number in range(10, 14)]
        for reader, word in zip(readers, WORDS, strict=False):
            status, headers, _ = report(proxy.port, word, reader)
            assert status == 201
            # gunicorn trusts the proxy's X-Forwarded-Proto: the answer is for HTTPS, with HSTS.
            assert headers["Strict-Transport-Security"] == "max-age=600"
        backends = sorted(set(proxy.served))
        assert [taken(port) for port in backends] == [2.0, 2.0]
        # Through the proxy the peer is the proxy on the loopback: the scraper needs the token.
        assert fetch(proxy.port, "/metrics")[0] == 403
        status, _, text = fetch(proxy.port, "/metrics", Authorization="Bearer scrape-token-for-tests")
        assert status == 200 and b"corrigo_queue_depth" in text


@pytest.mark.parametrize("counted_in", ["database", "redis"])
def test_one_readers_limit_holds_across_both_app_processes_behind_the_proxy(tmp_path, database_url, redis_namespace, counted_in):
    if counted_in == "redis" and not redis_listens():
        pytest.skip(f"no Redis at {REDIS_URL}")
    redis_url = REDIS_URL if counted_in == "redis" else None
    words = iter(WORDS)
    with deployment(tmp_path, database_url, redis_namespace, redis_url) as proxy:
        answers = [report(proxy.port, next(words), READER) for _ in range(PER_READER_MINUTE + 1)]
        first, second = proxy.served[:2]
        # The reader's reports alternate; the one over the limit reaches the process that took only
        # one of them, so only a count shared by both refuses it.
        assert proxy.served == [first, second, first, second]
        _, headers, body = answers[-1]
        assert [status for status, _, _ in answers] == [201] * PER_READER_MINUTE + [429]
        assert json.loads(body)["error"]["code"] == "rate_limited"
        assert 1 <= int(headers["Retry-After"]) <= 60
        # An X-Forwarded-For of the reader's own making does not make it someone else:
        # the proxy appends the reader's address, and the app reads from the right.
        assert report(proxy.port, next(words), READER, **{"X-Forwarded-For": "203.0.113.77"})[0] == 429
        # Nor does sending it to an app process directly: the reader is no trusted proxy.
        assert report(second, next(words), READER, **{"X-Forwarded-For": "203.0.113.78"})[0] == 429
        # Another reader, through the same proxy and to the same process that refused the first, still gets in.
        assert report(proxy.port, next(words), OTHER_READER)[0] == 201
        assert proxy.served[-1] == second
        # The counts were where they were meant to be.
        if counted_in == "redis":
            assert redis_keys(redis_namespace)
            assert count_rows(tmp_path, database_url, "reports_limitcounter") == 0
        else:
            assert count_rows(tmp_path, database_url, "reports_limitcounter") > 0
    # Nothing of the refused reports is stored.
    assert count_rows(tmp_path, database_url, "reports_report") == PER_READER_MINUTE + 1
