"""smtp+starttls:// and smtps:// against a real TLS-speaking SMTP server on loopback.

The server's certificate is made for the test (openssl) and trusted through SSL_CERT_FILE,
as an operator's own CA would be; a server whose certificate is not trusted gets nothing.
"""

import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from corrigo.config import smtp_settings
from corrigo.jobs.models import Job, JobStatus
from corrigo.notify.mail import MAIL_JOB
from tests.desk.conftest import case_about
from tests.notify.conftest import Mailbox, free_port, run_worker
from tests.notify.test_mail import member

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key, "-out", cert,
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def serve(settings, url: str, **controller_options):
    handler, port = Mailbox(), free_port()
    controller = Controller(handler, hostname="localhost", port=port, **controller_options)
    controller.start()
    for name, value in smtp_settings(url.format(port=port)).items():
        setattr(settings, name, value)
    settings.SMTP_URL = url.format(port=port)
    settings.BASE_URL = "https://corrections.example.org"
    return handler, controller


class Logins:
    """An aiosmtpd authenticator that takes one user name and password and records each try."""

    def __init__(self, login: bytes, password: bytes):
        self.expected, self.tries = (login, password), []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login, auth_data.password) if isinstance(auth_data, LoginPassword) else None
        self.tries.append(given)
        return AuthResult(success=given == self.expected)


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_mail_goes_out_over_tls_to_a_trusted_server(site, settings, certificate, monkeypatch, scheme):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    logins = Logins(b"relay", b"secret@word")
    if scheme == "smtp+starttls":  # AUTH only once STARTTLS is done
        options = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    else:  # TLS from the first byte (aiosmtpd cannot tell, so it is not asked to check)
        options = {"ssl_context": context, "auth_require_tls": False}
    handler, controller = serve(settings, f"{scheme}://relay:secret%40word@localhost:{{port}}", authenticator=logins, **options)
    try:
        member("eddie", site, "editor", "eddie@news.example.org")
        case_about()
        run_worker()
    finally:
        controller.stop()
    assert [str(m["To"]).strip() for m in handler.messages] == ["eddie@news.example.org"], Job.objects.get(
        kind=MAIL_JOB
    ).last_error
    assert logins.tries == [(b"relay", b"secret@word")]  # logged in, over TLS (the server allows no other)


def test_a_server_whose_certificate_is_not_trusted_gets_nothing(site, settings, certificate):
    _, context = certificate
    handler, controller = serve(settings, "smtps://localhost:{port}", ssl_context=context)
    try:
        member("eddie", site, "editor", "eddie@news.example.org")
        case_about()
        run_worker()
    finally:
        controller.stop()
    assert handler.messages == []
    job = Job.objects.get(kind=MAIL_JOB)
    assert job.status == JobStatus.QUEUED and "certificate" in job.last_error.lower()
