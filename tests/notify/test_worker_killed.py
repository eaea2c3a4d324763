"""A real `corrigo worker` process killed (SIGKILL) mid-delivery: after a restart the delivery is made, once.

The receiver and the SMTP server hold the first delivery open until the worker is dead.
The dead worker's lease is then run out by hand (it lasts 5 minutes; the test does not
wait for them), and a new worker process delivers what the first one held.
"""

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook

from tests.conftest import payload
from tests.notify.conftest import Mailbox, free_port
from tests.servers import LocalServer, reply
from tests.test_cli import corrigo, corrigo_env

SUBMIT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
import django
django.setup()
from corrigo.reports.schemas import ReportIn
from corrigo.reports.services import submit_report
from corrigo.sites.models import Site
submit_report(Site.objects.get(key="courier"), ReportIn.model_validate(json.loads(sys.argv[1])))
"""


def jobs(data, kind):
    with sqlite3.connect(data / "corrigo.sqlite3") as db:
        return db.execute("SELECT status, attempts FROM jobs_job WHERE kind = ? ORDER BY id", (kind,)).fetchall()


def lease_runs_out(data):
    with sqlite3.connect(data / "corrigo.sqlite3") as db:
        db.execute("UPDATE jobs_job SET locked_until = '2000-01-01 00:00:00' WHERE status = 'running'")


def a_site_with_a_report(data, env, before_the_report):
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", "--origin", "https://news.example.org", env=env).returncode == 0
    before_the_report()
    report = subprocess.run(
        [sys.executable, "-c", SUBMIT, json.dumps(payload())], env=env, capture_output=True, timeout=60, check=False
    )
    assert report.returncode == 0, report.stderr.decode()


def start_worker(env):
    return subprocess.Popen([sys.executable, "-m", "corrigo", "worker"], env=env, stderr=subprocess.PIPE)


@pytest.fixture
def holding_receiver():
    """A webhook receiver that holds the first delivery open until released."""
    arrived, release = threading.Event(), threading.Event()
    with LocalServer() as server:
        server.secret = None

        @server.route("/hook")
        def hook(handler, request):
            if not arrived.is_set():
                arrived.set()
                release.wait(30)
                return  # the worker is dead by now: nobody reads an answer
            Webhook(server.secret).verify(request.body, request.headers)
            reply(handler, 200, b"ok", "text/plain")

        yield server, arrived, release
        release.set()


def test_a_worker_killed_while_the_receiver_holds_its_post_delivers_it_after_restart(tmp_path, holding_receiver):
    server, arrived, release = holding_receiver
    env = corrigo_env(tmp_path, CORRIGO_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{server.port}", CORRIGO_BASE_URL="http://127.0.0.1:8000")
    secret = []

    def add_the_endpoint():
        added = corrigo("webhook", "add", "--site", "courier", "--url", server.url("/hook"), env=env)
        assert added.returncode == 0, added.stderr
        secret.append(added.stdout.strip())

    a_site_with_a_report(tmp_path, env, add_the_endpoint)
    server.secret = secret[0]

    worker = start_worker(env)
    try:
        assert arrived.wait(30), "the worker never posted"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    release.set()
    assert jobs(tmp_path, "notify.webhook") == [("running", 1)]

    lease_runs_out(tmp_path)
    result = corrigo("worker", "--once", env=env)
    assert result.returncode == 0, result.stderr
    assert jobs(tmp_path, "notify.webhook") == [("done", 2)]
    hooks = [r for r in server.received if r.path == "/hook"]
    assert len(hooks) == 2 and hooks[0].headers["webhook-id"] == hooks[1].headers["webhook-id"]
    assert json.loads(hooks[1].body)["type"] == "case.created"


class HoldingMailbox(Mailbox):
    """Holds the first SMTP conversation at RCPT (before any message exists) until released."""

    def __init__(self):
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not self.arrived.is_set():
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 the sender went away"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_a_worker_killed_in_the_middle_of_an_smtp_conversation_sends_the_mail_once_after_restart(tmp_path):
    mailbox, port = HoldingMailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = corrigo_env(tmp_path, CORRIGO_SMTP_URL=f"smtp://127.0.0.1:{port}", CORRIGO_FROM_EMAIL="desk@news.example.org")

        def add_an_editor():
            command = ("createuser", "mira", "--site", "courier", "--role", "editor", "--email", "mira@news.example.org")
            result = corrigo(*command, "--password-stdin", env=env, stdin=b"a long test password\n")
            assert result.returncode == 0, result.stderr

        a_site_with_a_report(tmp_path, env, add_an_editor)
        worker = start_worker(env)
        try:
            assert mailbox.arrived.wait(30), "the worker never started the SMTP conversation"
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            worker.kill()
        mailbox.release.set()
        assert mailbox.messages == []
        assert jobs(tmp_path, "notify.mail") == [("running", 1)]

        lease_runs_out(tmp_path)
        result = corrigo("worker", "--once", env=env)
        assert result.returncode == 0, result.stderr
        [message] = mailbox.messages
        assert str(message["To"]).strip() == "mira@news.example.org"
        assert str(message["Subject"]).strip() == "New case on courier: “Augest”"
        assert jobs(tmp_path, "notify.mail") == [("done", 2)]
    finally:
        controller.stop()
