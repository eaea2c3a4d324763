"""The `corrigo` command (DESIGN.md, "CLI"): each subcommand, its errors, and real servers."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from corrigo.cli import main
from corrigo.sites.models import ApiToken, Membership, Site


def run(argv, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_createsite_creates_a_site_with_its_origins(db, capsys):
    code, out, _ = run(["createsite", "courier", "--name", "The Courier", "--origin", "https://WWW.Courier.example/", "--origin", "http://localhost:3000"], capsys)
    assert code == 0
    site = Site.objects.get(key="courier")
    assert site.name == "The Courier"
    assert sorted(site.origins) == ["http://localhost:3000", "https://www.courier.example"]
    assert "courier" in out


def test_createsite_refuses_a_duplicate_key(db, capsys):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createsite", "courier"], capsys)
    assert code == 2
    assert "already exists" in err
    assert Site.objects.count() == 1


@pytest.mark.parametrize("origin", ["ftp://x.example", "not an origin", "null", "https://" + "a" * 400 + ".example"])
def test_createsite_refuses_a_bad_origin(db, capsys, origin):
    code, _, err = run(["createsite", "courier", "--origin", origin], capsys)
    assert code == 2
    assert "origin" in err
    assert not Site.objects.exists()


def test_createsite_needs_a_key(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["createsite"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("key,field", [("bad key", "key"), ("k" * 65, "key"), ("<script>", "key")])
def test_createsite_refuses_a_bad_key(db, capsys, key, field):
    code, _, err = run(["createsite", key], capsys)
    assert code == 2
    assert f"{field}:" in err
    assert not Site.objects.exists()


def test_createsite_refuses_an_overlong_name(db, capsys):
    code, _, err = run(["createsite", "courier", "--name", "n" * 201], capsys)
    assert code == 2 and "name:" in err
    assert not Site.objects.exists()


def test_createuser_reads_the_password_from_stdin(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, out, _ = run(["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"], capsys, "a long enough passphrase\n", monkeypatch)
    assert code == 0
    user = User.objects.get(username="mira")
    assert user.check_password("a long enough passphrase")
    assert Membership.objects.get(user=user).role == "editor"


def test_createuser_refuses_a_weak_password(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createuser", "mira", "--site", "courier", "--role", "editor", "--password-stdin"], capsys, "123\n", monkeypatch)
    assert code == 2
    assert "too short" in err
    assert not User.objects.exists()


def test_createuser_refuses_an_unknown_site(db, capsys, monkeypatch):
    code, _, err = run(["createuser", "mira", "--site", "nowhere", "--role", "admin", "--password-stdin"], capsys, "a long enough passphrase\n", monkeypatch)
    assert code == 2
    assert "no site" in err


def test_createuser_refuses_an_unknown_role(db, capsys):
    with pytest.raises(SystemExit):
        main(["createuser", "mira", "--site", "courier", "--role", "owner"])


def test_createuser_refuses_an_existing_name(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    User.objects.create_user("mira")
    code, _, err = run(["createuser", "mira", "--site", "courier", "--role", "viewer", "--password-stdin"], capsys, "a long enough passphrase\n", monkeypatch)
    assert code == 2 and "exists" in err


def test_createuser_refuses_a_bad_user_name(db, capsys, monkeypatch):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createuser", "<script>", "--site", "courier", "--role", "viewer", "--password-stdin"], capsys, "a long enough passphrase\n", monkeypatch)
    assert code == 2
    assert not User.objects.exists()


def test_createtoken_prints_a_working_token_once(db, client, capsys):
    run(["createsite", "courier"], capsys)
    code, out, err = run(["createtoken", "--site", "courier"], capsys)
    assert code == 0
    token = out.strip()
    assert token.startswith("crg_")
    assert "only its hash" in err
    assert ApiToken.objects.get().digest != token
    response = client.get("/api/v1/reports", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_createtoken_refuses_an_overlong_name(db, capsys):
    run(["createsite", "courier"], capsys)
    code, _, err = run(["createtoken", "--site", "courier", "--name", "n" * 101], capsys)
    assert code == 2 and "too long" in err
    assert not ApiToken.objects.exists()


def test_createtoken_refuses_an_unknown_site(db, capsys):
    code, _, err = run(["createtoken", "--site", "nowhere"], capsys)
    assert code == 2 and "no site" in err


# ---- real servers ----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def corrigo_env(data: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CORRIGO_DEMO", "DJANGO_SETTINGS_MODULE"}}
    env.update(CORRIGO_DATA=str(data), **extra)
    return env


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def corrigo(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corrigo", *args], env=env, capture_output=True, text=True, timeout=120)


def test_demo_serves_the_article_and_the_desk(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corrigo", "demo"], env=corrigo_env(tmp_path, PORT=str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", process)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert 'src="/widget.js"' in page and 'data-site="demo"' in page
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/desk/login/").status == 200
        assert (tmp_path / "corrigo.sqlite3").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "corrigo-demo" in output  # the printed credentials
    assert f"http://127.0.0.1:{port}/desk/" in output


def test_serve_takes_reports_on_a_migrated_database(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    created = corrigo("createsite", "courier", "--origin", "https://news.example.org", env=env)
    assert created.returncode == 0, created.stderr
    token = corrigo("createtoken", "--site", "courier", env=env).stdout.strip()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corrigo", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/api/v1/health", process)
        from tests.conftest import payload

        body = json.dumps(payload()).encode()
        request = urllib.request.Request(base + "/api/v1/reports", data=body, headers={"Content-Type": "text/plain", "Origin": "https://news.example.org"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
            uid = json.loads(response.read())["id"]
        listing = urllib.request.Request(base + "/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
        reports = json.loads(urllib.request.urlopen(listing).read())["reports"]
        assert [r["id"] for r in reports] == [uid]
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_demo_rejects_a_bad_port(tmp_path):
    result = corrigo("demo", "--port", "99999", env=corrigo_env(tmp_path))
    assert result.returncode == 2
    assert "port" in result.stderr
