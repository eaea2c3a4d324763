"""Webhook delivery: one `corrigo worker` delivers N events (1,000 by default) to a local receiver.

Sets up a fresh SQLite data folder (or the PostgreSQL database given), a site with one
Standard Webhooks endpoint on 127.0.0.1, and N reports, each opening its own case, so
N case.created events wait in the outbox. Then it starts one real `corrigo worker` and
times it from start until the receiver has verified (with the `standardwebhooks`
library) a delivery of every event. Prints the time, the rate, and checks that every
event arrived exactly once under its own id and every job ended done.

    python bench/webhook_delivery.py [--events 1000] [--database-url URL]

Budget (issue 10): 1,000 events in under 30 s.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SETUP = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
import django
django.setup()
from django.db import connection
from corrigo.notify.webhooks import add_endpoint
from corrigo.reports.schemas import ReportIn
from corrigo.reports.services import submit_report
from corrigo.sites.services import create_site

url, count = sys.argv[1], int(sys.argv[2])
site = create_site("bench", "Bench", ["https://bench.example"])
endpoint, secret = add_endpoint(site, url)
text = "The council voted on Tuesday to keep the ferry running from Augest to March."
start = text.index("Augest")
for number in range(count):
    report = {
        "site": "bench", "url": f"https://bench.example/story/{number}", "title": f"Story {number}",
        "quote": {"exact": "Augest", "prefix": text[:start][-32:], "suffix": text[start + 6:][:32], "start": start, "end": start + 6},
        "article_text": text, "suggestion": "August", "category": "typo", "client_report_id": f"bench-{number:06d}",
    }
    submit_report(site, ReportIn.model_validate(report))
print(secret)
"""

COUNT_JOBS = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
import django
django.setup()
from django.db.models import Count
from corrigo.jobs.models import Job
print(sorted(Job.objects.values_list("kind", "status").annotate(n=Count("id"))))
"""


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.secret = ""
        self.ids: list[str] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.expected = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    Webhook(server.secret).verify(body, dict(self.headers.items()))
                    status = 200
                except WebhookVerificationError:
                    status = 401
                with server.lock:
                    if status == 200:
                        server.ids.append(self.headers["webhook-id"])
                        if len(set(server.ids)) >= server.expected:
                            server.done.set()
                    else:
                        server.refused += 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(("127.0.0.1", 0), Handler)


def fresh_database(url: str) -> None:
    """Drop and create the PostgreSQL database the URL names, so each run starts empty."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    receiver = Receiver()
    receiver.expected = args.events
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = receiver.server_address[1]
    with tempfile.TemporaryDirectory(prefix="corrigo-webhook-bench-") as data:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CORRIGO_DEMO", "DJANGO_SETTINGS_MODULE"}}
        env.update(CORRIGO_DATA=data, CORRIGO_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{port}", CORRIGO_LOG_LEVEL="ERROR")
        if args.database_url:
            env["DATABASE_URL"] = args.database_url

        def run(*argv: str) -> subprocess.CompletedProcess:
            return subprocess.run(argv, env=env, check=True, capture_output=True, text=True)

        if args.database_url:
            fresh_database(args.database_url)
        run(PYTHON, "-m", "corrigo", "migrate")
        started = time.monotonic()
        receiver.secret = run(PYTHON, "-c", SETUP, f"http://127.0.0.1:{port}/hook", str(args.events)).stdout.strip()
        print(f"set-up: {args.events} reports, each a new case, in {time.monotonic() - started:.1f} s")

        worker = subprocess.Popen([PYTHON, "-m", "corrigo", "worker"], env=env)
        started = time.monotonic()
        finished = receiver.done.wait(args.timeout)
        elapsed = time.monotonic() - started
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        jobs = run(PYTHON, "-c", COUNT_JOBS).stdout
    receiver.shutdown()
    unique = len(set(receiver.ids))
    print(f"delivered {unique} of {args.events} events in {elapsed:.2f} s ({unique / elapsed:.0f} per second), one worker")
    print(
        f"deliveries received {len(receiver.ids)} (repeats {len(receiver.ids) - unique}), signatures refused {receiver.refused}"
    )
    print(f"jobs by status: {jobs.strip()}")
    ok = finished and unique == args.events and receiver.refused == 0
    print("budget (1,000 in < 30 s):", "met" if ok and elapsed < 30 * args.events / 1000 else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
