"""Real receivers for what Corrigo sends: an SMTP server (aiosmtpd) and an HTTP receiver that checks signatures.

The receiver verifies every Standard Webhooks delivery with the `standardwebhooks`
library, as an integrator would, and records what it accepted; the SMTP server keeps
every message it was given, parsed.
"""

import email
import email.policy
import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from corrigo.jobs.models import Job, JobStatus
from corrigo.jobs.worker import work
from tests.servers import LocalServer, reply


def run_worker() -> int:
    """Everything due now, in this process, as `corrigo worker --once` runs it."""
    return work(threading.Event(), once=True, periodic=False)


def time_passes() -> None:
    """Every waiting job becomes due, as if its back-off (or the update window) had passed."""
    Job.objects.filter(status=JobStatus.QUEUED).update(run_after=timezone.now() - timedelta(seconds=1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps each message; `refuse` makes it answer RCPT with that reply."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.refuse: str | None = None
        self.hold: threading.Event | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and the settings that send through it (CORRIGO_SMTP_URL)."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.SMTP_URL = f"smtp://127.0.0.1:{port}"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Corrigo <corrigo@news.example.org>"
    settings.BASE_URL = "https://corrections.example.org"
    yield handler
    controller.stop()


@pytest.fixture
def no_smtp(settings):
    settings.SMTP_URL = ""
    settings.BASE_URL = "https://corrections.example.org"


class Receiver:
    """A webhook receiver on 127.0.0.1 that verifies each Standard Webhooks delivery with the library.

    `answers` is a list of (status, headers) it gives in turn (then 200); `verified` holds
    (webhook-id, parsed body) of every delivery whose signature checked with `secret`.
    """

    def __init__(self, server: LocalServer, path: str = "/hook"):
        self.server, self.path = server, path
        self.secret: str | None = None
        self.answers: list[tuple[int, dict]] = []
        self.verified: list[tuple[str, dict]] = []
        self.refused: list[str] = []
        server.route(path)(self._receive)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    @property
    def received(self):
        return [r for r in self.server.received if r.path == self.path]

    def _receive(self, handler, request):
        if self.secret is not None:
            try:
                body = Webhook(self.secret).verify(request.body, request.headers)
            except WebhookVerificationError as exc:
                self.refused.append(str(exc))
                reply(handler, 401, b"bad signature")
                return
            self.verified.append((request.headers["webhook-id"], body))
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        reply(handler, status, b"ok", "text/plain", **headers)


@pytest.fixture
def http_server(settings):
    with LocalServer() as server:
        settings.ALLOW_PRIVATE_HOSTS = frozenset({("127.0.0.1", server.port)})
        settings.BASE_URL = "https://corrections.example.org"
        yield server


@pytest.fixture
def receiver(http_server):
    return Receiver(http_server)
