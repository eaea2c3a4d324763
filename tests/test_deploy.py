"""docs/deploy.md's set-up, for real: two `corrigo serve` processes behind a local proxy."""

import http.client
import itertools
import json
import os
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from tests.conftest import ORIGIN, payload
from tests.test_cli import corrigo, corrigo_env, start_server, wait_for

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Proxy:
    """A TLS-terminating proxy's part that matters here: round robin, X-Forwarded-For and -Proto: https."""

    def __init__(self, backends: list[int]):
        turns = itertools.cycle(backends)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers.update({"X-Forwarded-For": "198.51.100.23", "X-Forwarded-Proto": "https"})
                upstream = http.client.HTTPConnection("127.0.0.1", next(turns), timeout=30)
                upstream.request(self.command, self.path, body or None, headers)
                answer = upstream.getresponse()
                content = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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


def fetch(url: str, data: bytes | None = None, **headers) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def taken(port: int) -> float:
    _, _, text = fetch(f"http://127.0.0.1:{port}/metrics")
    lines = [line for line in text.decode().splitlines() if line.startswith('corrigo_reports_taken_total{outcome="created"}')]
    return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0


def test_two_app_processes_behind_a_proxy_share_the_work_and_keep_metrics_private(tmp_path, database_url):
    extra = {"DATABASE_URL": database_url} if database_url else {}
    env = corrigo_env(tmp_path, CORRIGO_HSTS_SECONDS="600", CORRIGO_METRICS_TOKEN="scrape-token-for-tests", **extra)
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", "--origin", ORIGIN, env=env).returncode == 0
    servers = [start_server(env, workers=1) for _ in range(2)]
    proxy = None
    try:
        for process, port in servers:
            wait_for(f"http://127.0.0.1:{port}/api/v1/ready", process)
        proxy = Proxy([port for _, port in servers])
        front = f"http://127.0.0.1:{proxy.port}"
        for _ in range(4):
            status, headers, _ = fetch(
                front + "/api/v1/reports", json.dumps(payload()).encode(), Origin=ORIGIN, **{"Content-Type": "text/plain"}
            )
            assert status == 201
            # gunicorn trusts the proxy's X-Forwarded-Proto: the answer is for HTTPS, with HSTS.
            assert headers["Strict-Transport-Security"] == "max-age=600"
        assert [taken(port) for _, port in servers] == [2.0, 2.0]
        # Through the proxy the peer is the proxy on the loopback: the scraper needs the token.
        assert fetch(front + "/metrics")[0] == 403
        status, _, text = fetch(front + "/metrics", Authorization="Bearer scrape-token-for-tests")
        assert status == 200 and b"corrigo_queue_depth" in text
    finally:
        if proxy is not None:
            proxy.close()
        for process, _ in servers:
            process.terminate()
            process.communicate(timeout=30)
